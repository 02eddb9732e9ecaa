"""`sam local start-api` (the integration tests, `make integration`) must still find every
route of template.yaml now that the routes are ApiGatewayV2 resources: SAM CLI reads them
only when an ApiGatewayV2 resource comes before every AWS::Serverless::Function, and only with
--disable-authorizer (the AuthMode condition is beyond its intrinsic resolver)."""

from __future__ import annotations

import json
import subprocess
from typing import Any

import pytest

from tests.unit.deploy.conftest import REPO_ROOT, SAM_PYTHON
from tests.unit.deploy.test_template import HEALTH_ROUTES, PAGE_ROUTES, PROTECTED_ROUTES

# The same reader `sam local start-api --disable-authorizer` uses, run in SAM CLI's Python.
LIST_ROUTES = """
import json, sys
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
stacks, _ = SamLocalStackProvider.get_stacks(sys.argv[1], parameter_overrides={})
api = ApiProvider(stacks, disable_authorizer=True).api
print(json.dumps([[m, r.path, r.function_name, r.payload_format_version]
                  for r in api.routes for m in r.methods if m != "OPTIONS"]))
"""


@pytest.mark.slow
def test_sam_local_start_api_mounts_every_route() -> None:
    if not SAM_PYTHON.is_file():
        pytest.skip(f"SAM CLI's Python is not at {SAM_PYTHON}: run `make setup`")
    listed = subprocess.run(
        [str(SAM_PYTHON), "-c", LIST_ROUTES, str(REPO_ROOT / "template.yaml")],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    routes: list[Any] = json.loads(listed.stdout.strip().splitlines()[-1])
    keys = {f"{method} {path}" for method, path, _, _ in routes}
    assert keys == PROTECTED_ROUTES | HEALTH_ROUTES | PAGE_ROUTES
    assert {version for *_, version in routes} == {"2.0"}
    functions = {path.split("/")[1]: function for _, path, function, _ in routes if path != "/"}
    assert functions == {
        "caption": "CaptionFunction",
        "translate": "TranslateFunction",
        "speak": "SpeakFunction",
        "jobs": "JobsApiFunction",
        "batches": "JobsApiFunction",
        "web": "JobsApiFunction",
    }
