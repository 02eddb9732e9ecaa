"""Where a route runs blocking model work: inline under Lambda, in a worker thread locally.

Lambda sends one request at a time to an environment, so a direct call is the fastest path
there (no thread hop). A local server (`make up`) serves many clients at once: model calls go
to a worker thread so the event loop keeps answering health checks and other requests.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from ..config import get_settings

T = TypeVar("T")


async def run_blocking(function: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    if not get_settings().model_calls_in_threads:
        return function(*args, **kwargs)
    from anyio import to_thread

    return await to_thread.run_sync(partial(function, *args, **kwargs))
