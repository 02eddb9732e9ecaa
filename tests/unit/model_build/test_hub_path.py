"""The Hub presets' build path, run offline on local directories, and parity with PyTorch.

The tiny random models are saved in Hugging Face layout and built through the *Hub* presets
with --source-dir (exactly what an offline build of the real models does), then our
onnxruntime + numpy generation is compared token by token with transformers' `generate`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from image_to_speech.inference.bundle import load_bundle
from image_to_speech.inference.loaders import load_captioner, load_translator
from image_to_speech.inference.marian import MarianTranslator
from image_to_speech.inference.vision_encoder_decoder import EncoderDecoderCaptioner

from model_build import seq2seq
from model_build.__main__ import build
from model_build.context import BuildContext
from model_build.presets import find_preset
from model_build.seq2seq_random import save_tiny_marian, save_tiny_vit_gpt2
from tests.conftest import photo_bytes

ROOT = Path(__file__).resolve().parents[3]
SENTENCES = ["A cat is sleeping on the sofa.", "Where is the nearest bus stop?", "Hello"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def torch_one_thread() -> Any:
    torch = pytest.importorskip("torch")  # dev environment only; never at run time
    torch.set_num_threads(1)  # next to onnxruntime on 2 cores, pools must not fight
    return torch


@pytest.fixture(scope="module")
def marian_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_marian(tmp_path_factory.mktemp("hf") / "marian")


@pytest.fixture(scope="module")
def vit_gpt2_source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return save_tiny_vit_gpt2(tmp_path_factory.mktemp("hf") / "vit-gpt2")


@pytest.fixture(scope="module")
def marian_hub_bundle(marian_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    preset = find_preset("translate", "opus-mt-en-pt")
    return build(preset, "fp32", tmp_path_factory.mktemp("out") / "models", marian_source, True)


@pytest.fixture(scope="module")
def vit_gpt2_hub_bundle(vit_gpt2_source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    preset = find_preset("caption", "vit-gpt2")
    return build(preset, "fp32", tmp_path_factory.mktemp("out") / "models", vit_gpt2_source, True)


@pytest.mark.parametrize(
    ("task", "preset"), [("caption", "vit-gpt2"), ("translate", "opus-mt-en-pt")]
)
def test_hub_preset_offline_without_source_dir_fails_naming_the_preset(
    tmp_path: Path, task: str, preset: str
) -> None:
    """GIVEN no network (HF_HUB_OFFLINE=1) and no --source-dir WHEN building a Hub preset
    THEN the build stops with a message naming the preset and the --source-dir way out."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "model_build",
            "--out",
            str(tmp_path / "models"),
            "build",
            task,
            preset,
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode != 0
    assert f"Preset {task}/{preset} needs" in completed.stderr
    assert f"build {task} {preset} --source-dir DIR" in completed.stderr
    assert not (tmp_path / "models" / task / preset).exists()


@pytest.mark.parametrize(
    ("hub_builder", "tiny_builder", "task"),
    [
        (seq2seq.build_opus_mt, seq2seq.build_tiny_random_marian, "translate"),
        (seq2seq.build_vit_gpt2, seq2seq.build_tiny_random_vit_gpt2, "caption"),
    ],
)
def test_tiny_random_builders_go_through_the_hub_export_function(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    hub_builder: Any,
    tiny_builder: Any,
    task: str,
) -> None:
    """GIVEN a spy on the shared export function WHEN the Hub builder (with a source dir) and
    the tiny-random builder run THEN both call it with the same kind of spec."""
    calls: list[tuple[Path, seq2seq.ModelSpec]] = []
    monkeypatch.setattr(
        seq2seq, "build_from_local_dir", lambda ctx, local, spec: calls.append((local, spec))
    )
    source = tmp_path / "source"
    source.mkdir()
    for builder, name, source_dir in (
        (hub_builder, "vit-gpt2" if task == "caption" else "opus-mt-en-pt", source),
        (tiny_builder, "tiny-random", None),
    ):
        ctx = BuildContext(
            find_preset(task, name), "int8", tmp_path / "out", tmp_path / "cache", source_dir
        )
        builder(ctx)
    (hub_local, hub_spec), (tiny_local, tiny_spec) = calls
    assert hub_local == source and hub_spec.source["type"] == "hub"
    assert (tiny_local / "config.json").is_file() and tiny_spec.source["type"] == "random"
    assert (hub_spec.kind, hub_spec.export_task) == (tiny_spec.kind, tiny_spec.export_task)


