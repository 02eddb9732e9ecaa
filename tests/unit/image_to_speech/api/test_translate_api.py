"""POST /translate with the real translate bundle; refusals are typed 4xx JSON."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from image_to_speech.inference.translation import MAX_TRANSLATE_CHARS

from tests.unit.image_to_speech.conftest import FunctionUnderTest


@pytest.fixture(scope="module")
def client(translate_function: FunctionUnderTest) -> TestClient:
    return TestClient(translate_function.app)


@pytest.fixture(scope="module")
def preset(translate_function: FunctionUnderTest) -> str:
    return str(translate_function.model.bundle.preset)


def test_translates_english_to_portuguese(client: TestClient, preset: str) -> None:
    """GIVEN English text WHEN posted THEN the translation and canonical language tags return."""
    response = client.post(
        "/translate", json={"text": "The cat is sleeping on the sofa.", "target": "pt-br"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["source"] == "en" and body["target"] == "pt-BR"  # 'pt-br' -> canonical
    assert body["model"]["preset"] == preset and body["ms"] > 0
    assert isinstance(body["translation"], str) and body["translation"]
    if preset.startswith("bergamot") or preset.startswith("opus"):  # real weights: real words
        assert "gato" in body["translation"].lower()


def test_generation_params_are_accepted(client: TestClient) -> None:
    response = client.post(
        "/translate", json={"text": "Hello there.", "num_beams": 2, "max_new_tokens": 16}
    )
    assert response.status_code == 200, response.text


def test_text_too_long_is_413(client: TestClient) -> None:
    """GIVEN text over the runtime limit WHEN posted THEN 413 says the limit."""
    response = client.post("/translate", json={"text": "a" * (MAX_TRANSLATE_CHARS + 1)})
    assert response.status_code == 413
    assert response.json() == {
        "error": "text_too_long",
        "message": response.json()["message"],
        "allowed": {"max_chars": MAX_TRANSLATE_CHARS},
    }


def test_huge_body_is_413_before_parsing(client: TestClient) -> None:
    response = client.post(
        "/translate",
        content=b'{"text": "' + b"a" * 300_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


@pytest.mark.parametrize("field, tag", [("target", "fr"), ("source", "de"), ("target", "xx-YY")])
def test_unknown_language_is_422_listing_supported(
    client: TestClient, translate_function: FunctionUnderTest, field: str, tag: str
) -> None:
    """GIVEN an unsupported language WHEN posted THEN 422 lists the supported ones."""
    response = client.post("/translate", json={"text": "Hello.", field: tag})
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "unsupported_language"
    translator = translate_function.model
    supported = translator.target_languages if field == "target" else translator.source_languages
    assert body["allowed"] == list(supported)


@pytest.mark.parametrize(
    "payload, error",
    [
        ({"text": "   "}, "empty_text"),
        ({"text": ""}, "invalid_request"),
        ({}, "invalid_request"),
        ({"text": None}, "invalid_request"),
        ({"text": ["a"]}, "invalid_request"),
        ({"text": "Hi.", "num_beams": 0}, "invalid_request"),
        ({"text": "Hi.", "max_new_tokens": 10**9}, "invalid_request"),
        ({"text": "Hi.", "voice": "x"}, "invalid_request"),
        ({"text": "Hi.", "target": "p"}, "invalid_request"),
    ],
)
def test_bad_fields_are_422_naming_the_field(
    client: TestClient, payload: dict[str, object], error: str
) -> None:
    response = client.post("/translate", json=payload)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["error"] == error
    if error == "invalid_request":
        assert body["allowed"], body  # says which field and what it accepts


def test_malformed_json_is_422(client: TestClient) -> None:
    response = client.post(
        "/translate", content=b'{"text": "a"', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "malformed_json"


def test_non_json_content_type_is_415(client: TestClient) -> None:
    response = client.post(
        "/translate", content=b'{"text": "a"}', headers={"content-type": "text/plain"}
    )
    assert response.status_code == 415
    assert response.json()["allowed"] == ["application/json"]


def test_json_array_is_422(client: TestClient) -> None:
    response = client.post("/translate", json=["text"])
    assert response.status_code == 422
    assert response.json()["error"] == "invalid_body"
