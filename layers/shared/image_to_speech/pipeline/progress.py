"""A running job's progress, read from its execution history: which stage runs, which are
done (with their times), and the texts produced so far. Step Functions' own event format."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from ..ports import JobProgress, StageProgress

# The state machine's task states (statemachine/pipeline.asl.json) and the stage each one is.
STAGE_OF_STATE = {"Caption": "caption", "Translate": "translate", "Speak": "speak"}
# The text each finished stage adds to the state: $.caption.caption, $.translate.translation.
TEXT_OF_STAGE = {"caption": "caption", "translate": "translation"}


def progress_from_history(events: list[dict[str, Any]]) -> JobProgress:
    stages: dict[str, StageProgress] = {}
    texts: dict[str, str] = {}
    entered: dict[str, datetime] = {}
    for event in events:
        kind = str(event.get("type", ""))
        if kind.endswith("StateEntered"):
            stage = STAGE_OF_STATE.get(event["stateEnteredEventDetails"]["name"])
            if stage:
                entered[stage] = event["timestamp"]
                stages[stage] = StageProgress("RUNNING")
        elif kind.endswith("StateExited"):
            details = event["stateExitedEventDetails"]
            stage = STAGE_OF_STATE.get(details["name"])
            if stage:
                stages[stage], text = _finished(stage, details.get("output"), entered, event)
                if text:
                    texts[TEXT_OF_STAGE[stage]] = text
    return JobProgress(stages=stages, texts=texts)


def _finished(
    stage: str, output: str | None, entered: dict[str, datetime], event: dict[str, Any]
) -> tuple[StageProgress, str | None]:
    state = _json(output)
    step = state.get(stage) if isinstance(state.get(stage), dict) else None
    started = entered.get(stage)
    ms = (event["timestamp"] - started).total_seconds() * 1000 if started else None
    if step is None:  # a Catch took over: the step's output never reached the state
        return StageProgress("FAILED", _round(ms)), None
    text = step.get(TEXT_OF_STAGE.get(stage, ""))
    return StageProgress("SUCCEEDED", _round(ms), step.get("ms")), text if isinstance(
        text, str
    ) else None


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
