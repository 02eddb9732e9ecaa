"""Packages whose names load their defining module on first use (PEP 562 `__getattr__`).

`schemas/` and `ports/` use it: `from image_to_speech.schemas import CaptionOptions` imports
`schemas/caption.py` and nothing else, so a function builds only the models it uses.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(package: str, module_of: Mapping[str, str]) -> Callable[[str], Any]:
    """The package's module `__getattr__`: `package.Name` imports `package.<module_of[Name]>`
    and keeps the name in the package, so the next lookup is a plain attribute."""

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{module}"), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
