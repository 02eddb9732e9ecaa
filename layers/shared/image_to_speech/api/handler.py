"""ONE Lambda handler factory for every function: HTTP API v2 events or Step Functions tasks.

An HTTP API (payload v2) event goes through Mangum into the FastAPI app. Anything else is a
Step Functions task input: validated with the task's pydantic model, run, and answered with
the output model as a dict. Task failures are re-raised as `BadInputError` (the input can
never succeed: not retried) or `TransientError` (retried), per INTERFACES.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from fastapi import FastAPI
from mangum import Mangum
from pydantic import BaseModel, ValidationError

from ..inference.errors import BadInputError as RuntimeBadInput
from ..observability import logger
from ..storage import StorageUnavailableError
from ..task_errors import BadInputError, TransientError

InputT = TypeVar("InputT", bound=BaseModel)
OutputT = TypeVar("OutputT", bound=BaseModel)
LambdaHandler = Callable[[Any, Any], dict[str, Any]]


@dataclass(frozen=True)
class Task(Generic[InputT, OutputT]):
    """A Step Functions task: its input model and the function that runs it."""

    input_model: type[InputT]
    run: Callable[[InputT], OutputT]

    def __call__(self, event: Any) -> dict[str, Any]:
        try:
            payload = self.input_model.model_validate(event)
        except ValidationError as exc:
            raise _refused(BadInputError(_validation_body(exc, self.input_model))) from exc
        try:
            output = self.run(payload)
        except RuntimeBadInput as exc:  # every client-side problem, storage ones included
            raise _refused(BadInputError(exc.to_dict())) from exc
        except StorageUnavailableError as exc:
            raise _refused(TransientError(exc.to_dict())) from exc
        return output.model_dump(mode="json")


def _refused(error: BadInputError | TransientError) -> Exception:
    body = error.body
    # "message" is reserved by logging.LogRecord: the error's text goes under "detail".
    extra = {
        "error_type": type(error).__name__,
        "error": body.get("error"),
        "detail": body.get("message"),
    }
    logger.info("task refused", extra=extra)
    return error


def _validation_body(exc: ValidationError, model: type[BaseModel]) -> dict[str, Any]:
    """Which fields are wrong (message) and what each of them accepts (allowed)."""
    properties = model.model_json_schema().get("properties", {})
    problems: list[str] = []
    allowed: dict[str, Any] = {}
    for item in exc.errors(include_url=False):
        field = ".".join(str(part) for part in item["loc"]) or "input"
        problems.append(f"{field}: {item['msg']}")
        rules = properties.get(str(item["loc"][0]) if item["loc"] else "", None)
        allowed[field] = (
            {key: value for key, value in rules.items() if key != "title"}
            if rules
            else sorted(properties)  # unknown field or not an object: list the accepted ones
        )
    return {"error": "invalid_task_input", "message": "; ".join(problems), "allowed": allowed}


def is_http_api_event(event: Any) -> bool:
    return (
        isinstance(event, dict)
        and isinstance(event.get("requestContext"), dict)
        and "http" in event["requestContext"]
    )


def make_handler(app: FastAPI, task: Task[Any, Any]) -> LambdaHandler:
    """The function's entry point; wrap it with observability.instrument in app.py."""
    # lifespan off: models are loaded at module scope (Lambda init), not per ASGI lifespan.
    asgi = Mangum(app, lifespan="off")

    def handler(event: Any, context: Any) -> dict[str, Any]:
        if is_http_api_event(event):
            return asgi(event, context)
        if not isinstance(event, dict):
            kind = type(event).__name__
            fields = sorted(task.input_model.model_json_schema()["properties"])
            body = {
                "error": "invalid_task_input",
                "message": f"A task input must be a JSON object, got {kind}.",
                "allowed": fields,
            }
            raise _refused(BadInputError(body))
        logger.debug("task input", extra={"fields": sorted(event)})
        return task(event)

    return handler
