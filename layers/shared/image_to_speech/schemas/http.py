"""Bodies only the HTTP apps send: errors and GET /health (a task never builds them)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from .common import ModelDescription, _Output


class ErrorBody(BaseModel):
    error: str = Field(description="Stable machine-readable code, e.g. 'text_too_long'")
    message: str = Field(description="What is wrong, for people")
    allowed: Any | None = Field(default=None, description="What would have been accepted")


class ModelHealth(_Output):
    preset: str
    model: ModelDescription
    load_ms: float


class HealthResponse(_Output):
    status: Literal["ok"] = "ok"
    models: dict[str, ModelHealth]
