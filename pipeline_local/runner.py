"""LocalPipeline: moto S3 + Lambda + Step Functions wired from template.yaml, in this process.

The REAL statemachine/*.asl.json (the pipeline, and the batch) run on moto's ASL interpreter;
their ${...} substitutions come from template.yaml's DefinitionSubstitutions and point at moto
Lambda functions named like the template's (parameters: their Default), whose invocations the
moto bridge sends to our handlers.
An upload to uploads/ fires moto's S3 -> SQS notification (the bucket's QueueConfigurations)
into the uploads queue; an in-process poller (sqs_poller.py, the template's
EventSourceMapping) hands batches to the upload trigger, which starts the execution: the same
path as AWS, dead-letter queue included. The local queue's visibility timeout is shorter than
the template's (`visibility_timeout_s`) so that retries take seconds, not minutes.
"""

from __future__ import annotations

import io
import json
import logging
import os
import time
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
from image_to_speech.aws.resources import reset_resources
from image_to_speech.config import reset_settings
from image_to_speech.inference.bundle import DEFAULT_PRESETS, MANIFEST_NAME, resolve_bundle_dir
from image_to_speech.keys import execution_arn, job_id_for_upload
from image_to_speech.pipeline.results import JobResult
from moto import mock_aws

from . import template as tmpl
from .moto_bridge import (
    FUNCTIONS_DIR,
    Functions,
    InProcessFunctions,
    installed,
    load_function_module,
)
from .sqs_poller import EventSourcePoller

REGION = "us-east-1"
BUCKET = "image-to-speech-local"
FINISHED = ("SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED")
TRIGGER_FUNCTION = "UploadTriggerFunction"  # template.yaml: the EventSourceMapping's function
# Locally a failed upload event comes back after this many seconds (template.yaml: 180 s).
LOCAL_VISIBILITY_TIMEOUT_S = 2
# moto runs each execution in a thread; StartExecution itself happens in the S3 PUT request.
MOTO_CONFIG: Any = {"stepfunctions": {"execute_state_machine": True}}
# The variable that names each state machine to the functions (template.yaml builds the same
# ARNs from the machines' fixed names).
STATE_MACHINE_ENV = {
    tmpl.PIPELINE_STATE_MACHINE: "STATE_MACHINE_ARN",
    "BatchStateMachine": "BATCH_STATE_MACHINE_ARN",
}


class LocalPipelineError(RuntimeError):
    """The local setup cannot run (missing bundle, template, trigger failure...)."""


@dataclass(frozen=True)
class StateTiming:
    state: str
    ms: float
    attempts: int  # Lambda invocations made by the state (retries included)


@dataclass(frozen=True)
class JobRun:
    job_id: str
    key: str
    status: str
    result: JobResult | None
    execution_arn: str
    states: list[StateTiming]
    wall_ms: float  # upload -> execution finished, measured here


def local_environment(bucket: str = BUCKET, *, quiet: bool = True) -> dict[str, str]:
    """Variables the functions read (template.yaml sets the same names on AWS)."""
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "BUCKET_NAME": bucket,
        "UPLOADS_PREFIX": "uploads/",
        "AUDIO_PREFIX": "audio/",
        "RESULTS_PREFIX": "results/",
        "PRESIGN_EXPIRES_S": "900",
        "POWERTOOLS_TRACE_DISABLED": "true",
    }
    if quiet:
        env |= {"POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_METRICS_DISABLED": "true"}
    return env


def bundle_choices() -> dict[str, tuple[str, Path]]:
    """(preset, directory) per task, as the functions will resolve them; fails if one is missing."""
    if os.environ.get("MODEL_BUNDLE_DIR"):
        raise LocalPipelineError(
            "MODEL_BUNDLE_DIR is set: it would give all three functions the same bundle. Unset "
            "it and use CAPTION_PRESET / TRANSLATE_PRESET / SPEAK_PRESET to choose presets."
        )
    chosen = {}
    for task in ("caption", "translate", "speak"):
        preset = os.environ.get(f"{task.upper()}_PRESET") or DEFAULT_PRESETS[task]
        path = resolve_bundle_dir(task, preset)
        if not (path / MANIFEST_NAME).is_file():
            raise LocalPipelineError(
                f"The {task} bundle '{preset}' is not built ({path} has no {MANIFEST_NAME}). "
                f"Build it with `make models` (all offline presets) or "
                f"`.venv/bin/python -m model_build build {task} {preset}`."
            )
        chosen[task] = (preset, path)
    return chosen


