"""POST /speak (WAV stored in S3 + presigned URL, or the WAV itself) and the speak task."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from .. import storage
from ..inference.text import normalize_language
from ..observability import record_inference
from ..schemas import SpeakRequest, SpeakResponse, SpeakTaskInput, SpeakTaskOutput
from .app_factory import Service
from .bodies import limit_json_body
from .handler import Task

if TYPE_CHECKING:
    from ..inference.synthesizer import Synthesizer

WAV_MEDIA_TYPES = ("audio/wav", "audio/x-wav", "audio/wave", "audio/*")
MAX_SPEAK_BODY_BYTES = 96 * 1024
# A Lambda response is at most 6 MB and Mangum base64-encodes audio (x4/3): bigger WAVs are
# stored and the client is redirected (303) to the presigned URL instead.
MAX_INLINE_WAV_BYTES = 4_000_000


def wants_wav(accept: str | None) -> bool:
    """True when the Accept header prefers a WAV over JSON (q-values honoured)."""
    best_wav = best_json = -1.0
    for position, part in enumerate((accept or "").split(",")):
        pieces = [piece.strip() for piece in part.split(";")]
        media = pieces[0].lower()
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        # earlier entries win ties, as clients list their preference first
        score = quality - position * 1e-6 if quality > 0 else -1.0
        if media in WAV_MEDIA_TYPES:
            best_wav = max(best_wav, score)
        elif media in ("application/json", "application/*", "*/*"):
            best_json = max(best_json, score)
    return best_wav > best_json


def build_router(synthesizer: Synthesizer) -> APIRouter:
    router = APIRouter(tags=["speak"])
    model = synthesizer.bundle.describe()
    responses: dict[int | str, dict[str, Any]] = {
        200: {"content": {"audio/wav": {}}, "description": "JSON, or the WAV (Accept: audio/wav)"},
        303: {"description": "Accept: audio/wav but the WAV is too big to inline: see Location"},
    }

    @router.post(
        "/speak",
        response_model=SpeakResponse,
        responses=responses,
        summary="Synthesize speech; stores a WAV and returns a presigned URL",
        dependencies=[Depends(limit_json_body(MAX_SPEAK_BODY_BYTES))],
    )
    async def speak(body: SpeakRequest, request: Request) -> Any:
        language = normalize_language(body.language, synthesizer.languages)
        result = synthesizer.synthesize(body.text, language=language)
        record_inference("speak", result.ms)
        inline = wants_wav(request.headers.get("accept"))
        if inline and len(result.wav) <= MAX_INLINE_WAV_BYTES:
            return Response(
                result.wav,
                media_type="audio/wav",
                headers={
                    "X-Duration-S": f"{result.duration_s:.3f}",
                    "X-Sample-Rate": str(result.sample_rate),
                    "X-Model-Preset": str(model.get("preset", "")),
                    "X-Inference-Ms": f"{result.ms:.1f}",
                },
            )
        key = f"{storage.settings().audio_prefix}{uuid.uuid4().hex}.wav"
        storage.put_bytes(key, result.wav, content_type="audio/wav")
        expires = storage.settings().presign_expires_s
        answer = SpeakResponse(
            audio_key=key,
            url=storage.presigned_get_url(key, expires_s=expires),
            expires_in=expires,
            duration_s=round(result.duration_s, 3),
            sample_rate=result.sample_rate,
            model=model,
            ms=round(result.ms, 3),
        )
        if inline:
            return JSONResponse(
                answer.model_dump(), status_code=303, headers={"Location": answer.url}
            )
        return answer

    return router


def speak_task(synthesizer: Synthesizer) -> Task[SpeakTaskInput, SpeakTaskOutput]:
    model = synthesizer.bundle.describe()

    def run(payload: SpeakTaskInput) -> SpeakTaskOutput:
        bucket = storage.validate_bucket(payload.bucket)
        result = synthesizer.synthesize(payload.text, language=payload.language)
        record_inference("speak", result.ms)
        key = f"{storage.settings().audio_prefix}{payload.job_id}.wav"
        storage.put_bytes(key, result.wav, content_type="audio/wav", bucket=bucket)
        return SpeakTaskOutput(
            audio_key=key,
            duration_s=round(result.duration_s, 3),
            sample_rate=result.sample_rate,
            model=model,
            ms=round(result.ms, 3),
        )

    return Task(SpeakTaskInput, run)


def speak_service(synthesizer: Synthesizer) -> Service:
    return Service("speak", synthesizer, build_router(synthesizer))
