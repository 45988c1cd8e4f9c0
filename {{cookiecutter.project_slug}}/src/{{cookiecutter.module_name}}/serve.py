"""Real-time prediction over HTTP (FastAPI).

    python -m {{ cookiecutter.module_name }}.serve [--host 127.0.0.1] [--port 8000]

GET /health, GET /metadata, POST /predict with {"rows": [{feature: value, ...}, ...]}.
Requests are checked field by field against schema.FEATURES before the model sees them: a
bad request gets a 422 naming each bad field, never a 500.

Before any parsing, RequestLimits bounds what a client can make the server hold: a body
over serve.max_body_bytes gets 413 (from Content-Length, or counted while it streams in), a
body slower than serve.read_timeout_seconds gets 408, and Content-Length together with
Transfer-Encoding (the request-smuggling pattern) gets 400; each closes the connection.
"""

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, create_model

from {{ cookiecutter.module_name }} import model_io
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, ServeParams, load_params
from {{ cookiecutter.module_name }}.errors import ProjectError
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, FEATURES, Feature, Kind, assert_never

DEFAULT_MAX_BATCH_ROWS = 1000
DEFAULT_MAX_BODY_BYTES = 1_048_576
DEFAULT_READ_TIMEOUT = 10.0


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
    """A request row: every feature, typed and range-checked; unknown fields refused."""
    fields = {feature.name: field(feature) for feature in features}
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


class PredictResponse(BaseModel):
    model_version: str
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
) -> FastAPI:
    """Build the application around a loaded model.

    Args:
        artifact: the model and its metadata.
        max_batch_rows: the most rows one request may hold (serve.max_batch_rows).
        max_body_bytes: the largest request body accepted (serve.max_body_bytes).
        read_timeout: seconds a client has to send a request body (serve.read_timeout_seconds).
    """
    # No /docs or /redoc: their pages load scripts from a CDN. /openapi.json describes the API.
    app = FastAPI(
        title={{ cookiecutter.project_name|tojson }},
        version=artifact.version,
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(RequestLimits, max_body_bytes=max_body_bytes, read_timeout=read_timeout)
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
    }

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/metadata")
    def get_metadata() -> dict[str, Any]:
        return metadata

    @app.post("/predict", response_model=PredictResponse)
    def predict(request: predict_request) -> PredictResponse:  # type: ignore[valid-type]
        rows = request.rows  # type: ignore[attr-defined]
        columns = {name: [getattr(row, name) for row in rows] for name in FEATURE_NAMES}
        labels, probability = artifact.score(columns)
        return PredictResponse(
            model_version=artifact.version,
            predictions=[
                Prediction(label=int(label), probability=float(p))
                for label, p in zip(labels, probability, strict=True)
            ],
        )

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m {{ cookiecutter.module_name }}.serve", description="Serve the model over HTTP."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--model", type=Path, help="default: paths.model in params.yaml")
    parser.add_argument("--params", type=Path, default=PARAMS_FILE)
    args = parser.parse_args(argv)
    try:
        params = load_params(args.params)
        artifact = model_io.load(args.model or params.paths.model, **params.model_file.model_dump())
    except ProjectError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1
    import uvicorn
    from threadpoolctl import threadpool_limits

    # Requests hold a few rows: OpenMP threads would cost more to wake than they save.
    threadpool_limits(limits=1, user_api="openmp")
    limits = params.serve or ServeParams(
        max_batch_rows=DEFAULT_MAX_BATCH_ROWS,
        max_body_bytes=DEFAULT_MAX_BODY_BYTES,
        read_timeout_seconds=DEFAULT_READ_TIMEOUT,
        keep_alive_seconds=5.0,
    )
    app = create_app(
        artifact, limits.max_batch_rows, limits.max_body_bytes, limits.read_timeout_seconds
    )
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        http=slow_client_protocol(limits.read_timeout_seconds),
        timeout_keep_alive=limits.keep_alive_seconds,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