def function_dir(spec: tmpl.FunctionSpec, resource: dict[str, Any]) -> Path:
    """functions/<name>/ of a template function: its Dockerfile's folder, else from its name."""
    dockerfile = (resource.get("Metadata") or {}).get("Dockerfile")
    context = (resource.get("Metadata") or {}).get("DockerContext", ".")
    if isinstance(dockerfile, str) and "/" in dockerfile:
        path = (tmpl.REPO_ROOT / str(context) / dockerfile).parent
        if (path / f"{spec.module}.py").is_file():
            return path
    return FUNCTIONS_DIR / spec.logical_id.removesuffix("Function").lower()


class LocalPipeline:
    """Context manager: start moto, create everything from template.yaml, tear down on exit."""

    def __init__(
        self,
        *,
        functions: Functions | None = None,
        handler_overrides: dict[str, Callable[[Any, Any], Any]] | None = None,
        bucket: str = BUCKET,
        quiet: bool = True,
        template_path: Path = tmpl.TEMPLATE_PATH,
        containers: bool = False,
        serve: bool = False,
        moto_port: int = 0,
        prepare_bucket: Callable[[Any, str], None] | None = None,
        history: int | None = None,
        visibility_timeout_s: int = LOCAL_VISIBILITY_TIMEOUT_S,
    ) -> None:
        """serve: moto as a server on 127.0.0.1:moto_port (0 = a free port) instead of an
        in-process mock, so that other programs (a browser) reach S3 and Step Functions;
        --containers implies it. prepare_bucket(s3 client, bucket) runs once the bucket
        exists and before the upload trigger is wired (restore objects, set CORS rules).
        history: how many invocations the functions keep (None = all)."""
        self.bucket = bucket
        self.quiet = quiet
        self.template_path = template_path
        self.functions: Functions | None = functions
        self.handler_overrides = dict(handler_overrides or {})
        self.function_arns: dict[str, str] = {}
        self.load_ms: dict[str, float] = {}
        self.state_machine_arn = ""
        self.state_machine_arns: dict[str, str] = {}
        self.template: dict[str, Any] = {}
        self._saved_env: dict[str, str | None] = {}
        self._mock: Any = None
        self._bridge: Any = None
        self.containers = containers
        self.serve = serve or containers
        self.moto_port = moto_port
        self.prepare_bucket = prepare_bucket
        self.history = history
        self.s3_endpoint = ""  # the moto server clients use, when serving
        self.s3_endpoints: list[str] = []  # every address moto listens on (containers: 2)
        self.quiet_timeout_s = 30.0  # how long __exit__ lets running executions finish
        self._servers: list[Any] = []
        self._start_lambda: Any = None
        self.visibility_timeout_s = visibility_timeout_s
        self.queue_urls: dict[str, str] = {}  # logical id -> URL
        self.pollers: list[EventSourcePoller] = []

    # ---- setup ------------------------------------------------------------------------------
    def __enter__(self) -> LocalPipeline:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        self._set_env(local_environment(self.bucket, quiet=self.quiet))
        # The functions' logger may exist already (it reads POWERTOOLS_LOG_LEVEL when created).
        from image_to_speech.observability import logger

        logger.setLevel(os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO"))
        if self.quiet:
            # moto's ASL interpreter logs every failed state with a full repr (an expected
            # FAILED job included); the execution history and results/ already say it all.
            logging.getLogger("moto.stepfunctions.parser").setLevel(logging.CRITICAL)
        if self.serve:
            self._start_servers()
        else:
            self._mock = mock_aws(config=MOTO_CONFIG)
            self._mock.start()
        # Settings and clients cached before the mock started would talk to real AWS.
        reset_settings()
        reset_resources()
        template = tmpl.load_template(self.template_path)
        self.template = template
        specs = tmpl.functions(template)

        self.s3 = boto3.client("s3", region_name=REGION)
        self.sfn = boto3.client("stepfunctions", region_name=REGION)
        self.lam = boto3.client("lambda", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(RoleName="local-pipeline", AssumeRolePolicyDocument="{}")
        role_arn = role["Role"]["Arn"]
        self.s3.create_bucket(Bucket=self.bucket)
        if tmpl.bucket_versioned(template):
            self.s3.put_bucket_versioning(
                Bucket=self.bucket, VersioningConfiguration={"Status": "Enabled"}
            )
        if self.prepare_bucket is not None:
            self.prepare_bucket(self.s3, self.bucket)
        self._create_queues(tmpl.queues(template))
        self._create_functions(specs, role_arn)

        self._create_state_machines(template, role_arn)
        self._configure_notifications(template)

        if self.containers:
            self.functions = self._start_containers(template, specs)
        in_process = self.functions is None
        self.functions = self.functions or InProcessFunctions({}, history=self.history)
        self._bridge = installed(self.functions)
        self._bridge.__enter__()
        if in_process:
            # After the bridge: handlers bind their log streams at import (Powertools Logger).
            assert isinstance(self.functions, InProcessFunctions)
            self.functions.handlers.update(self._load_handlers(template, specs))
        self._start_pollers(template)
        # S3 posts a test event to the queue when the notification is set up: let the trigger
        # consume it, so that every run starts with an empty queue.
        self.wait_queue_empty(self.uploads_queue_url)

    def _create_state_machines(self, template: dict[str, Any], role_arn: str) -> None:
        """Every state machine of the template, from its REAL definition file; its ARN goes to
        the variable the functions read (STATE_MACHINE_ENV)."""
        for logical_id, machine in tmpl.state_machines(template).items():
            definition = machine.definition_path.read_text()
            for name, ref in machine.substitutions.items():
                definition = definition.replace("${" + name + "}", self._resolve(ref, template))
            if "${" in definition:
                raise LocalPipelineError(
                    f"{machine.definition_path.name} still has ${{...}} not in the template"
                )
            created = self.sfn.create_state_machine(
                name=logical_id, definition=definition, roleArn=role_arn
            )
            self.state_machine_arns[logical_id] = created["stateMachineArn"]
            if logical_id in STATE_MACHINE_ENV:
                self._set_env({STATE_MACHINE_ENV[logical_id]: created["stateMachineArn"]})
        self.state_machine_arn = self.state_machine_arns[tmpl.PIPELINE_STATE_MACHINE]

    @property
    def batch_state_machine_arn(self) -> str:
        return self.state_machine_arns["BatchStateMachine"]

    def parameter(self, name: str) -> str | None:
        """A template.yaml parameter as this local stack uses it (its Default)."""
        return tmpl.parameter_default(self.template, name)

    def _start_servers(self) -> None:
        """moto as a server in this process: on 127.0.0.1, and with containers on podman's
        gateway too (both share this process's moto state and its Lambda hook)."""

        from .containers import free_port, podman_gateway

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise

        if self.containers:
            self._gateway = podman_gateway()
        port = self.moto_port or free_port()
        self._moto_port = port
        self._serve_moto("127.0.0.1")
        self.s3_endpoint = f"http://127.0.0.1:{port}"
        # MOTO_PORT: where moto's ASL interpreter sends its own Lambda calls.
        self._set_env({"AWS_ENDPOINT_URL": self.s3_endpoint, "MOTO_PORT": str(port)})
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/moto-api/config",
            data=json.dumps(MOTO_CONFIG).encode(),
            headers={"Content-Type": "application/json"},
        )
        urllib.request.urlopen(request, timeout=10).close()

    def _start_containers(
        self, template: dict[str, Any], specs: dict[str, tmpl.FunctionSpec]
    ) -> Functions:
        from .containers import (
            StartLambda,
            docker_host,
            image_for,
            require_images,
            start_lambda_template,
        )

        require_images([image_for(i, template["Resources"]) for i in specs])
        environment = {
            **local_environment(self.bucket, quiet=self.quiet),
            **{
                STATE_MACHINE_ENV[logical_id]: arn
                for logical_id, arn in self.state_machine_arns.items()
                if logical_id in STATE_MACHINE_ENV
            },
            "AWS_ENDPOINT_URL": f"http://{self._gateway}:{self._moto_port}",
            # Presigned URLs are for people on this machine: signed for 127.0.0.1.
            "PRESIGN_ENDPOINT_URL": self.s3_endpoint,
        }
        path = start_lambda_template(template["Resources"], specs, environment)
        self._start_lambda = StartLambda(path, docker=docker_host(), environment=environment)
        # podman's bridge (and so the gateway address) exists once a container runs on it:
        # start the jobs function's (warm) container before any invocation needs moto.
        self._start_lambda.start_container(TRIGGER_FUNCTION)
        self._serve_moto(self._gateway, wait_s=30.0)
        functions: Functions = self._start_lambda.functions(history=self.history)
        return functions

    def _serve_moto(self, address: str, *, wait_s: float = 10.0) -> None:
        """One more moto server (same in-process state) on address:port, once it can bind."""
        from .containers import ContainersUnavailableError, answers, can_bind
        from .moto_server import MotoServer

        deadline = time.monotonic() + wait_s
        while not can_bind(address, self._moto_port):
            if time.monotonic() > deadline:
                raise ContainersUnavailableError(f"cannot listen on {address}:{self._moto_port}")
            time.sleep(0.5)
        server = MotoServer(address, self._moto_port)
        server.start()
        self._servers.append(server)
        self.s3_endpoints.append(server.endpoint)
        if not answers(address, self._moto_port, timeout_s=10.0):
            raise ContainersUnavailableError(f"moto server on {address}:{self._moto_port} is down")

    def _set_env(self, values: dict[str, str]) -> None:
        for name, value in values.items():
            self._saved_env.setdefault(name, os.environ.get(name))
            os.environ[name] = value

    def _create_functions(self, specs: dict[str, tmpl.FunctionSpec], role_arn: str) -> None:
        # moto needs some code; it never runs it (the bridge answers every invocation).
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as bundle:
            bundle.writestr(
                "app.py", "def handler(event, context):\n    raise NotImplementedError\n"
            )
        for logical_id, spec in specs.items():
            created = self.lam.create_function(
                FunctionName=logical_id,
                Runtime="python3.13",
                Role=role_arn,
                Handler="app.handler",
                Code={"ZipFile": archive.getvalue()},
                Timeout=spec.timeout,
                MemorySize=spec.memory_size,
            )
            self.function_arns[logical_id] = created["FunctionArn"]

    def _resolve(self, ref: tmpl.Reference, template: dict[str, Any]) -> str:
        if ref.kind == "literal":
            return ref.target
        resource = template["Resources"].get(ref.target, {})
        if ref.kind == "arn" and ref.target in self.function_arns:
            return self.function_arns[ref.target]
        if ref.kind == "ref" and resource.get("Type") == "AWS::S3::Bucket":
            return self.bucket
        if ref.kind == "sub" and ref.target in tmpl.bucket_name_patterns(template):
            return self.bucket  # the stack's bucket name, e.g. "${AWS::StackName}-...-media"
        if ref.kind == "ref" and ref.target in self.function_arns:
            return ref.target  # Ref of a function is its name
        default = tmpl.parameter_default(template, ref.target) if ref.kind == "ref" else None
        if default is not None:
            return default  # a template parameter: what a deployment without overrides gets
        raise LocalPipelineError(f"cannot map {ref.kind} {ref.target!r} onto a local resource")

    def _create_queues(self, specs: dict[str, tmpl.QueueSpec]) -> None:
        """Dead-letter queues first: a RedrivePolicy names its target's ARN."""
        for spec in sorted(specs.values(), key=lambda s: s.dead_letter_queue is not None):
            attributes = dict(spec.attributes)
            if spec.dead_letter_queue is not None:
                attributes["RedrivePolicy"] = json.dumps(
                    {
                        "deadLetterTargetArn": self.queue_arn(spec.dead_letter_queue),
                        "maxReceiveCount": spec.max_receive_count,
                    }
                )
            url = self.sqs.create_queue(QueueName=spec.logical_id, Attributes=attributes)
            self.queue_urls[spec.logical_id] = url["QueueUrl"]

    def queue_arn(self, logical_id: str) -> str:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.queue_urls[logical_id], AttributeNames=["QueueArn"]
        )
        return str(attributes["Attributes"]["QueueArn"])

    def _configure_notifications(self, template: dict[str, Any]) -> None:
        configurations: list[Any] = []
        for notification in tmpl.queue_notifications(template):
            configuration: dict[str, Any] = {
                "QueueArn": self.queue_arn(notification.queue),
                "Events": notification.events,
            }
            if notification.filter_rules:
                configuration["Filter"] = {"Key": {"FilterRules": notification.filter_rules}}
            configurations.append(configuration)
        if not configurations:
            raise LocalPipelineError("template.yaml's bucket notifies no queue: no trigger")
        self.s3.put_bucket_notification_configuration(
            Bucket=self.bucket,
            NotificationConfiguration={"QueueConfigurations": configurations},
        )

    def _start_pollers(self, template: dict[str, Any]) -> None:
        for source in tmpl.event_sources(template):
            poller = EventSourcePoller(
                sqs=self.sqs,
                lambda_client=self.lam,
                queue_url=self.queue_urls[source.queue],
                queue_arn=self.queue_arn(source.queue),
                function_name=source.function,
                batch_size=source.batch_size,
                report_batch_item_failures=source.report_batch_item_failures,
                visibility_timeout_s=self.visibility_timeout_s,
                concurrency=source.maximum_concurrency,
                region=REGION,
            )
            self.pollers.append(poller.start())
        if not self.pollers:
            raise LocalPipelineError("template.yaml has no EventSourceMapping: nothing polls")

    @property
    def uploads_queue_url(self) -> str:
        return self.queue_urls[tmpl.event_sources(tmpl.load_template(self.template_path))[0].queue]

    @property
    def dead_letter_queue_url(self) -> str:
        template = tmpl.load_template(self.template_path)
        source = tmpl.queues(template)[tmpl.event_sources(template)[0].queue]
        if source.dead_letter_queue is None:
            raise LocalPipelineError("the uploads queue has no dead-letter queue")
        return self.queue_urls[source.dead_letter_queue]

    def wait_queue_empty(self, url: str, timeout_s: float = 30.0) -> None:
        deadline = time.monotonic() + timeout_s
        while self.queue_depth(url) > 0:
            if time.monotonic() > deadline:
                raise LocalPipelineError(f"{url} still holds messages after {timeout_s} s")
            time.sleep(0.05)

    def queue_depth(self, url: str) -> int:
        """Visible + in-flight messages of a queue."""
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )

    def _load_handlers(
        self, template: dict[str, Any], specs: dict[str, tmpl.FunctionSpec]
    ) -> dict[str, Callable[[Any, Any], Any]]:
        """Import each function's handler module (this loads its model: the cold start)."""
        handlers = {}
        for logical_id in specs:
            if logical_id in self.handler_overrides:
                handlers[logical_id] = self.handler_overrides[logical_id]
                continue
            spec = specs[logical_id]
            folder = function_dir(spec, template["Resources"][logical_id])
            started = time.perf_counter()
            module = load_function_module(folder, spec.module)
            self.load_ms[logical_id] = (time.perf_counter() - started) * 1000
            handlers[logical_id] = getattr(module, spec.attribute)
        return handlers

    def __exit__(self, *exc: object) -> None:
        for poller in self.pollers:
            poller.stop()
        self.pollers.clear()
        if self._mock is not None or self._servers:
            self._wait_quiet(self.quiet_timeout_s)
        if self._bridge is not None:
            self._bridge.__exit__(None, None, None)
            self._bridge = None
        if self._start_lambda is not None:
            self._start_lambda.stop()
            self._start_lambda = None
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        for server in self._servers:
            server.stop()
        self._servers.clear()
        self.s3_endpoints.clear()
        reset_settings()
        reset_resources()
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_env.clear()

    def _wait_quiet(self, timeout_s: float = 30.0) -> None:
        """Let running executions end before the mock goes away under their threads."""
        deadline = time.monotonic() + timeout_s
        while self.state_machine_arns and time.monotonic() < deadline:
            running = [
                execution
                for arn in self.state_machine_arns.values()
                for execution in self.sfn.list_executions(
                    stateMachineArn=arn, statusFilter="RUNNING"
                )["executions"]
            ]
            if not running:
                return
            time.sleep(0.05)

    # ---- use --------------------------------------------------------------------------------
    def upload(self, data: bytes, name: str, *, content_type: str | None = None) -> tuple[str, str]:
        """PUT uploads/<name>; moto fires the S3 notification into the jobs function.
        Returns (job id, key)."""
        key = f"{os.environ['UPLOADS_PREFIX']}{name}"
        response = self.s3.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type or "binary/octet-stream",
        )
        return job_id_for_upload(self.bucket, key, response["ETag"]), key

    def execution_arn(self, job_id: str) -> str:
        return execution_arn(self.state_machine_arn, job_id)

    def status(self, job_id: str) -> str | None:
        try:
            return str(
                self.sfn.describe_execution(executionArn=self.execution_arn(job_id))["status"]
            )
        except self.sfn.exceptions.ExecutionDoesNotExist:
            return None

    def wait(
        self,
        job_ids: Iterable[str],
        *,
        timeout_s: float = 300.0,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, str]:
        """Poll until every job's execution has finished; returns job id -> status.

        One ListExecutions per round, not one DescribeExecution per job: with hundreds of jobs
        the polling would otherwise take the CPU the executions need."""
        pending = list(dict.fromkeys(job_ids))
        total = len(pending)
        done: dict[str, str] = {}
        deadline = time.monotonic() + timeout_s
        while pending:
            states = self.statuses()
            for job_id in list(pending):
                state = states.get(job_id)
                if state is None:
                    self._raise_if_trigger_failed(job_id)
                elif state in FINISHED:
                    done[job_id] = state
                    pending.remove(job_id)
            if on_progress is not None:
                on_progress(len(done), total)
            if not pending:
                break
            if time.monotonic() > deadline:
                raise LocalPipelineError(f"{len(pending)} job(s) still running after {timeout_s} s")
            time.sleep(0.05 if len(pending) < 10 else 0.25)
        return done

    def statuses(self) -> dict[str, str]:
        """Execution name (= job id) -> status, for every execution of the pipeline."""
        found: dict[str, str] = {}
        pages = self.sfn.get_paginator("list_executions")
        for page in pages.paginate(stateMachineArn=self.state_machine_arn):
            found.update({e["name"]: e["status"] for e in page["executions"]})
        return found

    def _raise_if_trigger_failed(self, job_id: str) -> None:
        """A failed trigger is retried from the queue; only a dead-lettered event is final."""
        if self.queue_depth(self.dead_letter_queue_url) == 0:
            return
        assert self.functions is not None
        failed = [call for call in self.functions.calls(TRIGGER_FUNCTION) if call.errored]
        reason = f" ({failed[-1].error_type})" if failed else ""
        raise LocalPipelineError(
            f"upload events are in the dead-letter queue: the trigger kept failing{reason}, and "
            f"job {job_id} never started. Fix the cause, then re-drive them "
            "(`python -m pipeline_local redrive`)."
        )

    def result(self, job_id: str) -> JobResult | None:
        try:
            body = self.s3.get_object(Bucket=self.bucket, Key=f"results/{job_id}.json")["Body"]
        except self.s3.exceptions.NoSuchKey:
            return None
        return JobResult.model_validate_json(body.read())

    def state_timings(self, job_id: str) -> list[StateTiming]:
        """Entered -> exited of every state, from the execution history (moto keeps ms)."""
        events = self.sfn.get_execution_history(
            executionArn=self.execution_arn(job_id), maxResults=1000
        )["events"]
        timings: list[StateTiming] = []
        entered: dict[str, Any] = {}
        attempts: dict[str, int] = {}
        current = ""
        for event in events:
            kind = event["type"]
            if kind.endswith("StateEntered"):
                current = event["stateEnteredEventDetails"]["name"]
                entered[current] = event["timestamp"]
                attempts[current] = 0
            elif kind in ("TaskScheduled", "LambdaFunctionScheduled"):
                attempts[current] = attempts.get(current, 0) + 1
            elif kind.endswith("StateExited"):
                name = event["stateExitedEventDetails"]["name"]
                ms = (event["timestamp"] - entered[name]).total_seconds() * 1000
                timings.append(StateTiming(name, ms, attempts.get(name, 0)))
            elif (
                kind in ("ExecutionFailed", "ExecutionSucceeded")
                and current in entered
                and not any(t.state == current for t in timings)  # Fail states never exit
            ):
                ms = (event["timestamp"] - entered[current]).total_seconds() * 1000
                timings.append(StateTiming(current, ms, attempts.get(current, 0)))
        return timings

    def run(self, data: bytes, name: str, *, timeout_s: float = 300.0) -> JobRun:
        started = time.perf_counter()
        job_id, key = self.upload(data, name)
        status = self.wait([job_id], timeout_s=timeout_s)[job_id]
        wall_ms = (time.perf_counter() - started) * 1000
        return JobRun(
            job_id=job_id,
            key=key,
            status=status,
            result=self.result(job_id),
            execution_arn=self.execution_arn(job_id),
            states=self.state_timings(job_id),
            wall_ms=wall_ms,
        )

    def save_audio(self, result: JobResult, out_dir: Path) -> Path:
        if not result.audio_key:
            raise LocalPipelineError(f"job {result.job_id} has no audio")
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{result.job_id}.wav"
        path.write_bytes(
            self.s3.get_object(Bucket=self.bucket, Key=result.audio_key)["Body"].read()
        )
        return path

    def save_result(self, result: JobResult, out_dir: Path) -> Path:
        out_dir.mkdir(parents=True, exist_ok=True)
        path = out_dir / f"{result.job_id}.json"
        path.write_text(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return path
