"""The page's "on this device" mode against the server, in headless Chromium on this machine.

1. First visit (empty browser profile): every byte the page, its libraries and the model
   bundles cost, and the time from opening the page to every model ready on the device
   (downloaded from the local stack on this machine, sha256 checked, sessions created).
2. Second visit (same profile, page reloaded): bytes and time to every model ready again
   (Cache Storage: no model byte comes over the network).
3. Per stage, warm models, medians of RUNS interleaved runs, timed in the page: caption (the
   sample photo), translate (its caption), speak (its translation) on the device (a call to
   the worker) against the server (the same call the page's "now" mode makes).
4. The two ways to get phonemes for on-device speech: espeak-ng in wasm (what the page does:
   one program run per call, timed inside the worker) against phonemizing on the server
   (espeak-ng run by the server's own code in this process, plus the page's round trip to
   the local gateway's /health, the cheapest request there is).
5. Parity with the server (the same bundles loaded in this process): the 10 photos of the
   browser tests (top label, caption, largest probability difference among shared top-5
   labels), 50 translations, and speech (duration ratio, identical phonemes) without noise.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import statistics
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EDGE_DOC = ROOT / "docs" / "edge.md"
RUNS = 5
PHOTO = "chelsea"

LOAD = """async () => {
  const started = performance.now();
  const { deviceEngine } = await import('/web/js/edge/client.js');
  window.__engine = deviceEngine();
  const loaded = await window.__engine.call('load', {});
  return { ...loaded, wall_ms: performance.now() - started };
}"""
DEVICE = """async ([stage, input]) => {
  const started = performance.now();
  let out;
  if (stage === 'caption') {
    const bytes = Uint8Array.from(atob(input), (c) => c.charCodeAt(0));
    const image = new Blob([bytes], { type: 'image/jpeg' });
    out = await window.__engine.call('caption', { image });
  } else if (stage === 'translate') out = await window.__engine.call('translate', { text: input });
  else out = await window.__engine.call('speak', { text: input, language: 'pt-BR' });
  const ms = performance.now() - started;
  return { ms, text: out.caption ?? out.translation ?? '', seconds: out.duration_s ?? 0,
           phonemize_ms: out.phonemize_ms ?? null };
}"""
SERVER = """async ([stage, input]) => {
  const started = performance.now();
  let response;
  if (stage === 'caption') {
    const bytes = Uint8Array.from(atob(input), (c) => c.charCodeAt(0));
    const form = new FormData();
    form.append('image', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
    response = await fetch('/caption', { method: 'POST', body: form });
  } else {
    const body = stage === 'translate'
      ? { text: input, source: 'en', target: 'pt-BR' } : { text: input, language: 'pt-BR' };
    response = await fetch('/' + stage, { method: 'POST', body: JSON.stringify(body),
                                          headers: { 'content-type': 'application/json' } });
  }
  const out = await response.json();
  let ms = performance.now() - started;
  if (stage === 'speak') {  // until the audio is in the page, as "now" mode plays it
    const audio = await fetch(out.url);
    await audio.arrayBuffer();
    ms = performance.now() - started;
  }
  return { ms, text: out.caption ?? out.translation ?? '', seconds: out.duration_s ?? 0 };
}"""
HEALTH = """async () => { const t = performance.now(); await (await fetch('/health')).json();
  return performance.now() - t; }"""


def _photo() -> bytes:
    from tests.conftest import photo_bytes

    return photo_bytes(PHOTO)


def _visit(context: Any, url: str, first: bool) -> dict[str, Any]:
    """Open the page, load every model on the device; bytes over the network and the time."""
    page = context.pages[0] if context.pages else context.new_page()
    sizes: list[int] = []

    def on_response(response: Any) -> None:
        # The page's files, scripts and index; models and wasm are counted by the page's loader
        # (the bodies of a worker's large downloads are not all visible here).
        heavy = "/edge/models/" in response.url or response.url.endswith(".wasm")
        if response.url.startswith(url) and response.status == 200 and not heavy:
            with contextlib.suppress(Exception):  # a body the browser did not keep
                sizes.append(len(response.body()))

    context.on("response", on_response)
    started = time.perf_counter()
    if first:
        page.goto("/")
    else:
        page.reload()
    loaded = page.evaluate(LOAD)
    wall_ms = (time.perf_counter() - started) * 1000
    page.wait_for_timeout(500)  # the service worker's install fetches, if any
    context.remove_listener("response", on_response)
    return {
        "page": page,
        "wall_ms": wall_ms,
        "network_bytes": sum(sizes),
        "model_bytes": loaded["received_bytes"],
        "threads": loaded["threads"],
        "timings": loaded["timings"],
    }


def _stages(page: Any, photo_b64: str) -> dict[str, dict[str, list[float]]]:
    caption = page.evaluate(DEVICE, ["caption", photo_b64])["text"]
    translation = page.evaluate(DEVICE, ["translate", caption])["text"]
    inputs = {"caption": photo_b64, "translate": caption, "speak": translation}
    times: dict[str, dict[str, list[float]]] = {
        stage: {"device": [], "server": [], "phonemize": []} for stage in inputs
    }
    for index in range(RUNS + 1):  # the first round warms both sides up
        for stage, value in inputs.items():
            device = page.evaluate(DEVICE, [stage, value])
            server = page.evaluate(SERVER, [stage, value])
            if index == 0:
                continue
            times[stage]["device"].append(device["ms"])
            times[stage]["server"].append(server["ms"])
            if device["phonemize_ms"] is not None:
                times[stage]["phonemize"].append(device["phonemize_ms"])
    times["speak"]["text"] = [translation]  # type: ignore[list-item]
    return times


def _server_phonemize_ms(text: str) -> list[float]:
    from image_to_speech.inference.phonemize import phonemize_sentences
    from image_to_speech.inference.text import split_sentences

    runs = []
    for _ in range(RUNS):
        started = time.perf_counter()
        phonemize_sentences(split_sentences(text), "pt-br")
        runs.append((time.perf_counter() - started) * 1000)
    return runs


def measure(url: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP

    photo_b64 = base64.b64encode(_photo()).decode("ascii")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport=DESKTOP, locale="en-US", base_url=url)
        first = _visit(context, url, first=True)
        second = _visit(context, url, first=False)
        page = second["page"]
        stages = _stages(page, photo_b64)
        health = [page.evaluate(HEALTH) for _ in range(RUNS * 4)]
        parity = measure_parity(page)
        context.close()
        browser.close()
    text = stages["speak"].pop("text")[0]  # type: ignore[arg-type]
    return {
        "first": {k: v for k, v in first.items() if k != "page"},
        "second": {k: v for k, v in second.items() if k != "page"},
        "stages": stages,
        "health_ms": health,
        "server_phonemize_ms": _server_phonemize_ms(str(text)),
        "parity": parity,
    }


def _caption_parity(page: Any, captioner: Any) -> list[dict[str, Any]]:
    from tests.browser.edge_helpers import PHOTOS, device_caption
    from tests.conftest import photo_bytes

    rows = []
    for name, fmt in PHOTOS:
        image = photo_bytes(name, fmt)
        server = captioner.caption(image)
        device = device_caption(page, image, f"image/{fmt.lower()}")
        server_scores = {item["label"]: item["score"] for item in server.details["labels"]}
        shared = [i for i in device["labels"] if i["label"] in server_scores]
        rows.append(
            {
                "photo": f"{name} ({fmt})",
                "top": server.details["labels"][0]["label"],
                "same_top": device["labels"][0]["label"] == server.details["labels"][0]["label"],
                "same_caption": device["caption"] == server.caption,
                "max_delta": max(abs(i["score"] - server_scores[i["label"]]) for i in shared),
            }
        )
    return rows


def measure_parity(page: Any) -> dict[str, Any]:
    from tests.browser.edge_helpers import (
        QUIET_SCALES,
        device_speech,
        device_translation,
        english_sentences,
        server_models,
    )

    captioner, translator, synthesizer = server_models()
    sentences = english_sentences(50)
    translations = [translator.translate(s).text for s in sentences]
    same = sum(
        device_translation(page, s) == t for s, t in zip(sentences, translations, strict=True)
    )
    scales = [0.0, synthesizer.default_scales.length_scale, 0.0]
    speech = []
    for text in translations[:5]:
        server = synthesizer.synthesize(text, language="pt-BR", **QUIET_SCALES)
        device = device_speech(page, text, scales)
        speech.append(device["duration_s"] / server.duration_s)
    return {
        "captions": _caption_parity(page, captioner),
        "translations": (same, len(sentences)),
        "speech_ratios": speech,
    }


def _index(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url + "/edge/index.json", timeout=30) as answer:
        index: dict[str, Any] = json.load(answer)
    return index


def run() -> str:
    from local_stack.process import StackProcess

    load = [os.getloadavg()[0]]
    with StackProcess(extra_args=["--ephemeral"]) as stack:
        index = _index(stack.url)
        numbers = measure(stack.url)
        load.append(os.getloadavg()[0])
    body = report(numbers, index, load)
    _write_edge_doc(body)
    return body


def _write_edge_doc(body: str) -> None:
    from .__main__ import update

    if EDGE_DOC.exists():
        EDGE_DOC.write_text(update(EDGE_DOC.read_text(), "edge", body))


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.0f}" if values else "-"


def _timings(timings: dict[str, Any]) -> str:
    """Seconds: the runtime, then each task's files (fetch or cache, SHA-256) + opening."""
    parts = [f"{timings['runtime_ms'] / 1000:.1f}"]
    for task in ("caption", "translate", "speak"):
        if task in timings:
            parts.append(
                f"{timings[task]['files_ms'] / 1000:.1f} + {timings[task]['open_ms'] / 1000:.1f}"
            )
    return "; ".join(parts) + " s (in parallel)"


def _mb(size: float) -> str:
    return f"{size / 1e6:.1f} MB"


def report(numbers: dict[str, Any], index: dict[str, Any], load: list[float]) -> str:
    first, second, stages = numbers["first"], numbers["second"], numbers["stages"]
    presets = ", ".join(f"{task} `{entry['preset']}`" for task, entry in index["bundles"].items())
    lines = [
        "## On this device (`python -m benchmarks edge`)",
        "",
        f"Headless Chromium (Debian's), onnxruntime-web wasm SIMD with {first['threads']} "
        f"threads (the page is cross-origin isolated); bundles: {presets}; everything served by "
        "`python -m local_stack` on this machine. Stages timed in the page, warm models, "
        f"medians of {RUNS} interleaved runs.",
        "",
        "| stage | on this device (ms) | on the server (ms) | device / server |",
        "|---|---:|---:|---:|",
    ]
    for stage, label in (
        ("caption", "caption (photo -> English)"),
        ("translate", "translate (caption -> pt-BR)"),
        ("speak", "speak (pt-BR -> WAV in the page)"),
    ):
        device = statistics.median(stages[stage]["device"])
        server = statistics.median(stages[stage]["server"])
        lines.append(f"| {label} | {device:.0f} | {server:.0f} | {device / server:.1f}x |")
    phonemize = stages["speak"]["phonemize"]
    server_phonemes = statistics.median(numbers["server_phonemize_ms"]) + statistics.median(
        numbers["health_ms"]
    )
    lines += [
        "",
        "| visit | page, scripts, index | models and wasm downloaded | open page -> every "
        "model ready | of which: onnxruntime; caption, translate, speak files + opening |",
        "|---|---:|---:|---:|---|",
        f"| first (empty profile) | {_mb(first['network_bytes'])} | "
        f"{_mb(first['model_bytes'])} | {first['wall_ms'] / 1000:.1f} s | "
        f"{_timings(first['timings'])} |",
        f"| second (reload) | {_mb(second['network_bytes'])} | "
        f"{_mb(second['model_bytes'])} | {second['wall_ms'] / 1000:.1f} s | "
        f"{_timings(second['timings'])} |",
        "",
        "Phonemes for on-device speech (the speak stage's text):",
        "",
        "| option | median ms | download | offline |",
        "|---|---:|---:|---|",
        f"| (a) espeak-ng in wasm, in the worker (chosen) | {_median(phonemize)} | "
        f"{_mb(index['vendor']['espeak']['files']['espeak-ng.wasm']['size'])} once | yes |"
        if index["vendor"].get("espeak")
        else "| (a) espeak-ng in wasm | not installed | - | - |",
        f"| (b) on the server: espeak-ng {_median(numbers['server_phonemize_ms'])} ms + "
        f"round trip {_median(numbers['health_ms'])} ms | {server_phonemes:.0f} | none | no |",
        "",
        f"Machine load (1-minute average) before and after: {load[0]:.1f}, {load[-1]:.1f} "
        "(2 cores shared with other work: compare ratios within this table).",
        "",
        *parity_report(numbers["parity"]),
    ]
    return "\n".join(lines)


def parity_report(parity: dict[str, Any]) -> list[str]:
    captions = parity["captions"]
    same, total = parity["translations"]
    ratios = parity["speech_ratios"]
    lines = [
        "Parity with the server (same bundles):",
        "",
        "| photo | server's top label | same top label | same caption | max abs(p diff), top 5 |",
        "|---|---|---|---|---:|",
    ]
    for row in captions:
        lines.append(
            f"| {row['photo']} | {row['top']} | {'yes' if row['same_top'] else 'NO'} | "
            f"{'yes' if row['same_caption'] else 'no'} | {row['max_delta']:.4f} |"
        )
    lines += [
        "",
        f"Translations character-identical: {same}/{total}. Speech without noise, device/server "
        f"duration: {', '.join(f'{r:.3f}' for r in ratios)}.",
    ]
    return lines
