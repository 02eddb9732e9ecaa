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
    "Lambda.TooManyRequestsException",
    "States.Timeout",
    "TransientError",
}


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


def test_tasks_retry_transient_errors_never_bad_input_and_catch_everything(
    definition: dict[str, Any],
) -> None:
    for name, state in tasks(definition).items():
        retries = state["Retry"]
        # BadInputError first, with no attempts: the first matching retrier wins.
        assert retries[0] == {**retries[0], "ErrorEquals": ["BadInputError"], "MaxAttempts": 0}
        transient = [r for r in retries if set(r["ErrorEquals"]) & TRANSIENT]
        assert transient and set(transient[0]["ErrorEquals"]) == TRANSIENT, name
        assert transient[0]["BackoffRate"] > 1 and transient[0]["MaxAttempts"] >= 2, name
        assert any("States.ALL" in c["ErrorEquals"] for c in state["Catch"]), name
        assert "TimeoutSeconds" in state, name


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
