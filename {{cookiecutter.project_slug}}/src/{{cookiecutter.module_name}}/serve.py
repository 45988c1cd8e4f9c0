"""Real-time prediction over HTTP (FastAPI).

    python -m {{ cookiecutter.module_name }}.serve [--host 127.0.0.1] [--port 8000]

GET /health, GET /metadata, GET /metrics (Prometheus), POST /predict with
{"rows": [{feature: value, ..., "customer_id": "..." (optional)}, ...]}. Requests are
checked field by field against schema.FEATURES before the model sees them: a bad request
gets a 422 naming each bad field, never a 500. Each answer names its request_id and, per
row, the variant that answered (champion_challenger.py); every scored row goes to the
prediction log (prediction_log.py).

Before any parsing, RequestLimits bounds what a client can make the server hold: a body
over serve.max_body_bytes gets 413 (from Content-Length, or counted while it streams in), a
body slower than serve.read_timeout_seconds gets 408, and Content-Length together with
Transfer-Encoding (the request-smuggling pattern) gets 400; each closes the connection.
"""

import argparse
import asyncio
import contextlib
import functools
import json
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, create_model

from {{ cookiecutter.module_name }} import model_io
from {{ cookiecutter.module_name }}.champion_challenger import Models
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, Params, ServeParams, load_params
from {{ cookiecutter.module_name }}.errors import ProjectError
from {{ cookiecutter.module_name }}.prediction_log import PredictionLog
from {{ cookiecutter.module_name }}.schema import (
    FEATURE_NAMES,
    FEATURES,
    ID_COLUMN,
    Feature,
    Kind,
    assert_never,
)
from {{ cookiecutter.module_name }}.service_metrics import MeasureRequests, ServiceMetrics

DEFAULT_MAX_BATCH_ROWS = 1000
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_READ_TIMEOUT = 10.0
# serve.main hands the worker processes their settings through this variable (JSON).
WORKER_SETTINGS = "{{ cookiecutter.module_name|upper }}_SERVE_SETTINGS"


class RequestLimits:
    """Pure ASGI middleware: reads the request body, bounded in size and time, before the
    application sees it. Nothing is parsed until the whole body is in and within bounds, so
    a client can make the server hold at most max_body_bytes per request."""

    def __init__(self, app: Any, max_body_bytes: int, read_timeout: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.read_timeout = read_timeout

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {name.lower() for name, _ in scope["headers"]}
        if b"transfer-encoding" in headers and b"content-length" in headers:
            await refuse(send, 400, "Content-Length and Transfer-Encoding together; send one")
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.max_body_bytes:
            await refuse(send, 413, self.too_large())
            return
        body, more = [], True
        size = 0
        while more:
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout)
            except {% if cookiecutter.python_version == "3.10" %}asyncio.TimeoutError{% else %}TimeoutError{% endif %}:
                await refuse(send, 408, self.too_slow())
                return
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                await refuse(send, 413, self.too_large())
                return
            body.append(message.get("body", b""))
            more = message.get("more_body", False)
        whole = {"type": "http.request", "body": b"".join(body), "more_body": False}
        body.clear()
        replayed = False

        async def replay() -> dict:
            nonlocal replayed
            if replayed:
                return await receive()  # only http.disconnect is left to come
            replayed = True
            return whole

        await self.app(scope, replay, send)

    def too_slow(self) -> str:
        return f"request body not received within {self.read_timeout:g} s; send it at once"

    def too_large(self) -> str:
        return (
            f"request body over {self.max_body_bytes} bytes (serve.max_body_bytes); "
            "send fewer rows per request"
        )


async def refuse(send: Any, status: int, detail: str) -> None:
    """Answer with a JSON error and close the connection: bytes of the refused request may
    still be on it, and must not be read as a next request."""
    content = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


