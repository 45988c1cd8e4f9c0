"""Real-time prediction over HTTP (FastAPI).

    python -m {{ cookiecutter.module_name }}.serve [--host 127.0.0.1] [--port 8000]

GET /health, GET /metadata, POST /predict with {"rows": [{feature: value, ...}, ...]}.
Requests are checked field by field against schema.FEATURES before the model sees them: a
bad request gets a 422 naming each bad field, never a 500.
"""

import argparse
import sys
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, create_model

from {{ cookiecutter.module_name }} import model_io
from {{ cookiecutter.module_name }}.config import PARAMS_FILE, load_params
from {{ cookiecutter.module_name }}.errors import ProjectError
from {{ cookiecutter.module_name }}.schema import FEATURE_NAMES, FEATURES, Feature, Kind, assert_never

DEFAULT_MAX_BATCH_ROWS = 1000


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
    artifact: model_io.ModelArtifact, max_batch_rows: int = DEFAULT_MAX_BATCH_ROWS
) -> FastAPI:
    """Build the application around a loaded model.

    Args:
        artifact: the model and its metadata.
        max_batch_rows: the most rows one request may hold (serve.max_batch_rows).
    """
    app = FastAPI(title={{ cookiecutter.project_name|tojson }}, version=artifact.version)
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
        artifact = model_io.load(args.model or params.paths.model)
    except ProjectError as error:
        print(f"serve: {error}", file=sys.stderr)
        return 1
    import uvicorn
    from threadpoolctl import threadpool_limits

    # Requests hold a few rows: OpenMP threads would cost more to wake than they save.
    threadpool_limits(limits=1, user_api="openmp")
    max_rows = params.serve.max_batch_rows if params.serve else DEFAULT_MAX_BATCH_ROWS
    uvicorn.run(create_app(artifact, max_rows), host=args.host, port=args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
