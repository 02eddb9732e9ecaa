"""Writes statemachine/batch.asl.json: a Distributed Map whose item processor IS the pipeline.

The item processor holds statemachine/pipeline.asl.json's states verbatim (same Lambda tasks,
same Retry and Catch rules, same result documents), behind one Choice that skips objects that
cannot be images we accept. So the pipeline is defined once: after editing pipeline.asl.json,
run `python scripts/build_batch_asl.py`; `make validate` (`--check`) and
tests/unit/statemachine/test_batch_asl.py fail while batch.asl.json is stale.

Why inline instead of nesting StartExecution of the pipeline: docs/scale.md ("Inline or nested").
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / "statemachine" / "pipeline.asl.json"
BATCH = ROOT / "statemachine" / "batch.asl.json"

# services/batches.py skips the same names and sizes (a unit test compares both rules).
NAME_PATTERNS = ("*.jpg", "*.JPG", "*.jpeg", "*.JPEG", "*.png", "*.PNG", "*.webp", "*.WEBP")
MAX_IMAGE_BYTES = 20 * 1024 * 1024  # media.MAX_UPLOAD_BYTES
# keys.batch_job_id computes the same: md5("<batch id>|<key>") in hex.
JOB_ID = "States.Hash(States.Format('{}|{}', $$.Execution.Name, $$.Map.Item.Value.Key), 'MD5')"
# Step Functions writes its own per-child results under <prefix>/<map run id>/ (moto: only an
# empty manifest). Literal values: moto evaluates ResultWriter paths against the map's output
# instead of its input.
MAP_RUN_PREFIX = "results/batches/map-runs"


def check_image(first_state: str) -> dict[str, Any]:
    names = [{"Variable": "$.key", "StringMatches": pattern} for pattern in NAME_PATTERNS]
    return {
        "Type": "Choice",
        "Comment": "skip objects that cannot be an image we accept, by name and size (the rule of "
        "services/batches.skip_reason); the pipeline checks the bytes of the others",
        "Choices": [
            {"Not": {"Or": names}, "Next": "Skipped"},
            {"Variable": "$.size", "NumericEquals": 0, "Next": "Skipped"},
            {"Variable": "$.size", "NumericGreaterThan": MAX_IMAGE_BYTES, "Next": "Skipped"},
        ],
        "Default": first_state,
    }


def item_processor(pipeline: dict[str, Any]) -> dict[str, Any]:
    states = {
        "CheckImage": check_image(pipeline["StartAt"]),
        "Skipped": {
            "Type": "Succeed",
            "Comment": "not an image name, empty, or over the upload limit: the summary says which",
        },
    }
    clash = set(states) & set(pipeline["States"])
    if clash:
        raise ValueError(f"pipeline.asl.json already has states named {sorted(clash)}")
    return {
        "ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "${BatchExecutionType}"},
        "StartAt": "CheckImage",
        "States": {**states, **pipeline["States"]},
    }


def settings() -> dict[str, Any]:
    return {
        "Type": "Pass",
        "Comment": "the batch's prefix, our bucket, and the limits set in template.yaml "
        "(numbers come through States.StringToJson so that this file stays valid JSON)",
        "Parameters": {
            "batch_id.$": "$$.Execution.Name",
            "bucket": "${BucketName}",
            "prefix.$": "$.prefix",
            "options.$": "$.options",
            "max_concurrency.$": "States.StringToJson('${BatchMaxConcurrency}')",
            "tolerated_failure_percentage.$": (
                "States.StringToJson('${BatchToleratedFailurePercentage}')"
            ),
        },
        "Next": "Images",
    }


def images_map(pipeline: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Map",
        "Comment": "one child workflow per object under the prefix: caption -> translate -> "
        "speak -> results/<job-id>.json, at most MaxConcurrency at a time",
        "Label": "Images",
        "ItemReader": {
            "Resource": "arn:aws:states:::s3:listObjectsV2",
            "Parameters": {"Bucket.$": "$.bucket", "Prefix.$": "$.prefix"},
        },
        "ItemSelector": {
            "job_id.$": JOB_ID,
            "bucket.$": "$.bucket",
            "key.$": "$$.Map.Item.Value.Key",
            "size.$": "$$.Map.Item.Value.Size",
            # the Caption task reads exactly this content (If-Match), as for a single upload
            "etag.$": "$$.Map.Item.Value.Etag",
            "options.$": "$.options",
        },
        "MaxConcurrencyPath": "$.max_concurrency",
        "ToleratedFailurePercentagePath": "$.tolerated_failure_percentage",
        "ItemProcessor": item_processor(pipeline),
        "ResultWriter": {
            "Resource": "arn:aws:states:::s3:putObject",
            "Parameters": {"Bucket": "${BucketName}", "Prefix": MAP_RUN_PREFIX},
        },
        "ResultPath": "$.map_run",
        "Retry": [
            {
                "Comment": "the listing failed before any image ran: list again",
                "ErrorEquals": ["States.ItemReaderFailed"],
                "IntervalSeconds": 2,
                "MaxAttempts": 2,
                "BackoffRate": 2.0,
                "JitterStrategy": "FULL",
            }
        ],
        "Catch": [
            {
                "Comment": "more failures than tolerated, or the map run itself failed: "
                "still summarize what finished",
                "ErrorEquals": ["States.ALL"],
                "ResultPath": "$.map_error",
                "Next": "Summarize",
            }
        ],
        "Next": "ImagesDone",
    }


def images_done() -> dict[str, Any]:
    return {
        "Type": "Pass",
        "Comment": "no map error (the Catch above puts {Error, Cause} here otherwise)",
        "Result": {},
        "ResultPath": "$.map_error",
        "Next": "Summarize",
    }


def summarize(pipeline: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Task",
        "Comment": "the manifest: results/batches/<batch-id>/summary.json and .csv, one row per "
        "object (status, caption, translation, audio key, error or why it was skipped)",
        "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {
            "FunctionName": "${BatchSummaryFunctionArn}",
            "Payload": {
                "batch_id.$": "$.batch_id",
                "bucket.$": "$.bucket",
                "prefix.$": "$.prefix",
                "tolerated_failure_percentage.$": "$.tolerated_failure_percentage",
                "started_at.$": "$$.Execution.StartTime",
                "map_error.$": "$.map_error",
            },
        },
        "TimeoutSeconds": 900,
        "ResultSelector": {
            "summary_key.$": "$.Payload.summary_key",
            "csv_key.$": "$.Payload.csv_key",
            "total.$": "$.Payload.total",
            "succeeded.$": "$.Payload.succeeded",
            "failed.$": "$.Payload.failed",
            "skipped.$": "$.Payload.skipped",
            "within_tolerance.$": "$.Payload.within_tolerance",
            "reason.$": "$.Payload.reason",
        },
        "ResultPath": "$.summary",
        # the same rules as every pipeline task (client errors, throttles, transient, timeouts)
        "Retry": copy.deepcopy(pipeline["States"]["Caption"]["Retry"]),
        "Catch": [
            {
                "ErrorEquals": ["States.ALL"],
                "ResultPath": "$.summary_error",
                "Next": "SummaryFailed",
            }
        ],
        "Next": "Outcome",
    }


def outcome_states() -> dict[str, Any]:
    return {
        "Outcome": {
            "Type": "Choice",
            "Comment": "the map run failed (on AWS: more failures than tolerated), or the summary "
            "counts more failures than tolerated (moto does not enforce the tolerance)",
            "Choices": [
                {"Variable": "$.map_error.Error", "IsPresent": True, "Next": "MapRunFailed"},
                {
                    "Variable": "$.summary.within_tolerance",
                    "BooleanEquals": False,
                    "Next": "TooManyFailures",
                },
            ],
            "Default": "Done",
        },
        "Done": {"Type": "Succeed"},
        "MapRunFailed": {
            "Type": "Fail",
            "Comment": "the summary was still written; its reason includes the map run's error",
            "Error": "BatchFailed",
            "CausePath": "$.summary.reason",
        },
        "TooManyFailures": {
            "Type": "Fail",
            "Comment": "the summary lists every failed image with its reason",
            "Error": "BatchFailed",
            "CausePath": "$.summary.reason",
        },
        "SummaryFailed": {
            "Type": "Fail",
            "Comment": "the images ran (results/<job-id>.json each) but no summary was written",
            "Error": "BatchSummaryFailed",
            "Cause": "The batch summary could not be written; see the execution history.",
        },
    }


def render() -> str:
    pipeline = json.loads(PIPELINE.read_text())
    definition = {
        "Comment": "A batch: every object under a prefix of our bucket through the pipeline "
        "(statemachine/pipeline.asl.json, inlined as the item processor by "
        "scripts/build_batch_asl.py; do not edit this file by hand), then one summary. "
        'Input: {"prefix": "batches/..."}.',
        "StartAt": "Settings",
        "States": {
            "Settings": settings(),
            "Images": images_map(pipeline),
            "ImagesDone": images_done(),
            "Summarize": summarize(pipeline),
            **outcome_states(),
        },
    }
    return json.dumps(definition, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if batch.asl.json is stale")
    args = parser.parse_args(argv)
    rendered = render()
    if args.check:
        if not BATCH.is_file() or BATCH.read_text() != rendered:
            print(
                f"{BATCH.relative_to(ROOT)} is stale: run `python scripts/build_batch_asl.py`",
                file=sys.stderr,
            )
            return 1
        print(f"{BATCH.relative_to(ROOT)} is up to date with {PIPELINE.relative_to(ROOT)}")
        return 0
    BATCH.write_text(rendered)
    print(f"wrote {BATCH.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
