"""The service's loop: request ids, champion/challenger routing, the log and /metrics."""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from {{ cookiecutter.module_name }} import model_io, train
from {{ cookiecutter.module_name }}.assignment import assign_weighted, boundaries
from {{ cookiecutter.module_name }}.champion_challenger import Models
from {{ cookiecutter.module_name }}.config import ChallengerParams, PredictionLogParams
from {{ cookiecutter.module_name }}.prediction_log import PredictionLog
from {{ cookiecutter.module_name }}.serve import create_app
from {{ cookiecutter.module_name }}.service_metrics import ServiceMetrics


@pytest.fixture(scope="module")
def challenger(params, sample, artifact) -> model_io.ModelArtifact:
    settings = params.model.model_copy(update={"max_iter": 5, "learning_rate": 0.5})
    fitted = train.fit(sample, settings)
    return model_io.ModelArtifact(fitted, dict(artifact.metadata), version="challenger1")


def serve(artifact, challenger, tmp_path, mode: str, share: float = 0.5):
    params = ChallengerParams(mode=mode, model="unused", share=share, salt="exp")
    log_params = PredictionLogParams(
        enabled=True, directory=tmp_path, queue_rows=10_000, roll_bytes=10**8,
        roll_seconds=60.0, hash_salt="s",
    )  # fmt: skip
    metrics = ServiceMetrics()
    log = PredictionLog(log_params, on_drop=metrics.log_dropped.inc)
    models = Models(artifact, challenger, params)
    app = create_app(artifact, max_batch_rows=100, models=models, log=log, metrics=metrics)
    return TestClient(app)


def rows_with_ids(client, n: int) -> list[dict]:
    example = client.get("/metadata").json()["example"]
    return [{**example, "customer_id": f"C{i:05d}"} for i in range(n)]


def test_split_routes_by_the_hash_of_the_id_and_the_log_records_it(artifact, challenger, tmp_path):
    with serve(artifact, challenger, tmp_path, "split", share=0.3) as client:
        rows = rows_with_ids(client, 60) + [client.get("/metadata").json()["example"]]
        body = client.post("/predict", json={"rows": rows}).json()
        metrics = client.get("/metrics").text
    bounds = boundaries([0.7, 0.3])
    expected = [assign_weighted(r["customer_id"], ("champion", "challenger"), bounds, "exp")
                for r in rows[:60]] + ["champion"]  # fmt: skip
    assert [p["variant"] for p in body["predictions"]] == expected
    assert 5 < expected.count("challenger") < 30
    logged = pd.read_parquet(tmp_path)
    assert set(logged["request_id"]) == {body["request_id"]}
    by_id = dict(zip(logged["customer_id"].fillna("-"), logged["variant"], strict=True))
    assert [by_id[r.get("customer_id", "-")] for r in rows] == expected
    versions = dict(zip(logged["variant"], logged["model_version"], strict=False))
    assert versions == {"champion": artifact.version, "challenger": "challenger1"}
    assert set(logged["experiment"]) == {"exp"}  # the salt: the rows this experiment routed
    answered = [p["probability"] for p in body["predictions"]]
    assert sorted(logged["probability"]) == pytest.approx(sorted(answered))
    counted = 'predictions_total{served="true",variant="challenger"} '
    assert f"{counted}{expected.count('challenger')}.0" in metrics


def test_shadow_answers_with_the_champion_and_logs_both(artifact, challenger, tmp_path):
    with serve(artifact, challenger, tmp_path, "shadow") as client:
        rows = rows_with_ids(client, 10)
        body = client.post("/predict", json={"rows": rows}).json()
    assert {p["variant"] for p in body["predictions"]} == {"champion"}
    logged = pd.read_parquet(tmp_path)
    assert logged.groupby(["variant", "served"]).size().to_dict() == {
        ("challenger", False): 10,
        ("champion", True): 10,
    }
    assert logged["experiment"].isna().all()  # nothing routed: not part of an A/B test
    shadow = logged[~logged["served"]]["probability"].tolist()
    expected = challenger.score({k: [v] * 10 for k, v in rows[0].items() if k != "customer_id"})
    assert shadow == pytest.approx(expected[1].tolist())


def test_metrics_count_requests_latency_and_refusals(artifact, challenger, tmp_path):
    with serve(artifact, challenger, tmp_path, "none") as client:
        rows = rows_with_ids(client, 3)
        for _ in range(4):
            assert client.post("/predict", json={"rows": rows}).status_code == 200
        assert client.post("/predict", json={"rows": []}).status_code == 422
        client.get("/no-such-page")
        text = client.get("/metrics").text
    assert 'http_requests_total{path="/predict",status="200"} 4.0' in text
    assert 'http_requests_total{path="/predict",status="422"} 1.0' in text
    assert 'http_requests_total{path="other",status="404"} 1.0' in text
    assert 'http_request_duration_seconds_count{path="/predict"} 5.0' in text
    assert 'predictions_total{served="true",variant="champion"} 12.0' in text
    assert "prediction_log_rows_dropped_total 0.0" in text


def test_an_unknown_field_next_to_the_id_is_still_refused(artifact, challenger, tmp_path):
    with serve(artifact, challenger, tmp_path, "split") as client:
        row = {**rows_with_ids(client, 1)[0], "custmer_id": "x"}
        response = client.post("/predict", json={"rows": [row]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rows[0].custmer_id"