def test_marian_tokenizer_json_matches_transformers(
    marian_hub_bundle: Path, marian_source: Path
) -> None:
    """The converted tokenizer.json encodes like MarianTokenizer (spm + vocab.json)."""
    from transformers import MarianTokenizer

    reference = MarianTokenizer.from_pretrained(str(marian_source))
    translator = load_translator(marian_hub_bundle, threads=1)
    assert isinstance(translator, MarianTranslator)
    # Unknown characters and runs of them (QUO: one <unk> in SentencePiece) included. Known
    # difference, not tested: a character source.spm lacks but target.spm has ("-" in this
    # tiny model) is <unk> here and the target piece's id in MarianTokenizer.
    texts = [*SENTENCES, 'São Paulo, 9 o\'clock: unknown wörds & QUOTES "x"!', "  spaced   out  "]
    for text in texts:
        ids, _ = translator.encode([text])
        expected = reference(">>pt_BR<< " + text)["input_ids"]
        assert ids[0].tolist() == expected, text


def test_marian_hub_bundle_manifest(marian_hub_bundle: Path, marian_source: Path) -> None:
    bundle = load_bundle(marian_hub_bundle)
    assert bundle.kind == "marian" and bundle.preset == "opus-mt-en-pt"
    assert bundle.manifest["source"]["repo_id"] == "Helsinki-NLP/opus-mt-en-ROMANCE"
    assert bundle.manifest["source"]["source_dir"] == str(marian_source)
    assert bundle.manifest["quantization"] is None  # fp32
    generation = bundle.config["generation"]
    assert generation["decoder_start_token_id"] == generation["pad_token_id"]
    assert generation["bad_words_ids"] == [[generation["pad_token_id"]]]
    assert bundle.config["target_token"] == ">>pt_BR<<"


@pytest.mark.parametrize("num_beams", [1, 3])
def test_marian_generation_matches_pytorch_generate(
    torch_one_thread: Any, marian_hub_bundle: Path, marian_source: Path, num_beams: int
) -> None:
    """GIVEN the Hub-path bundle and the PyTorch model it came from WHEN both generate
    (greedy; beam search with length penalty 1) THEN the same tokens."""
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(str(marian_source))
    model = MarianMTModel.from_pretrained(str(marian_source)).eval()
    translator = load_translator(marian_hub_bundle, threads=1)
    assert isinstance(translator, MarianTranslator)
    ours = translator.generate_ids(SENTENCES, max_new_tokens=20, num_beams=num_beams)
    for sentence, our_ids in zip(SENTENCES, ours, strict=True):
        inputs = tokenizer(">>pt_BR<< " + sentence, return_tensors="pt")
        with torch_one_thread.no_grad():
            output = model.generate(
                **inputs, max_new_tokens=20, num_beams=num_beams, do_sample=False
            )
        theirs = output[0].tolist()[1:]  # drop the decoder start token
        eos = model.generation_config.eos_token_id
        theirs = theirs[: theirs.index(eos)] if eos in theirs else theirs
        assert our_ids == theirs
    assert len({tuple(ids) for ids in ours}) > 1


@pytest.mark.parametrize("num_beams", [1, 3])
def test_caption_generation_matches_pytorch_generate(
    torch_one_thread: Any, vit_gpt2_hub_bundle: Path, vit_gpt2_source: Path, num_beams: int
) -> None:
    """Same check for ViT + GPT-2 on real photos, preprocessed by our numpy pipeline."""
    from transformers import VisionEncoderDecoderModel

    captioner = load_captioner(vit_gpt2_hub_bundle, threads=1)
    assert isinstance(captioner, EncoderDecoderCaptioner)
    model = VisionEncoderDecoderModel.from_pretrained(str(vit_gpt2_source)).eval()
    pixels = np.concatenate(
        [captioner.pixel_values(photo_bytes(name)) for name in ("chelsea", "coffee", "rocket")]
    )
    ours = captioner.generate_ids(pixels, max_new_tokens=12, num_beams=num_beams)
    eos = model.generation_config.eos_token_id
    for row, our_ids in zip(pixels, ours, strict=True):
        with torch_one_thread.no_grad():
            output = model.generate(
                pixel_values=torch_one_thread.from_numpy(row[None]),
                max_new_tokens=12,
                num_beams=num_beams,
                do_sample=False,
            )
        theirs = output[0].tolist()[1:]
        theirs = theirs[: theirs.index(eos)] if eos in theirs else theirs
        assert our_ids == theirs


def test_caption_preprocessing_matches_the_image_processor(
    vit_gpt2_hub_bundle: Path, vit_gpt2_source: Path
) -> None:
    """Our Pillow + numpy preprocessing (from the manifest) equals ViTImageProcessor's."""
    import io

    from PIL import Image
    from transformers import ViTImageProcessor

    captioner = load_captioner(vit_gpt2_hub_bundle, threads=1)
    assert isinstance(captioner, EncoderDecoderCaptioner)
    processor = ViTImageProcessor.from_pretrained(str(vit_gpt2_source))
    photo = photo_bytes("astronaut")
    theirs = processor(Image.open(io.BytesIO(photo)).convert("RGB"), return_tensors="np")
    np.testing.assert_allclose(captioner.pixel_values(photo), theirs["pixel_values"], atol=1e-5)
