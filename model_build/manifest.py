"""Writes a bundle's manifest.json: provenance, license, quantization and file hashes."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
from pathlib import Path
from typing import Any

from image_to_speech.inference.bundle import MANIFEST_NAME, SCHEMA_VERSION, sha256_file

TOOL_PACKAGES = ("onnxruntime", "onnx", "torch", "transformers", "optimum", "optimum-onnx", "numpy")


def tool_versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    versions = {}
    for package in (*TOOL_PACKAGES, *extra):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def file_entries(bundle_dir: Path) -> dict[str, dict[str, Any]]:
    entries = {}
    for path in sorted(p for p in bundle_dir.rglob("*") if p.is_file()):
        name = path.relative_to(bundle_dir).as_posix()
        if name == MANIFEST_NAME:
            continue
        entries[name] = {"size": path.stat().st_size, "sha256": sha256_file(path)}
    return entries


def write_manifest(
    bundle_dir: Path,
    *,
    task: str,
    kind: str,
    preset: str,
    precision: str,
    source: dict[str, Any],
    license: dict[str, Any],
    quantization: dict[str, Any] | None,
    opset: int | None,
    config: dict[str, Any],
    extra_tools: tuple[str, ...] = (),
    notes: str | None = None,
) -> dict[str, Any]:
    """Hash every file in bundle_dir and write manifest.json next to them.

    `source`: {"type": "hub", "repo_id", "revision"} | {"type": "pypi", "package", "version"} |
    {"type": "random", "config": ...}. `quantization`: None for fp32, else
    {"method": "dynamic"|"static", "weight_type": "QInt8", "op_types": [...], "per_channel": bool,
    "subgraphs": bool, "notes": "why"}.
    """
    manifest: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "task": task,
        "kind": kind,
        "preset": preset,
        "precision": precision,
        "source": source,
        "license": license,
        "quantization": quantization,
        "opset": opset,
        "tools": tool_versions(extra_tools),
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "config": config,
        "files": file_entries(bundle_dir),
    }
    if notes:
        manifest["notes"] = notes
    (bundle_dir / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n")
    return manifest
