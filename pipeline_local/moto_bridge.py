"""The ONE hook between moto's Lambda and our function handlers.

moto cannot run container-image functions without Docker, so its private method
`moto.awslambda.models.LambdaFunction._invoke_lambda(self, event) -> (payload, errored, logs)`
is replaced by a call into our handler, in this process (or over HTTP, see HttpFunctions).
Step Functions (moto's ASL interpreter) and S3 notifications both invoke Lambda through it, so
they see exactly what AWS would: the JSON result, or {"errorType", "errorMessage"} with the
function-error flag, which is how a Retry/Catch matches `BadInputError` or `TransientError`.

The second, smaller patch makes a Distributed Map behave as on AWS where moto 5.2.5 differs:
its `ItemReader` (`s3:listObjectsV2`) reads every page of the listing, and ListMapRuns /
DescribeMapRun answer while an execution is starting (distributed_map_as_on_aws).

moto is pinned (requirements/dev.txt) because this is private API; tests/unit/pipeline_local/
test_moto_bridge.py fails loudly if the hook's signature changes.
"""

from __future__ import annotations

import functools
import importlib.util
import io
import json
import sys
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import moto.awslambda.models as moto_lambda
import moto.stepfunctions.exceptions as moto_sfn_errors
import moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval.resource_eval_s3 as moto_item_reader  # noqa: E501
import moto.stepfunctions.parser.asl.component.state.exec.state_task.lambda_eval_utils  # noqa: F401
import moto.stepfunctions.parser.models as moto_sfn_models

REPO_ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS_DIR = REPO_ROOT / "functions"
# What the hook must look like for the replacement to be called the way we expect.
EXPECTED_HOOK_PARAMETERS = ("self", "event")

Handler = Callable[[Any, Any], Any]
InvokeResult = tuple[str, bool, str]


@dataclass
class LambdaContext:
    """The attributes handlers (and Powertools) read from Lambda's context object."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int = 3008
    function_version: str = "$LATEST"
    timeout_s: float = 300.0
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = ""
    log_stream_name: str = ""
    _deadline: float = field(default=0.0, repr=False)

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_s

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass(frozen=True)
class Invocation:
    function_name: str
    event: Any
    errored: bool
    error_type: str | None
    ms: float


def error_payload(exc: BaseException) -> str:
    """What the Lambda runtime answers for an unhandled exception (errorType = class name)."""
    return json.dumps(
        {
            "errorType": type(exc).__name__,
            "errorMessage": str(exc),
            "stackTrace": traceback.format_tb(exc.__traceback__)[-5:],
        }
    )


def load_function_module(
    function_dir: Path, module: str = "app", module_name: str | None = None
) -> ModuleType:
    """Import functions/<name>/<module>.py by path (the function folders are not packages)."""
    path = function_dir / f"{module}.py"
    if not path.is_file():
        raise FileNotFoundError(f"no handler module at {path}")
    name = module_name or f"_function_{function_dir.name}_{module}"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    loaded = importlib.util.module_from_spec(spec)
    sys.modules[name] = loaded
    try:
        spec.loader.exec_module(loaded)
    except BaseException:
        del sys.modules[name]
        raise
    return loaded


class InvocationOutput(io.TextIOBase):
    """sys.stdout/stderr stand-in: text written during an invocation goes to that invocation's
    log (as Lambda sends it to CloudWatch), anything else to the real stream."""

    def __init__(self, real: Any) -> None:
        self.real = real
        self._local = threading.local()

    def capture(self, buffer: io.StringIO | None) -> None:
        self._local.buffer = buffer

    def write(self, text: str) -> int:
        buffer = getattr(self._local, "buffer", None)
        (buffer if buffer is not None else self.real).write(text)
        return len(text)

    def flush(self) -> None:
        self.real.flush()

    def isatty(self) -> bool:
        return bool(self.real.isatty())


class InvokeError(Exception):
    """A failure of Lambda's Invoke API itself, not of the function (the function never runs):
    throttling (reserved concurrency reached), a Lambda service error. Injected with
    Functions.inject, it answers the Invoke call with that HTTP error, so Step Functions reports
    `Lambda.<code>` (e.g. Lambda.TooManyRequestsException) as on AWS."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    def as_response(self) -> Exception:
        from moto.core.exceptions import JsonRESTError

        error = JsonRESTError(self.code, str(self))
        error.code = self.status
        return error


def throttled() -> InvokeError:
    return InvokeError("TooManyRequestsException", 429, "Rate Exceeded.")


def lambda_service_error() -> InvokeError:
    return InvokeError("ServiceException", 500, "Lambda encountered an internal error.")


