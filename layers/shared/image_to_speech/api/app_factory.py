"""Build a FastAPI app from one or more services (caption / translate / speak)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from fastapi import APIRouter, FastAPI

from .. import __version__
from ..inference.bundle import Bundle
from ..schemas import ErrorBody, HealthResponse, ModelHealth
from .errors import register_error_handlers


class Loaded(Protocol):
    """Any loaded model: captioner, translator or synthesizer."""

    bundle: Bundle
    load_ms: float


@dataclass(frozen=True)
class Service:
    """One model-backed service: its name, loaded model and routes."""

    name: str
    model: Loaded
    router: APIRouter

    def health(self) -> ModelHealth:
        bundle = self.model.bundle
        return ModelHealth(
            preset=bundle.preset, model=bundle.describe(), load_ms=round(self.model.load_ms, 1)
        )


# Documented on every route; the bodies are ErrorBody.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        404: "Unknown route or missing S3 object",
        413: "Body, image or text too large",
        415: "Unsupported media type",
        422: "Invalid input: the body says which field and what is allowed",
        503: "A dependency is unavailable (retry), or the deployment lacks a setting (the body "
        "says which)",
    }.items()
}


def create_app(
    services: Sequence[Service], *, title: str, extra_routers: Sequence[APIRouter] = ()
) -> FastAPI:
    app = FastAPI(
        title=title,
        version=__version__,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    register_error_handlers(app)
    health = {service.name: service for service in services}

    # Public on the HTTP API (template.yaml): model preset and load time only, never library
    # versions (they would tell an attacker which known vulnerabilities to try).
    @app.get("/health", response_model=HealthResponse, tags=["health"])
    async def get_health() -> HealthResponse:
        return HealthResponse(models={name: service.health() for name, service in health.items()})

    # The HTTP API routes GET /<service>/health to each function (template.yaml) and the app
    # sees that full path: serve the same health there.
    for name in health:
        app.get(f"/{name}/health", response_model=HealthResponse, include_in_schema=False)(
            get_health
        )
    for service in services:
        app.include_router(service.router, responses=ERROR_RESPONSES)
    for router in extra_routers:
        app.include_router(router)
    return app