@functools.cache
def slow_client_protocol(header_timeout: float) -> type:
    """uvicorn's h11 protocol with a deadline for each request's headers.

    uvicorn closes a connection idle between requests after timeout_keep_alive, but waits
    forever for the first request's headers, or for headers sent a byte at a time. Here a
    connection on which no new request started within header_timeout is closed. (h11 also
    bounds the headers' size: 16 KiB by default, uvicorn's h11_max_incomplete_event_size.)
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class SlowClientTimeouts(H11Protocol):
        def connection_made(self, transport: Any) -> None:
            super().connection_made(transport)
            self.arm_header_deadline()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self.arm_header_deadline()

        def arm_header_deadline(self) -> None:
            self.loop.call_later(header_timeout, self.close_if_no_request, self.cycle)

        def close_if_no_request(self, cycle_when_armed: Any) -> None:
            if self.cycle is cycle_when_armed and not self.transport.is_closing():
                self.transport.close()

    return SlowClientTimeouts


def field(feature: Feature) -> tuple[Any, Any]:
    """The type and rules of one request field. Strict: "9", 9.5 for a whole number, true
    for a number, 1 for a boolean, and null are refused rather than guessed at."""
    about = feature.description
    match feature.kind:
        case Kind.INTEGER:
            return StrictInt, Field(ge=feature.minimum, le=feature.maximum, description=about)
        case Kind.FLOAT:
            return float, Field(
                strict=True,  # a whole number is a valid float; text and true are not
                ge=feature.minimum,
                le=feature.maximum,
                allow_inf_nan=False,
                description=about,
            )
        case Kind.BOOLEAN:
            return StrictBool, Field(description=about)
        case Kind.CATEGORY:
            return Literal[feature.categories], Field(description=about)
        case _:
            assert_never(feature.kind)


def row_model(features: tuple[Feature, ...] = FEATURES) -> type[BaseModel]:
    """A request row: every feature, typed and range-checked, and optionally the unit's id
    (for champion/challenger routing and joining outcomes); unknown fields refused."""
    fields = {feature.name: field(feature) for feature in features}
    fields[ID_COLUMN] = (
        str | None,
        Field(default=None, min_length=1, max_length=128, description="the unit's id"),
    )
    return create_model("Row", __config__=ConfigDict(extra="forbid"), **fields)


def request_model(max_batch_rows: int) -> type[BaseModel]:
    row = row_model()
    rows = Field(min_length=1, max_length=max_batch_rows, description="rows to score")
    return create_model(
        "PredictRequest", __config__=ConfigDict(extra="forbid"), rows=(list[row], rows)
    )


class Prediction(BaseModel):
    label: int = Field(description="1: the customer is predicted to open the email")
    probability: float = Field(description="predicted probability of opening")
    variant: str = Field(description="the model that answered: champion or challenger")


class PredictResponse(BaseModel):
    request_id: str = Field(description="the id of this request in the prediction log")
    model_version: str = Field(description="the champion's version")
    predictions: list[Prediction]


def field_name(location: tuple[Any, ...]) -> str:
    """('body', 'rows', 0, 'send_hour') -> 'rows[0].send_hour'."""
    name = ""
    for part in location[1:] if location and location[0] == "body" else location:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or "body"


async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
    """One entry per bad field. The offending input is left out: it may be NaN, which
    JSON cannot carry, and echoing it back is never needed to fix the request."""
    errors = []
    for item in error.errors():
        name = field_name(tuple(item.get("loc", ())))
        message = item.get("msg", "invalid value")
        if item.get("type") == "json_invalid":
            reason = item.get("ctx", {}).get("error", "parse error")
            name, message = "body", f"request body is not valid JSON ({reason})"
        elif item.get("type") == "missing" and name == "body":
            message = 'a JSON object {"rows": [...]} is required'
        errors.append({"field": name, "message": message})
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:3])
    return JSONResponse(status_code=422, content={"detail": summary, "errors": errors})


def create_app(
    artifact: model_io.ModelArtifact,
    max_batch_rows: int = DEFAULT_MAX_BATCH_ROWS,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    models: Models | None = None,
    log: PredictionLog | None = None,
    metrics: ServiceMetrics | None = None,
) -> FastAPI:
    """Build the application around a loaded model.

    Args:
        artifact: the model and its metadata (the champion).
        max_batch_rows: the most rows one request may hold (serve.max_batch_rows).
        max_body_bytes: the largest request body accepted (serve.max_body_bytes).
        read_timeout: seconds a client has to send a request body (serve.read_timeout_seconds).
        models: the champion and a challenger; default: the artifact alone.
        log: the prediction log, started and closed with the app; default: none.
        metrics: the service's Prometheus metrics; default: a fresh set.
    """
    models = models or Models(artifact)
    metrics = metrics or ServiceMetrics()

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        if log is not None:
            log.start()
        yield
        if log is not None:
            log.close()  # writes what is queued and renames the open file

    # No /docs or /redoc: their pages load scripts from a CDN. /openapi.json describes the API.
    app = FastAPI(
        title={{ cookiecutter.project_name|tojson }},
        version=artifact.version,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.add_middleware(RequestLimits, max_body_bytes=max_body_bytes, read_timeout=read_timeout)
    app.add_middleware(MeasureRequests, metrics=metrics)  # outermost: refusals count too
    app.add_exception_handler(RequestValidationError, validation_error)
    predict_request = request_model(max_batch_rows)
    metadata = {
        "model_version": artifact.version,
        "training_data_sha256": artifact.metadata["training_data_sha256"],
        "package_version": artifact.metadata["package_version"],
        "git_commit": artifact.metadata["git_commit"],
        "metrics": artifact.metadata["metrics"],
        "features": artifact.metadata["input_schema"]["features"],
        "example": artifact.metadata["example"],
        "max_batch_rows": max_batch_rows,
        "challenger": {
            "mode": models.mode,
            "model_version": models.challenger.version if models.challenger else None,
        },
    }

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metadata")
    def get_metadata() -> dict[str, Any]:
        return metadata

    @app.get("/metrics")
    def get_metrics() -> Response:
        return Response(metrics.exposition(), media_type="text/plain; version=0.0.4")

    @app.post("/predict", response_model=PredictResponse)
    def predict(request: predict_request) -> PredictResponse:  # type: ignore[valid-type]
        request_id = uuid.uuid4().hex
        rows = request.rows  # type: ignore[attr-defined]
        columns = {name: [getattr(row, name) for row in rows] for name in FEATURE_NAMES}
        unit_ids = [getattr(row, ID_COLUMN) for row in rows]
        answers: list[Prediction | None] = [None] * len(rows)
        for group in models.score(columns, unit_ids):
            metrics.predictions.labels(group.variant, str(group.served).lower()).inc(
                len(group.rows)
            )
            if log is not None:
                log.record(
                    group.columns,
                    group.labels,
                    group.probability,
                    request_id=request_id,
                    model_version=group.artifact.version,
                    variant=group.variant,
                    unit_ids=[unit_ids[row] for row in group.rows],
                    served=group.served,
                    experiment=models.experiment,
                )
            if group.served:
                for row, label, p in zip(group.rows, group.labels, group.probability, strict=True):
                    answers[row] = Prediction(
                        label=int(label), probability=float(p), variant=group.variant
                    )
        return PredictResponse(
            request_id=request_id, model_version=artifact.version, predictions=answers
        )

    return app


def build_app(params: Params, model: Path | None = None) -> FastAPI:
    """The application as params.yaml describes it: champion (and challenger), limits, log."""
    model_file = params.model_file.model_dump()
    champion = model_io.load(model or params.paths.model, **model_file)
    challenger = None
    if params.challenger is not None and params.challenger.mode != "none":
        challenger = model_io.load(params.challenger.model, **model_file)
    metrics = ServiceMetrics()
    log = None
    if params.prediction_log is not None and params.prediction_log.enabled:
        log = PredictionLog(params.prediction_log, on_drop=metrics.log_dropped.inc)
    limits = serve_limits(params)
    return create_app(
        champion,
        limits.max_batch_rows,
        limits.max_body_bytes,
        limits.read_timeout_seconds,
        models=Models(champion, challenger, params.challenger),
        log=log,
        metrics=metrics,
    )


def serve_limits(params: Params) -> ServeParams:
    return params.serve or ServeParams(
        max_batch_rows=DEFAULT_MAX_BATCH_ROWS,
        max_body_bytes=DEFAULT_MAX_BODY_BYTES,
        read_timeout_seconds=DEFAULT_READ_TIMEOUT,
        keep_alive_seconds=5.0,
    )


def worker_app() -> FastAPI:
    """The application in each worker process (uvicorn factory, serve.workers > 1)."""
    settings = json.loads(os.environ[WORKER_SETTINGS])
    params = load_params(Path(settings["params"]))
    return build_app(params, Path(settings["model"]) if settings["model"] else None)


class WorkerProtocol:
    """Imported by name in each worker (uvicorn needs a name to hand a class to a spawned
    process): the slow-client protocol, with the header deadline from WORKER_SETTINGS."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        timeout = json.loads(os.environ[WORKER_SETTINGS])["read_timeout"]
        return slow_client_protocol(timeout)(*args, **kwargs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.serve", description="Serve the model over HTTP."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--model", type=Path, help="default: paths.model in params.yaml")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    parser.add_argument("--workers", type=int, help="processes (default: serve.workers)")
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        app = build_app(params, args.model)  # also checks the model files before forking
    except ProjectError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1
    import uvicorn
    from threadpoolctl import threadpool_limits

    # Requests hold a few rows: OpenMP threads would cost more to wake than they save.
    threadpool_limits(limits=1, user_api="openmp")
    limits = serve_limits(params)
    workers = args.workers or limits.workers
    if workers < 1:
        print(f"serve: --workers is {workers}; give 1 or more", file=sys.stderr)
        return 2
    common = {"host": args.host, "port": args.port, "timeout_keep_alive": limits.keep_alive_seconds}
    if workers == 1:
        uvicorn.run(app, http=slow_client_protocol(limits.read_timeout_seconds), **common)
        return 0
    os.environ[WORKER_SETTINGS] = json.dumps(
        {
            "params": str(args.params.resolve()),
            "model": str(args.model.resolve()) if args.model else None,
            "read_timeout": limits.read_timeout_seconds,
        }
    )
    # Each worker writes its metrics to files here and /metrics adds them all up; a fresh
    # folder per start, so the counts of a previous run are not added in.
    metrics_dir = tempfile.mkdtemp(prefix="serve-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    try:
        uvicorn.run(
            "{{ cookiecutter.module_name }}.serve:worker_app",
            factory=True,
            workers=workers,
            http="{{ cookiecutter.module_name }}.serve:WorkerProtocol",
            # A worker answers uvicorn's health check only once it has imported the
            # libraries and loaded the model: seconds on a busy machine, not uvicorn's 5.
            timeout_worker_healthcheck=60,
            **common,
        )
    finally:
        shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
