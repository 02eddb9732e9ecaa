"""The moto bridge depends on moto's private API: these tests fail loudly when it moves."""

from __future__ import annotations

import dis
import http.server
import inspect
import json
import sys
import threading
from importlib import metadata
from pathlib import Path
from typing import Any

import boto3
import moto.awslambda.models as moto_lambda
import moto.stepfunctions.exceptions as moto_sfn_errors
import moto.stepfunctions.parser.asl.component.state.exec.state_map.item_reader.eval.resource_eval_s3 as moto_item_reader  # noqa: E501
import moto.stepfunctions.parser.models as moto_sfn_models
from moto import mock_aws

from pipeline_local import moto_bridge
from pipeline_local.moto_bridge import HttpFunctions, InProcessFunctions, LambdaContext, installed

ROOT = Path(__file__).resolve().parents[3]


def test_moto_is_the_pinned_version() -> None:
    # The hook is private API: a moto upgrade must come with a re-check of this module.
    assert metadata.version("moto") == "5.2.5"


def test_invoke_hook_still_has_the_signature_the_bridge_replaces() -> None:
    hook = moto_lambda.LambdaFunction._invoke_lambda
    parameters = tuple(inspect.signature(hook).parameters)
    assert parameters == moto_bridge.EXPECTED_HOOK_PARAMETERS, (
        f"moto's LambdaFunction._invoke_lambda is now {parameters}: update pipeline_local/"
        "moto_bridge.py"
    )
    assert "tuple[str, bool, str]" in str(inspect.signature(hook).return_annotation)
    # ...and moto still calls it from invoke() with the parsed body as `event`.
    assert "self._invoke_lambda(event=body)" in inspect.getsource(moto_lambda.LambdaFunction.invoke)


def test_moto_no_longer_deep_copies_earlier_executions() -> None:
    # moto 5.2.1 deep-copied a state machine WITH its executions on every StartExecution (and
    # failed on their locks); 5.2.5 leaves them out of the copy, so the bridge needs no patch.
    source = inspect.getsource(moto_sfn_models.StepFunctionsParserBackend.start_execution)
    assert "id(state_machine.executions): []" in source


def test_moto_item_reader_still_reads_a_single_page() -> None:
    # When this fails, moto paginates by itself: drop _list_every_object.
    source = inspect.getsource(moto_item_reader.ResourceEvalS3._handle_list_objects_v2)
    assert 'response["Contents"]' in source and "ContinuationToken" not in source


def test_moto_map_runs_still_fail_for_an_execution_that_is_starting() -> None:
    # When this fails, moto checks the worker's environment itself: drop _list_map_runs and
    # _describe_map_run.
    source = inspect.getsource(moto_sfn_models.StepFunctionsParserBackend.list_map_runs)
    assert "execution.exec_worker.env.map_run_record_pool_manager" in source


def test_map_runs_of_a_starting_execution_are_none_not_a_crash() -> None:
    # GIVEN an execution whose worker thread has not set up its environment yet
    worker = type("Worker", (), {"env": None})()
    execution = type("Execution", (), {"exec_worker": worker})()
    backend = type(
        "Backend",
        (),
        {
            "describe_execution": lambda self, execution_arn: execution,
            "_get_executions": lambda self: [execution],
        },
    )()
    # WHEN its map runs are listed and one is described THEN none is there yet
    assert moto_bridge._list_map_runs(backend, "arn:execution") == {"mapRuns": []}
    try:
        moto_bridge._describe_map_run(backend, "arn:mapRun")
    except moto_sfn_errors.ResourceNotFound:
        pass
    else:
        raise AssertionError("DescribeMapRun of an unknown map run must be ResourceNotFound")


class _Stack:
    def __init__(self, parameters: dict[str, Any]) -> None:
        self.stack: list[Any] = [parameters]


def test_item_reader_lists_every_page_in_the_aws_item_shape() -> None:
    with mock_aws():
        # GIVEN 1,001 objects under a prefix (one more than a listing page), and an empty prefix
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="reader-bucket")
        for index in range(1001):
            s3.put_object(Bucket="reader-bucket", Key=f"batches/lib/{index:04d}.jpg", Body=b"x")
        runtime = type("Runtime", (), {"region": "us-east-1", "account": "123456789012"})()
        credentials = type("Credentials", (), {"role_arn": None})()
        with moto_bridge.distributed_map_as_on_aws():
            handler = moto_item_reader.ResourceEvalS3._handle_list_objects_v2
            full, empty = (
                _Stack({"Bucket": "reader-bucket", "Prefix": "batches/lib/"}),
                _Stack({"Bucket": "reader-bucket", "Prefix": "batches/none/"}),
            )
            # WHEN the ItemReader lists both
            handler(full, runtime, credentials)
            handler(empty, runtime, credentials)
        # THEN every object is an item, shaped as Step Functions documents it; none for empty
        items = full.stack[0]
        assert len(items) == 1001 and items[-1]["Key"] == "batches/lib/1000.jpg"
        assert set(items[0]) == {"Etag", "Key", "LastModified", "Size", "StorageClass"}
        assert items[0]["Size"] == 1 and isinstance(items[0]["LastModified"], int)
        assert empty.stack == [[]]
    # AND the original handler is back afterwards
    assert "ContinuationToken" not in inspect.getsource(
        moto_item_reader.ResourceEvalS3._handle_list_objects_v2
    )


