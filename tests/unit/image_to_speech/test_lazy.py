"""lazy.lazy_names in schemas/ and ports/: every name maps to the module that defines it, the
map agrees with the type checker's imports, and a lookup loads that module and no other."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.helpers.interpreter import fresh_interpreter_output

PACKAGE = Path(__file__).resolve().parents[3] / "layers" / "shared" / "image_to_speech"


def _type_checking_imports(package: str) -> dict[str, str]:
    tree = ast.parse((PACKAGE / package / "__init__.py").read_text())
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                for alias in statement.names:
                    found[alias.asname or alias.name] = str(statement.module)
    return found


@pytest.mark.parametrize("package", ["schemas", "ports"])
def test_every_name_maps_to_the_module_that_defines_it(package: str) -> None:
    module = importlib.import_module(f"image_to_speech.{package}")
    mapping = module._MODULE_OF
    # GIVEN the map WHEN compared with the type checker's imports THEN they agree
    assert mapping == _type_checking_imports(package)
    # AND each name resolves, from the module the map names
    for name, defining in mapping.items():
        value = getattr(module, name)
        assert value is getattr(importlib.import_module(f"{module.__name__}.{defining}"), name)
    with pytest.raises(AttributeError, match="NoSuchName"):
        module.NoSuchName  # noqa: B018


def test_a_lookup_loads_only_its_own_module() -> None:
    code = (
        "import sys; from image_to_speech.schemas import CaptionOptions; "
        "print(sorted(m for m in sys.modules if m.startswith('image_to_speech.schemas.')))"
    )
    loaded = fresh_interpreter_output(code)
    assert loaded == str(
        [
            "image_to_speech.schemas.caption",
            "image_to_speech.schemas.common",
            "image_to_speech.schemas.decoding",
        ]
    )
