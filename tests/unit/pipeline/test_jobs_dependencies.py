"""The jobs function runs no model: its code must import without onnxruntime."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def test_jobs_code_imports_without_onnxruntime() -> None:
    # GIVEN a Python where importing onnxruntime fails (as in the jobs image)
    script = (
        "import sys; sys.modules['onnxruntime'] = None\n"
        "import image_to_speech.api.errors, image_to_speech.schemas\n"
        "import image_to_speech.pipeline.jobs_api, image_to_speech.pipeline.trigger\n"
        "import image_to_speech.pipeline.recorder\n"
    )
    # WHEN the jobs function's modules are imported
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={"PYTHONPATH": f"{REPO / 'layers' / 'shared'}", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    # THEN they load: nothing on that path needs onnxruntime
    assert result.returncode == 0, result.stderr


def test_jobs_requirements_have_no_model_runtime() -> None:
    lines = (REPO / "functions" / "jobs" / "requirements.txt").read_text().splitlines()
    assert not any(line.startswith(("onnxruntime", "torch", "transformers")) for line in lines)
