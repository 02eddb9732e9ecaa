"""Fakes for the three models and for the AWS resources, so API, task, service and pipeline
tests run without `make models` (and without moto where S3 semantics do not matter).

The fake models are honest about their input: the captioner decodes the image with the real
decoder (so bad images fail exactly as with a real model) and names its size and format; the
translator and synthesizer validate text and languages with the real checks. Their outputs are
deterministic functions of the input, so a test can tell that the right bytes reached the model.
"""

from __future__ import annotations

import hashlib
import io
import math
import time
import uuid
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from image_to_speech.errors import (
    EmptyTextError,
    ObjectNotFoundError,
    ObjectTooLargeError,
    UploadReplacedError,
)
from image_to_speech.inference.bundle import Bundle
from image_to_speech.inference.captioning import CaptionResult, validate_generation_params
from image_to_speech.inference.limits import Decoding, Sampling
from image_to_speech.inference.speech import MAX_SPEAK_CHARS, SpeechResult
from image_to_speech.inference.text import normalize_language, require_text
from image_to_speech.inference.translation import BaseTranslator
from image_to_speech.media import sniff_format
from image_to_speech.ports import (
    BatchRunInfo,
    ExecutionInfo,
    JobProgress,
    MapRunCounts,
    ObjectInfo,
    ObjectVersion,
    PresignedPost,
    StartOutcome,
)


def fake_bundle(task: str, preset: str, kind: str) -> Bundle:
    manifest = {
        "schema_version": 1,
        "task": task,
        "kind": kind,
        "preset": preset,
        "source": {"type": "fake", "note": "tests/fakes.py"},
        "quantization": None,
        "files": {},
    }
    return Bundle(Path("/fake") / task / preset, manifest)


class FakeCaptioner:
    """Captions an image by what it is: 'A photo of 451x300 pixels (JPEG).'"""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.bundle = fake_bundle("caption", "fake-captioner", "fake")
        self.load_ms = 1.0
        self.delay_s = delay_s
        self.calls: list[dict[str, Any]] = []

    def caption(
        self,
        image: bytes,
        *,
        max_new_tokens: int | None = None,
        num_beams: int = 1,
        sampling: Sampling | None = None,
    ) -> CaptionResult:
        from image_to_speech.inference.images import decode_image

        started = time.perf_counter()
        validate_generation_params(max_new_tokens, num_beams, sampling)
        decoded = decode_image(image)
        fmt = sniff_format(image)
        time.sleep(self.delay_s)
        self.calls.append({"bytes": len(image), "num_beams": num_beams, "sampling": sampling})
        width, height = decoded.size
        caption = f"A photo of {width}x{height} pixels ({fmt})."
        return CaptionResult(caption, (time.perf_counter() - started) * 1000 + 0.001)


class FakeTranslator(BaseTranslator):
    """'Translates' each sentence to '[pt-BR] <sentence>' through the real validation path."""

    source_languages = ("en",)
    target_languages = ("pt-BR",)

    def __init__(self) -> None:
        self.bundle = fake_bundle("translate", "fake-translator", "fake")
        self.load_ms = 1.0
        self.batches: list[list[str]] = []
        self.decodings: list[Decoding] = []

    def _translate_batch(self, sentences: list[str], decoding: Decoding) -> list[str]:
        self.batches.append(list(sentences))
        self.decodings.append(decoding)
        return [f"[pt-BR] {sentence}" for sentence in sentences]


