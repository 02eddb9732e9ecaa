"""pipeline/progress.py: stage progress from a Step Functions execution history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from image_to_speech.pipeline.progress import progress_from_history

T0 = datetime(2026, 12, 1, tzinfo=UTC)


def entered(name: str, at_ms: int) -> dict[str, Any]:
    return {
        "type": "TaskStateEntered",
        "timestamp": T0 + timedelta(milliseconds=at_ms),
        "stateEnteredEventDetails": {"name": name},
    }


def exited(name: str, at_ms: int, state: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "TaskStateExited",
        "timestamp": T0 + timedelta(milliseconds=at_ms),
        "stateExitedEventDetails": {"name": name, "output": json.dumps(state)},
    }


def test_done_running_and_texts() -> None:
    state = {"caption": {"caption": "A cat.", "ms": 12.5}}
    progress = progress_from_history(
        [entered("Caption", 0), exited("Caption", 40, state), entered("Translate", 41)]
    )
    caption, translate = progress.stages["caption"], progress.stages["translate"]
    assert (caption.status, caption.ms, caption.function_ms) == ("SUCCEEDED", 40.0, 12.5)
    assert translate.status == "RUNNING" and "speak" not in progress.stages
    assert progress.texts == {"caption": "A cat."}


def test_a_caught_failure_is_failed() -> None:
    state = {"error": {"Error": "BadInputError", "Cause": "..."}}
    progress = progress_from_history([entered("Caption", 0), exited("Caption", 5, state)])
    assert progress.stages["caption"].status == "FAILED" and progress.texts == {}


def test_other_states_are_ignored() -> None:
    assert progress_from_history([entered("RecordSuccess", 0)]).stages == {}
