"""`python -m pipeline_local batch`: every image of a folder, a summary table and a CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from pipeline_local.cli import main
from tests.unit.pipeline_local.conftest import small_jpeg


@pytest.mark.models
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
