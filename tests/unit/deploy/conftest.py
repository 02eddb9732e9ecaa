"""The template as CloudFormation will see it: transformed by samtranslator (SAM CLI's own
Python, .tools/sam, which `make setup` installs) into .cache/deploy/template.json."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
SAM_PYTHON = Path(os.environ.get("SAM_PYTHON", REPO_ROOT / ".tools" / "sam" / "bin" / "python"))


@pytest.fixture(scope="session")
def transformed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    if not SAM_PYTHON.is_file():
        pytest.skip(f"SAM CLI's Python is not at {SAM_PYTHON}: run `make setup`")
    out = tmp_path_factory.mktemp("deploy") / "template.json"
    subprocess.run(
        [str(SAM_PYTHON), str(REPO_ROOT / "scripts" / "transform_template.py"), str(out)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    document: dict[str, Any] = json.loads(out.read_text())
    return document
