"""Model bundles: a directory with ONNX file(s), their side files and a `manifest.json`.

The manifest records where the weights came from, their license, the quantization applied and
every file's size and sha256. Loading a bundle verifies those hashes, so a corrupted or
tampered file is refused before onnxruntime ever sees it.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import get_settings
from ..errors import BundleIntegrityError, BundleNotFoundError

MANIFEST_NAME = "manifest.json"
SCHEMA_VERSION = 1
TASKS = ("caption", "translate", "speak")


def models_dir() -> Path:
    """Where `make models` writes bundles (MODELS_DIR, default build/models of the repo)."""
    return get_settings().models_dir


def sha256_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: dict[str, Any]
    verify_ms: float = field(default=0.0, compare=False)

    @property
    def task(self) -> str:
        return str(self.manifest["task"])

    @property
    def kind(self) -> str:
        return str(self.manifest["kind"])

    @property
    def preset(self) -> str:
        return str(self.manifest["preset"])

    @property
    def config(self) -> dict[str, Any]:
        return dict(self.manifest.get("config", {}))

    def file(self, name: str) -> Path:
        if name not in self.manifest.get("files", {}):
            raise BundleIntegrityError(f"{self.path}: '{name}' is not listed in the manifest")
        return self.path / name

    @property
    def fingerprint(self) -> str:
        """sha256 of what the model IS: preset, kind, config and every file's hash. A rebuilt or
        replaced bundle has another fingerprint, so results cached for it are not reused."""
        identity = {key: self.manifest.get(key) for key in ("preset", "kind", "config", "files")}
        encoded = json.dumps(identity, sort_keys=True, default=str).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def describe(self) -> dict[str, Any]:
        """Short identity for responses and results: preset, kind and weights source."""
        return {
            "preset": self.preset,
            "kind": self.kind,
            "source": self.manifest.get("source", {}),
            "quantization": (self.manifest.get("quantization") or {}).get("weight_type"),
        }


def resolve_bundle_dir(task: str, preset: str | None = None) -> Path:
    """The ONE way a bundle is found: MODEL_BUNDLE_DIR (a function image's single bundle) wins,
    else MODELS_DIR/<task>/<preset>, the preset being `preset`, <TASK>_PRESET or the default."""
    settings = get_settings()
    if settings.model_bundle_dir is not None:
        return settings.model_bundle_dir
    preset = preset or settings.preset_for(task) or DEFAULT_PRESETS[task]
    return models_dir() / task / preset


# The offline presets that `make models` builds on any machine.
DEFAULT_PRESETS = {
    "caption": "efficientnet-lite0",
    "translate": "bergamot-tiny-en-pt",
    "speak": "piper-en_US-joe-medium-ptbr",
}


def load_bundle(path: Path | str, *, task: str | None = None, verify: bool = True) -> Bundle:
    """Read and (by default) verify a bundle. Raises BundleNotFoundError / BundleIntegrityError."""
    path = Path(path)
    manifest_path = path / MANIFEST_NAME
    if not manifest_path.is_file():
        raise BundleNotFoundError(
            f"No model bundle at {path} (missing {MANIFEST_NAME}). "
            "Build it with `make models` or point MODEL_BUNDLE_DIR at a bundle directory."
        )
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as exc:
        raise BundleIntegrityError(f"{manifest_path}: not valid JSON ({exc})") from exc
    if manifest.get("schema_version") != SCHEMA_VERSION:
        raise BundleIntegrityError(
            f"{manifest_path}: schema_version {manifest.get('schema_version')!r}, "
            f"this runtime reads {SCHEMA_VERSION}"
        )
    if task is not None and manifest.get("task") != task:
        raise BundleIntegrityError(
            f"{path} is a '{manifest.get('task')}' bundle, expected a '{task}' bundle"
        )
    started = time.perf_counter()
    if verify:
        verify_files(path, manifest)
    return Bundle(path, manifest, verify_ms=(time.perf_counter() - started) * 1000)


def verify_files(path: Path, manifest: dict[str, Any]) -> None:
    files = manifest.get("files")
    if not files:
        raise BundleIntegrityError(f"{path}: manifest lists no files")
    for name, expected in files.items():
        file_path = path / name
        if not file_path.is_file():
            raise BundleIntegrityError(f"{path}: file '{name}' listed in manifest is missing")
        size = file_path.stat().st_size
        if size != expected["size"]:
            raise BundleIntegrityError(
                f"{path}: '{name}' is {size} bytes, manifest says {expected['size']}"
            )
        actual = sha256_file(file_path)
        if actual != expected["sha256"]:
            raise BundleIntegrityError(
                f"{path}: sha256 of '{name}' is {actual}, manifest says {expected['sha256']}"
            )
