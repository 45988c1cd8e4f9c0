"""The HTTP API through FastAPI's test client: good requests, and every kind of bad one."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from {{ cookiecutter.module_name }} import schema
from {{ cookiecutter.module_name }}.schema import Feature, Kind
from {{ cookiecutter.module_name }}.serve import create_app, field_name, row_model

MAX_ROWS = 5


@pytest.fixture
def client(artifact):
    # A fresh app per test (milliseconds): no test sees another's state, and mutation tools
    # tie the app's construction to every test that sends it a request.
    with TestClient(
        create_app(artifact, max_batch_rows=MAX_ROWS), raise_server_exceptions=False
    ) as client:
        yield client


@pytest.fixture
def example(client):
    return client.get("/metadata").json()["example"]


def test_health(client):
    response = client.get("/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_metadata_describes_model_and_features(client, artifact):
    metadata = client.get("/metadata").json()
    assert metadata["model_version"] == artifact.version
    assert metadata["training_data_sha256"] == artifact.metadata["training_data_sha256"]
    assert [f["name"] for f in metadata["features"]] == list(schema.FEATURE_NAMES)
    assert set(metadata["example"]) == set(schema.FEATURE_NAMES)
    assert metadata["max_batch_rows"] == MAX_ROWS


def test_example_row_is_predicted_like_the_model_does(client, artifact, example):
    response = client.post("/predict", json={"rows": [example, example]})
    assert response.status_code == 200
    body = response.json()
    assert body["model_version"] == artifact.version
    assert len(body["predictions"]) == 2
    expected = artifact.score({name: [value] for name, value in example.items()})[1][0]
    assert body["predictions"][0]["probability"] == pytest.approx(expected)
    assert body["predictions"][0]["label"] in (0, 1)


def test_full_batch_is_accepted(client, example):
    assert client.post("/predict", json={"rows": [example] * MAX_ROWS}).status_code == 200


def post_raw(client, body: str):
    return client.post("/predict", content=body, headers={"content-type": "application/json"})


def assert_refused(response, field: str) -> None:
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in [error["field"] for error in body["errors"]], body
    assert body["detail"].startswith(body["errors"][0]["field"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"rows": [', "body"),
        ("", "body"),
        ("[]", "body"),
        ('{"rows": []}', "rows"),
        ('{"rows": null}', "rows"),
    ],
)
def test_malformed_bodies_are_refused(client, body, field):
    assert_refused(post_raw(client, body), field)


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("", 'body: a JSON object {"rows": [...]} is required'),
        ("[]", "body: Input should be a valid dictionary or object to extract fields from"),
        ('{"rows": [', "body: request body is not valid JSON (Expecting value)"),
        ('{"rows": []}', "rows: List should have at least 1 item after validation, not 0"),
    ],
)
def test_malformed_bodies_get_a_detail_that_says_what_to_send(client, body, detail):
    response = post_raw(client, body)
    assert response.status_code == 422
    assert response.json()["detail"] == detail


@pytest.mark.parametrize(
    ("name", "literal"),
    [("send_hour", "NaN"), ("tenure_months", "Infinity"), ("past_opens_30d", "-Infinity")],
)
def test_nan_and_infinity_are_refused(client, example, name, literal):
    # Python's JSON parser accepts these literals, so they reach validation as floats.
    others = json.dumps({key: value for key, value in example.items() if key != name})
    body = '{"rows": [' + others[:-1] + f', "{name}": {literal}' + "}]}"
    assert_refused(post_raw(client, body), f"rows[0].{name}")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"send_hour": 24}, "rows[0].send_hour"),
        ({"send_hour": -1}, "rows[0].send_hour"),
        ({"send_hour": "9"}, "rows[0].send_hour"),
        ({"send_hour": 9.5}, "rows[0].send_hour"),
        ({"send_hour": True}, "rows[0].send_hour"),
        ({"send_hour": None}, "rows[0].send_hour"),
        ({"tenure_months": 10**30}, "rows[0].tenure_months"),
        ({"weekday": "Funday"}, "rows[0].weekday"),
        ({"channel": 3}, "rows[0].channel"),
        ({"country": "FR"}, "rows[0].country"),
    ],
)
def test_bad_fields_are_refused_by_name(client, example, change, field):
    assert_refused(client.post("/predict", json={"rows": [{**example, **change}]}), field)


def test_every_bad_field_is_listed_and_the_detail_sums_up_the_first_three(client, example):
    row = {**example, "send_hour": 24, "channel": "fax", "tenure_months": -1, "past_opens_30d": 1.5}
    response = client.post("/predict", json={"rows": [row]})
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {"field": "rows[0].send_hour", "message": "Input should be less than or equal to 23"},
        {"field": "rows[0].tenure_months", "message": "Input should be greater than or equal to 0"},
        {"field": "rows[0].past_opens_30d", "message": "Input should be a valid integer"},
        {
            "field": "rows[0].channel",
            "message": "Input should be 'newsletter', 'promotion' or 'transactional'",
        },
    ]
    assert body["detail"] == "; ".join(
        f"{error['field']}: {error['message']}" for error in body["errors"][:3]
    )


def test_missing_field_is_named(client, example):
    row = {name: value for name, value in example.items() if name != "channel"}
    assert_refused(client.post("/predict", json={"rows": [example, row]}), "rows[1].channel")


def test_unknown_top_level_field_is_refused(client, example):
    assert_refused(client.post("/predict", json={"rows": [example], "debug": True}), "debug")


def test_batch_over_the_maximum_is_refused(client, example):
    assert_refused(client.post("/predict", json={"rows": [example] * (MAX_ROWS + 1)}), "rows")


def test_server_keeps_serving_after_bad_requests(client, example):
    post_raw(client, '{"rows": [{"send_hour": NaN}]}')
    post_raw(client, "{")
    assert client.post("/predict", json={"rows": [example]}).status_code == 200


def test_field_names_read_like_json_paths():
    assert field_name(("body", "rows", 0, "send_hour")) == "rows[0].send_hour"
    assert field_name(("body",)) == "body"
    assert field_name(()) == "body"
    # Only the request body's own prefix is dropped.
    assert field_name(("query", "limit")) == "query.limit"


def test_float_and_boolean_fields_take_their_own_kind_only():
    row = row_model(
        (
            Feature("discount", Kind.FLOAT, "share off the price", 0.0, 0.5),
            Feature("vip", Kind.BOOLEAN, "a VIP customer"),
        )
    )
    assert row(discount=0, vip=True).discount == 0.0
    assert row(discount=0.25, vip=False).vip is False
    for bad in (
        {"discount": 0.75, "vip": True},
        {"discount": float("nan"), "vip": True},
        {"discount": "0.1", "vip": True},
        {"discount": True, "vip": True},
        {"discount": 0.1, "vip": 1},
        {"discount": 0.1, "vip": "yes"},
    ):
        with pytest.raises(ValidationError):
            row(**bad)


def test_an_unbounded_float_still_refuses_nan_and_infinity_and_a_bound_holds_below():
    row = row_model(
        (
            Feature("score", Kind.FLOAT, "a score"),
            Feature("discount", Kind.FLOAT, "share off the price", 0.0, 0.5),
        )
    )
    assert row(score=-1e9, discount=0.0).score == -1e9
    described = row.model_json_schema()["properties"]
    assert described["score"]["description"] == "a score"
    assert described["discount"]["description"] == "share off the price"
    for bad in (
        {"score": float("nan"), "discount": 0.1},
        {"score": float("inf"), "discount": 0.1},
        {"score": 1.0, "discount": -0.1},
    ):
        with pytest.raises(ValidationError):
            row(**bad)


def test_a_unit_id_is_optional_and_of_1_to_128_characters(example):
    row = row_model()
    without_id = {name: value for name, value in example.items() if name != schema.ID_COLUMN}
    assert getattr(row(**without_id), schema.ID_COLUMN) is None
    for good in ("u", "u" * 128):
        assert getattr(row(**{**without_id, schema.ID_COLUMN: good}), schema.ID_COLUMN) == good
    for bad in ("", "u" * 129):
        with pytest.raises(ValidationError):
            row(**{**without_id, schema.ID_COLUMN: bad})
    described = row.model_json_schema()["properties"][schema.ID_COLUMN]
    assert described["description"] == "the unit's id"


def test_the_api_schema_describes_every_field_as_the_features_do(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    fields = schemas["Row"]["properties"]
    for feature in schema.FEATURES:
        assert fields[feature.name]["description"] == feature.description
    rows = schemas["PredictRequest"]["properties"]["rows"]
    assert (rows["description"], rows["minItems"], rows["maxItems"]) == (
        "rows to score",
        1,
        MAX_ROWS,
    )
    flags = row_model((Feature("vip", Kind.BOOLEAN, "a VIP customer"),)).model_json_schema()
    assert flags["properties"]["vip"]["description"] == "a VIP customer"


def test_a_body_over_the_limit_is_refused_before_parsing(artifact, example):
    app = create_app(artifact, max_batch_rows=5000, max_body_bytes=2048)
    with TestClient(app) as small:
        body = json.dumps({"rows": [example] * 40})
        assert len(body) > 2048
        response = post_raw(small, body)
        assert response.status_code == 413
        assert response.json()["detail"].startswith("request body over 2048 bytes")
        assert response.headers["connection"] == "close"
        assert post_raw(small, json.dumps({"rows": [example]})).status_code == 200


def test_api_pages_that_load_scripts_from_a_cdn_are_off(client):
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404
    assert "/predict" in client.get("/openapi.json").json()["paths"]
