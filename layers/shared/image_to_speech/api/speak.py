"""POST /speak: the WAV stored in S3 with a presigned URL, or the WAV itself."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from ..config import missing
from ..errors import ServiceError
from ..inference.voices import Voices
from ..keys import speech_key
from ..ports import ObjectStore
from ..schemas import SpeakOptions, SpeakRequest, SpeakResponse
from ..services.cache import ResultCache
from ..services.speak import StoredSpeech, cached_wav, speak, speak_into_store, store_speech
from .bodies import limit_json_body
from .concurrency import run_blocking

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


CacheProvider = Callable[[], ResultCache | None]


def build_router(
    voices: Voices, store: Callable[[], ObjectStore], cache: CacheProvider
) -> APIRouter:
    router = APIRouter(tags=["speak"])
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
    async def speak_route(body: SpeakRequest, request: Request) -> Any:
        options: SpeakOptions = body  # the request is a SpeakOptions, validated with the body
        if wants_wav(request.headers.get("accept")):
            # The client takes the WAV itself: the bucket is optional (cache, or too big a WAV).
            bucket = _optional(store)
            results = cache() if bucket is not None else None
            return await run_blocking(_inline, voices, bucket, results, body, options)
        bucket = store()  # needed: checked before any work
        stored = await run_blocking(
            speak_into_store,
            voices,
            bucket,
            body.text,
            language=body.language,
            key=speech_key(),
            options=options,
            cache=cache(),
        )
        return _answer(stored, bucket)

    return router


def _inline(
    voices: Voices,
    bucket: ObjectStore | None,
    results: ResultCache | None,
    body: SpeakRequest,
    options: SpeakOptions,
) -> Response:
    if bucket is not None:
        hit = cached_wav(
            voices, bucket, results, body.text, language=body.language, options=options
        )
        if hit is not None:
            return _wav_response(*hit)
    speech = speak(voices, body.text, language=body.language, options=options)
    result = speech.result
    if len(result.wav) <= MAX_INLINE_WAV_BYTES:
        meta = StoredSpeech(
            audio_key="",
            duration_s=result.duration_s,
            sample_rate=result.sample_rate,
            model=speech.model,
            ms=result.ms,
        )
        return _wav_response(meta, result.wav)
    if bucket is None:
        raise missing("BUCKET_NAME", "the S3 bucket that holds WAVs too big to answer inline")
    answer = _answer(store_speech(bucket, speech, speech_key()), bucket)
    return JSONResponse(answer.model_dump(), status_code=303, headers={"Location": answer.url})


def _optional(store: Callable[[], ObjectStore]) -> ObjectStore | None:
    try:
        return store()
    except ServiceError:
        return None


def _wav_response(speech: StoredSpeech, wav: bytes) -> Response:
    return Response(
        wav,
        media_type="audio/wav",
        headers={
            "X-Duration-S": f"{speech.duration_s:.3f}",
            "X-Sample-Rate": str(speech.sample_rate),
            "X-Model-Preset": str(speech.model.get("preset", "")),
            "X-Inference-Ms": f"{speech.ms:.1f}",
            "X-Cached": "true" if speech.cached else "false",
        },
    )


def _answer(stored: StoredSpeech, bucket: ObjectStore) -> SpeakResponse:
    return SpeakResponse(
        audio_key=stored.audio_key,
        url=bucket.presigned_get_url(stored.audio_key),
        expires_in=bucket.presign_expires_s,
        duration_s=stored.duration_s,
        sample_rate=stored.sample_rate,
        model=stored.model,
        ms=stored.ms,
        cached=stored.cached,
    )
