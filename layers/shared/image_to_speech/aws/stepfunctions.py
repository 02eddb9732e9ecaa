"""ports.Executions on Step Functions: one execution per job, named by the job id."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..config import Settings, get_settings
from ..keys import execution_arn
from ..pipeline.progress import progress_from_history
from ..ports import ExecutionInfo, JobProgress, StartOutcome
from .clients import sfn_client
from .errors import aws_errors

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


class StepFunctionsExecutions:
    """The pipeline state machine (STATE_MACHINE_ARN): ConfigurationError when unset."""

    def __init__(self, settings: Settings | None = None, client: SFNClient | None = None) -> None:
        settings = settings or get_settings()
        self.state_machine_arn = settings.require_state_machine_arn()
        # An operator's tool passes its own client (profile, region); functions use the shared one.
        self._client = client or sfn_client()

    def start(self, job_id: str, payload: dict[str, Any]) -> StartOutcome:
        """Start the job's execution once; a second start of the same job is not an error.

        Step Functions returns the running execution for an identical (name, input) and raises
        ExecutionAlreadyExists for a finished one: both mean "already started", no duplicate.
        """
        from botocore.exceptions import ClientError

        body = json.dumps(payload, sort_keys=True)
        try:
            with aws_errors("Step Functions", expected=("ExecutionAlreadyExists",)):
                response = self._client.start_execution(
                    stateMachineArn=self.state_machine_arn, name=job_id, input=body
                )
        except ClientError:  # ExecutionAlreadyExists: the job ran already
            return StartOutcome(job_id, execution_arn(self.state_machine_arn, job_id), False)
        return StartOutcome(job_id, response["executionArn"], started=True)

    def describe(self, job_id: str) -> ExecutionInfo | None:
        from botocore.exceptions import ClientError

        arn = execution_arn(self.state_machine_arn, job_id)
        try:
            with aws_errors("Step Functions", expected=("ExecutionDoesNotExist",)):
                execution = self._client.describe_execution(executionArn=arn)
        except ClientError:  # ExecutionDoesNotExist
            return None
        return ExecutionInfo(
            status=str(execution.get("status", "RUNNING")),
            started_at=iso_time(execution.get("startDate")),
            stopped_at=iso_time(execution.get("stopDate")),
            error=execution.get("error"),
            cause=execution.get("cause"),
            input=_json_object(execution.get("input")),
            output=_json_object(execution.get("output")),
        )

    def progress(self, job_id: str) -> JobProgress:
        arn = execution_arn(self.state_machine_arn, job_id)
        with aws_errors("Step Functions"):
            history = self._client.get_execution_history(executionArn=arn, maxResults=200)
        return progress_from_history([dict(event) for event in history["events"]])


def _json_object(text: Any) -> dict[str, Any] | None:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def iso_time(value: Any) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else None
