"""App-wide behaviour: health, OpenAPI docs, 404/405/500 JSON, and no client input -> 500."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient
from image_to_speech.api.app_factory import create_app

from tests.unit.image_to_speech.conftest import FunctionUnderTest

FUNCTIONS = ["caption", "translate", "speak"]


@pytest.fixture(scope="module")
def functions(
    caption_function: FunctionUnderTest,
    translate_function: FunctionUnderTest,
    speak_function: FunctionUnderTest,
) -> dict[str, FunctionUnderTest]:
    return {"caption": caption_function, "translate": translate_function, "speak": speak_function}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_health_reports_model_load_and_no_library_versions(
    functions: dict[str, FunctionUnderTest], name: str
) -> None:
    """GIVEN a function app WHEN GET /health (a public route) THEN its preset and load time,
    and nothing that names a library version."""
    function = functions[name]
    model = function.model
    response = TestClient(function.app).get("/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and list(body["models"]) == [name]
    health = body["models"][name]
    assert health["preset"] == model.bundle.preset
    assert health["model"] == model.bundle.describe()
    assert health["load_ms"] == pytest.approx(model.load_ms, abs=0.1) and health["load_ms"] > 0
    assert set(body) == {"status", "models"}
    assert not re.search(r"onnxruntime|fastapi|pydantic|mangum|numpy|python", response.text, re.I)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_openapi_and_docs(functions: dict[str, FunctionUnderTest], name: str) -> None:
    """GIVEN a function app WHEN /openapi.json and /docs are fetched THEN both describe it."""
    client = TestClient(functions[name].app)
    spec = client.get("/openapi.json").json()
    assert set(spec["paths"]) == {f"/{name}", "/health"}
    operation = spec["paths"][f"/{name}"]["post"]
    assert {"413", "415", "422"} <= set(operation["responses"])
    assert "ErrorBody" in spec["components"]["schemas"]
    if name == "caption":
        assert {"image/jpeg", "multipart/form-data", "application/json"} <= set(
            operation["requestBody"]["content"]
        )
    docs = client.get("/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


@pytest.mark.parametrize("name", FUNCTIONS)
def test_unknown_route_404_and_wrong_method_405(
    functions: dict[str, FunctionUnderTest], name: str
) -> None:
    client = TestClient(functions[name].app)
    missing = client.get("/does-not-exist")
    assert missing.status_code == 404
    assert missing.json()["error"] == "not_found" and f"/{name}" in missing.json()["allowed"]
    wrong = client.put(f"/{name}")
    assert wrong.status_code == 405
    assert wrong.json() == {
        "error": "method_not_allowed",
        "message": wrong.json()["message"],
        "allowed": ["POST"],
    }


def test_unexpected_exception_is_bare_500() -> None:
    """GIVEN a route that crashes WHEN called THEN 500 JSON that leaks nothing about the crash."""
    router = APIRouter()

    @router.get("/boom")
    def boom() -> None:
        raise RuntimeError("secret internal detail /opt/model")

    client = TestClient(create_app([], title="t", extra_routers=[router]))
    response = client.get("/boom")
    assert response.status_code == 500
    assert response.json()["error"] == "internal_error"
    assert "secret" not in response.text and "RuntimeError" not in response.text


# Inputs a hostile or careless client might send; none may produce a 5xx.
NASTY_JSON_BODIES: list[Any] = [
    {"text": "\u0000\u0001\u0002"},
    {"text": "😀😀😀"},
    {"text": "..."},
    {"text": "\u202e\u200b\ufeff"},
    {"text": "  Oi.  \n\t"},
    {"text": "Olá!", "language": "pt_br"},
    {"text": "Hi", "language": "PT-BR"},
    {"text": "Hi", "source": "EN", "target": "pt_BR"},
    {"text": "x", "num_beams": True},
    {"text": "x", "num_beams": 1.5},
    {"text": "x", "max_new_tokens": -1},
    {"text": {"nested": "object"}},
    {"s3_key": "uploads/\u0000.jpg"},
    {"s3_key": "uploads/" + "é" * 600},
]
RAW_BODIES: list[bytes] = [
    b'{"text": "\\ud800"}',  # lone surrogate
    b"\x00" * 10,
    b'{"text": 1e999}',
    b"{" * 10_000,
]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_no_client_input_yields_a_server_error(
    functions: dict[str, FunctionUnderTest], name: str, s3: Any
) -> None:
    """GIVEN many malformed / hostile bodies WHEN posted THEN every answer is a 2xx-4xx JSON."""
    client = TestClient(functions[name].app)
    statuses = []
    for payload in NASTY_JSON_BODIES:
        response = client.post(f"/{name}", json=payload)
        statuses.append((payload, response.status_code))
        assert response.status_code < 500, (payload, response.text)
    for raw in RAW_BODIES:
        for content_type in ("application/json", "image/jpeg", "text/plain"):
            response = client.post(f"/{name}", content=raw, headers={"content-type": content_type})
            assert response.status_code < 500, (raw[:40], content_type, response.text)
            assert response.status_code >= 400, (raw[:40], content_type)
            json.loads(response.text)
