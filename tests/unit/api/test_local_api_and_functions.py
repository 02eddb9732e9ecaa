"""The functions' packaging files (every route on one port: tests/unit/local_stack)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
FUNCTIONS = ["caption", "translate", "speak"]


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_requirements_follow_runtime_pins(name: str) -> None:
    """GIVEN functions/<name>/requirements.txt WHEN compared THEN every line is a runtime pin."""
    runtime = {
        line.strip()
        for line in (REPO / "requirements" / "runtime.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    lines = [
        line.strip()
        for line in (REPO / "functions" / name / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert lines and set(lines) <= runtime
    assert any(line.startswith("boto3") for line in lines)
    assert not any(line.startswith(("torch", "transformers")) for line in lines)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_function_apps_are_thin(name: str) -> None:
    source = (REPO / "functions" / name / "app.py").read_text()
    assert len(source.splitlines()) < 50
    assert "handler = instrument(make_handler(" in source
