"""A Step Functions task: its input model, the function that runs it, and the error contract.

A task input that does not validate, or any client error the service raises, fails the task
as exactly `BadInputError` (never retried); transient errors as `TransientError` (retried).
The message is the JSON error body, which RecordFailure turns into the job's readable reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ..errors import BadInputError, ServiceError, WrongBucketError
from ..observability import logger
from ..ports import ObjectStore

if TYPE_CHECKING:
    from ..services.cache import ResultCache

InputT = TypeVar("InputT", bound=BaseModel)
OutputT = TypeVar("OutputT", bound=BaseModel)
# What a task factory is given: the store and the result cache, looked up per event.
StoreProvider = Callable[[], ObjectStore]
CacheProvider = Callable[[], "ResultCache | None"]


@dataclass(frozen=True)
class Task(Generic[InputT, OutputT]):
    input_model: type[InputT]
    run: Callable[[InputT], OutputT]

    def __call__(self, event: Any) -> dict[str, Any]:
        payload = self.parse(event)
        try:
            output = self.run(payload)
        except ServiceError as exc:
            raise refused(exc.as_task_error()) from exc
        return output.model_dump(mode="json")

    def parse(self, event: Any) -> InputT:
        if not isinstance(event, dict):
            raise refused(
                BadInputError(
                    f"A task input must be a JSON object, got {type(event).__name__}.",
                    allowed=sorted(self.input_model.model_json_schema()["properties"]),
                    code="invalid_task_input",
                ).as_task_error()
            )
        try:
            return self.input_model.model_validate(event)
        except ValidationError as exc:
            raise refused(invalid_input(exc, self.input_model).as_task_error()) from exc


def own_bucket(store: ObjectStore, bucket: str) -> ObjectStore:
    """Tasks name a bucket; only ours is accepted (no reading other people's buckets)."""
    if bucket != store.bucket:
        raise WrongBucketError(
            f"Bucket '{bucket}' is not this service's bucket.", allowed=[store.bucket]
        )
    return store


def refused(error: ServiceError) -> ServiceError:
    # "message" is reserved by logging.LogRecord: the error's text goes under "detail".
    extra = {"error_type": type(error).__name__, "error": error.code, "detail": error.message}
    logger.info("task refused", extra=extra)
    return error


def invalid_input(exc: ValidationError, model: type[BaseModel]) -> BadInputError:
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
    return BadInputError("; ".join(problems), allowed=allowed, code="invalid_task_input")
