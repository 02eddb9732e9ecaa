"""`python -m model_build`: list presets, build one, or build every offline preset.

Bundles are written to a staging directory and renamed into place only when complete, so an
interrupted build never leaves a half-written bundle behind.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import time
from pathlib import Path

from image_to_speech.inference.bundle import MANIFEST_NAME, load_bundle, models_dir

from .context import BuildContext
from .presets import PRESETS, Preset, find_preset


def bundle_name(preset: Preset, precision: str) -> str:
    return preset.name if precision == preset.default_precision else f"{preset.name}-{precision}"


def build(
    preset: Preset, precision: str, out_root: Path, source_dir: Path | None, force: bool
) -> Path:
    final = out_root / preset.task / bundle_name(preset, precision)
    if (final / MANIFEST_NAME).is_file() and not force:
        load_bundle(final)  # verify: a stale or corrupted bundle is rebuilt with --force
        print(f"up to date  {final}")
        return final
    staging = final.with_name(final.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    module_name, function_name = preset.builder.split(":")
    builder = getattr(importlib.import_module(module_name), function_name)
    started = time.perf_counter()
    ctx = BuildContext(
        preset=preset,
        precision=precision,
        out_dir=staging,
        cache_dir=out_root.parent / "cache",
        source_dir=source_dir,
    )
    try:
        builder(ctx)
        load_bundle(staging)  # the builder must have written a manifest that verifies
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(final, ignore_errors=True)
    staging.rename(final)
    print(f"built       {final}  ({time.perf_counter() - started:.1f} s)")
    return final


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model_build", description=__doc__)
    parser.add_argument("--out", type=Path, default=models_dir(), help="bundle root")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="list presets")
    one = sub.add_parser("build", help="build one preset")
    one.add_argument("task", choices=sorted({p.task for p in PRESETS}))
    one.add_argument("preset")
    one.add_argument("--precision", choices=["int8", "fp32"])
    one.add_argument("--source-dir", type=Path, help="local copy of the Hub files (offline)")
    one.add_argument("--force", action="store_true", help="rebuild even if up to date")
    offline = sub.add_parser("offline", help="build every offline preset (int8 and fp32)")
    offline.add_argument("--force", action="store_true")
    args = parser.parse_args(argv)

    if args.command == "list":
        for p in PRESETS:
            where = "offline" if p.offline else "Hub"
            print(f"{p.task:<10} {p.name:<26} {where:<8} {p.description}")
        return 0
    if args.command == "build":
        preset = find_preset(args.task, args.preset)
        build(
            preset,
            args.precision or preset.default_precision,
            args.out,
            args.source_dir,
            args.force,
        )
        return 0
    built = [
        build(p, precision, args.out, None, args.force)
        for p in PRESETS
        if p.offline
        for precision in p.precisions
    ]
    print("\nBundles:")
    for path in built:
        print(f"  {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
