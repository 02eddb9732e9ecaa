"""Run code in a fresh interpreter that sees only the shared package, as a cold start does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "layers" / "shared"


def fresh_interpreter_output(code: str) -> str:
    """What `python -c code` prints (stripped), with nothing but layers/shared on the path."""
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(SHARED)},
    )
    return completed.stdout.strip()
