"""`make up` under load, and the web page in headless Chromium.

1. Responsiveness: GET /health latency from 8 concurrent clients (each sends its next request
   as soon as the last one is answered), idle and while one client keeps a long POST /speak
   running; and POST /translate from 8 clients while speech runs. Side by side, each in its
   own server process:
   - before: the three functions' FastAPI apps served directly by uvicorn (what `make api`
     was): their routes are `async def` and call the model on the event loop;
   - local stack: `python -m local_stack`, whose gateway runs every invocation in a worker
     thread (the functions themselves are unchanged).
   Budget: p99 of GET /health < 50 ms at 8 clients while speech runs (local stack).
2. "Now" mode, page to playable audio: the sample photo (scikit-image's chelsea) chosen on
   the page until the <audio> element can play through, as the page measures it
   (performance.now() from the file pick to `canplaythrough`), warm models. Budget 1.5 s.
   The same for "as a job" (S3 upload + Step Functions + polling), for comparison.
3. The page's own weight: every byte the first visit loads from the page's origin (HTML,
   CSS, JS modules, icon), API calls and S3 not counted. Budget 200 KB.
"""

from __future__ import annotations

import gzip
import http.client
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .stats import percentile

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = 8
SECONDS = 8.0
PAGE_RUNS = 9
PAGE_WARMUP = 2
HEALTH_BUDGET_MS = 50.0
PLAYABLE_BUDGET_MS = 1500.0
ASSET_BUDGET_BYTES = 200 * 1024
SPEECH_TEXT = (
    "Uma foto de um gato egípcio ou um gato tigre, sentado perto de uma janela. "
    "Ele olha para a câmera com atenção, e a luz da tarde ilumina o seu pelo listrado."
)
API_PATHS = ("/caption", "/translate", "/speak", "/jobs", "/health")


# -- the "before" server: the functions' apps on one uvicorn loop (runs in a subprocess) -------
def serve_baseline(port: int) -> None:
    import uvicorn
    from image_to_speech.api.app_factory import create_app
    from image_to_speech.entrypoints import caption_service, speak_service, translate_service
    from image_to_speech.inference.loaders import load_captioner, load_synthesizer, load_translator

    # the old `make api`: every model call on the event loop (MODEL_CALLS_IN_THREADS unset)
    services = [
        caption_service(load_captioner()),
        translate_service(load_translator()),
        speak_service(load_synthesizer()),
    ]
    app = create_app(services, title="before: models on the event loop")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


class BaselineProcess:
    def __init__(self) -> None:
        from pipeline_local.containers import free_port

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BaselineProcess:
        env_path = f"{ROOT / 'layers' / 'shared'}:{ROOT}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.local_stack", "--serve-baseline", str(self.port)],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": env_path},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                _request(self.port, "GET", "/health")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the baseline server did not start")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


# -- load ---------------------------------------------------------------------------------------
def _request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    connection: http.client.HTTPConnection | None = None,
) -> tuple[int, bytes]:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    if connection is None:
        conn.close()
    return response.status, data


def _clients(
    port: int, count: int, seconds: float, send: Callable[[http.client.HTTPConnection], int]
) -> list[float]:
    """count clients, each sending back to back for `seconds`; latencies in ms (2xx only)."""
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.monotonic() < stop_at:
            started = time.perf_counter()
            status = send(conn)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (latencies if 200 <= status < 300 else failures).append(
                    elapsed if 200 <= status < 300 else status
                )
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} request(s) failed: {sorted(set(failures))}")
    return latencies


def _health(conn: http.client.HTTPConnection) -> int:
    conn.request("GET", "/health")
    response = conn.getresponse()
    response.read()
    return response.status


