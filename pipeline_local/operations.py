"""Operator commands for a deployed stack (or a local moto one): re-drive and reconcile.

    python -m pipeline_local redrive   --stack NAME [--profile P] [--region R]
    python -m pipeline_local reconcile --stack NAME [--dry-run] [--min-age-s 300]

`redrive` moves every message of the uploads dead-letter queue back to the uploads queue, so
the trigger gets them again (after the cause of the failures is fixed). It uses Receive / Send
/ Delete, which SQS and moto both support (moto has no StartMessageMoveTask); each message is
deleted from the DLQ only after it was sent. Bounded by --max and --time-limit-s.

`reconcile` lists uploads/ and starts the job of every upload that has none (no execution and
no result document): the safety net for an event that was lost anyway (e.g. the DLQ's 14-day
retention passed). Uploads younger than --min-age-s are skipped: their event may still be on
its way. The job id and the execution input are the trigger's own (keys.job_id_for_upload,
services.jobs.start_pipelines), so a job started here is the job the trigger would start.

Resource names come from the stack's outputs (--stack) or are given one by one (--bucket,
--state-machine-arn, --queue-url, --dead-letter-queue-url, e.g. against a moto server with
--endpoint-url).
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from image_to_speech.aws.s3 import S3Store
from image_to_speech.aws.stepfunctions import StepFunctionsExecutions
from image_to_speech.config import Settings
from image_to_speech.keys import is_upload, job_id_for_upload, result_key
from image_to_speech.ports import Executions
from image_to_speech.services.jobs import UploadedObject, start_pipelines

COMMANDS = ("redrive", "reconcile")
OUTPUTS = {
    "bucket": "BucketName",
    "state_machine_arn": "StateMachineArn",
    "queue_url": "UploadsQueueUrl",
    "dead_letter_queue_url": "UploadsDeadLetterQueueUrl",
}


# ---- re-drive --------------------------------------------------------------------------------


def redrive(
    sqs: Any,
    dead_letter_queue_url: str,
    queue_url: str,
    *,
    limit: int = 10_000,
    time_limit_s: float = 300.0,
) -> int:
    """Move up to `limit` messages from the DLQ back to the queue; returns how many moved."""
    moved = 0
    deadline = time.monotonic() + time_limit_s
    while moved < limit and time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=dead_letter_queue_url,
            MaxNumberOfMessages=min(10, limit - moved),
            VisibilityTimeout=60,  # an interrupted run leaves them for the next one
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not messages:
            break
        entries = [{"Id": str(i), "MessageBody": m["Body"]} for i, m in enumerate(messages)]
        sent = sqs.send_message_batch(QueueUrl=queue_url, Entries=entries)
        done = [messages[int(item["Id"])] for item in sent.get("Successful", [])]
        if done:
            sqs.delete_message_batch(
                QueueUrl=dead_letter_queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(done)
                ],
            )
        moved += len(done)
        if len(done) < len(messages):
            break  # SendMessage refused some: stop rather than loop on them
    return moved


# ---- reconcile -------------------------------------------------------------------------------


@dataclass
class ReconcileReport:
    scanned: int = 0
    with_job: int = 0
    too_recent: int = 0
    orphans: list[UploadedObject] = field(default_factory=list)
    started: list[str] = field(default_factory=list)  # job ids


def reconcile(
    s3: Any,
    executions: Executions,
    bucket: str,
    *,
    uploads_prefix: str = "uploads/",
    min_age_s: float = 300.0,
    limit: int = 10_000,
    dry_run: bool = False,
    now: datetime | None = None,
) -> ReconcileReport:
    """Start the job of every upload (older than min_age_s) that has no execution and no
    result; `limit` bounds how many objects are looked at."""
    report = ReconcileReport()
    now = now or datetime.now(UTC)
    for item in _uploads(s3, bucket, uploads_prefix, limit):
        report.scanned += 1
        if (now - item["LastModified"]).total_seconds() < min_age_s:
            report.too_recent += 1
            continue
        etag = str(item["ETag"]).strip('"')
        upload = UploadedObject(bucket=bucket, key=item["Key"], version=etag, etag=etag)
        if _has_job(s3, executions, bucket, job_id_for_upload(bucket, upload.key, etag)):
            report.with_job += 1
        else:
            report.orphans.append(upload)
    if not dry_run and report.orphans:
        store = S3Store(Settings.from_environment(bucket_name=bucket), client=s3)
        outcomes = start_pipelines(executions, store, report.orphans)
        report.started = [o.job_id for o in outcomes if o.started]
    return report


def _uploads(s3: Any, bucket: str, prefix: str, limit: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            if is_upload(item["Key"]):
                found.append(item)
            if len(found) >= limit:
                return found
    return found


def _has_job(s3: Any, executions: Executions, bucket: str, job_id: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        s3.head_object(Bucket=bucket, Key=result_key(job_id))
        return True
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
            raise
    return executions.describe(job_id) is not None


# ---- command line ----------------------------------------------------------------------------


def add_commands(commands: Any) -> None:
    """The `redrive` and `reconcile` sub-commands of `python -m pipeline_local`."""
    redrive_parser = commands.add_parser(
        "redrive", help="move the uploads dead-letter queue's messages back to the queue"
    )
    redrive_parser.add_argument("--max", type=int, default=10_000, help="at most this many")
    redrive_parser.add_argument("--time-limit-s", type=float, default=300.0)
    reconcile_parser = commands.add_parser(
        "reconcile", help="start the job of every upload that has none"
    )
    reconcile_parser.add_argument("--dry-run", action="store_true", help="list, start nothing")
    reconcile_parser.add_argument(
        "--min-age-s", type=float, default=300.0, help="skip younger uploads (default 300)"
    )
    reconcile_parser.add_argument("--max", type=int, default=10_000, help="objects to look at")
    for sub in (redrive_parser, reconcile_parser):
        sub.add_argument("--stack", help="read the resource names from this stack's outputs")
        sub.add_argument("--profile", help="AWS profile (default: the usual credential chain)")
        sub.add_argument("--region", help="AWS region")
        sub.add_argument("--endpoint-url", help="e.g. a moto server: http://127.0.0.1:5000")
        for name in OUTPUTS:
            sub.add_argument(
                f"--{name.replace('_', '-')}", help=f"instead of output {OUTPUTS[name]}"
            )


def resources(args: argparse.Namespace, cloudformation: Any) -> dict[str, str]:
    """Each name from its flag, else from the stack's outputs."""
    found = {name: getattr(args, name) for name in OUTPUTS if getattr(args, name, None)}
    if args.stack and len(found) < len(OUTPUTS):
        stack = cloudformation.describe_stacks(StackName=args.stack)["Stacks"][0]
        outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
        for name, output in OUTPUTS.items():
            found.setdefault(name, outputs.get(output, ""))
    return found


