"""The whole system on this machine: `make up` (`python -m local_stack`).

- Local AWS: moto as a server in this process (S3 + Lambda + Step Functions) with the bucket,
  the REAL statemachine/pipeline.asl.json and the S3 -> trigger notification, all wired from
  template.yaml by pipeline_local.LocalPipeline (the same code as `make demo`).
- The functions: in this process (each function's app.py handler), or with `containers=True`
  in their images under `sam local start-lambda`.
- The HTTP API: the local gateway (gateway.py) on host:port, turning each route of the
  template into the function invocation API Gateway would make; plus the web page at `/`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline_local import template as tmpl
from pipeline_local.containers import can_bind, free_port
from pipeline_local.moto_bridge import REPO_ROOT, Invocation
from pipeline_local.runner import LocalPipeline

from .edge import EdgeAssets
from .gateway import Gateway
from .persistence import BucketSnapshot
from .routes import Route, http_api_routes
from .static import WEB_DIR, StaticFiles

log = logging.getLogger("local_stack")

DEFAULT_STATE_DIR = REPO_ROOT / "build" / "local_stack" / "bucket"
# Invocations the functions remember (events hold images: keep few).
INVOCATION_HISTORY = 32
# Worker threads that run function invocations for the gateway (the model work).
INVOKE_WORKERS = 16
LOCAL_CORS_RULE: dict[str, Any] = {
    "AllowedMethods": ["GET", "HEAD", "POST"],
    "AllowedHeaders": ["*"],
    "ExposeHeaders": ["ETag"],
    "MaxAgeSeconds": 600,
}


class StackError(RuntimeError):
    """The stack cannot start (port taken, bundle missing...): a message for people."""


@dataclass
class StackOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    s3_port: int = 0  # 0: port + 1 when free, else any free port
    containers: bool = False
    state_dir: Path | None = DEFAULT_STATE_DIR  # None: nothing survives a restart
    fresh: bool = False  # forget the saved bucket first
    verbose: bool = False


@dataclass(frozen=True)
class FunctionRef:
    """What moto_bridge.Functions needs to know about the function it invokes."""

    function_name: str
    function_arn: str
    memory_size: int
    timeout: int


def page_origins(host: str, port: int) -> list[str]:
    if host in ("127.0.0.1", "localhost"):
        return [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    if host in ("0.0.0.0", "::", ""):
        return ["*"]  # reachable under any of this machine's names
    return [f"http://{host}:{port}"]


def bucket_cors_rules(template: dict[str, Any], origins: list[str]) -> tuple[list[Any], bool]:
    """The bucket's CORS rules from template.yaml (origins that are CloudFormation expressions,
    such as the API's URL, become the local page's origins), or a local default.
    Returns (rules, whether the template had any)."""
    rules: list[Any] = []
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::S3::Bucket":
            continue
        cors = (resource.get("Properties") or {}).get("CorsConfiguration") or {}
        for rule in cors.get("CorsRules") or []:
            literal = [o for o in rule.get("AllowedOrigins") or [] if isinstance(o, str)]
            converted: dict[str, Any] = {
                "AllowedMethods": list(rule.get("AllowedMethods") or []),
                "AllowedOrigins": sorted({*literal, *origins}),
            }
            if rule.get("AllowedHeaders"):
                converted["AllowedHeaders"] = list(rule["AllowedHeaders"])
            if rule.get("ExposedHeaders"):
                converted["ExposeHeaders"] = list(rule["ExposedHeaders"])
            if isinstance(rule.get("MaxAge"), int):
                converted["MaxAgeSeconds"] = rule["MaxAge"]
            rules.append(converted)
    if rules:
        return rules, True
    return [{**LOCAL_CORS_RULE, "AllowedOrigins": origins}], False


def _new_event_loop() -> None:
    # Mangum runs each invocation on the thread's event loop, as on Lambda's main thread.
    asyncio.set_event_loop(asyncio.new_event_loop())


def has_display() -> bool:
    return sys.platform in ("darwin", "win32") or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


@dataclass
class StartupReport:
    load_s: float = 0.0
    restored: int = 0
    cors_from_template: bool = True
    notes: list[str] = field(default_factory=list)


class LocalStack:
    """Context manager: local AWS + functions + gateway app (serve it with uvicorn, see run)."""

    def __init__(self, options: StackOptions) -> None:
        self.options = options
        self.report = StartupReport()
        self.pipeline: LocalPipeline | None = None
        self.executor: ThreadPoolExecutor | None = None
        self.gateway: Gateway | None = None
        self.snapshot = BucketSnapshot(options.state_dir) if options.state_dir else None
        self._template = tmpl.load_template()
        self._cors_rules: list[Any] = []
        self._functions: dict[str, FunctionRef] = {}

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.options.host in ("0.0.0.0", "") else self.options.host
        return f"http://{host}:{self.options.port}/"

    @property
    def s3_endpoint(self) -> str:
        return self.pipeline.s3_endpoint if self.pipeline else ""

    def __enter__(self) -> LocalStack:
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _choose_s3_port(self) -> int:
        options = self.options
        if options.s3_port:
            if not can_bind("127.0.0.1", options.s3_port):
                raise StackError(f"port {options.s3_port} (--s3-port) is in use")
            return options.s3_port
        preferred = options.port + 1
        return preferred if can_bind("127.0.0.1", preferred) else free_port()

    def _start(self) -> None:
        options = self.options
        if not can_bind(options.host, options.port):
            raise StackError(
                f"{options.host}:{options.port} is in use (another `make up`?). "
                f"Stop it, or choose another port: make up PORT=8080"
            )
        self._cors_rules, self.report.cors_from_template = bucket_cors_rules(
            self._template, page_origins(options.host, options.port)
        )
        if self.snapshot is not None and options.fresh:
            self.snapshot.clear()
        started = time.perf_counter()
        self.pipeline = LocalPipeline(
            serve=True,
            moto_port=self._choose_s3_port(),
            containers=options.containers,
            prepare_bucket=self._prepare_bucket,
            history=INVOCATION_HISTORY,
            quiet=not options.verbose,
        )
        self.pipeline.quiet_timeout_s = 10.0
        self.pipeline.__enter__()
        self.report.load_s = time.perf_counter() - started
        assert self.pipeline.functions is not None
        self.pipeline.functions.listeners.append(self._on_invocation)
        specs = tmpl.functions(self._template)
        self._functions = {
            name: FunctionRef(name, arn, specs[name].memory_size, specs[name].timeout)
            for name, arn in self.pipeline.function_arns.items()
        }
        self.executor = ThreadPoolExecutor(
            INVOKE_WORKERS, thread_name_prefix="invoke", initializer=_new_event_loop
        )
        self.gateway = Gateway(
            self.routes,
            self._invoke,
            self.executor,
            # With containers, presigned POSTs name the address the functions reach moto by.
            static=StaticFiles(WEB_DIR, list(self.pipeline.s3_endpoints)),
            edge=EdgeAssets.for_stack(WEB_DIR),
            health=self._health,
        )

    @property
    def routes(self) -> list[Route]:
        return http_api_routes(self._template)

    def _prepare_bucket(self, s3: Any, bucket: str) -> None:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": self._cors_rules})
        if self.snapshot is not None:
            self.report.restored = self.snapshot.restore(s3, bucket)

    def _invoke(self, function: str, event: dict[str, Any]) -> tuple[str, bool, str]:
        assert self.pipeline is not None and self.pipeline.functions is not None
        return self.pipeline.functions.invoke(self._functions[function], event)

    def _on_invocation(self, invocation: Invocation, logs: str) -> None:
        event = invocation.event
        if not (isinstance(event, dict) and "requestContext" in event):
            outcome = invocation.error_type or "ok"
            log.info("pipeline %s %.0f ms %s", invocation.function_name, invocation.ms, outcome)
        if self.options.verbose and logs.strip():
            log.info("--- %s log ---\n%s", invocation.function_name, logs.rstrip())

    def _health(self) -> dict[str, Any]:
        assert self.pipeline is not None
        return {
            "functions": "containers" if self.options.containers else "in process",
            "s3_endpoint": self.pipeline.s3_endpoint,
            "bucket": self.pipeline.bucket,
            "state_machine_arn": self.pipeline.state_machine_arn,
        }

    def __exit__(self, *exc: object) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
            self.executor = None
        if self.pipeline is not None:
            pipeline, self.pipeline = self.pipeline, None
            try:
                if self.snapshot is not None and pipeline.state_machine_arn:
                    pipeline._wait_quiet(pipeline.quiet_timeout_s)
                    saved = self.snapshot.save(pipeline.s3, pipeline.bucket)
                    log.info("kept %d object(s) of the bucket in %s", saved, self.snapshot.folder)
            finally:
                pipeline.__exit__(None, None, None)

    def banner(self) -> str:
        assert self.pipeline is not None
        options = self.options
        kept = (
            f"kept in {_shown(self.snapshot.folder)} across restarts "
            f"({self.report.restored} object(s) restored; --fresh starts empty)"
            if self.snapshot
            else "ephemeral (--ephemeral): gone when the stack stops"
        )
        functions = (
            "in their containers (sam local start-lambda)"
            if options.containers
            else "in this process"
        )
        lines = [
            "Image to speech: the whole system on this machine",
            f"  page       {self.url}",
            f"  HTTP API   {self.url.rstrip('/')}  POST /caption /translate /speak /jobs, "
            "GET /jobs/{id}, GET /health",
            f"  S3         {self.pipeline.s3_endpoint}  bucket {self.pipeline.bucket} (moto)",
            f"  pipeline   Step Functions {self.pipeline.state_machine_arn.rsplit(':', 1)[-1]} "
            "(statemachine/pipeline.asl.json), S3 uploads/ -> UploadTriggerFunction",
            f"  functions  {functions}; ready in {self.report.load_s:.1f} s",
            f"  data       {kept}",
        ]
        if not self.report.cors_from_template:
            lines.append(
                "  note       template.yaml's bucket has no CorsConfiguration: browser uploads "
                "would be refused on AWS; the local bucket uses a default rule"
            )
        if options.host not in ("127.0.0.1", "localhost", "::1"):
            lines.append(f"  note       listening on {options.host}: reachable from other machines")
        lines.append("Stop with Ctrl-C.")
        return "\n".join(lines)


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def open_browser_when_ready(server: Any, url: str) -> threading.Thread:
    def wait_then_open() -> None:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline and not server.should_exit:
            time.sleep(0.05)
        if server.started:
            import webbrowser

            webbrowser.open(url)

    thread = threading.Thread(target=wait_then_open, name="open-browser", daemon=True)
    thread.start()
    return thread