def _translate(conn: http.client.HTTPConnection) -> int:
    body = json.dumps({"text": "A photo of an Egyptian cat or a tiger cat."}).encode()
    conn.request("POST", "/translate", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    response.read()
    return response.status


def _speech_load(port: int, stop: threading.Event, spoken: list[float]) -> None:
    """One client keeping a long synthesis running until stop is set."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    body = json.dumps({"text": SPEECH_TEXT, "language": "pt-BR"}).encode()
    headers = {"Content-Type": "application/json", "Accept": "audio/wav"}
    while not stop.is_set():
        started = time.perf_counter()
        conn.request("POST", "/speak", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"/speak answered {response.status}")
        spoken.append((time.perf_counter() - started) * 1000)
    conn.close()


def _scenario(
    port: int, send: Callable[[http.client.HTTPConnection], int], *, speech: bool
) -> dict[str, Any]:
    stop = threading.Event()
    spoken: list[float] = []
    loader = threading.Thread(target=_speech_load, args=(port, stop, spoken))
    if speech:
        loader.start()
        time.sleep(0.3)  # the first synthesis is under way
    try:
        latencies = _clients(port, CLIENTS, SECONDS, send)
    finally:
        stop.set()
        if speech:
            loader.join()
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies),
        "p99": percentile(latencies, 0.99),
        "max": max(latencies),
        "speak_ms": statistics.median(spoken) if spoken else None,
    }


def measure_server(port: int) -> dict[str, dict[str, Any]]:
    for _ in range(3):  # warm every model and connection path
        _request(
            port, "POST", "/translate", b'{"text": "Hello."}', {"content-type": "application/json"}
        )
        _request(
            port,
            "POST",
            "/speak",
            json.dumps({"text": "Olá."}).encode(),
            {"content-type": "application/json", "accept": "audio/wav"},
        )
    return {
        "health, idle": _scenario(port, _health, speech=False),
        "health, speech running": _scenario(port, _health, speech=True),
        "translate, speech running": _scenario(port, _translate, speech=True),
    }


# -- the page -----------------------------------------------------------------------------------
def _photo_file() -> Path:
    import skimage.data
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(skimage.data.chelsea()).convert("RGB").save(buffer, "JPEG", quality=90)
    path = Path(tempfile.mkdtemp(prefix="bench-page-")) / "chelsea.jpg"
    path.write_bytes(buffer.getvalue())
    return path


def measure_page(url: str) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DESKTOP

    photo = _photo_file()
    results: dict[str, Any] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        context = browser.new_context(viewport=DESKTOP, locale="en-US", base_url=url)
        page = context.new_page()
        assets: dict[str, int] = {}
        edge: dict[str, int] = {}  # on-device mode: index, npm libraries, model files

        def on_response(response: Any) -> None:
            path = response.url[len(url) :] if response.url.startswith(url) else None
            if path is None or path.split("?")[0].startswith(API_PATHS):
                return
            (edge if path.startswith("/edge/") else assets)[path] = len(response.body())

        page.on("response", on_response)
        page.goto("/")
        page.wait_for_load_state("networkidle")
        page.remove_listener("response", on_response)
        results["assets"] = dict(assets)
        results["edge_assets"] = dict(edge)
        results["assets_gzip"] = sum(
            len(gzip.compress((ROOT / "web" / _web_file(p)).read_bytes())) for p in assets
        )
        for mode in ("now", "job"):
            totals, stages = [], []
            page.check(f"input[name=mode][value={mode}]")
            for index in range(PAGE_WARMUP + PAGE_RUNS):
                page.set_input_files("#file", str(photo))
                page.wait_for_selector(
                    "#result[data-state=done], #result[data-state=failed]", timeout=120_000
                )
                if page.get_attribute("#result", "data-state") != "done":
                    raise RuntimeError(f"{mode} run failed: {page.inner_text('#error')}")
                if index >= PAGE_WARMUP:
                    totals.append(float(page.get_attribute("#result", "data-total-ms") or "nan"))
                    stages.append(_stage_ms(page))
            results[mode] = {
                "totals": totals,
                "stages": {
                    stage: statistics.median(run[stage] for run in stages) for stage in stages[0]
                },
            }
        context.close()
        browser.close()
    return results


def _edge_line(edge: dict[str, int]) -> str:
    models = sum(b for p, b in edge.items() if p.startswith("/edge/models/"))
    libraries = sum(b for p, b in edge.items() if p.startswith("/edge/vendor/"))
    if not models and not libraries:
        offer = sum(edge.values())
        return (
            f" Not counted: the on-device offer (/edge/index.json, {offer / 1024:.1f} KB) the "
            "page reads at start; the runs here use the now and job modes, so no model or "
            "library was fetched."
        )
    return (
        f" Not counted above: this browser chose the on-device mode and fetched "
        f"{len(edge)} /edge/ files, {models / 2**20:.1f} MB of model files and "
        f"{libraries / 2**20:.1f} MB of npm libraries (onnxruntime-web's wasm among them; "
        "docs/edge.md), once: later visits read them from Cache Storage."
    )


def _shown_ms(value: float | None) -> str:
    return "-" if value is None or value != value else f"{value:.0f}"  # NaN: not a time


def _web_file(path: str) -> str:
    return "index.html" if path in ("/", "") else path.removeprefix("/web/")


def _stage_ms(page: Any) -> dict[str, float]:
    """Each stage's time as the page shows it, back in ms."""
    shown = page.eval_on_selector_all(
        "#stages li",
        "items => items.map(li => [li.dataset.stage, li.querySelector('.time').textContent])",
    )
    out = {}
    for stage, text in shown:
        value = text.replace("\u202f", " ").strip()
        if not value.endswith(("ms", " s")):
            out[stage] = float("nan")  # a size (the upload inside POST /caption), not a time
            continue
        number = float(value.split()[0].replace(",", ""))
        out[stage] = number * 1000 if value.endswith(" s") else number
    return out


# -- report -------------------------------------------------------------------------------------
def run() -> str:
    from local_stack.process import StackProcess

    load = [os.getloadavg()[0]]
    with BaselineProcess() as before:
        before_numbers = measure_server(before.port)
    # Result cache off: the same photo comes round again, and the budget is for model work
    # (a cached run: the cache and duplicate_upload sections).
    with StackProcess(extra_args=["--ephemeral"], env={"CACHE_ENABLED": "false"}) as stack:
        stack_numbers = measure_server(stack.port)
        load.append(os.getloadavg()[0])
        page = measure_page(stack.url)
        stack.stop()
    load.append(os.getloadavg()[0])
    return report(before_numbers, stack_numbers, page, load)


def report(
    before: dict[str, dict[str, Any]],
    stack: dict[str, dict[str, Any]],
    page: dict[str, Any],
    load: list[float],
) -> str:
    lines = [
        "## Local stack (`make up`) and the web page",
        "",
        f"{CLIENTS} clients, each sending its next request as soon as the last is answered, "
        f'{SECONDS:.0f} s per row; "speech running" = one more client keeping a long POST '
        "/speak (about 10 s of audio) in flight. *before*: the functions' FastAPI apps on one "
        "uvicorn loop (the old `make api`: models run on the event loop); *local stack*: "
        "`python -m local_stack`, every invocation in a worker thread. Milliseconds.",
        "",
        "| load | server | requests | p50 | p99 | max | /speak median |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for scenario in stack:
        for name, numbers in (("before", before[scenario]), ("local stack", stack[scenario])):
            speak = f"{numbers['speak_ms']:.0f}" if numbers["speak_ms"] else ""
            lines.append(
                f"| {scenario} | {name} | {numbers['n']} | {numbers['p50']:.1f} | "
                f"{numbers['p99']:.1f} | {numbers['max']:.0f} | {speak} |"
            )
    health = stack["health, speech running"]["p99"]
    ratio = before["health, speech running"]["p99"] / max(health, 0.01)
    verdict = "within" if health < HEALTH_BUDGET_MS else "OVER"
    lines += [
        "",
        f"GET /health p99 while speech runs: **{health:.1f} ms** on the local stack "
        f"({verdict} the {HEALTH_BUDGET_MS:.0f} ms budget), {ratio:.0f}x lower than before.",
        "",
        f"Page to playable audio, sample photo, warm models, headless Chromium, {PAGE_RUNS} runs "
        f"after {PAGE_WARMUP} warm-up runs (the page's own measure: file picked -> "
        '`canplaythrough`). Stage columns: medians as the page shows them; in "now" mode '
        "the image goes up inside POST /caption, whose time includes the upload.",
        "",
        "| mode | median | min | p95 | upload | caption | translate | speak |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for mode in ("now", "job"):
        totals = page[mode]["totals"]
        stages = page[mode]["stages"]
        lines.append(
            f"| {mode} | {statistics.median(totals):.0f} | {min(totals):.0f} | "
            f"{percentile(totals, 0.95):.0f} | "
            + " | ".join(
                _shown_ms(stages.get(s)) for s in ("upload", "caption", "translate", "speak")
            )
            + " |"
        )
    now = statistics.median(page["now"]["totals"])
    verdict = "within" if now <= PLAYABLE_BUDGET_MS else "OVER"
    total_bytes = sum(page["assets"].values())
    asset_verdict = "within" if total_bytes <= ASSET_BUDGET_BYTES else "OVER"
    files = ", ".join(f"`{p}` {b / 1024:.1f}" for p, b in sorted(page["assets"].items()))
    lines += [
        "",
        f'"Now" mode median: **{now:.0f} ms** ({verdict} the {PLAYABLE_BUDGET_MS:.0f} ms '
        "budget). In job mode the S3 upload, the trigger, Step Functions' state transitions and "
        "the polling interval add to the same model work.",
        "",
        f"Page weight (first visit, models not counted): **{total_bytes / 1024:.1f} KB** "
        f"({asset_verdict} the {ASSET_BUDGET_BYTES // 1024} KB budget; "
        f"{page['assets_gzip'] / 1024:.1f} KB if gzipped) in {len(page['assets'])} files: "
        f"{files} (KB).{_edge_line(page.get('edge_assets', {}))}",
        "",
        f"Machine load during the run (1-minute load average at start, after the load tests, at "
        f"the end): {', '.join(f'{value:.1f}' for value in load)} on {os.cpu_count()} cores. "
        "Above the core count, other work competed for the CPU and every latency here grows "
        "with it; compare the rows of one run rather than runs.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--serve-baseline":
        serve_baseline(int(sys.argv[2]))
    else:
        print(run())
