"""Every failure becomes a JSON ErrorBody {"error", "message", "allowed"?} with a 4xx/5xx status.

The package's errors (errors.py) carry their own status; FastAPI's validation errors say which
field is wrong and what the field accepts; unknown routes and methods answer JSON too; anything
unexpected is a 500 that reveals nothing about the internals (it is logged with its traceback).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ServiceError, TransientError
from ..media import parse_media_type
from ..observability import logger
from ..schemas import ErrorBody

JSON_MEDIA_TYPES = ("application/json",)


def error_response(
    status: int,
    error: str,
    message: str,
    allowed: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=error, message=message, allowed=allowed)
    return JSONResponse(body.model_dump(exclude_none=True), status_code=status, headers=headers)


class RequestModelError(Exception):
    """A body parsed by hand (e.g. POST /caption's JSON form) failed its model's validation."""

    def __init__(self, model: type[BaseModel], error: ValidationError, location: str = "body"):
        super().__init__(str(error))
        self.model = model
        self.errors = [{**item, "loc": (location, *item["loc"])} for item in error.errors()]


def _field_name(loc: Sequence[Any]) -> str:
    # ("body", "text") -> "text"; ("query", "num_beams") -> "num_beams"; ("body",) -> "body"
    parts = [str(part) for part in loc[1:]] if len(loc) > 1 else [str(part) for part in loc]
    return ".".join(parts)


def _route_models(request: Request) -> list[type[BaseModel]]:
    """The pydantic models the matched route validates against (to say what is allowed)."""
    route = request.scope.get("route")
    models: list[type[BaseModel]] = []
    if isinstance(route, APIRoute):
        fields = list(route.dependant.body_params) + list(route.dependant.query_params)
        for field in fields:
            annotation = getattr(field.field_info, "annotation", None)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                models.append(annotation)
    return models


def _field_rules(models: Sequence[type[BaseModel]], field: str) -> Any:
    for model in models:
        properties = model.model_json_schema().get("properties", {})
        if field in properties:
            rules = dict(properties[field])
            rules.pop("title", None)
            return rules
    return None


def _is_json(request: Request) -> bool:
    content_type = parse_media_type(request.headers.get("content-type"))
    return content_type in JSON_MEDIA_TYPES or content_type.endswith("+json")


def validation_error_response(
    request: Request, errors: Sequence[Any], models: Sequence[type[BaseModel]]
) -> JSONResponse:
    """Map pydantic error items onto 413 / 415 / 422 with the field and its rules."""
    for item in errors:
        if item.get("type") == "json_invalid":
            detail = (item.get("ctx") or {}).get("error", "invalid JSON")
            return error_response(
                422,
                "malformed_json",
                f"The body is not valid JSON: {detail}.",
                allowed={"content_type": "application/json"},
            )
    for item in errors:
        if tuple(item.get("loc", ())) == ("body",):
            if not _is_json(request):
                return error_response(
                    415,
                    "unsupported_media_type",
                    "Send a JSON object with 'Content-Type: application/json'.",
                    allowed=["application/json"],
                )
            expected = {m.__name__: _schema_summary(m) for m in models} or None
            return error_response(
                422, "invalid_body", "The body must be a JSON object.", allowed=expected
            )
    for item in errors:
        field = _field_name(item.get("loc", ()))
        if item.get("type") == "string_too_long" and field == "text":
            limit = (item.get("ctx") or {}).get("max_length")
            return error_response(
                413,
                "text_too_long",
                f"'text' is longer than {limit} characters.",
                allowed={"max_chars": limit},
            )
    problems = []
    allowed: dict[str, Any] = {}
    for item in errors:
        field = _field_name(item.get("loc", ()))
        problems.append(f"{field}: {item.get('msg', 'invalid')}")
        rules = _field_rules(models, field)
        if rules is None and item.get("type") == "extra_forbidden":
            rules = {"allowed_fields": sorted(_all_fields(models))}
        allowed[field] = rules if rules is not None else item.get("ctx") or item.get("msg")
    return error_response(422, "invalid_request", "; ".join(problems), allowed=allowed)


def _all_fields(models: Sequence[type[BaseModel]]) -> set[str]:
    return {name for model in models for name in model.model_fields}


def _schema_summary(model: type[BaseModel]) -> dict[str, Any]:
    properties = model.model_json_schema().get("properties", {})
    return {
        name: {k: v for k, v in rules.items() if k != "title"} for name, rules in properties.items()
    }


async def _on_service_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ServiceError)
    headers = {"Retry-After": "1"} if isinstance(exc, TransientError) else None
    log = logger.warning if exc.http_status >= 500 else logger.info
    log("request refused", extra={"error": exc.code, "status": exc.http_status})
    return JSONResponse(exc.to_dict(), status_code=exc.http_status, headers=headers)


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return validation_error_response(request, exc.errors(), _route_models(request))


async def _on_request_model_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestModelError)
    return validation_error_response(request, exc.errors, [exc.model])


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        return error_response(
            404,
            "not_found",
            f"No route {request.url.path}.",
            allowed=_paths(request),
            headers=headers,
        )
    if exc.status_code == 405:
        methods = [m.strip() for m in headers.get("Allow", "").split(",") if m.strip()]
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed on {request.url.path}.",
            allowed=methods or None,
            headers=headers,
        )
    detail = exc.detail if isinstance(exc.detail, str) else "request refused"
    return error_response(exc.status_code, f"http_{exc.status_code}", detail, headers=headers)


def _paths(request: Request) -> list[str]:
    """The routes this app serves (from its OpenAPI document, which FastAPI caches)."""
    app = request.scope.get("app")
    if not isinstance(app, FastAPI):
        return []
    paths = set(app.openapi().get("paths", {}))
    return sorted(paths | {p for p in (app.docs_url, app.openapi_url) if p})


class CatchAllMiddleware:
    """Turn any exception that escaped the handlers into a bare 500 JSON (logged, not shown).

    Starlette's own ServerErrorMiddleware re-raises after answering, which Mangum and test
    clients would surface; this middleware answers and stops there.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            logger.exception("unhandled error", extra={"path": scope.get("path")})
            if started:  # too late for a clean answer; the connection is closed by the server
                raise
            response = error_response(
                500, "internal_error", "The server failed to handle this request; it was logged."
            )
            await response(scope, receive, send)


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _on_service_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(RequestModelError, _on_request_model_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_middleware(CatchAllMiddleware)
