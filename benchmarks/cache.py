"""The result cache on each HTTP route: a miss, a hit and the cache turned off, side by side.

One fresh process per route and round imports `functions/<name>/app.py` (the real model, loaded
as Lambda init does; the function's own cache provider, `entrypoints.result_cache`) inside
moto's in-process S3 (`mock_aws`, BUCKET_NAME set), then sends HTTP API v2 events to the Lambda
handler (Mangum -> FastAPI -> service -> cache -> S3Store). For each distinct input, in turn:
- off:  the input with `cache: false` (the model only; speak still stores its WAV);
- miss: the same input, cache on, first time: cache GET (404) + the model + cache PUT;
- hit:  the same input again: cache GET, no model (the answer says `cached: true`).
Inputs differ from each other so every miss is real: caption = the skimage photos with one
pixel changed per request (same work, new sha256); translate = tests/data/en_sentences.txt;
speak = short pt-BR sentences written for this benchmark.

moto rather than tests/fakes.InMemoryStore: the cache then runs through the deployed S3 adapter
(aws/s3.py S3Store: botocore request building, signing, response parsing, error mapping),
which is most of an S3 call's CPU cost inside a function; the in-memory store would time a dict
lookup. What moto cannot show is the network: on AWS each S3 call adds a round trip.

`python -m benchmarks cache`; one route: `python -m benchmarks.cache --route translate --n 10`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .stats import load_average, percentile

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "image-to-speech-bench"
ROUTES = {"caption": 24, "translate": 24, "speak": 8}  # distinct inputs per process
ROUNDS = 2  # fresh processes per route
WARMUP = 2  # inputs sent (off, miss, hit) before timing
CASES = ("off", "miss", "hit")
PHOTOS = ("chelsea", "coffee", "astronaut", "rocket")
SPEAK_SENTENCES = (
    "Um gato dorme no sofá da sala.",
    "Uma xícara de café sobre a mesa.",
    "Dois cachorros correm na praia.",
    "Um foguete pronto para o lançamento.",
    "Uma mulher sorri para a câmera.",
    "Um barco vermelho no rio.",
    "Crianças brincam no parque.",
    "Uma bicicleta encostada na parede.",
    "Um prato de frutas frescas.",
    "A lua cheia sobre a cidade.",
    "Um trem atravessa a ponte.",
    "Flores amarelas no jardim.",
)


# -- worker (runs in a fresh subprocess) -------------------------------------------------------
def _context() -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(
        function_name="bench",
        function_version="$LATEST",
        memory_limit_in_mb=2048,
        invoked_function_arn="arn:aws:lambda:us-east-1:123456789012:function:bench",
        aws_request_id="bench",
        get_remaining_time_in_millis=lambda: 30_000,
    )


def photo_variants(count: int) -> list[bytes]:
    """`count` distinct JPEGs: the photos in turn, each with one pixel changed (same work for
    the model, a different sha256 for the cache)."""
    import numpy as np
    import skimage.data
    from PIL import Image

    jpegs = []
    for index in range(count):
        pixels = np.array(getattr(skimage.data, PHOTOS[index % len(PHOTOS)])())
        if pixels.ndim == 2:
            pixels = np.stack([pixels] * 3, axis=-1)
        pixels[index // len(PHOTOS), 0, 0] ^= 0x80
        buffer = io.BytesIO()
        Image.fromarray(pixels).convert("RGB").save(buffer, "JPEG", quality=90)
        jpegs.append(buffer.getvalue())
    return jpegs


def events(route: str, count: int) -> list[dict[str, dict[str, Any]]]:
    """Per distinct input: the HTTP API event of each case (off, then miss and hit alike)."""
    from scripts.make_events import http_api_event, json_event

    if route == "caption":
        headers = {"content-type": "image/jpeg"}
        return [
            {
                "off": http_api_event(
                    "POST", "/caption", body=jpeg, headers=headers, query="cache=false"
                ),
                "on": http_api_event("POST", "/caption", body=jpeg, headers=headers),
            }
            for jpeg in photo_variants(count)
        ]
    if route == "translate":
        lines = (ROOT / "tests" / "data" / "en_sentences.txt").read_text().splitlines()
        texts = [line for line in lines if line.strip()][:count]
    else:
        texts = list(SPEAK_SENTENCES[:count])
    path = f"/{route}"
    return [
        {
            "off": json_event(path, {"text": text, "cache": False}),
            "on": json_event(path, {"text": text}),
        }
        for text in texts
    ]


def _load_function(route: str) -> Any:
    from image_to_speech.inference.bundle import resolve_bundle_dir

    from pipeline_local.moto_bridge import load_function_module

    os.environ.setdefault("MODEL_BUNDLE_DIR", str(resolve_bundle_dir(route)))
    return load_function_module(ROOT / "functions" / route, module_name=f"bench_{route}")


def _call(handler: Callable[[Any, Any], Any], event: dict[str, Any], case: str) -> float:
    """One request; checks the answer (HTTP 200, `cached` as the case expects); returns ms."""
    started = time.perf_counter()
    response = handler(event, _context())
    elapsed = (time.perf_counter() - started) * 1000
    if response.get("statusCode") != 200:
        raise RuntimeError(f"{case}: HTTP {response.get('statusCode')}: {response.get('body')}")
    cached = json.loads(response["body"]).get("cached")
    if cached is not (case == "hit"):
        raise RuntimeError(f"{case}: the answer says cached={cached}")
    return elapsed


def measure(route: str, count: int) -> dict[str, list[float]]:
    """In this process: moto S3, the function with its real model, then every input's cases."""
    os.environ.update(
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_REGION="us-east-1",
        BUCKET_NAME=BUCKET,
        POWERTOOLS_TRACE_DISABLED="true",
    )
    sys.path.insert(0, str(ROOT))
    from moto import mock_aws

    times: dict[str, list[float]] = {case: [] for case in CASES}
    with mock_aws():
        from image_to_speech.aws.resources import object_store, reset_resources
        from image_to_speech.config import reset_settings

        reset_settings()
        reset_resources()  # clients made from here on talk to moto
        object_store().client.create_bucket(Bucket=BUCKET)
        handler = _load_function(route).handler
        # EMF metrics go to stdout in Lambda too: keep the cost, drop the text.
        with contextlib.redirect_stdout(io.StringIO()):
            for index, event in enumerate(events(route, WARMUP + count)):
                measured = {
                    "off": _call(handler, event["off"], "off"),
                    "miss": _call(handler, event["on"], "miss"),
                    "hit": _call(handler, event["on"], "hit"),
                }
                if index >= WARMUP:
                    for case, ms in measured.items():
                        times[case].append(ms)
    return times


