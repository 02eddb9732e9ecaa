"""The voices the intelligibility benchmark scores: speak bundles and espeak-ng's own pt-br."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from image_to_speech.inference.bundle import MANIFEST_NAME, models_dir

ESPEAK_REFERENCE = "espeak-ng pt-br"


class Voice(Protocol):
    name: str

    def speak(self, text: str) -> bytes:
        """A WAV of the text spoken in Brazilian Portuguese."""
        ...


@dataclass
class BundleVoice:
    """A speak bundle through the runtime's Synthesizer, with its own default scales."""

    name: str
    synthesizer: Any  # image_to_speech.inference.synthesizer.Synthesizer

    def speak(self, text: str) -> bytes:
        return bytes(self.synthesizer.synthesize(text, language="pt-BR").wav)


def bundle_voice(path: Path, *, threads: int = 2) -> BundleVoice:
    from image_to_speech.inference.loaders import load_synthesizer

    return BundleVoice(path.name, load_synthesizer(path, threads=threads))


@dataclass
class EspeakVoice:
    """espeak-ng's formant voice (`espeak-ng -v pt-br --stdout`): the reference to beat."""

    name: str = ESPEAK_REFERENCE
    voice: str = "pt-br"

    def speak(self, text: str) -> bytes:
        program = shutil.which("espeak-ng")
        if program is None:
            raise RuntimeError("espeak-ng is not installed (apt-get install espeak-ng)")
        completed = subprocess.run(
            [program, "-b", "1", "-v", self.voice, "--stdout"],
            input=text.encode("utf-8"),
            capture_output=True,
            timeout=30,
            check=True,
        )
        return completed.stdout


def speak_bundles(root: Path | None = None) -> list[Path]:
    """Every built speak bundle that speaks pt-BR (new presets are picked up automatically)."""
    import json

    root = (root or models_dir()) / "speak"
    found = []
    for path in sorted(root.glob("*")):
        manifest = path / MANIFEST_NAME
        if path.name.endswith(".partial") or not manifest.is_file():
            continue
        languages = json.loads(manifest.read_text()).get("config", {}).get("languages", {})
        if "pt-BR" in languages:
            found.append(path)
    return found
