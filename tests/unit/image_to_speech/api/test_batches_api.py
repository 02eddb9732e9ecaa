"""POST /batches and GET /batches/{id} through the job API app (fakes for S3 and Step Functions):
validated like every route, errors as JSON {"error", "message", "allowed"}."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from image_to_speech.entrypoints import jobs_api_function
from image_to_speech.schemas import JobOptions

from tests.fakes import FakeBatchRuns, FakeExecutions, InMemoryStore


@pytest.fixture
def api() -> tuple[TestClient, InMemoryStore, FakeBatchRuns]:
    store, batches = InMemoryStore(), FakeBatchRuns()
    store.put_bytes("batches/museum/a.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    app = jobs_api_function(lambda: store, FakeExecutions, lambda: batches).app
    assert app is not None
    return TestClient(app), store, batches


def test_post_starts_a_batch_and_get_reports_its_progress(
    api: tuple[TestClient, InMemoryStore, FakeBatchRuns],
) -> None:
    client, _, batches = api
    # WHEN a batch is started on a folder with images
    created = client.post("/batches", json={"prefix": "batches/museum/"})
    # THEN 202 with where to look, and the batch state machine got the folder
    assert created.status_code == 202
    body = created.json()
    assert body["status"] == "RUNNING" and body["prefix"] == "batches/museum/"
    started = batches.started[body["batch_id"]]
    assert started["prefix"] == "batches/museum/"
    assert started["options"] == JobOptions().model_dump(mode="json")  # defaults for every image
    # AND GET shows the map run's counts as they move
    batches.progress(body["batch_id"], total=3, succeeded=1, failed=1, running=1)
    status = client.get(body["status_url"])
    assert status.status_code == 200
    assert status.json()["progress"] == {
        "total": 3,
        "succeeded": 1,
        "failed": 1,
        "running": 1,
        "pending": 0,
        "aborted": 0,
        "timed_out": 0,
    }


@pytest.mark.parametrize(
    "body, status, error",
    [
        ({"prefix": "uploads/"}, 422, "invalid_s3_key"),
        ({"prefix": "batches/../results/"}, 422, "invalid_s3_key"),
        ({"prefix": "batches/empty/"}, 404, "empty_batch"),
        ({}, 422, "invalid_request"),
        ({"prefix": "batches/museum/", "extra": 1}, 422, "invalid_request"),
    ],
)
def test_wrong_requests_are_4xx_json_saying_what_is_allowed(
    api: tuple[TestClient, InMemoryStore, FakeBatchRuns],
    body: dict[str, object],
    status: int,
    error: str,
) -> None:
    client, _, batches = api
    answer = client.post("/batches", json=body)
    assert answer.status_code == status, answer.text
    payload = answer.json()
    assert payload["error"] == error and payload["message"] and "allowed" in payload
    assert batches.started == {}


def test_unknown_batch_is_404_json(api: tuple[TestClient, InMemoryStore, FakeBatchRuns]) -> None:
    client, _, _ = api
    answer = client.get("/batches/" + "0" * 32)
    assert answer.status_code == 404
    assert answer.json()["error"] == "batch_not_found"
    assert "POST /batches" in answer.json()["message"]