@dataclass
class FakeSynthesizer:
    """A sine tone of 50 ms per character, as a real 16-bit WAV."""

    sample_rate: int = 16000
    delay_s: float = 0.0
    languages: tuple[str, ...] = ("pt-BR", "en-US")
    calls: list[str] = field(default_factory=list)
    options: list[dict[str, float | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.bundle = fake_bundle("speak", "fake-voice", "fake")
        self.load_ms = 1.0

    def synthesize(
        self,
        text: str,
        *,
        language: str = "pt-BR",
        length_scale: float | None = None,
        noise_scale: float | None = None,
        noise_w: float | None = None,
        sentence_silence_s: float | None = None,
    ) -> SpeechResult:
        started = time.perf_counter()
        cleaned = require_text(text, max_chars=MAX_SPEAK_CHARS)
        normalize_language(language, self.languages)
        if not any(ch.isalnum() for ch in cleaned):
            raise EmptyTextError("'text' has nothing that can be spoken.")
        time.sleep(self.delay_s)
        self.calls.append(cleaned)
        self.options.append(
            {
                "length_scale": length_scale,
                "noise_scale": noise_scale,
                "noise_w": noise_w,
                "sentence_silence_s": sentence_silence_s,
            }
        )
        frames = int(0.05 * len(cleaned) * (length_scale or 1.0) * self.sample_rate)
        wav = sine_wav(frames, self.sample_rate)
        return SpeechResult(
            wav=wav,
            sample_rate=self.sample_rate,
            duration_s=frames / self.sample_rate,
            ms=(time.perf_counter() - started) * 1000 + 0.001,
        )


def sine_wav(frames: int, sample_rate: int, hz: float = 220.0) -> bytes:
    samples = bytearray()
    for i in range(frames):
        value = int(8000 * math.sin(2 * math.pi * hz * i / sample_rate))
        samples += value.to_bytes(2, "little", signed=True)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(sample_rate)
        writer.writeframes(bytes(samples))
    return buffer.getvalue()


def etag_of(data: bytes) -> str:
    """S3's ETag of a single-part upload: the MD5 of the content."""
    return hashlib.md5(data).hexdigest()


@dataclass
class StoredObject:
    data: bytes
    content_type: str
    last_modified: str = "2026-01-01T00:00:00+00:00"


class InMemoryStore:
    """ports.ObjectStore in a dict; presigned URLs are memory:// links that name the key."""

    def __init__(self, bucket: str = "test-bucket", presign_expires_s: int = 900) -> None:
        self._bucket = bucket
        self._expires = presign_expires_s
        self.objects: dict[str, StoredObject] = {}
        self.history: dict[str, list[tuple[ObjectVersion, StoredObject]]] = {}
        self.failures: list[Exception] = []  # raised (and consumed) by the next calls

    @property
    def bucket(self) -> str:
        return self._bucket

    @property
    def presign_expires_s(self) -> int:
        return self._expires

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def get_bytes(self, key: str, *, max_bytes: int, if_match: str | None = None) -> bytes:
        self._maybe_fail()
        if key not in self.objects:
            raise ObjectNotFoundError(f"No object '{key}' in the bucket.")
        data = self.objects[key].data
        if if_match and if_match.strip('"') != etag_of(data):
            raise UploadReplacedError(f"'{key}' no longer holds the content {if_match}.")
        if len(data) > max_bytes:
            raise ObjectTooLargeError(
                f"Object '{key}' is {len(data)} bytes.", allowed={"max_bytes": max_bytes}
            )
        return data

    def put_bytes(self, key: str, data: bytes, *, content_type: str) -> None:
        self._maybe_fail()
        self.objects[key] = StoredObject(bytes(data), content_type)
        # A versioned bucket: every put is a new version, newest first.
        version = ObjectVersion(uuid.uuid4().hex, etag_of(data))
        self.history.setdefault(key, []).insert(0, (version, self.objects[key]))

    def versions(self, key: str) -> list[ObjectVersion]:
        return [version for version, _ in self.history.get(key, [])]

    def delete_version(self, key: str, version_id: str) -> None:
        kept = [(v, o) for v, o in self.history.get(key, []) if v.version_id != version_id]
        self.history[key] = kept
        if kept:
            self.objects[key] = kept[0][1]
        else:
            self.objects.pop(key, None)

    def presigned_get_url(self, key: str) -> str:
        return f"memory://{self._bucket}/{key}?expires={self._expires}"

    def presigned_post(self, key: str, *, content_type: str, max_bytes: int) -> PresignedPost:
        fields = {"key": key, "Content-Type": content_type, "max": str(max_bytes)}
        return PresignedPost(f"memory://{self._bucket}", fields, self._expires)

    def list_objects(self, prefix: str) -> Iterator[ObjectInfo]:
        self._maybe_fail()
        for key in sorted(self.objects):
            if key.startswith(prefix):
                stored = self.objects[key]
                yield ObjectInfo(key, len(stored.data), stored.last_modified)


class FakeExecutions:
    """ports.Executions in a dict: start() records, describe() answers what tests set."""

    def __init__(self, arn: str = "arn:aws:states:us-east-1:1:stateMachine:test") -> None:
        self.arn = arn
        self.started: dict[str, dict[str, Any]] = {}
        self.states: dict[str, ExecutionInfo] = {}
        self.progresses: dict[str, JobProgress] = {}

    def start(self, job_id: str, payload: dict[str, Any]) -> StartOutcome:
        again = job_id in self.started
        self.started.setdefault(job_id, payload)
        self.states.setdefault(
            job_id, ExecutionInfo(status="RUNNING", started_at="t0", input=dict(payload))
        )
        return StartOutcome(job_id, f"{self.arn}:{job_id}", started=not again)

    def describe(self, job_id: str) -> ExecutionInfo | None:
        return self.states.get(job_id)

    def progress(self, job_id: str) -> JobProgress:
        return self.progresses.get(job_id, JobProgress())


class FakeBatchRuns:
    """ports.BatchRuns in a dict: start() records the input, describe() answers what tests set."""

    def __init__(self) -> None:
        self.started: dict[str, dict[str, Any]] = {}
        self.runs: dict[str, BatchRunInfo] = {}

    def start(self, batch_id: str, payload: dict[str, Any]) -> str:
        self.started[batch_id] = payload
        self.runs[batch_id] = BatchRunInfo(
            status="RUNNING", started_at="t0", prefix=payload.get("prefix"), map_run=None
        )
        return f"arn:aws:states:us-east-1:1:execution:batch:{batch_id}"

    def describe(self, batch_id: str) -> BatchRunInfo | None:
        return self.runs.get(batch_id)

    def progress(self, batch_id: str, status: str = "RUNNING", **counts: int) -> None:
        """Set the batch's status and map run counts (MapRunCounts fields)."""
        self.runs[batch_id] = BatchRunInfo(
            status=status,
            started_at="t0",
            prefix=self.started[batch_id].get("prefix"),
            map_run=MapRunCounts(**counts),
        )


def fake_model_handlers(models: FakeModels | None = None) -> dict[str, Any]:
    """Lambda handlers of the three model functions around fake models, keyed by their logical
    ids in template.yaml: a LocalPipeline runs the real state machine and job functions with
    them, without model bundles."""
    from image_to_speech import entrypoints
    from image_to_speech.observability import instrument

    models = models or FakeModels()
    return {
        "CaptionFunction": instrument(entrypoints.caption_function(models.captioner).handler),
        "TranslateFunction": instrument(entrypoints.translate_function(models.translator).handler),
        "SpeakFunction": instrument(entrypoints.speak_function(models.synthesizer).handler),
    }


@dataclass
class FakeModels:
    captioner: FakeCaptioner = field(default_factory=FakeCaptioner)
    translator: FakeTranslator = field(default_factory=FakeTranslator)
    synthesizer: FakeSynthesizer = field(default_factory=FakeSynthesizer)