class _FakeFunction:
    function_name = "CaptionFunction"
    function_arn = "arn:aws:lambda:us-east-1:123456789012:function:CaptionFunction"
    memory_size = 1024
    timeout = 30


def test_bridge_returns_results_and_lambda_style_errors() -> None:
    # GIVEN a handler that answers, then one that raises a class named BadInputError
    class BadInputError(Exception):
        pass

    def handler(event: Any, context: Any) -> dict[str, Any]:
        assert isinstance(context, LambdaContext) and context.get_remaining_time_in_millis() > 0
        print("log line from the function")
        if event.get("fail"):
            raise BadInputError("not an image")
        return {"echo": event}

    functions = InProcessFunctions({"CaptionFunction": handler})
    stdout = sys.stdout
    with installed(functions):
        # WHEN moto's (replaced) hook is called the way moto calls it
        ok = moto_lambda.LambdaFunction._invoke_lambda(_FakeFunction(), event={"a": 1})  # type: ignore[arg-type]
        failed = moto_lambda.LambdaFunction._invoke_lambda(_FakeFunction(), event={"fail": True})  # type: ignore[arg-type]
    # THEN results are JSON, errors carry errorType = the class name and the error flag
    assert ok[:2] == (json.dumps({"echo": {"a": 1}}), False)
    assert "log line from the function" in ok[2]
    payload, errored, _ = failed
    assert errored and json.loads(payload)["errorType"] == "BadInputError"
    assert json.loads(payload)["errorMessage"] == "not an image"
    assert [i.error_type for i in functions.invocations] == [None, "BadInputError"]
    # ...and the hook and the streams are restored afterwards
    assert sys.stdout is stdout
    assert moto_lambda.LambdaFunction._invoke_lambda.__name__ == "_invoke_lambda"
    assert "_DockerDataVolumeContext" in inspect.getsource(
        moto_lambda.LambdaFunction._invoke_lambda
    )


def test_injected_fault_is_raised_once_then_the_handler_runs() -> None:
    functions = InProcessFunctions({"CaptionFunction": lambda event, context: {"ok": True}})
    functions.inject("CaptionFunction", TimeoutError("slow"), times=1)
    with installed(functions, capture_output=False):
        first = functions.invoke(_FakeFunction(), {})
        second = functions.invoke(_FakeFunction(), {})
    assert json.loads(first[0])["errorType"] == "TimeoutError" and first[1]
    assert json.loads(second[0]) == {"ok": True} and not second[1]


def test_http_bridge_flags_the_runtime_error_document_start_lambda_passes_as_success() -> None:
    # GIVEN an Invoke API answering 200, no X-Amz-Function-Error, and the error document
    # awslambdaric writes (with requestId, which start-lambda's own check does not expect)
    error = {
        "errorMessage": '{"error": "not_an_image"}',
        "errorType": "BadInputError",
        "requestId": "5e52c37b",
        "stackTrace": [],
    }
    answers = iter([error, {"caption": "A cat.", "errorType": "not an error document"}])

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps(next(answers)).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        functions = HttpFunctions(f"http://127.0.0.1:{server.server_address[1]}")
        # WHEN two invocations come back
        failed = functions.call(_FakeFunction(), {"job_id": "x"})
        answered = functions.call(_FakeFunction(), {"job_id": "x"})
    finally:
        server.shutdown()
    # THEN the first is a function error named BadInputError, the second a result
    assert failed[1] and json.loads(failed[0])["errorType"] == "BadInputError"
    assert not answered[1]


def test_interpreter_client_factory_still_ignores_credentials_so_clients_can_be_reused() -> None:
    import moto.stepfunctions.parser.asl.utils.boto_client as boto_client

    # reused_interpreter_clients keys its cache by (region, service) only: true while the
    # factory takes these parameters and never reads state_credentials.
    factory = boto_client.boto_client_for
    assert tuple(inspect.signature(factory).parameters) == (
        "region",
        "service",
        "state_credentials",
    )
    read = {i.argval for i in dis.get_instructions(factory) if i.opname.startswith("LOAD_FAST")}
    assert "state_credentials" not in read


