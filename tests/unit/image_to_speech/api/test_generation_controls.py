"""Generation controls over HTTP: validated with the allowed range in the 422, and passed to
the model (fake models record what they were given)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import photo_bytes
from tests.unit.image_to_speech.conftest import FunctionUnderTest


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"temperature": 0.7}, "temperature"),  # sampling parameters need do_sample
        ({"do_sample": True, "num_beams": 2}, "do_sample"),
        ({"do_sample": True, "temperature": 5}, "temperature"),
        ({"do_sample": True, "top_p": 1.5}, "top_p"),
        ({"do_sample": True, "top_k": 0}, "top_k"),
        ({"do_sample": True, "seed": -1}, "seed"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
    ],
)
def test_bad_translate_controls_are_422_with_the_allowed_range(
    translate_function: FunctionUnderTest, payload: dict[str, Any], field: str
) -> None:
    response = TestClient(translate_function.app).post(
        "/translate", json={"text": "Hi.", **payload}
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert field in body["message"] and field in body["allowed"]


def test_sampling_controls_reach_the_translator(translate_function: FunctionUnderTest) -> None:
    payload = {"text": "Hi.", "do_sample": True, "temperature": 0.5, "top_k": 5, "seed": 3}
    response = TestClient(translate_function.app).post("/translate", json=payload)
    assert response.status_code == 200, response.text
    decoding = translate_function.model.decodings[-1]
    assert decoding.sampling is not None
    assert (decoding.sampling.temperature, decoding.sampling.top_k, decoding.sampling.seed) == (
        0.5,
        5,
        3,
    )


def test_caption_controls_as_query_parameters(caption_function: FunctionUnderTest) -> None:
    client = TestClient(caption_function.app)
    ok = client.post(
        "/caption?do_sample=true&top_p=0.9&seed=1",
        content=photo_bytes("coffee"),
        headers={"content-type": "image/jpeg"},
    )
    assert ok.status_code == 200, ok.text
    assert caption_function.model.calls[-1]["sampling"].top_p == 0.9
    bad = client.post(
        "/caption?seed=1", content=photo_bytes("coffee"), headers={"content-type": "image/jpeg"}
    )
    assert bad.status_code == 422 and "do_sample" in bad.json()["message"]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"length_scale": 3}, "length_scale"),
        ({"noise_scale": -0.1}, "noise_scale"),
        ({"noise_w": 2}, "noise_w"),
        ({"sentence_silence_s": 9}, "sentence_silence_s"),
    ],
)
def test_bad_speech_controls_are_422(
    speak_function: FunctionUnderTest, payload: dict[str, Any], field: str
) -> None:
    response = TestClient(speak_function.app).post(
        "/speak", json={"text": "Oi.", **payload}, headers={"accept": "audio/wav"}
    )
    assert response.status_code == 422, response.text
    assert field in response.json()["allowed"]
    assert {"minimum", "maximum"} <= set(response.json()["allowed"][field]["anyOf"][0])


def test_speech_controls_reach_the_voice(speak_function: FunctionUnderTest) -> None:
    payload = {"text": "Oi, tudo bem?", "length_scale": 1.5, "noise_w": 0.3}
    response = TestClient(speak_function.app).post(
        "/speak", json=payload, headers={"accept": "audio/wav"}
    )
    assert response.status_code == 200
    assert speak_function.model.options[-1]["length_scale"] == 1.5
    assert speak_function.model.options[-1]["noise_w"] == 0.3
    assert float(response.headers["x-duration-s"]) == pytest.approx(0.05 * 13 * 1.5, abs=0.01)


def test_unknown_voice_lists_the_voices(speak_function: FunctionUnderTest) -> None:
    response = TestClient(speak_function.app).post(
        "/speak", json={"text": "Oi.", "voice": "nobody"}, headers={"accept": "audio/wav"}
    )
    assert response.status_code == 422
    assert response.json()["allowed"] == {"voice": ["fake-voice"]}
