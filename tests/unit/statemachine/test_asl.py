"""The state machine definition: valid JSON, wired to template.yaml, retry/catch on every task."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline_local import template as tmpl

ASL_PATH = Path(__file__).resolve().parents[3] / "statemachine" / "pipeline.asl.json"
TRANSIENT = {
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.Unknown",
    "TransientError",
}
MODEL_STEPS = ("Caption", "Translate", "Speak")
RECORD_STEPS = ("RecordSuccess", "RecordFailure")


@pytest.fixture(scope="module")
def definition() -> dict[str, Any]:
    return json.loads(ASL_PATH.read_text())


def tasks(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in definition["States"].items() if s["Type"] == "Task"}


def test_every_substitution_is_defined_in_template_yaml() -> None:
    # GIVEN the ASL text and template.yaml's DefinitionSubstitutions
    names = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", ASL_PATH.read_text()))
    machine = tmpl.state_machine(tmpl.load_template())
    # THEN every ${Name} used is substituted, and the template points at this very file
    assert names, "the definition uses no substitutions at all"
    assert names <= set(machine.substitutions), names - set(machine.substitutions)
    assert machine.definition_path.resolve() == ASL_PATH
    for name in names:
        assert machine.substitutions[name].kind == "arn", name


def test_transitions_are_closed_and_every_state_is_reachable(definition: dict[str, Any]) -> None:
    states = definition["States"]
    targets = {definition["StartAt"]}
    for state in states.values():
        targets.update(filter(None, [state.get("Next"), state.get("Default")]))
        targets.update(c["Next"] for c in state.get("Catch", []))
    assert targets <= set(states), targets - set(states)
    assert set(states) <= targets, set(states) - targets
    for name, state in states.items():
        ends = state.get("End") or state["Type"] in ("Fail", "Succeed")
        assert ends or "Next" in state, f"{name} neither ends nor continues"


def retrier(state: dict[str, Any], error: str) -> dict[str, Any]:
    """The retrier Step Functions applies to `error`: the first that names it, else States.ALL."""
    for retry in state["Retry"]:
        if error in retry["ErrorEquals"] or retry["ErrorEquals"] == ["States.ALL"]:
            return retry
    return {"MaxAttempts": 0}


def longest_wait_s(retry: dict[str, Any]) -> float:
    """Sum of the back-off delays before every retry (jitter only shortens them)."""
    delay, total = float(retry.get("IntervalSeconds", 1)), 0.0
    for _ in range(retry["MaxAttempts"]):
        total += min(delay, retry.get("MaxDelaySeconds", float("inf")))
        delay *= retry.get("BackoffRate", 2.0)
    return total


def test_tasks_never_retry_bad_input_and_catch_everything(definition: dict[str, Any]) -> None:
    for name, state in tasks(definition).items():
        # BadInputError first, with no attempts: the first matching retrier wins.
        retries = state["Retry"]
        assert retries[0] == {**retries[0], "ErrorEquals": ["BadInputError"], "MaxAttempts": 0}
        assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"]), name
        assert "TimeoutSeconds" in state, name
        # States.ALL, if present, is alone in the last retrier (the ASL rule).
        for retry in retries[:-1]:
            assert "States.ALL" not in retry["ErrorEquals"], name


def test_throttling_is_outlasted_with_six_or_more_attempts_up_to_a_minute_apart(
    definition: dict[str, Any],
) -> None:
    for name, state in tasks(definition).items():
        retry = retrier(state, "Lambda.TooManyRequestsException")
        assert retry["MaxAttempts"] >= 6 and retry["MaxDelaySeconds"] >= 60, name
        assert retry["BackoffRate"] > 1 and longest_wait_s(retry) >= 180, name


def test_transient_unknown_and_timed_out_invocations_are_retried(
    definition: dict[str, Any],
) -> None:
    for name in MODEL_STEPS:
        state = definition["States"][name]
        for error in TRANSIENT:
            assert retrier(state, error)["MaxAttempts"] >= 3, (name, error)
        assert retrier(state, "Sandbox.Timedout")["MaxAttempts"] >= 1, name
        assert retrier(state, "RuntimeError")["MaxAttempts"] >= 1, name  # an unexpected crash


def test_record_steps_keep_trying_and_a_produced_result_is_never_reported_failed(
    definition: dict[str, Any],
) -> None:
    states = definition["States"]
    for name in RECORD_STEPS:
        retry = retrier(states[name], "RuntimeError")
        assert retry["MaxAttempts"] >= 8 and longest_wait_s(retry) >= 240, name
    # RecordSuccess runs after Speak succeeded: whatever happens, the execution succeeds.
    (catch,) = states["RecordSuccess"]["Catch"]
    assert catch["ErrorEquals"] == ["States.ALL"]
    assert states[catch["Next"]]["Type"] == "Succeed"


def test_only_keys_ids_and_short_text_travel_between_states(definition: dict[str, Any]) -> None:
    # Step outputs are narrowed by ResultSelector and stored under their own ResultPath, so an
    # unexpected big field in a function's answer can never grow the state towards 256 KB.
    for name, state in tasks(definition).items():
        assert state["Resource"] == "arn:aws:states:::lambda:invoke", name
        assert state["ResultPath"].startswith("$."), name
        selected = state["ResultSelector"]
        assert all(
            value.startswith("$.Payload.") or value.startswith("$$.") for value in selected.values()
        ), name
