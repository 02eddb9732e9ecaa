"""ports.BatchRuns on Step Functions: the batch state machine and its Distributed Map run."""

from __future__ import annotations

import json
from typing import Any

from ..config import Settings, get_settings
from ..keys import execution_arn
from ..ports import BatchRunInfo, MapRunCounts
from .clients import sfn_client
from .errors import aws_errors
from .stepfunctions import iso_time


class StepFunctionsBatches:
    """The batch state machine (BATCH_STATE_MACHINE_ARN): ConfigurationError when unset."""

    def __init__(self, settings: Settings | None = None) -> None:
        settings = settings or get_settings()
        self.state_machine_arn = settings.require_batch_state_machine_arn()
        self._client = sfn_client()

    def start(self, batch_id: str, payload: dict[str, Any]) -> str:
        with aws_errors("Step Functions"):
            response = self._client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=batch_id,
                input=json.dumps(payload, sort_keys=True),
            )
        return str(response["executionArn"])

    def describe(self, batch_id: str) -> BatchRunInfo | None:
        from botocore.exceptions import ClientError

        arn = execution_arn(self.state_machine_arn, batch_id)
        try:
            with aws_errors("Step Functions", expected=("ExecutionDoesNotExist",)):
                execution = self._client.describe_execution(executionArn=arn)
        except ClientError:  # ExecutionDoesNotExist
            return None
        return BatchRunInfo(
            status=str(execution.get("status", "RUNNING")),
            started_at=iso_time(execution.get("startDate")),
            stopped_at=iso_time(execution.get("stopDate")),
            error=execution.get("error"),
            cause=execution.get("cause"),
            prefix=_input_prefix(execution.get("input")),
            map_run=self._map_run(arn),
        )

    def _map_run(self, arn: str) -> MapRunCounts | None:
        """The batch's (one) map run, by ListMapRuns then DescribeMapRun's item counts."""
        with aws_errors("Step Functions"):
            runs = self._client.list_map_runs(executionArn=arn).get("mapRuns", [])
            if not runs:
                return None
            counts = self._client.describe_map_run(mapRunArn=runs[0]["mapRunArn"])["itemCounts"]
        return MapRunCounts(
            total=counts.get("total", 0),
            succeeded=counts.get("succeeded", 0),
            failed=counts.get("failed", 0),
            running=counts.get("running", 0),
            pending=counts.get("pending", 0),
            aborted=counts.get("aborted", 0),
            timed_out=counts.get("timedOut", 0),
        )


def _input_prefix(raw: Any) -> str | None:
    try:
        value = json.loads(raw or "{}").get("prefix")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None
