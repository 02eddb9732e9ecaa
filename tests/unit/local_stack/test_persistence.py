"""The local bucket survives a restart: saved on a clean stop, put back on the next start."""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from local_stack.persistence import BucketSnapshot


@pytest.fixture(autouse=True)
def _credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)


def test_objects_and_content_types_come_back_after_a_restart(tmp_path: Path) -> None:
    snapshot = BucketSnapshot(tmp_path / "bucket")
    objects = {
        "uploads/a.jpg": (b"\xff\xd8\xffjpeg", "image/jpeg"),
        "audio/a.wav": (b"RIFFwav", "audio/wav"),
        "results/a.json": (b'{"status": "SUCCEEDED"}', "application/json"),
    }
    # GIVEN a bucket with an upload, its audio and its result, saved at a stop
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="media")
        for key, (body, content_type) in objects.items():
            s3.put_object(Bucket="media", Key=key, Body=body, ContentType=content_type)
        assert snapshot.save(s3, "media") == 3
    # WHEN a new (empty) local AWS starts and restores it
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="media")
        assert snapshot.restore(s3, "media") == 3
        # THEN every object is back with its content type
        for key, (body, content_type) in objects.items():
            answer = s3.get_object(Bucket="media", Key=key)
            assert answer["Body"].read() == body and answer["ContentType"] == content_type
        # AND a later save replaces the old copy (deleted objects do not come back)
        s3.delete_object(Bucket="media", Key="uploads/a.jpg")
        assert snapshot.save(s3, "media") == 2
    assert not (tmp_path / "bucket" / "objects" / "uploads" / "a.jpg").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bucket"]  # no staging left


def test_nothing_saved_means_nothing_restored(tmp_path: Path) -> None:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="media")
        assert BucketSnapshot(tmp_path / "none").restore(s3, "media") == 0
