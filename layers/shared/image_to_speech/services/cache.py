"""A content-addressed result cache in the bucket (cache/<task>/<sha256>.json).

The key is the sha256 of everything the result depends on: the input (image bytes' sha256, or
the text and languages), the model (its bundle fingerprint: a rebuilt bundle misses) and the
options. Entries are the response models themselves; speech entries point at the audio object
the first synthesis wrote. Identical concurrent requests both compute and both write the same
entry: last write wins, both answers are right. A cache that fails (S3 throttled) is skipped,
never an error: it only ever saves work.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import ObjectNotFoundError, ServiceError
from ..keys import cache_key
from ..observability import logger
from ..ports import ObjectStore

T = TypeVar("T", bound=BaseModel)
MAX_ENTRY_BYTES = 256 * 1024


def digest(material: dict[str, Any]) -> str:
    encoded = json.dumps(material, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


class ResultCache:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store

    def key(self, task: str, material: dict[str, Any]) -> str:
        return cache_key(task, digest({"task": task, **material}))

    def load(self, key: str, model: type[T]) -> T | None:
        try:
            data = self.store.get_bytes(key, max_bytes=MAX_ENTRY_BYTES)
            return model.model_validate_json(data)
        except ObjectNotFoundError:
            return None
        except (ServiceError, ValidationError) as exc:  # unreadable entry: compute again
            logger.warning("cache entry skipped", extra={"key": key, "error": type(exc).__name__})
            return None

    def save(self, key: str, value: BaseModel) -> None:
        try:
            body = value.model_dump_json().encode("utf-8")
            self.store.put_bytes(key, body, content_type="application/json")
        except ServiceError as exc:
            logger.warning("cache entry not written", extra={"key": key, "error": exc.code})


def through_cache(
    cache: ResultCache | None,
    enabled: bool,
    task: str,
    material: Callable[[], dict[str, Any]],
    model: type[T],
    compute: Callable[[], T],
) -> T:
    """compute() once per distinct material: a hit comes back marked cached, with ms 0 (no
    model ran); a miss is computed and stored. `enabled` False (the request's `cache: false`,
    or sampling without a seed) bypasses the cache both ways. `material` is called only when
    the cache is used (hashing a 4 MiB image costs milliseconds)."""
    if cache is None or not enabled:
        value: T = compute()
        return value
    key = cache.key(task, material())
    hit = cache.load(key, model)
    if hit is not None:
        return hit.model_copy(update={"cached": True, "ms": 0.0})
    value = compute()
    cache.save(key, value)
    return value
