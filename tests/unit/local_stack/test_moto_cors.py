"""The local S3 answers browsers from the bucket's CORS rules, as S3 does (not moto's `*`)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import httpx
import pytest
from moto import mock_aws

from pipeline_local.containers import free_port
from pipeline_local.moto_server import MotoServer

# Generous: a fresh stack answers its first request after importing the HTTP stack, and a
# loaded 2-core machine can take seconds (httpx's default is 5 s).
HTTP = httpx.Client(timeout=60)

PAGE = "http://127.0.0.1:8000"
RULE = {
    "AllowedMethods": ["GET", "POST"],
    "AllowedOrigins": [PAGE],
    "AllowedHeaders": ["*"],
    "ExposeHeaders": ["ETag"],
}


@pytest.fixture
def s3_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, object]]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    server = MotoServer("127.0.0.1", free_port())
    server.start()
    try:
        client = boto3.client("s3", region_name="us-east-1", endpoint_url=server.endpoint)
        client.create_bucket(Bucket="media")
        client.create_bucket(Bucket="closed")
        client.put_bucket_cors(Bucket="media", CORSConfiguration={"CORSRules": [RULE]})
        yield server.endpoint, client
    finally:
        server.stop()
        with mock_aws():  # moto's state is process-wide: leave no buckets behind
            pass


def test_preflight_and_browser_post_follow_the_bucket_rules(
    s3_server: tuple[str, object],
) -> None:
    endpoint, client = s3_server
    post = client.generate_presigned_post(Bucket="media", Key="uploads/a.jpg")  # type: ignore[attr-defined]
    preflight = {"Origin": PAGE, "Access-Control-Request-Method": "POST"}
    # WHEN the page's origin asks: allowed, with the rule's headers
    allowed = httpx.options(post["url"], headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PAGE
    # AND the upload's answer itself carries the origin (XMLHttpRequest must read it)
    upload = HTTP.post(
        post["url"], data=post["fields"], files={"file": b"\xff\xd8\xff"}, headers={"Origin": PAGE}
    )
    assert upload.status_code == 204
    assert upload.headers["access-control-allow-origin"] == PAGE
    assert "ETag" in upload.headers["access-control-expose-headers"]
    # WHEN another origin asks: refused; a bucket without rules answers no CORS header at all
    other = httpx.options(post["url"], headers={**preflight, "Origin": "http://evil.example"})
    assert other.status_code == 403
    closed = HTTP.get(f"{endpoint}/closed", headers={"Origin": PAGE})
    assert "access-control-allow-origin" not in closed.headers
