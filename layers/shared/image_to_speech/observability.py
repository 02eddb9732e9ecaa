"""Logging, tracing and metrics (AWS Lambda Powertools), configured in ONE place.

Settings come from the POWERTOOLS_* environment variables (service name, log level, metrics
namespace, POWERTOOLS_TRACE_DISABLED). Outside Lambda the tracer disables itself and metrics
are printed to stdout as EMF JSON, so everything runs locally without AWS.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "image-to-speech")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "ImageToSpeech")
# API Gateway events carry a request id, Step Functions tasks a job id: either one correlates.
CORRELATION_ID_PATH = "requestContext.requestId || job_id"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)

Handler = Callable[[Any, Any], Any]


def record_model_load(task: str, load_ms: float, model: dict[str, Any]) -> None:
    """Called once per cold start; the metric is flushed with the first invocation."""
    metrics.add_metric(name="ModelLoadMs", unit=MetricUnit.Milliseconds, value=load_ms)
    logger.info("model loaded", extra={"task": task, "load_ms": round(load_ms, 1), "model": model})


def record_inference(task: str, ms: float) -> None:
    metrics.add_metric(name="InferenceMs", unit=MetricUnit.Milliseconds, value=ms)
    logger.debug("inference", extra={"task": task, "ms": round(ms, 2)})


def instrument(handler: Handler) -> Handler:
    """Wrap a Lambda handler: tracing, cold-start + EMF metrics, context and correlation id."""
    traced = tracer.capture_lambda_handler(handler, capture_response=False)
    measured = metrics.log_metrics(traced, capture_cold_start_metric=True)
    return logger.inject_lambda_context(measured, correlation_id_path=CORRELATION_ID_PATH)
