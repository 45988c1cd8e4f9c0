"""Prometheus metrics of the HTTP service, served as text at GET /metrics.

Requests by path and status, a latency histogram, predictions by variant and dropped log
rows. With several workers (serve.workers > 1) serve.main points PROMETHEUS_MULTIPROC_DIR
at a fresh folder before the workers start, and /metrics adds up every worker's values
(prometheus-client's multiprocess mode), whichever worker answers the scrape.
"""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

# Anything else is counted as "other": a client must not create a series per URL it tries.
KNOWN_PATHS = frozenset({"/predict", "/health", "/metadata", "/metrics", "/openapi.json"})


class ServiceMetrics:
    """The service's counters and histogram, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "http_requests_total",
            "HTTP requests answered, by path and status",
            ["path", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Time from the request's start to the end of its response",
            ["path"],
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10),
            registry=self.registry,
        )
        self.predictions = Counter(
            "predictions_total",
            "Rows scored, by variant; served=false: shadow scores",
            ["variant", "served"],
            registry=self.registry,
        )
        self.log_dropped = Counter(
            "prediction_log_rows_dropped_total",
            "Scored rows the prediction log dropped: its queue was full or its folder unwritable",
            registry=self.registry,
        )

    def exposition(self) -> bytes:
        """The text format; across every worker in multiprocess mode."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)
            return generate_latest(registry)
        return generate_latest(self.registry)


class MeasureRequests:
    """Pure ASGI middleware counting each response by path and status, and timing it."""

    def __init__(self, app: Any, metrics: ServiceMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_and_note(message: dict) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            path = scope["path"] if scope["path"] in KNOWN_PATHS else "other"
            self.metrics.requests.labels(path, str(status)).inc()
            self.metrics.latency.labels(path).observe(time.perf_counter() - started)