def test_an_injected_throttle_fails_the_invoke_call_itself() -> None:
    # GIVEN a function whose next invocation is throttled by Lambda (not a function error)
    import boto3
    from botocore.config import Config
    from botocore.exceptions import ClientError
    from moto import mock_aws

    functions = InProcessFunctions({"fn": lambda event, context: {"ok": True}})
    functions.inject("fn", moto_bridge.throttled())
    with mock_aws(), installed(functions, capture_output=False):
        # No client retries (botocore would retry a 429 itself), as Step Functions' client.
        once = Config(retries={"total_max_attempts": 1})
        lam = boto3.client("lambda", region_name="us-east-1", config=once)
        iam = boto3.client("iam", region_name="us-east-1")
        role = iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
        lam.create_function(
            FunctionName="fn",
            Runtime="python3.13",
            Role=role,
            Handler="app.handler",
            Code={"ZipFile": b"PK\x05\x06" + b"\x00" * 18},
        )
        # WHEN it is invoked twice THEN the first call is refused with 429, the second runs
        try:
            lam.invoke(FunctionName="fn", Payload=b"{}")
            raise AssertionError("the throttle was not raised")
        except ClientError as exc:
            assert exc.response["Error"]["Code"] == "TooManyRequestsException"
            assert exc.response["ResponseMetadata"]["HTTPStatusCode"] == 429
        answer = lam.invoke(FunctionName="fn", Payload=b"{}")
        assert json.loads(answer["Payload"].read()) == {"ok": True}
    assert [c.error_type for c in functions.calls("fn")] == [
        "Lambda.TooManyRequestsException",
        None,
    ]


def test_program_reuse_still_fits_moto_and_settles_every_heap_key() -> None:
    from moto.stepfunctions.parser.asl.component.common.retry.max_attempts_decl import (
        MaxAttemptsDecl,
    )
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    from pipeline_local.moto_bridge import _settle_heap_keys

    # reused_programs replaces this method, which must still parse the definition itself
    source = inspect.getsource(ExecutionWorker._get_evaluation_entrypoint)
    assert "AmazonStateLanguageParser.parse" in source
    # GIVEN the pipeline's program, with retry counters kept in the heap under heap_key
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    definition = (ROOT / "statemachine" / "pipeline.asl.json").read_text()
    program, _ = AmazonStateLanguageParser.parse(definition)
    # WHEN its heap keys are settled
    _settle_heap_keys(program)
    # THEN every retry counter already has its key (none is drawn lazily during executions)
    counters = _components(program, MaxAttemptsDecl)
    assert len(counters) >= 20
    assert all(vars(c).get("_EvalComponent__heap_key") for c in counters)


def _components(root: Any, kind: type) -> list[Any]:
    found, seen, pending = [], set(), [root]
    while pending:
        item = pending.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, kind):
            found.append(item)
        if hasattr(item, "__dict__"):
            pending.extend(vars(item).values())
        elif isinstance(item, list | tuple | set):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return found


def test_speed_fixes_while_installed_moto_as_shipped_and_restored_after() -> None:
    import moto.stepfunctions.parser.asl.component.common.path.result_path as result_path
    import moto.stepfunctions.parser.asl.utils.json_path as json_path

    original = json_path.parse
    functions = InProcessFunctions({})
    with mock_aws(), installed(functions, capture_output=False):
        # GIVEN the bridge installed WHEN one path is compiled twice THEN it is compiled once,
        # and the compiled path still finds (and ResultPath still writes) what it should
        first, again = json_path.parse("$.Payload.caption"), json_path.parse("$.Payload.caption")
        assert first is again
        assert json_path.extract_json("$.Payload.caption", {"Payload": {"caption": "A cat."}}) == (
            "A cat."
        )
        written = result_path.parse("$.caption").update_or_create({"job_id": "j"}, {"c": 1})
        assert written == {"job_id": "j", "caption": {"c": 1}}
        # AND moto_as_shipped puts moto's own code back for its block only
        from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

        fixed_entrypoint = ExecutionWorker._get_evaluation_entrypoint
        with moto_bridge.moto_as_shipped():
            assert json_path.parse is original
            assert "AmazonStateLanguageParser.parse" in inspect.getsource(
                ExecutionWorker._get_evaluation_entrypoint
            )
        assert json_path.parse("$.Payload.caption") is first
        assert ExecutionWorker._get_evaluation_entrypoint is fixed_entrypoint
    # AND moto's own function is back afterwards
    assert json_path.parse is original