# -- driver -------------------------------------------------------------------------------------
def run_worker(route: str, count: int) -> dict[str, list[float]]:
    paths = [str(ROOT / "layers" / "shared"), str(ROOT), os.environ.get("PYTHONPATH", "")]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    command = [sys.executable, "-m", "benchmarks.cache", "--route", route, "--n", str(count)]
    completed = subprocess.run(
        command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def route_rows(route: str, merged: dict[str, list[float]]) -> tuple[list[str], str]:
    medians = {case: statistics.median(values) for case, values in merged.items()}
    rows = [
        f"| POST /{route} | {case} | {len(merged[case])} | {medians[case]:.1f} | "
        f"{percentile(merged[case], 0.95):.1f} | {medians[case] / medians['miss']:.2f} |"
        for case in CASES
    ]
    summary = (
        f"- /{route}: a hit takes {medians['hit']:.1f} ms against {medians['miss']:.1f} ms for "
        f"a miss ({medians['miss'] / medians['hit']:.1f}x faster); a miss costs "
        f"{medians['miss'] - medians['off']:+.1f} ms over the cache turned off."
    )
    return rows, summary


def run() -> str:
    load_start = load_average()
    rows, summaries = [], []
    for route, count in ROUTES.items():
        merged: dict[str, list[float]] = {case: [] for case in CASES}
        for _ in range(ROUNDS):
            for case, values in run_worker(route, count).items():
                merged[case].extend(values)
        route_rows_, summary = route_rows(route, merged)
        rows += route_rows_
        summaries.append(summary)
    return "\n".join(
        [
            "## Result cache: cached vs uncached requests",
            "",
            f"Each route in {ROUNDS} fresh processes: `functions/<name>/app.py` with its real "
            "model and its own cache provider, inside moto's in-process S3 (`mock_aws`, "
            "BUCKET_NAME set), driven through the Lambda handler with HTTP API events. For each "
            "distinct input, in turn: *off* = `cache: false` (model only), *miss* = first "
            "request with the cache on (cache GET 404 + model + cache PUT), *hit* = the same "
            f"request again (cache GET, no model; the answer says `cached: true`); {WARMUP} "
            "warm-up inputs first. Distinct inputs per process: "
            + ", ".join(f"{route} {count}" for route, count in ROUTES.items())
            + " (caption: the skimage photos with one pixel changed each; translate: "
            "tests/data/en_sentences.txt; speak: short pt-BR sentences; speak answers JSON "
            "with the WAV stored in S3, the default). Milliseconds, whole handler call.",
            "",
            "| route | case | n | median ms | p95 ms | vs miss |",
            "|---|---|---:|---:|---:|---:|",
            *rows,
            "",
            *summaries,
            "",
            "Why moto and not the in-memory store of tests/fakes.py: with moto the cache goes "
            "through the deployed S3 adapter (aws/s3.py: botocore request building, signing, "
            "response parsing, error mapping), the CPU an S3 call costs inside a function; the "
            "in-memory store would time a dict lookup. moto has no network, so these hits are "
            "a lower bound: on AWS every S3 call adds a round trip (AWS's S3 performance "
            "guide puts small-object median latencies 'in the tens of milliseconds'), paid once "
            "by a hit (GET) and twice by a miss (GET + PUT). Speak and translate stay well "
            "ahead; a caption hit may then cost about as much as captioning again.",
            "",
            f"Load average (1/5/15 min) at start: {load_start}; at end: {load_average()} "
            "(2 cores shared with other work: compare the cases, measured interleaved).",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--route", choices=sorted(ROUTES), help="one route in this process")
    parser.add_argument("--n", type=int, default=None, help="distinct inputs")
    args = parser.parse_args()
    if args.route:
        print(json.dumps(measure(args.route, args.n or ROUTES[args.route])))
    else:
        print(run())


if __name__ == "__main__":
    main()
