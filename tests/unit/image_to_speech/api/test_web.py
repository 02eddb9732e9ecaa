"""The web page from the job API function (how it is served on AWS): same origin, safe paths,
a Content-Security-Policy naming the bucket's S3 origin."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from image_to_speech.entrypoints import jobs_api_function

from tests.fakes import FakeExecutions, InMemoryStore


@pytest.fixture
def client() -> TestClient:
    app = jobs_api_function(lambda: InMemoryStore(), lambda: FakeExecutions()).app
    assert app is not None
    return TestClient(app)


def test_the_page_and_its_files_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "memory://test-bucket" in page.headers["content-security-policy"]
    script = client.get("/web/js/app.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    again = client.get("/web/js/app.js", headers={"if-none-match": script.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    "path", ["/web/../template.yaml", "/web/.hidden", "/web/js/nope.js", "/web/", "/web/%2e%2e/x"]
)
def test_nothing_outside_the_page_folder(client: TestClient, path: str) -> None:
    response: Any = client.get(path)
    assert response.status_code == 404
