"""What a builder receives, and the Hub download every Hub preset shares."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .presets import Preset


@dataclass(frozen=True)
class BuildContext:
    preset: Preset
    precision: str  # "int8" or "fp32"
    out_dir: Path  # staging directory: write the bundle files here, then write_manifest()
    cache_dir: Path  # scratch space kept between builds (exports, downloads)
    source_dir: Path | None = None  # local copy of Hub files, for offline builds of Hub presets


class HubUnavailableError(SystemExit):
    pass


def hub_snapshot(ctx: BuildContext, repo_id: str, revision: str, allow_patterns: list[str]) -> Path:
    """Local directory with the Hub files: --source-dir if given, else a Hub download.

    Offline, this ends with a message naming the preset and how to provide the files.
    """
    if ctx.source_dir is not None:
        if not ctx.source_dir.is_dir():
            raise HubUnavailableError(f"--source-dir {ctx.source_dir} is not a directory")
        return ctx.source_dir
    try:
        from huggingface_hub import snapshot_download

        return Path(
            snapshot_download(
                repo_id,
                revision=revision,
                allow_patterns=allow_patterns,
                cache_dir=str(ctx.cache_dir / "hub"),
                etag_timeout=10,
            )
        )
    except Exception as exc:  # offline, proxy, DNS, 404: all end the same way for the user
        raise HubUnavailableError(
            f"Preset {ctx.preset.task}/{ctx.preset.name} needs '{repo_id}' (revision {revision}) "
            f"from the Hugging Face Hub, which could not be reached: {type(exc).__name__}: {exc}\n"
            f"Offline: download those files elsewhere (e.g. `huggingface-cli download {repo_id} "
            f"--revision {revision} --local-dir DIR`), copy DIR here and run\n"
            f"  python -m model_build build {ctx.preset.task} {ctx.preset.name} --source-dir DIR"
        ) from exc