def main(args: argparse.Namespace) -> int:
    import boto3

    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)

    def client(service: str) -> Any:
        return session.client(service, endpoint_url=args.endpoint_url)

    names = resources(args, client("cloudformation"))
    if args.command == "redrive":
        return _redrive_command(args, names, client("sqs"))
    return _reconcile_command(args, names, client("s3"), client("stepfunctions"))


def _require(names: dict[str, str], *wanted: str) -> list[str]:
    missing = [name for name in wanted if not names.get(name)]
    if missing:
        flags = ", ".join(f"--{name.replace('_', '-')}" for name in missing)
        raise SystemExit(f"error: give --stack or {flags}")
    return [names[name] for name in wanted]


def _redrive_command(args: argparse.Namespace, names: dict[str, str], sqs: Any) -> int:
    dead_letters, queue = _require(names, "dead_letter_queue_url", "queue_url")
    moved = redrive(sqs, dead_letters, queue, limit=args.max, time_limit_s=args.time_limit_s)
    print(f"re-drove {moved} message(s) from {dead_letters} to {queue}")
    return 0


def _reconcile_command(args: argparse.Namespace, names: dict[str, str], s3: Any, sfn: Any) -> int:
    bucket, machine = _require(names, "bucket", "state_machine_arn")
    executions = StepFunctionsExecutions(
        Settings.from_environment(state_machine_arn=machine), client=sfn
    )
    report = reconcile(
        s3, executions, bucket, min_age_s=args.min_age_s, limit=args.max, dry_run=args.dry_run
    )
    print(
        f"uploads: {report.scanned} looked at, {report.with_job} with a job, "
        f"{report.too_recent} too recent, {len(report.orphans)} without a job"
    )
    for upload in report.orphans:
        print(f"  {'would start' if args.dry_run else 'no job'}: {upload.key}")
    if not args.dry_run:
        print(f"started {len(report.started)} job(s): {' '.join(report.started)}")
    return 0
