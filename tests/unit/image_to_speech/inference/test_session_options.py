"""inference/session.py: defaults and per-bundle overrides from a manifest's config["session"]."""

from __future__ import annotations

import onnxruntime as ort
import pytest
from image_to_speech.errors import BundleIntegrityError
from image_to_speech.inference.bundle import load_bundle
from image_to_speech.inference.session import session_options

from tests.conftest import bundle_path
from tests.unit.image_to_speech.conftest import Environment


def test_defaults_without_overrides(environment: Environment) -> None:
    """GIVEN no bundle overrides WHEN options are built THEN the measured defaults apply."""
    environment.delenv("ORT_ALLOW_SPINNING", raising=False)
    options = session_options(threads=2)
    assert options.intra_op_num_threads == 2
    assert options.inter_op_num_threads == 1
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert options.enable_mem_reuse is True
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_spinning_can_be_turned_back_on(environment: Environment) -> None:
    """GIVEN ORT_ALLOW_SPINNING=1 (dedicated cores) WHEN options are built THEN pools spin."""
    environment.setenv("ORT_ALLOW_SPINNING", "1")
    options = session_options(threads=2)
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "1"


def test_bundle_overrides_are_applied() -> None:
    """GIVEN a manifest's session overrides WHEN options are built THEN each one is set."""
    options = session_options(
        threads=1,
        overrides={
            "enable_mem_reuse": False,
            "enable_cpu_mem_arena": False,
            "graph_optimization_level": "basic",
            "allow_spinning": False,
        },
    )
    assert options.enable_mem_reuse is False
    assert options.enable_cpu_mem_arena is False
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


@pytest.mark.parametrize(
    "overrides",
    [
        {"intra_op_num_threads": 8},  # not an allowed key
        {"enable_mem_reuse": "false"},  # wrong type
        {"graph_optimization_level": "fastest"},  # unknown level
    ],
)
def test_bad_overrides_refuse_the_bundle(overrides: dict) -> None:
    """GIVEN an override the runtime does not know WHEN building options THEN a typed error."""
    with pytest.raises(BundleIntegrityError, match="allowed"):
        session_options(overrides=overrides)


@pytest.mark.models
def test_piper_bundle_records_its_session_options() -> None:
    """GIVEN the built Piper bundle THEN its manifest records the measured session option."""
    bundle = load_bundle(bundle_path("speak", "piper-en_US-joe-medium"), verify=False)
    assert bundle.config["session"] == {"enable_mem_reuse": False}
    assert "enable_mem_reuse" in bundle.config["session_notes"]
