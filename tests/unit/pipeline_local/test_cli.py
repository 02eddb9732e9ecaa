"""`python -m pipeline_local batch DIR` (`make batch`): a folder through the batch state
machine on moto, with a progress bar, the summary (CSV + JSON) even on timeout, and every
skipped file listed with the reason."""

from __future__ import annotations

import csv
import functools
import io
import json
import time
from pathlib import Path
from typing import Any

import pytest
from image_to_speech import entrypoints
from image_to_speech.inference.captioning import CaptionResult
from image_to_speech.media import MAX_UPLOAD_BYTES
from image_to_speech.observability import instrument

import pipeline_local.cli as cli
from pipeline_local.runner import LocalPipeline
from tests.fakes import FakeCaptioner, fake_model_handlers
from tests.unit.pipeline_local.conftest import small_jpeg


def _png(width: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, 8), (width % 256, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def fake_cli(monkeypatch: pytest.MonkeyPatch, retry_waits: list[float]) -> dict[str, Any]:
    """The CLI on fake models (handlers may be replaced by the test before it runs)."""
    handlers = fake_model_handlers()
    monkeypatch.setattr(
        cli, "LocalPipeline", functools.partial(LocalPipeline, handler_overrides=handlers)
    )
    monkeypatch.setattr(cli, "print_models", lambda: None)
    return handlers


def _rows(out: Path) -> dict[str, dict[str, str]]:
    (summary,) = out.glob("batch-*/summary.csv")
    with summary.open(encoding="utf-8") as handle:
        return {row["key"].rsplit("/", 1)[-1]: row for row in csv.DictReader(handle)}


def test_batch_lists_skipped_files_shows_progress_and_writes_the_summary(
    tmp_path: Path, fake_cli: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a folder with 5 images (one in a subfolder, one with an upper-case extension) and
    # files that are not images for every reason the CLI knows
    folder = tmp_path / "holiday"
    (folder / "day2").mkdir(parents=True)
    for i in range(4):
        (folder / f"img{i}.png").write_bytes(_png(10 + i))
    (folder / "day2" / "beach.JPG").write_bytes(small_jpeg("coffee", 40))
    (folder / "notes.txt").write_text("shopping list")
    (folder / "scan.jpg").write_bytes(b"%PDF-1.7 not a photo")
    (folder / "empty.png").write_bytes(b"")
    with (folder / "huge.jpg").open("wb") as handle:
        handle.write(b"\xff\xd8\xff")
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    out = tmp_path / "out"
    # WHEN the batch runs
    code = cli.main(["batch", str(folder), "--out", str(out)])
    printed = capsys.readouterr()
    # THEN every image succeeded and the summary has one row each, with its audio
    assert code == 0, printed.out + printed.err
    rows = _rows(out)
    assert set(rows) == {"img0.png", "img1.png", "img2.png", "img3.png", "beach.jpg"}
    assert all(row["status"] == "SUCCEEDED" and row["translation"] for row in rows.values())
    assert rows["beach.jpg"]["caption"].startswith("A photo of 40x")
    assert (next(out.glob("batch-*")) / "audio" / "day2" / "beach.wav").read_bytes()[:4] == b"RIFF"
    # AND each skipped file is listed with why
    skipped = {
        line.split(": ", 1)[0].rsplit("/", 1)[-1]: line.split(": ", 1)[1]
        for line in printed.out.splitlines()
        if line.startswith(f"  {folder}")
    }
    assert set(skipped) == {"notes.txt", "scan.jpg", "empty.png", "huge.jpg"}
    assert skipped["notes.txt"].startswith("wrong extension (.txt)")
    assert skipped["scan.jpg"].startswith("not an image by its bytes")
    assert skipped["empty.png"].startswith("empty file")
    assert skipped["huge.jpg"].startswith("too large")
    # AND the progress (from the map run's counts) reached the end on stderr
    assert "5/5 done, 0 failed" in printed.err
    assert "5 of 5 objects succeeded" in printed.out


class _SlowForWideImages(FakeCaptioner):
    """Captions images 99 pixels wide slowly: they are still running when the CLI gives up."""

    def caption(self, image: bytes, **kwargs: Any) -> CaptionResult:
        result = super().caption(image, **kwargs)
        if result.caption.startswith("A photo of 99x"):
            time.sleep(6.0)
        return result


@pytest.mark.slow
def test_timeout_stops_the_batch_and_keeps_what_finished(
    tmp_path: Path, fake_cli: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN 3 quick images and 2 that take longer than the CLI will wait
    fake_cli["CaptionFunction"] = instrument(
        entrypoints.caption_function(_SlowForWideImages()).handler
    )
    folder = tmp_path / "mixed"
    folder.mkdir()
    for i in range(3):
        (folder / f"quick{i}.png").write_bytes(_png(10 + i))
    for i in range(2):
        (folder / f"slow{i}.png").write_bytes(_png(99))
    out = tmp_path / "out"
    # WHEN the CLI stops waiting after 3 s
    code = cli.main(["batch", str(folder), "--out", str(out), "--timeout", "3"])
    printed = capsys.readouterr().out
    # THEN it says so, exits 1, and the summary keeps the finished images' results
    assert code == 1
    assert "Timed out" in printed and "TIMED_OUT" in printed
    rows = _rows(out)
    assert {name: row["status"] for name, row in rows.items()} == {
        "quick0.png": "SUCCEEDED",
        "quick1.png": "SUCCEEDED",
        "quick2.png": "SUCCEEDED",
        "slow0.png": "NO_RESULT",
        "slow1.png": "NO_RESULT",
    }
    assert rows["quick0.png"]["caption"] and "had not finished" in rows["slow0.png"]["error"]


def test_a_folder_without_images_is_an_error_listing_what_was_skipped(
    tmp_path: Path, fake_cli: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("no photos here")
    assert cli.main(["batch", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    printed = capsys.readouterr()
    assert "notes.txt: wrong extension" in printed.out and "no images" in printed.err


@pytest.mark.models
def test_batch_with_the_real_models(
    tmp_path: Path, default_bundles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN two photos and a text file named like a photo
    images = tmp_path / "images"
    images.mkdir()
    (images / "cat.jpg").write_bytes(small_jpeg("chelsea", 224))
    (images / "coffee cup.jpg").write_bytes(small_jpeg("coffee"))
    (images / "notes.jpg").write_bytes(b"shopping list: milk, eggs")
    out, table = tmp_path / "out", tmp_path / "batch.csv"
    # WHEN the batch runs on the real models
    code = cli.main(["batch", str(images), "--csv", str(table), "--out", str(out)])
    # THEN the text file was skipped, the photos have Portuguese speech, the CSV says so
    assert code == 0
    rows = {row["key"].rsplit("/", 1)[-1]: row for row in csv.DictReader(table.open())}
    assert set(rows) == {"cat.jpg", "coffee cup.jpg"}
    assert all(row["status"] == "SUCCEEDED" and row["translation"] for row in rows.values())
    assert "cat" in rows["cat.jpg"]["caption"].lower()
    printed = capsys.readouterr().out
    assert (
        "notes.jpg: not an image by its bytes" in printed and "2 of 2 objects succeeded" in printed
    )


@pytest.mark.asr
@pytest.mark.models
def test_demo_prints_the_round_trip_cer_and_saves_it_in_the_result(
    tmp_path: Path, default_bundles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from quality.asr import asr_unavailable_reason

    reason = asr_unavailable_reason()
    if reason:
        pytest.skip(f"speech recogniser unavailable: {reason}")
    # GIVEN a photo WHEN the demo runs it through the pipeline
    image = tmp_path / "coffee.jpg"
    image.write_bytes(small_jpeg("coffee"))
    assert cli.main(["demo", "--image", str(image), "--out", str(tmp_path / "out")]) == 0
    # THEN Whisper's transcript of the audio is compared with the translation, printed and saved
    printed = capsys.readouterr().out
    assert "Round trip (speech -> text" in printed and "CER " in printed
    (result_file,) = (tmp_path / "out").glob("*.json")
    document = json.loads(result_file.read_text(encoding="utf-8"))
    quality = document["quality"]
    assert 0.0 <= quality["asr_cer"] <= 1.0 and 0.0 <= quality["asr_wer"] <= 1.0
    assert quality["asr_model"].startswith("whisper-base") and "asr_transcript" in quality
    assert document["translation"]  # the reference the CER was computed against
