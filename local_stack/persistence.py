"""The local bucket survives a restart: its objects are saved to a folder on a clean stop and put
back on the next start.

What is kept: every object of the bucket (uploads/, audio/, results/) with its content type, so
GET /jobs/{id} of a finished job answers the same after a restart. What is not: Step Functions
executions (a job still running at a stop is waited for first) and anything after a crash or a
`kill -9` since the last clean stop.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

INDEX_NAME = "index.json"
OBJECTS_DIR = "objects"


def _safe(key: str) -> bool:
    parts = key.split("/")
    return bool(key) and not key.startswith("/") and all(p not in ("", ".", "..") for p in parts)


class BucketSnapshot:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def restore(self, s3: Any, bucket: str) -> int:
        """Put the saved objects back (before the upload trigger exists: nothing re-runs)."""
        index_path = self.folder / INDEX_NAME
        if not index_path.is_file():
            return 0
        index: dict[str, dict[str, str]] = json.loads(index_path.read_text())
        restored = 0
        for key, meta in index.items():
            path = self.folder / OBJECTS_DIR / key
            if not _safe(key) or not path.is_file():
                continue
            s3.put_object(
                Bucket=bucket,
                Key=key,
                Body=path.read_bytes(),
                ContentType=meta.get("content_type") or "binary/octet-stream",
            )
            restored += 1
        return restored

    def save(self, s3: Any, bucket: str) -> int:
        """Write every object to a fresh copy, then swap it in (a failed save keeps the old)."""
        staging = self.folder.with_name(self.folder.name + ".saving")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / OBJECTS_DIR).mkdir(parents=True)
        index: dict[str, dict[str, str]] = {}
        paginator = s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                key = item["Key"]
                if not _safe(key):
                    continue
                answer = s3.get_object(Bucket=bucket, Key=key)
                path = staging / OBJECTS_DIR / key
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(answer["Body"].read())
                index[key] = {"content_type": answer.get("ContentType") or ""}
        (staging / INDEX_NAME).write_text(json.dumps(index, indent=1, sort_keys=True))
        previous = self.folder.with_name(self.folder.name + ".previous")
        shutil.rmtree(previous, ignore_errors=True)
        if self.folder.exists():
            self.folder.rename(previous)
        staging.rename(self.folder)
        shutil.rmtree(previous, ignore_errors=True)
        return len(index)

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
