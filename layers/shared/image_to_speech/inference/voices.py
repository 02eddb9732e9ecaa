"""The voices a speak function can use: its own bundle, and (locally) any other built voice.

A Lambda image ships ONE voice bundle, so there `voice` can only name it. The local stack,
with every bundle under build/models, offers each built speak preset, loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from threading import Lock

from ..errors import InvalidParameterError
from .speech import Synthesizer


class Voices:
    def __init__(
        self, default: Synthesizer, loaders: Mapping[str, Callable[[], Synthesizer]] | None = None
    ) -> None:
        self.default = default
        self._loaded: dict[str, Synthesizer] = {default.bundle.preset: default}
        self._loaders = {k: v for k, v in (loaders or {}).items() if k not in self._loaded}
        self._lock = Lock()

    @property
    def names(self) -> list[str]:
        return [self.default.bundle.preset, *sorted(self._loaders)]

    def get(self, name: str | None) -> Synthesizer:
        """The named voice (None: the default); InvalidParameterError lists the voices."""
        if name is None or name == self.default.bundle.preset:
            return self.default
        with self._lock:
            if name not in self._loaded:
                loader = self._loaders.get(name)
                if loader is None:
                    raise InvalidParameterError(
                        f"Voice '{name}' is not available here.", allowed={"voice": self.names}
                    )
                self._loaded[name] = loader()
            return self._loaded[name]