class Functions:
    """Dispatch by Lambda function name; records every invocation; can inject faults.

    `history` bounds how many invocations (and logs) are kept: a long-running server
    (`python -m local_stack`) must not keep every event, images included, forever.
    """

    def __init__(self, *, history: int | None = None) -> None:
        self.invocations: deque[Invocation] = deque(maxlen=history)
        self.logs: deque[tuple[str, str]] = deque(maxlen=history)  # (function, what it printed)
        self.outputs: tuple[InvocationOutput, ...] = ()
        self._faults: dict[str, list[BaseException]] = {}
        self._lock = threading.Lock()
        # Called after each invocation with it and its log text (e.g. to print logs live).
        self.listeners: list[Callable[[Invocation, str], None]] = []

    def inject(self, function_name: str, exc: BaseException, times: int = 1) -> None:
        """The next `times` invocations of the function raise `exc` instead of running."""
        with self._lock:
            self._faults.setdefault(function_name, []).extend([exc] * times)

    def calls(self, function_name: str) -> list[Invocation]:
        with self._lock:
            return [i for i in self.invocations if i.function_name == function_name]

    def _take_fault(self, function_name: str) -> BaseException | None:
        with self._lock:
            pending = self._faults.get(function_name)
            return pending.pop(0) if pending else None

    def invoke(self, function: Any, event: Any) -> InvokeResult:
        started = time.perf_counter()
        name = str(function.function_name)
        fault = self._take_fault(name)
        if isinstance(fault, InvokeError):
            self._record(name, event, f"Lambda.{fault.code}", started)
            raise fault.as_response()
        captured = io.StringIO()
        for output in self.outputs:
            output.capture(captured)
        try:
            if fault is not None:
                raise fault
            payload, errored, logs = self.call(function, event)
        except Exception as exc:
            payload, errored, logs = error_payload(exc), True, traceback.format_exc()
        finally:
            for output in self.outputs:
                output.capture(None)
        logs = captured.getvalue() + logs
        error_type = json.loads(payload).get("errorType") if errored else None
        invocation = Invocation(
            name, event, errored, error_type, (time.perf_counter() - started) * 1000
        )
        with self._lock:
            if logs:
                self.logs.append((name, logs))
            self.invocations.append(invocation)
        for listener in self.listeners:
            listener(invocation, logs)
        return payload, errored, logs

    def _record(self, name: str, event: Any, error_type: str | None, started: float) -> None:
        invocation = Invocation(
            name, event, error_type is not None, error_type, (time.perf_counter() - started) * 1000
        )
        with self._lock:
            self.invocations.append(invocation)
        for listener in self.listeners:
            listener(invocation, "")

    def call(self, function: Any, event: Any) -> InvokeResult:
        raise NotImplementedError


class InProcessFunctions(Functions):
    """Call each function's `handler(event, context)` in this process."""

    def __init__(self, handlers: dict[str, Handler], *, history: int | None = None) -> None:
        super().__init__(history=history)
        self.handlers = handlers

    def call(self, function: Any, event: Any) -> InvokeResult:
        handler = self.handlers.get(function.function_name)
        if handler is None:
            raise LookupError(f"no in-process handler for function {function.function_name!r}")
        context = LambdaContext(
            function_name=function.function_name,
            invoked_function_arn=function.function_arn,
            memory_limit_in_mb=int(function.memory_size or 128),
            timeout_s=float(function.timeout or 3),
        )
        result = handler(event, context)
        return json.dumps(result), False, ""


