"""`make up CONTAINERS=1`: the same local stack, each function in its image (podman + SAM).

GIVEN the images (`make images`, or built by this session)
WHEN `python -m local_stack --containers` serves the HTTP API and the pipeline
THEN every route answers from the containers, a browser-style job runs through Step Functions,
and Ctrl-C leaves no process and no container behind.
"""

from __future__ import annotations

import signal
import time

import httpx
import pytest

from local_stack.process import StackProcess
from tests.conftest import photo_bytes

from .containers import function_containers

# Generous: a fresh stack answers its first request after importing the HTTP stack, and a
# loaded 2-core machine can take seconds (httpx's default is 5 s).
HTTP = httpx.Client(timeout=60)

pytestmark = pytest.mark.integration


def test_the_local_stack_runs_every_route_in_the_function_images(built_images: None) -> None:
    before = function_containers()
    stack = StackProcess(extra_args=["--ephemeral", "--containers"], start_timeout_s=600)
    stack.start()
    try:
        assert stack.health()["functions"] == "containers"
        cat = photo_bytes("chelsea")
        with httpx.Client(base_url=stack.url, timeout=180) as api:
            caption = api.post("/caption", content=cat, headers={"content-type": "image/jpeg"})
            assert caption.status_code == 200, caption.text
            assert "cat" in caption.json()["caption"].lower()
            spoken = api.post("/speak", json={"text": "Uma foto de um gato."})
            assert spoken.status_code == 200, spoken.text
            # presigned for the person's browser (127.0.0.1), not the containers' address
            assert spoken.json()["url"].startswith("http://127.0.0.1:")
            assert HTTP.get(spoken.json()["url"]).content[:4] == b"RIFF"
            created = api.post("/jobs", json={"content_type": "image/jpeg"}).json()
            upload = created["upload"]
            sent = HTTP.post(
                upload["url"],
                data=upload["fields"],
                files={"file": ("cat.jpg", cat, "image/jpeg")},
                headers={"Origin": stack.url},
            )
            assert sent.status_code == 204, sent.text
            deadline = time.monotonic() + 300
            # AWAITING_UPLOAD until the upload event reaches the trigger (S3 -> SQS -> trigger)
            while (status := api.get(f"/jobs/{created['job_id']}").json())["status"] in {
                "AWAITING_UPLOAD",
                "RUNNING",
            }:
                assert time.monotonic() < deadline
                time.sleep(0.5)
            assert status["status"] == "SUCCEEDED", status
            assert "gato" in status["translation"].lower()
    finally:
        code = stack.stop(signal.SIGINT, timeout_s=120)
    assert code == 0, stack.output()
    # no function container of ours is left running (SAM runs them from images named after
    # the functions, e.g. localhost/captionfunction:v1 or a rapid-* image built from it)
    left = function_containers() - before
    assert not left, left
