"""coldstart.init_phase: no garbage collection while a function initialises, and init's objects
frozen afterwards; the collector comes back even when init fails."""

from __future__ import annotations

import gc

import pytest
from image_to_speech.coldstart import init_phase


@pytest.fixture(autouse=True)
def _restore_collector() -> object:
    yield
    gc.unfreeze()
    gc.enable()


def test_the_collector_is_off_during_init_and_init_objects_are_frozen() -> None:
    # GIVEN a running collector and nothing frozen
    gc.unfreeze()
    assert gc.isenabled()
    # WHEN init runs and builds long-lived objects
    with init_phase():
        seen_enabled = gc.isenabled()
        built = [{"weights": index} for index in range(1000)]
    # THEN no collection could run meanwhile, it runs again afterwards, and what init built
    # is in the permanent generation
    assert seen_enabled is False
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)


def test_a_failed_init_gives_the_collector_back() -> None:
    with pytest.raises(RuntimeError), init_phase():
        raise RuntimeError("broken bundle")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with init_phase():
        pass
    assert not gc.isenabled()


def test_every_function_initialises_inside_init_phase() -> None:
    """GIVEN every Lambda entry module under functions/ WHEN parsed THEN all its work (imports
    of the package, model load, handler) runs inside `with init_phase():`."""
    import ast
    from pathlib import Path

    functions = Path(__file__).resolve().parents[3] / "functions"
    modules = sorted(functions.glob("*/*.py"))
    assert len(modules) >= 7
    for module in modules:
        body = ast.parse(module.read_text()).body
        statements = [node for node in body if not isinstance(node, ast.Expr)]  # docstring
        first, *rest = statements
        assert isinstance(first, ast.ImportFrom) and first.module == "image_to_speech.coldstart"
        assert len(rest) == 1 and isinstance(rest[0], ast.With), module
        assert ast.unparse(rest[0].items[0].context_expr) == "init_phase()", module