class HttpFunctions(Functions):
    """Invoke through Lambda's Invoke API at `endpoint` (`sam local start-lambda`, or the RIE)."""

    def __init__(
        self, endpoint: str, *, timeout_s: float = 300.0, history: int | None = None
    ) -> None:
        super().__init__(history=history)
        self.endpoint = endpoint.rstrip("/")
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return f"HttpFunctions({self.endpoint})"

    def call(self, function: Any, event: Any) -> InvokeResult:
        url = f"{self.endpoint}/2015-03-31/functions/{function.function_name}/invocations"
        request = urllib.request.Request(
            url, data=json.dumps(event).encode(), headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                body = response.read().decode()
                errored = bool(response.headers.get("X-Amz-Function-Error"))
        except urllib.error.HTTPError as exc:  # the emulator itself failed
            message = f"{exc.code} {exc.reason}"
            body = json.dumps({"errorType": "Lambda.ServiceException", "errorMessage": message})
            errored = True
        return body, errored or looks_like_lambda_error(body), ""


# Keys of the error document the Lambda runtime writes for an unhandled exception.
_LAMBDA_ERROR_KEYS = {"errorType", "errorMessage", "stackTrace", "cause", "requestId"}


def looks_like_lambda_error(body: str) -> bool:
    """start-lambda flags function errors by guessing from the body, and its guess misses the
    runtime's own error document once that carries a requestId (awslambdaric does): guess
    again, with that key allowed."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return (
        isinstance(parsed, dict)
        and {"errorType", "errorMessage"} <= parsed.keys()
        and parsed.keys() <= _LAMBDA_ERROR_KEYS
    )


def _list_every_object(env: Any, resource_runtime_part: Any, state_credentials: Any) -> None:
    """A Distributed Map's `ItemReader` `s3:listObjectsV2` as Step Functions reads it: every
    page of the listing (moto 5.2.5 reads the first 1,000 keys only, and fails on an empty
    prefix), each item shaped as AWS documents it (Etag, Key, LastModified in epoch seconds,
    Size, StorageClass) instead of boto3's (ETag, a datetime)."""
    client = moto_item_reader.ResourceEvalS3._get_s3_client(
        resource_runtime_part=resource_runtime_part, state_credentials=state_credentials
    )
    parameters = env.stack.pop()
    items: list[dict[str, Any]] = []
    for page in client.get_paginator("list_objects_v2").paginate(**parameters):
        items.extend(_aws_listing_item(entry) for entry in page.get("Contents", []))
    env.stack.append(items)


def _aws_listing_item(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "Etag": entry.get("ETag", ""),
        "Key": entry["Key"],
        "LastModified": int(entry["LastModified"].timestamp()),
        "Size": int(entry.get("Size", 0)),
        "StorageClass": entry.get("StorageClass", "STANDARD"),
    }


def _started(execution: Any) -> bool:
    worker = getattr(execution, "exec_worker", None)
    return worker is not None and worker.env is not None


def _list_map_runs(self: Any, execution_arn: str) -> dict[str, Any]:
    """ListMapRuns of an execution whose worker thread has not set up yet: none (moto 5.2.5
    dereferences the missing environment and fails)."""
    if not _started(self.describe_execution(execution_arn=execution_arn)):
        return {"mapRuns": []}
    return dict(_ORIGINAL_LIST_MAP_RUNS(self, execution_arn))


def _describe_map_run(self: Any, map_run_arn: str) -> dict[str, Any]:
    """DescribeMapRun, skipping executions that have just started (as _list_map_runs)."""
    for execution in self._get_executions():
        if not _started(execution):
            continue
        record = execution.exec_worker.env.map_run_record_pool_manager.get(map_run_arn)
        if record is not None:
            return dict(record.describe())
    raise moto_sfn_errors.ResourceNotFound(map_run_arn)  # moto's own raise lacks the argument


_ORIGINAL_LIST_MAP_RUNS = moto_sfn_models.StepFunctionsParserBackend.list_map_runs


@contextmanager
def distributed_map_as_on_aws() -> Iterator[None]:
    """The second moto workaround, while the block runs: a Distributed Map's ItemReader reads
    every page (_list_every_object), and ListMapRuns / DescribeMapRun answer while an
    execution is starting instead of failing (_list_map_runs, _describe_map_run)."""
    reader = moto_item_reader.ResourceEvalS3
    backend = moto_sfn_models.StepFunctionsParserBackend
    originals = (
        reader.__dict__["_handle_list_objects_v2"],
        backend.list_map_runs,
        backend.describe_map_run,
    )
    reader._handle_list_objects_v2 = staticmethod(_list_every_object)  # type: ignore[method-assign]
    backend.list_map_runs = _list_map_runs  # type: ignore[method-assign]
    backend.describe_map_run = _describe_map_run  # type: ignore[method-assign]
    try:
        yield
    finally:
        reader._handle_list_objects_v2 = originals[0]  # type: ignore[method-assign]
        backend.list_map_runs, backend.describe_map_run = originals[1:]  # type: ignore[method-assign]


# (owner, attribute, moto's own value) for every speed fix while it is installed: what
# `moto_as_shipped` puts back.
_SPEED_FIXES: list[tuple[Any, str, Any]] = []


@contextmanager
def _speed_fix(replacements: list[tuple[Any, str, Any]]) -> Iterator[None]:
    """Set each (owner, attribute, value) while the block runs, then moto's own again."""
    entries = [(owner, name, getattr(owner, name)) for owner, name, _ in replacements]
    for owner, name, value in replacements:
        setattr(owner, name, value)
    _SPEED_FIXES.extend(entries)
    try:
        yield
    finally:
        for entry in entries:
            _SPEED_FIXES.remove(entry)
        for owner, name, original in entries:
            setattr(owner, name, original)


@contextmanager
def moto_as_shipped() -> Iterator[None]:
    """While the block runs, moto's own code wherever a speed fix replaced it: how
    `python -m benchmarks pipeline` measures the emulator's own share of a job."""
    entries = list(_SPEED_FIXES)
    fixed = [(owner, name, getattr(owner, name)) for owner, name, _ in entries]
    for owner, name, original in entries:
        setattr(owner, name, original)
    try:
        yield
    finally:
        for owner, name, value in fixed:
            setattr(owner, name, value)


@contextmanager
def reused_interpreter_clients() -> Iterator[None]:
    """Third (performance) workaround: moto's ASL interpreter creates a new boto3 client for
    every task it runs (`asl.utils.boto_client.boto_client_for`), tens of milliseconds of CPU
    each, five per job: with hundreds of jobs that is most of the run. boto3 clients are
    thread-safe, so one client per (region, service) is reused while the block runs."""
    import moto.stepfunctions.parser.asl.utils.boto_client as boto_client

    original = boto_client.boto_client_for
    cache: dict[tuple[str, str], Any] = {}
    lock = threading.Lock()

    def reused(region: str, service: str, state_credentials: Any = None) -> Any:
        # moto's boto_client_for ignores state_credentials (fixed test keys): so may we.
        with lock:
            if (region, service) not in cache:
                cache[(region, service)] = original(region, service)
            return cache[(region, service)]

    holders = [
        module
        for name, module in list(sys.modules.items())
        if name.startswith("moto.stepfunctions")
        and getattr(module, "boto_client_for", None) is original
    ]
    with _speed_fix([(module, "boto_client_for", reused) for module in holders]):
        yield


def _settle_heap_keys(component: Any) -> None:
    """Give every component of a kept program its `heap_key` now. moto draws it lazily (the
    retry counters of a state are kept in the execution's heap under it): two executions
    drawing it at once could each get a different key and lose count of their retries."""
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent

    seen: set[int] = set()
    pending = [component]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, EvalComponent):
            _ = item.heap_key
        if type(item).__module__.startswith("moto.stepfunctions") and hasattr(item, "__dict__"):
            pending.extend(vars(item).values())  # components and the props that hold them
        elif isinstance(item, list | tuple | set):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())


