"""Powertools wiring: JSON logs with the correlation id, EMF metrics on stdout, no AWS needed."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.metrics.provider import cold_start
from image_to_speech.observability import NAMESPACE, correlation_id, logger, record_model_load

from scripts.make_events import EVENT_JOB_ID, json_event
from tests.unit.image_to_speech.conftest import FakeLambdaContext, FunctionUnderTest


def stdout_json(text: str) -> list[dict[str, Any]]:
    records = []
    for line in text.splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return records


@pytest.fixture
def log_lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    """The Powertools log handler's output (it keeps the stdout it saw at import time)."""
    stream = io.StringIO()
    monkeypatch.setattr(logger.registered_handler, "stream", stream)
    yield stream


def emf_metric_names(records: list[dict[str, Any]]) -> set[str]:
    names = set()
    for record in records:
        for directive in record.get("_aws", {}).get("CloudWatchMetrics", []):
            assert directive["Namespace"] == NAMESPACE
            names.update(metric["Name"] for metric in directive["Metrics"])
    return names


def test_api_request_logs_and_metrics(
    translate_function: FunctionUnderTest,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    log_lines: io.StringIO,
) -> None:
    """GIVEN a cold HTTP API invocation WHEN handled THEN logs carry the API request id and EMF
    metrics hold ColdStart, ModelLoadMs and InferenceMs in the configured namespace."""
    monkeypatch.setattr(cold_start, "is_cold_start", True)
    record_model_load("translate", 12.5, {"preset": "test"})
    capsys.readouterr()
    event = json_event("/translate", {"text": "Hello.", "target": "fr"}, request_id="req-123")
    response = translate_function.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 422
    ok = json_event("/translate", {"text": "Hello."}, request_id="req-456")
    assert translate_function.handler(ok, FakeLambdaContext())["statusCode"] == 200
    logs = stdout_json(log_lines.getvalue())
    refused = [r for r in logs if r.get("message") == "request refused"]
    assert refused and refused[0]["correlation_id"] == "req-123"
    assert refused[0]["function_name"] == "test-function" and refused[0]["level"] == "INFO"
    metrics = stdout_json(capsys.readouterr().out)  # EMF is printed to stdout
    assert {"ColdStart", "ModelLoadMs", "InferenceMs"} <= emf_metric_names(metrics)


def test_task_logs_use_the_job_id(
    translate_function: FunctionUnderTest, log_lines: io.StringIO
) -> None:
    """GIVEN a refused task WHEN handled THEN its log line is correlated by job_id."""
    with pytest.raises(Exception, match="unsupported_language"):
        translate_function.handler(
            {"job_id": EVENT_JOB_ID, "text": "Hi.", "target": "xx"}, FakeLambdaContext()
        )
    refused = [r for r in stdout_json(log_lines.getvalue()) if r.get("message") == "task refused"]
    assert refused and refused[0]["correlation_id"] == EVENT_JOB_ID
    assert refused[0]["error_type"] == "BadInputError"


@pytest.mark.parametrize(
    "event, expected",
    [
        ({"requestContext": {"requestId": "req-1"}, "job_id": "job-1"}, "req-1"),
        ({"requestContext": {"requestId": ""}, "job_id": "job-1"}, "job-1"),
        ({"requestContext": "not a mapping", "job_id": "job-1"}, "job-1"),
        ({"job_id": "job-1"}, "job-1"),
        ({"Records": [{"s3": {}}]}, None),
        ({"job_id": 7}, None),
        (["not", "a", "mapping"], None),
        (None, None),
    ],
)
def test_correlation_id_prefers_the_request_id_then_the_job_id(event: Any, expected: Any) -> None:
    """GIVEN any event a function may receive WHEN its correlation id is read THEN it is the API
    request id, else the task's job id, else None (never an error, never a non-string)."""
    assert correlation_id(event) == expected


def test_correlation_id_does_not_leak_into_the_next_invocation(
    translate_function: FunctionUnderTest, log_lines: io.StringIO
) -> None:
    """GIVEN a task with a job id, then an event with none WHEN both are handled THEN the second
    one's log lines carry no correlation id from the first."""
    with pytest.raises(Exception, match="unsupported_language"):
        translate_function.handler(
            {"job_id": EVENT_JOB_ID, "text": "Hi.", "target": "xx"}, FakeLambdaContext()
        )
    with pytest.raises(Exception, match="invalid_task_input"):
        translate_function.handler({"text": "Hi.", "target": "xx"}, FakeLambdaContext())
    refused = [r for r in stdout_json(log_lines.getvalue()) if r.get("message") == "task refused"]
    assert [r.get("correlation_id") for r in refused] == [EVENT_JOB_ID, None]


@pytest.mark.parametrize("trace_disabled, expected", [("true", "untraced"), ("false", "traced")])
def test_settings_come_from_powertools_env_vars(trace_disabled: str, expected: str) -> None:
    """GIVEN POWERTOOLS_* variables in a Lambda environment WHEN the module loads THEN they set
    the namespace, the service and whether X-Ray tracing is on; with tracing off, no tracer
    exists and the X-Ray SDK is never imported (it costs cold-start time)."""
    code = (
        "import sys; from image_to_speech import observability as o;"
        "traced = o.tracer() is not None;"
        "assert traced == ('aws_xray_sdk' in sys.modules);"
        "print(o.metrics.namespace, o.logger.service, 'traced' if traced else 'untraced')"
    )
    env = {
        **os.environ,
        "AWS_LAMBDA_FUNCTION_NAME": "speak",  # tracing means nothing outside Lambda
        "LAMBDA_TASK_ROOT": "/var/task",
        "POWERTOOLS_METRICS_NAMESPACE": "CustomNs",
        "POWERTOOLS_SERVICE_NAME": "speak-fn",
        "POWERTOOLS_TRACE_DISABLED": trace_disabled,
    }
    env.pop("AWS_SAM_LOCAL", None)
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["CustomNs", "speak-fn", expected]
