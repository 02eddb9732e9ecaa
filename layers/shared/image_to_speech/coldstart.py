"""Lambda init (a function module's import) without the cyclic garbage collector.

Init allocates a few hundred thousand objects that live as long as the process: the model,
our schemas' validators, every imported module. The collector runs dozens of times meanwhile
(28-37 ms per function, measured in the images) and frees nothing. It is off while init runs;
then what init built moves to the permanent generation, so later collections skip it too.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def init_phase() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
