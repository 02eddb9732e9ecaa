"""Starting and describing executions of the pipeline state machine (idempotently)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from .ids import execution_arn, execution_name

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient


@lru_cache(maxsize=1)
def sfn_client() -> SFNClient:
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=3)
    return boto3.client(
        "stepfunctions", endpoint_url=os.environ.get("AWS_ENDPOINT_URL") or None, config=config
    )


def state_machine_arn() -> str:
    arn = os.environ.get("STATE_MACHINE_ARN")
    if not arn:
        raise RuntimeError("STATE_MACHINE_ARN is not set")  # deployment problem: a 500
    return arn


def reset() -> None:
    sfn_client.cache_clear()


@dataclass(frozen=True)
class StartOutcome:
    job_id: str
    execution_arn: str
    # False: the job had already finished (ExecutionAlreadyExists). A duplicate arriving while
    # the first run is still RUNNING gets that same execution back from Step Functions (True).
    started: bool


def start_pipeline(job_id: str, bucket: str, key: str) -> StartOutcome:
    """Start the job's execution once; a second start of the same job is a success, not an error.

    Step Functions returns the running execution for an identical (name, input) and raises
    ExecutionAlreadyExists for a finished one: both mean "already started", so no duplicate.
    """
    machine = state_machine_arn()
    name = execution_name(job_id)
    payload = json.dumps({"job_id": job_id, "bucket": bucket, "key": key}, sort_keys=True)
    try:
        response = sfn_client().start_execution(stateMachineArn=machine, name=name, input=payload)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionAlreadyExists":
            return StartOutcome(job_id, execution_arn(machine, name), started=False)
        raise
    return StartOutcome(job_id, response["executionArn"], started=True)


def describe_job_execution(job_id: str) -> dict[str, Any] | None:
    """DescribeExecution of the job's execution, or None when there is none."""
    arn = execution_arn(state_machine_arn(), execution_name(job_id))
    try:
        return dict(sfn_client().describe_execution(executionArn=arn))
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ExecutionDoesNotExist":
            return None
        raise
