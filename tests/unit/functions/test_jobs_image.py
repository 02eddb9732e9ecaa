"""The jobs image runs no model: its four handlers import without onnxruntime, numpy or
Pillow, which keeps its image small and its cold start short."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("module", ["api", "trigger", "recorder", "batch_summary"])
def test_job_handlers_import_without_model_libraries(module: str) -> None:
    # GIVEN a Python where onnxruntime, numpy and PIL cannot be imported (as in the jobs image)
    script = (
        "import sys\n"
        "for name in ('onnxruntime', 'numpy', 'PIL', 'tokenizers'): sys.modules[name] = None\n"
        f"import {module}\n"
        "assert callable(" + module + ".handler)\n"
    )
    # WHEN the function's handler module is imported as Lambda would (from its folder)
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO / "functions" / "jobs",
        env={
            "PYTHONPATH": f"{REPO / 'layers' / 'shared'}:{REPO / 'functions' / 'jobs'}",
            "PATH": "/usr/bin:/bin",
            "POWERTOOLS_TRACE_DISABLED": "true",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    # THEN it loads: nothing on that path needs a model library
    assert result.returncode == 0, result.stderr


def test_jobs_requirements_have_no_model_runtime() -> None:
    lines = (REPO / "functions" / "jobs" / "requirements.txt").read_text().splitlines()
    assert not any(
        line.startswith(("onnxruntime", "torch", "transformers", "numpy", "Pillow"))
        for line in lines
    )


def test_a_task_only_cold_start_never_imports_the_http_stack() -> None:
    # GIVEN the translate function (with a fake model, so no bundle is needed) in a fresh Python
    script = (
        "import sys\n"
        "from image_to_speech.entrypoints import translate_function\n"
        "from tests.fakes import FakeTranslator\n"
        "function = translate_function(FakeTranslator(), cache=lambda: None)\n"
        "assert 'fastapi' not in sys.modules and 'mangum' not in sys.modules, 'at init'\n"
        "jobs_only = ('aws_lambda_powertools.utilities.batch', 'image_to_speech.handlers.uploads',"
        " 'image_to_speech.tasks.batches', 'image_to_speech.aws.batches')\n"
        "assert not [m for m in jobs_only if m in sys.modules], 'jobs code in a model function'\n"
        "out = function.handler({'job_id': 'j', 'text': 'A cat.'}, None)\n"
        "assert out['translation'] == '[pt-BR] A cat.'\n"
        "assert 'fastapi' not in sys.modules, 'after a task'\n"
        "assert function.app is not None and 'fastapi' in sys.modules\n"
    )
    # WHEN it is assembled and serves a state-machine task
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO,
        env={
            "PYTHONPATH": f"{REPO / 'layers' / 'shared'}:{REPO}",
            "PATH": "/usr/bin:/bin",
            "POWERTOOLS_TRACE_DISABLED": "true",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    # THEN FastAPI and Mangum were imported only when the HTTP app was asked for
    assert result.returncode == 0, result.stderr