@contextmanager
def reused_programs() -> Iterator[None]:
    """Fourth (performance) workaround: moto parses the ASL definition again for every
    execution (ANTLR in pure Python, 40 ms and more) and builds its evaluation components
    from the parse tree (another 18 ms), where AWS compiles a state machine once. The
    components of each definition are kept and reused: they hold no execution state (it lives
    in each execution's Environment), which moto itself relies on when a Map state runs its
    iterations concurrently through one component tree."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    programs: dict[str, Any] = {}
    lock = threading.Lock()

    def entrypoint(self: Any) -> Any:
        definition = self._evaluation_details.state_machine_details.definition
        with lock:
            if definition not in programs:
                program, _ = AmazonStateLanguageParser.parse(definition)
                _settle_heap_keys(program)
                programs[definition] = program
            return programs[definition]

    with _speed_fix([(ExecutionWorker, "_get_evaluation_entrypoint", entrypoint)]):
        yield


@contextmanager
def reused_json_paths() -> Iterator[None]:
    """Fifth (performance) workaround: moto's interpreter compiles every JSONPath it evaluates
    (`$.Payload.caption`, ResultPath, ...) with a new PLY parser each time, about 1.3 ms
    apiece and some 30 per job, where AWS compiles a definition's paths once. Compiled paths
    are kept per string: jsonpath_ng expressions hold no per-evaluation state (find and
    update_or_create work on the data they are given)."""
    import moto.stepfunctions.parser.asl.component.common.path.result_path as result_path
    import moto.stepfunctions.parser.asl.utils.json_path as json_path

    modules = (json_path, result_path)
    with _speed_fix(
        [(module, "parse", functools.lru_cache(maxsize=1024)(module.parse)) for module in modules]
    ):
        yield


@contextmanager
def installed(functions: Functions, *, capture_output: bool = True) -> Iterator[Functions]:
    """Route every moto Lambda invocation to `functions` while the block runs.

    With capture_output, what a function prints during an invocation (Powertools logs, EMF
    metrics) becomes that invocation's log instead of interleaving with the caller's output.
    """
    original = moto_lambda.LambdaFunction._invoke_lambda
    streams = (sys.stdout, sys.stderr)
    if capture_output:
        functions.outputs = (InvocationOutput(sys.stdout), InvocationOutput(sys.stderr))
        sys.stdout, sys.stderr = functions.outputs

    def _invoke_lambda(self: Any, event: Any = None) -> InvokeResult:
        if isinstance(event, str | bytes):
            event = json.loads(event) if event else {}
        return functions.invoke(self, {} if event is None else event)

    moto_lambda.LambdaFunction._invoke_lambda = _invoke_lambda  # type: ignore[method-assign]
    try:
        with (
            distributed_map_as_on_aws(),
            reused_interpreter_clients(),
            reused_programs(),
            reused_json_paths(),
        ):
            yield functions
    finally:
        moto_lambda.LambdaFunction._invoke_lambda = original  # type: ignore[method-assign]
        if capture_output:
            sys.stdout, sys.stderr = streams
            functions.outputs = ()
