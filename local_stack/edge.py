"""The static files of the page's "on this device" mode, served by the local stack at /edge/.

    /edge/index.json                       what this stack offers: for each task the bundle its
                                           function loads (same preset, same files), the sha256
                                           of its manifest, the browser libraries and the page
                                           files a service worker keeps for offline use
    /edge/models/<task>/<preset>/<file>    manifest.json or a file that manifest lists
    /edge/vendor/<library>/<file>          build/web-vendor (scripts/web_vendor.sh)

Nothing else is served: no other bundle, no file a manifest does not list. On AWS the same
layout would sit in S3 behind the API's CloudFront distribution (docs/edge.md); the files
are too large for a Lambda response.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from image_to_speech.inference.bundle import MANIFEST_NAME, TASKS, resolve_bundle_dir
from image_to_speech.web import CONTENT_TYPES, isolation_headers

from .events import GatewayResponse

PREFIX = "/edge/"
INDEX_PATH = "/edge/index.json"
VENDOR_DIR = Path(__file__).resolve().parents[1] / "build" / "web-vendor"
# The libraries the page loads, by folder of build/web-vendor (scripts/web_vendor.sh).
VENDOR_LIBRARIES = {"ort": "ort", "tokenizers": "tokenizers", "espeak": "espeak-ng"}
ASSET_TYPES = {
    **CONTENT_TYPES,
    ".wasm": "application/wasm",
    ".onnx": "application/octet-stream",
    ".bin": "application/octet-stream",
    ".npz": "application/octet-stream",
    ".spm": "application/octet-stream",
}


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Asset:
    path: Path
    sha256: str
    size: int


def _vendor_library(root: Path, folder: str) -> tuple[dict[str, Any], dict[str, Asset]] | None:
    directory = root / folder
    if not directory.is_dir():
        return None
    files: dict[str, Any] = {}
    assets: dict[str, Asset] = {}
    for path in sorted(p for p in directory.iterdir() if p.is_file()):
        data = path.read_bytes()
        asset = Asset(path, sha256_bytes(data), len(data))
        files[path.name] = {"size": asset.size, "sha256": asset.sha256}
        assets[f"{PREFIX}vendor/{folder}/{path.name}"] = asset
    return {"base": f"{PREFIX}vendor/{folder}/", "files": files}, assets


def _bundle_entry(task: str, directory: Path) -> tuple[dict[str, Any], dict[str, Asset]] | None:
    manifest_path = directory / MANIFEST_NAME
    if not manifest_path.is_file():
        return None
    raw = manifest_path.read_bytes()
    manifest = json.loads(raw)
    base = f"{PREFIX}models/{task}/{directory.name}/"
    assets = {base + MANIFEST_NAME: Asset(manifest_path, sha256_bytes(raw), len(raw))}
    for name, listed in (manifest.get("files") or {}).items():
        # The manifest's own hash is the ETag; the browser checks the bytes itself.
        assets[base + name] = Asset(directory / name, str(listed["sha256"]), int(listed["size"]))
    entry = {
        "task": task,
        "preset": manifest.get("preset"),
        "kind": manifest.get("kind"),
        "base": base,
        "manifest_sha256": sha256_bytes(raw),
    }
    return entry, assets


def page_shell(web_root: Path) -> list[str]:
    """The page's own files (what the service worker keeps for offline visits)."""
    files = sorted(
        "/web/" + path.relative_to(web_root).as_posix()
        for path in web_root.rglob("*")
        if path.is_file()
        and path.suffix in CONTENT_TYPES
        and not any(part.startswith(".") for part in path.relative_to(web_root).parts)
        and path.name != "index.html"
    )
    return ["/", *files]


@dataclass
class EdgeAssets:
    web_root: Path
    vendor_root: Path = VENDOR_DIR
    bundle_dirs: dict[str, Path] = field(default_factory=dict)
    index: dict[str, Any] = field(default_factory=dict)
    assets: dict[str, Asset] = field(default_factory=dict)

    @classmethod
    def for_stack(cls, web_root: Path, vendor_root: Path = VENDOR_DIR) -> EdgeAssets:
        """The bundles the stack's functions load (resolve_bundle_dir: same preset settings)."""
        edge = cls(web_root, vendor_root, {task: resolve_bundle_dir(task) for task in TASKS})
        edge.refresh()
        return edge

    def refresh(self) -> None:
        bundles: dict[str, Any] = {}
        vendor: dict[str, Any] = {}
        assets: dict[str, Asset] = {}
        for task, directory in self.bundle_dirs.items():
            found = _bundle_entry(task, directory)
            if found is not None:
                bundles[task], more = found
                assets.update(more)
        for name, folder in VENDOR_LIBRARIES.items():
            library = _vendor_library(self.vendor_root, folder)
            vendor[name] = None if library is None else library[0]
            if library is not None:
                assets.update(library[1])
        scripts = [
            f"{entry['base']}{file}"
            for entry in vendor.values()
            if entry
            for file in entry["files"]
            if file.endswith((".mjs", ".js"))
        ]
        self.index = {
            "version": 1,
            "bundles": bundles,
            "vendor": vendor if vendor.get("ort") and vendor.get("tokenizers") else {},
            "shell": [*page_shell(self.web_root), *scripts],
        }
        self.assets = assets

    def handles(self, method: str, path: str) -> bool:
        return method in ("GET", "HEAD") and path.startswith(PREFIX)

    def respond(self, method: str, path: str, if_none_match: str | None) -> GatewayResponse:
        if path == INDEX_PATH:
            self.refresh()  # a rebuilt bundle or `make web-vendor` shows without a restart
            body = json.dumps(self.index, indent=1).encode("utf-8")
            return _answer(method, body, "application/json", sha256_bytes(body), if_none_match)
        asset = self.assets.get(path)
        if asset is None or not asset.path.is_file():
            return GatewayResponse(
                404, [("content-type", "application/json")], b'{"message":"Not Found"}'
            )
        content_type = ASSET_TYPES.get(asset.path.suffix.lower(), "application/octet-stream")
        if _matches(if_none_match, asset.sha256):
            return _answer(method, b"", content_type, asset.sha256, if_none_match)
        return _answer(method, asset.path.read_bytes(), content_type, asset.sha256, None)


def _etag(sha256: str) -> str:
    return '"' + sha256[:32] + '"'


def _matches(if_none_match: str | None, sha256: str) -> bool:
    return bool(if_none_match) and _etag(sha256) in [
        tag.strip() for tag in str(if_none_match).split(",")
    ]


def _answer(
    method: str, body: bytes, content_type: str, sha256: str, if_none_match: str | None
) -> GatewayResponse:
    headers = [
        ("content-type", content_type),
        ("etag", _etag(sha256)),
        ("cache-control", "no-cache"),
        ("x-content-type-options", "nosniff"),
        ("cross-origin-resource-policy", "same-origin"),
        *isolation_headers(),
    ]
    if _matches(if_none_match, sha256):
        return GatewayResponse(304, headers, b"")
    headers.append(("content-length", str(len(body))))
    return GatewayResponse(200, headers, b"" if method == "HEAD" else body)
