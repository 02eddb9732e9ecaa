"""Logging, metrics and tracing (AWS Lambda Powertools), configured in ONE place.

Powertools reads its own POWERTOOLS_* variables (log level, metrics namespace); the service
name and whether to trace come from config. Tracing exists only when it can mean something:
inside Lambda with tracing on (template.yaml sets `Tracing: Active`). Otherwise no tracer is
created and the X-Ray SDK is never imported, and `traced` leaves functions untouched. Outside
Lambda, metrics are printed to stdout as EMF JSON, so everything runs locally without AWS.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from .config import get_settings

_settings = get_settings()
SERVICE = _settings.powertools_service_name
NAMESPACE = _settings.powertools_metrics_namespace

logger = Logger(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

Handler = Callable[[Any, Any], Any]
F = TypeVar("F", bound=Callable[..., Any])


@lru_cache(maxsize=1)
def tracer() -> Any | None:
    """The Powertools Tracer when tracing is on, else None (and aws_xray_sdk stays unloaded)."""
    if not get_settings().tracing_enabled:
        return None
    from aws_lambda_powertools import Tracer

    return Tracer(service=SERVICE)


def traced(function: F) -> F:
    """A subsegment per call of a service function when tracing is on; the function unchanged
    otherwise (decided once, at import: the setting does not change within a process)."""
    active = tracer()
    if active is None:
        return function
    wrapped: F = active.capture_method(function, capture_response=False)
    return wrapped


def record_model_load(task: str, load_ms: float, model: dict[str, Any]) -> None:
    """Called once per cold start; the metric is flushed with the first invocation."""
    metrics.add_metric(name="ModelLoadMs", unit=MetricUnit.Milliseconds, value=load_ms)
    logger.info("model loaded", extra={"task": task, "load_ms": round(load_ms, 1), "model": model})


def record_inference(task: str, ms: float) -> None:
    metrics.add_metric(name="InferenceMs", unit=MetricUnit.Milliseconds, value=ms)
    logger.debug("inference", extra={"task": task, "ms": round(ms, 2)})


def correlation_id(event: Any) -> str | None:
    """API Gateway events carry a request id, Step Functions tasks a job id: either correlates.

    Read directly rather than through Powertools' `correlation_id_path`, which evaluates a
    JMESPath expression on every invocation (about 0.1 ms of a ~15 ms caption request once the
    model has left the CPU caches cold: docs/performance.md "Handler overhead")."""
    if not isinstance(event, dict):
        return None
    context = event.get("requestContext")
    request_id = context.get("requestId") if isinstance(context, dict) else None
    found = request_id or event.get("job_id")
    return found if isinstance(found, str) and found else None


def instrument(handler: Handler) -> Handler:
    """Wrap a Lambda handler: cold-start + EMF metrics, context, correlation id, tracing."""
    active = tracer()
    if active is not None:
        handler = active.capture_lambda_handler(handler, capture_response=False)
    measured = metrics.log_metrics(handler, capture_cold_start_metric=True)

    def correlated(event: Any, context: Any) -> Any:
        logger.set_correlation_id(correlation_id(event))
        return measured(event, context)

    return logger.inject_lambda_context(correlated)
