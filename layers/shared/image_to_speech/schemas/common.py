"""What every schema shares: field types with their limits, the base models' policies, and the
error and health bodies."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from ..inference.captioning import MAX_NEW_TOKENS as CAPTION_MAX_NEW_TOKENS
from ..inference.limits import MAX_BEAMS
from ..inference.speech import MAX_SPEAK_CHARS, MAX_SYNC_SPEAK_CHARS
from ..inference.translation import MAX_NEW_TOKENS_LIMIT, MAX_TRANSLATE_CHARS
from ..keys import MAX_KEY_BYTES

# Job ids are minted by the pipeline (32 hex characters); any id that is safe inside an S3 key
# and a Step Functions execution name is accepted here.
JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{1,80}$"
MAX_LANGUAGE_TAG_CHARS = 35  # BCP 47 tags are short; the runtime lists the supported ones

JobId = Annotated[str, Field(pattern=JOB_ID_PATTERN, description="Pipeline job id")]
LanguageTag = Annotated[
    str, Field(min_length=2, max_length=MAX_LANGUAGE_TAG_CHARS, examples=["pt-BR"])
]
ObjectKey = Annotated[str, Field(min_length=1, max_length=MAX_KEY_BYTES)]
BucketName = Annotated[str, Field(min_length=3, max_length=63)]
NumBeams = Annotated[int, Field(ge=1, le=MAX_BEAMS, description="Beam search width (1 = greedy)")]
MaxNewTokens = Annotated[
    int | None, Field(ge=1, le=MAX_NEW_TOKENS_LIMIT, description="Cap on generated tokens")
]
CaptionNumBeams = Annotated[
    int, Field(ge=1, le=MAX_BEAMS, description="Beam search width (1 = greedy)")
]
CaptionMaxNewTokens = Annotated[
    int | None,
    Field(ge=1, le=CAPTION_MAX_NEW_TOKENS, description="Cap on caption tokens (seq2seq models)"),
]
ModelDescription = Annotated[
    dict[str, Any], Field(description="bundle.describe(): preset, kind, source, quantization")
]
TranslateText = Annotated[str, Field(min_length=1, max_length=MAX_TRANSLATE_CHARS)]
SpeakText = Annotated[str, Field(min_length=1, max_length=MAX_SPEAK_CHARS)]
SyncSpeakText = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_SYNC_SPEAK_CHARS,
        description=f"At most {MAX_SYNC_SPEAK_CHARS} characters: the answer must come within "
        "the HTTP API's 30 s",
    ),
]


class _Request(BaseModel):
    # A typo in a field name is an error, not a silently ignored option.
    model_config = ConfigDict(extra="forbid")


class _TaskInput(BaseModel):
    # The state machine may pass more of its state than a task needs.
    model_config = ConfigDict(extra="ignore")


class _Output(BaseModel):
    model_config = ConfigDict(protected_namespaces=())


def options_only(options: BaseModel, fields: Iterable[str]) -> dict[str, Any]:
    """The generation controls of a request (never its text, key or `cache` flag)."""
    return options.model_dump(include=set(fields) - {"cache"})
