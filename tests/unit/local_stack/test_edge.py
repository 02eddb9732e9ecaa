"""/edge/: the on-device mode's files (bundles the stack's functions load, the npm libraries),
each checkable by the browser, and nothing else."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from local_stack.edge import EdgeAssets, page_shell
from local_stack.static import WEB_DIR


def write_bundle(directory: Path, task: str, kind: str, files: dict[str, bytes]) -> bytes:
    directory.mkdir(parents=True)
    for name, data in files.items():
        (directory / name).write_bytes(data)
    manifest = {
        "schema_version": 1,
        "task": task,
        "kind": kind,
        "preset": directory.name,
        "files": {
            name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        },
    }
    raw = json.dumps(manifest).encode()
    (directory / "manifest.json").write_bytes(raw)
    return raw


@pytest.fixture
def edge(tmp_path: Path) -> EdgeAssets:
    models = tmp_path / "models"
    write_bundle(
        models / "caption" / "tiny-classifier",
        "caption",
        "image-classifier",
        {"model.onnx": b"onnx bytes", "labels.json": b'["cat"]'},
    )
    (models / "caption" / "tiny-classifier" / "notes.txt").write_text("not in the manifest")
    write_bundle(models / "caption" / "other", "caption", "image-classifier", {"a.onnx": b"x"})
    vendor = tmp_path / "vendor"
    (vendor / "ort").mkdir(parents=True)
    (vendor / "ort" / "ort.wasm.min.mjs").write_text("export const ort = 1;")
    (vendor / "ort" / "ort-wasm-simd-threaded.wasm").write_bytes(b"\0asm\1\0\0\0")
    (vendor / "tokenizers").mkdir()
    (vendor / "tokenizers" / "tokenizers.min.mjs").write_text("export class Tokenizer {}")
    assets = EdgeAssets(WEB_DIR, vendor, {"caption": models / "caption" / "tiny-classifier"})
    assets.refresh()
    return assets


def index_of(edge: EdgeAssets) -> dict:
    response = edge.respond("GET", "/edge/index.json", None)
    assert response.status == 200
    return json.loads(response.body)


def test_the_index_names_the_stacks_bundle_with_its_manifests_sha256(edge: EdgeAssets) -> None:
    index = index_of(edge)
    entry = index["bundles"]["caption"]
    assert entry["preset"] == "tiny-classifier" and entry["kind"] == "image-classifier"
    manifest = edge.respond("GET", entry["base"] + "manifest.json", None)
    assert hashlib.sha256(manifest.body).hexdigest() == entry["manifest_sha256"]
    # AND the libraries with each file's size and sha256, no espeak-ng when it is not installed
    wasm = index["vendor"]["ort"]["files"]["ort-wasm-simd-threaded.wasm"]
    assert wasm == {"size": 8, "sha256": hashlib.sha256(b"\0asm\1\0\0\0").hexdigest()}
    assert index["vendor"]["espeak"] is None
    # AND the page's files and the libraries' scripts for the service worker, never the wasm
    assert index["shell"][0] == "/" and "/web/js/edge/worker.js" in index["shell"]
    assert "/edge/vendor/ort/ort.wasm.min.mjs" in index["shell"]
    assert not [path for path in index["shell"] if path.endswith(".wasm")]


def test_a_listed_file_is_served_with_its_type_etag_and_isolation_headers(edge: EdgeAssets) -> None:
    base = index_of(edge)["bundles"]["caption"]["base"]
    response = edge.respond("GET", base + "model.onnx", None)
    headers = dict(response.headers)
    assert response.status == 200 and response.body == b"onnx bytes"
    assert headers["etag"] == '"' + hashlib.sha256(b"onnx bytes").hexdigest()[:32] + '"'
    assert headers["cross-origin-embedder-policy"] == "credentialless"
    assert headers["cross-origin-resource-policy"] == "same-origin"
    wasm = edge.respond("GET", "/edge/vendor/ort/ort-wasm-simd-threaded.wasm", None)
    assert dict(wasm.headers)["content-type"] == "application/wasm"  # streaming compilation
    # AND a second request with the ETag is a 304 without a body
    again = edge.respond("GET", base + "model.onnx", headers["etag"])
    assert again.status == 304 and again.body == b""


@pytest.mark.parametrize(
    "path",
    [
        "/edge/models/caption/tiny-classifier/notes.txt",  # in the folder, not in the manifest
        "/edge/models/caption/other/a.onnx",  # a bundle the stack does not use
        "/edge/models/caption/tiny-classifier/../other/a.onnx",
        "/edge/models/speak/tiny-classifier/model.onnx",
        "/edge/vendor/ort/missing.mjs",
        "/edge/vendor/../models/caption/tiny-classifier/model.onnx",
        "/edge/",
    ],
)
def test_nothing_else_is_served(edge: EdgeAssets, path: str) -> None:
    assert edge.respond("GET", path, None).status == 404


def test_without_the_npm_libraries_the_index_offers_no_device_mode(tmp_path: Path) -> None:
    edge = EdgeAssets(WEB_DIR, tmp_path / "absent", {})
    edge.refresh()
    assert index_of(edge)["vendor"] == {}


def test_the_page_shell_is_every_page_file_and_nothing_hidden(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    for name in ("index.html", "app.css", "js/app.js", ".secret.js", "notes.md"):
        (tmp_path / name).write_text("x")
    assert page_shell(tmp_path) == ["/", "/web/app.css", "/web/js/app.js"]


def test_every_module_of_the_device_mode_exists() -> None:
    # GIVEN web/js/edge/*.js WHEN each relative import is resolved THEN the file exists
    for module in (WEB_DIR / "js" / "edge").glob("*.js"):
        for target in re.findall(r'from "(\.{1,2}/[^"]+)"', module.read_text()):
            assert (module.parent / target).resolve().is_file(), (module.name, target)
