"""Intelligibility benchmark: every built pt-BR speak bundle and espeak-ng's own pt-br voice.

Each voice speaks the fixed sentence set (quality/data/pt_sentences.txt), Whisper base
(faster-whisper, language pt, beam 5, temperature 0) transcribes it, and WER/CER are computed
after normalising case, punctuation and numbers (quality/metrics.py). New speak bundles
(e.g. piper-pt_BR-faber-medium built with --source-dir) are picked up automatically; `-fp32`
twins of a bundle are skipped (same voice; int8 vs fp32 is the speech benchmark's subject).
Per-sentence transcripts go to build/bench/intelligibility/<voice>.tsv.
"""

from __future__ import annotations

import json
from pathlib import Path

from image_to_speech.inference.bundle import DEFAULT_PRESETS, MANIFEST_NAME, models_dir

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPTS_DIR = ROOT / "build" / "bench" / "intelligibility"
THREADS = 2


def voices_to_score() -> list[Path]:
    from quality.voices import speak_bundles

    return [p for p in speak_bundles() if not p.name.endswith("-fp32")]


def recorded_cer(bundle: Path) -> str:
    manifest = json.loads((bundle / MANIFEST_NAME).read_text())
    measured = manifest.get("config", {}).get("intelligibility", {})
    return f"{measured['cer']:.3f}" if "cer" in measured else "-"


def write_transcripts(name: str, score: object) -> None:
    from quality.intelligibility import VoiceScore
    from quality.metrics import error_counts

    assert isinstance(score, VoiceScore)
    TRANSCRIPTS_DIR.mkdir(parents=True, exist_ok=True)
    lines = ["cer\treference\ttranscript"]
    for r in score.results:
        lines.append(
            f"{error_counts(r.reference, r.transcript).cer:.3f}\t{r.reference}\t{r.transcript}"
        )
    (TRANSCRIPTS_DIR / f"{name}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def run() -> str:
    from quality.asr import BEAM_SIZE, load_transcriber
    from quality.intelligibility import SENTENCES_FILE, load_sentences, score_voice
    from quality.voices import EspeakVoice, Voice, bundle_voice

    transcriber = load_transcriber(threads=THREADS)
    sentences = load_sentences()
    voices: list[tuple[Voice, str]] = [(EspeakVoice(), "reference (formant synthesis)")]
    for path in voices_to_score():
        role = "offline default" if path.name == DEFAULT_PRESETS["speak"] else "built bundle"
        voices.append(
            (bundle_voice(path, threads=THREADS), f"{role}; manifest CER {recorded_cer(path)}")
        )
    rows = []
    for voice, role in voices:
        print(f"   {voice.name} ...", flush=True)
        score = score_voice(voice, sentences, transcriber)
        write_transcripts(voice.name.replace(" ", "_"), score)
        audio = sum(r.audio_s for r in score.results)
        rows.append(
            f"| {voice.name} | {role} | {score.wer:.3f} | {score.cer:.3f} | {audio:.0f} | "
            f"{score.asr_s / len(sentences):.1f} |"
        )
    relative = SENTENCES_FILE.relative_to(ROOT)
    return (
        "## Intelligibility of the pt-BR voices (Whisper base transcribes them)\n\n"
        "| voice | role | WER | CER | audio s | ASR s / sentence |\n"
        "|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        f"{len(sentences)} pt-BR caption-like sentences (`{relative}`), each synthesized once and "
        f'transcribed by Whisper base (CTranslate2 int8 via faster-whisper, `language="pt"`, '
        f"beam {BEAM_SIZE}, temperature 0, {THREADS} threads). WER/CER = total edits / total "
        "reference words or characters, after lower-casing, removing punctuation and spelling "
        "numbers out; one sentence counts at most 100% (a recogniser stuck in a repetition loop "
        "does not outweigh the set). Lower is better. VITS voices sample noise, so a rerun "
        "moves a voice's CER by about +-0.01-0.02. Per-sentence transcripts: "
        "`build/bench/intelligibility/`. Speak bundles found under "
        f"`{models_dir().name}/speak/` are scored automatically (fp32 twins skipped). What was "
        "tried to make the offline voice intelligible: docs/models.md "
        "(speak / piper-en_US-joe-medium-ptbr)."
    )
