"""`python -m pipeline_local batch`: every image of a folder, a summary table and a CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from pipeline_local.cli import main
from quality.asr import asr_unavailable_reason

from .conftest import small_jpeg


def test_batch_writes_one_csv_row_per_image_and_the_audio(
    tmp_path: Path, default_bundles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    # GIVEN a folder with two photos and a text file named like a photo
    images = tmp_path / "images"
    images.mkdir()
    (images / "cat.jpg").write_bytes(small_jpeg("chelsea", 224))
    (images / "coffee cup.jpg").write_bytes(small_jpeg("coffee"))
    (images / "notes.jpg").write_bytes(b"shopping list: milk, eggs")
    out, table = tmp_path / "out", tmp_path / "batch.csv"
    # WHEN the batch runs
    code = main(["batch", str(images), "--csv", str(table), "--out", str(out)])
    # THEN one job failed (exit code 1), the others produced audio, and the CSV says so
    assert code == 1
    rows = {row["file"]: row for row in csv.DictReader(table.open(encoding="utf-8"))}
    assert set(rows) == {"cat.jpg", "coffee cup.jpg", "notes.jpg"}
    assert rows["notes.jpg"]["status"] == "FAILED" and rows["notes.jpg"]["error_step"] == "caption"
    for name in ("cat.jpg", "coffee cup.jpg"):
        row = rows[name]
        assert row["status"] == "SUCCEEDED" and row["caption"] and row["translation"]
        assert Path(row["audio"]).read_bytes()[:4] == b"RIFF"
    assert "cat" in rows["cat.jpg"]["caption"].lower()
    printed = capsys.readouterr().out
    assert "2/3 succeeded" in printed and "notes.jpg" in printed
    # and with the speech recogniser built, each spoken row has its round-trip CER
    assert rows["notes.jpg"]["asr_cer"] == ""
    if asr_unavailable_reason() is None:
        for name in ("cat.jpg", "coffee cup.jpg"):
            assert 0.0 <= float(rows[name]["asr_cer"]) <= 1.0


@pytest.mark.asr
def test_demo_prints_the_round_trip_cer_and_saves_it_in_the_result(
    tmp_path: Path, default_bundles: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    reason = asr_unavailable_reason()
    if reason:
        pytest.skip(f"speech recogniser unavailable: {reason}")
    # GIVEN a photo WHEN the demo runs it through the pipeline
    image = tmp_path / "coffee.jpg"
    image.write_bytes(small_jpeg("coffee"))
    assert main(["demo", "--image", str(image), "--out", str(tmp_path / "out")]) == 0
    # THEN Whisper's transcript of the audio is compared with the translation, printed and saved
    printed = capsys.readouterr().out
    assert "Round trip (speech -> text" in printed and "CER " in printed
    (result_file,) = (tmp_path / "out").glob("*.json")
    document = json.loads(result_file.read_text(encoding="utf-8"))
    quality = document["quality"]
    assert 0.0 <= quality["asr_cer"] <= 1.0 and 0.0 <= quality["asr_wer"] <= 1.0
    assert quality["asr_model"].startswith("whisper-base") and "asr_transcript" in quality
    assert document["translation"]  # the reference the CER was computed against
