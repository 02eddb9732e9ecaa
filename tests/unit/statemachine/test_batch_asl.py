"""statemachine/batch.asl.json: generated from the pipeline (never stale), wired to
template.yaml, the skip rule the same as services/batches.py, nothing moto cannot run."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from typing import Any

import pytest
from image_to_speech.media import MAX_UPLOAD_BYTES
from image_to_speech.services.batches import IMAGE_NAME_SUFFIXES

from pipeline_local import template as tmpl

ROOT = Path(__file__).resolve().parents[3]
BATCH = ROOT / "statemachine" / "batch.asl.json"
PIPELINE = ROOT / "statemachine" / "pipeline.asl.json"


def _builder() -> Any:
    spec = importlib.util.spec_from_file_location(
        "build_batch_asl", ROOT / "scripts" / "build_batch_asl.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def batch() -> dict[str, Any]:
    return json.loads(BATCH.read_text())


def _processor(batch: dict[str, Any]) -> dict[str, Any]:
    processor: dict[str, Any] = batch["States"]["Images"]["ItemProcessor"]
    return processor


def test_the_committed_file_is_what_the_builder_writes() -> None:
    assert BATCH.read_text() == _builder().render(), (
        "statemachine/batch.asl.json is stale: run `python scripts/build_batch_asl.py`"
    )


def test_the_item_processor_is_the_pipeline_behind_one_check(batch: dict[str, Any]) -> None:
    pipeline = json.loads(PIPELINE.read_text())
    processor = _processor(batch)
    states = processor["States"]
    # every pipeline state, verbatim: same tasks, same Retry and Catch, same result documents
    for name, state in pipeline["States"].items():
        assert states[name] == state, name
    assert set(states) - set(pipeline["States"]) == {"CheckImage", "Skipped"}
    assert processor["StartAt"] == "CheckImage"
    assert states["CheckImage"]["Default"] == pipeline["StartAt"]
    assert processor["ProcessorConfig"] == {
        "Mode": "DISTRIBUTED",
        "ExecutionType": "${BatchExecutionType}",
    }


def test_check_image_skips_what_the_summary_calls_skipped(batch: dict[str, Any]) -> None:
    choices = _processor(batch)["States"]["CheckImage"]["Choices"]
    patterns = {rule["StringMatches"] for rule in choices[0]["Not"]["Or"]}
    assert patterns == {f"*{suffix}" for suffix in IMAGE_NAME_SUFFIXES}
    assert choices[1] == {"Variable": "$.size", "NumericEquals": 0, "Next": "Skipped"}
    assert choices[2]["NumericGreaterThan"] == MAX_UPLOAD_BYTES


def _transitions_closed(machine: dict[str, Any]) -> None:
    states = machine["States"]
    targets = {machine["StartAt"]}
    for state in states.values():
        targets.update(filter(None, [state.get("Next"), state.get("Default")]))
        targets.update(c["Next"] for c in state.get("Catch", []))
        targets.update(c["Next"] for c in state.get("Choices", []))
    assert targets == set(states), targets ^ set(states)


def test_transitions_are_closed_at_both_levels(batch: dict[str, Any]) -> None:
    _transitions_closed(batch)
    _transitions_closed(_processor(batch))


def test_every_substitution_comes_from_template_yaml() -> None:
    names = set(re.findall(r"\$\{([A-Za-z0-9_]+)\}", BATCH.read_text()))
    template = tmpl.load_template()
    machine = tmpl.state_machine(template, "BatchStateMachine")
    assert machine.definition_path.resolve() == BATCH
    assert names == set(machine.substitutions)
    # the limits are template parameters (deployments size them; locally their defaults)
    for name in ("BatchMaxConcurrency", "BatchToleratedFailurePercentage", "BatchExecutionType"):
        assert machine.substitutions[name] == tmpl.Reference("ref", name)
        assert tmpl.parameter_default(template, name) is not None


def test_limits_are_paths_fed_by_the_template_and_moto_can_parse_them(
    batch: dict[str, Any],
) -> None:
    images = batch["States"]["Images"]
    settings = batch["States"]["Settings"]["Parameters"]
    # moto rejects an integer ToleratedFailurePercentage and ItemBatcher: neither is used
    assert "ToleratedFailurePercentage" not in images and "ItemBatcher" not in images
    assert images["MaxConcurrencyPath"] == "$.max_concurrency"
    assert images["ToleratedFailurePercentagePath"] == "$.tolerated_failure_percentage"
    assert settings["max_concurrency.$"] == "States.StringToJson('${BatchMaxConcurrency}')"
    assert images["ItemReader"]["Resource"] == "arn:aws:states:::s3:listObjectsV2"


def test_the_summary_task_retries_like_the_pipeline_and_every_end_is_explained(
    batch: dict[str, Any],
) -> None:
    pipeline = json.loads(PIPELINE.read_text())
    summarize = batch["States"]["Summarize"]
    assert summarize["Retry"] == pipeline["States"]["Caption"]["Retry"]
    assert summarize["Catch"][0]["ErrorEquals"] == ["States.ALL"]
    # the map run's failures are caught so that a summary is written in every case
    assert batch["States"]["Images"]["Catch"][0]["Next"] == "Summarize"
    fails = [s for s in batch["States"].values() if s["Type"] == "Fail"]
    assert all("Cause" in s or "CausePath" in s for s in fails)


def test_template_defaults_fit_the_reserved_concurrency() -> None:
    template = tmpl.load_template()
    concurrency = int(tmpl.parameter_default(template, "BatchMaxConcurrency") or 0)
    for name in ("Caption", "Translate", "Speak"):
        reserved = int(tmpl.parameter_default(template, f"{name}ReservedConcurrency") or -1)
        # -1 reserves nothing (the account's pool); otherwise the batch must leave room for the API
        assert reserved == -1 or concurrency < reserved, name
    assert 0 < concurrency <= 10000  # the Distributed Map's ceiling of parallel children
    tolerated = float(tmpl.parameter_default(template, "BatchToleratedFailurePercentage") or -1)
    assert 0 <= tolerated <= 100
