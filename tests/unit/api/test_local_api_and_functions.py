"""scripts/local_api.py (one port, every route) and the functions' packaging files."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from .conftest import bundle_dir

REPO = Path(__file__).resolve().parents[3]
FUNCTIONS = ["caption", "translate", "speak"]


def test_local_api_serves_every_route(monkeypatch: pytest.MonkeyPatch) -> None:
    """GIVEN the three test bundles WHEN local_api is imported THEN one app serves all routes."""
    for task in FUNCTIONS:
        monkeypatch.setenv(f"{task.upper()}_BUNDLE_DIR", str(bundle_dir(task)))
    monkeypatch.syspath_prepend(str(REPO / "scripts"))
    sys.modules.pop("local_api", None)
    local_api = importlib.import_module("local_api")
    client = TestClient(local_api.app)
    health = client.get("/health").json()
    assert set(health["models"]) == set(FUNCTIONS)
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {"/caption", "/translate", "/speak", "/health"} <= paths
    if importlib.util.find_spec(local_api.JOBS_ROUTER_MODULE) is not None:
        assert "/jobs" in paths  # the pipeline's routes are mounted through the hook
    response = client.post("/translate", json={"text": "Good morning."})
    assert response.status_code == 200, response.text


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
