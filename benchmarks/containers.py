"""Function images: size, init (cold start) time, warm latency and peak memory, in containers.

For each model function image (`make images`), in several FRESH containers (podman, the local
base image), one probe process measures what Lambda would:
- init: `import app` (the module-scope model load = Lambda's INIT phase), plus interpreter start;
- warm latency through the real handler (HTTP API event -> Mangum -> FastAPI -> model) next to
  the raw model call on the same input, in the same process, interleaved: handler overhead;
- peak RSS of the process (what Lambda's "Max Memory Used" reports).
Then once per image through the Lambda runtime interface emulator (the RIE binary from SAM
CLI's wheel, published on 127.0.0.1 only): container start -> first response (cold) and warm
invoke latency over HTTP, i.e. what `sam local` adds around the handler.

Targets: image <= 600 MB, init <= 1.5 s, handler overhead <= 5 %.
SAM's own REPORT lines cannot be used: its emulator prints placeholders (Init Duration 0.1 ms,
Max Memory Used = MemorySize).
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from .stats import cpu_model, percentile

REPO_ROOT = Path(__file__).resolve().parents[1]
EVENTS = REPO_ROOT / "events"
FLOOR_APP = REPO_ROOT / "benchmarks" / "floor_app.py"  # the probe's floors, mounted read-only
CONTAINERS = 6  # fresh containers per image (init medians move +-20 ms between runs of 3)
WARM_RUNS = 20  # handler and raw calls per container (after one unmeasured warm-up each)
RIE_WARM_RUNS = 8
TARGET_IMAGE_MB = 600
TARGET_INIT_S = 1.5
TARGET_INIT_EXTRA_S = 0.25  # init beyond the model's own load (imports, settings, app)
TARGET_OVERHEAD = 0.05

# function -> (image, HTTP API event, how the probe makes the raw model call from that event)
FUNCTIONS: dict[str, tuple[str, str, str]] = {
    "caption": (
        "captionfunction:v1",
        "caption_api.json",
        "lambda e: app.captioner.caption(base64.b64decode(e['body']))",
    ),
    "translate": (
        "translatefunction:v1",
        "translate_api.json",
        "lambda e: app.translator.translate(json.loads(e['body'])['text'])",
    ),
    "speak": (
        "speakfunction:v1",
        "speak_api.json",
        "lambda e: app.synthesizer.synthesize(**json.loads(e['body']))",
    ),
}

# Runs inside the container as `python3 -c`; prints one JSON line.
# Each warm round: handler, raw, floor, raw, floor + Powertools, raw. The handler and the
# floors all run right after a model call, as a request's Python does (the model leaves the CPU
# caches cold); the raw calls on either side are the baseline.
PROBE = r"""
import time
T0 = time.perf_counter()
import base64, json, resource, sys
sys.path.insert(0, "/var/task")
event = json.load(open("/events/" + sys.argv[1]))
if sys.argv[3] == "wav":
    event.setdefault("headers", {})["accept"] = "audio/wav"
started = time.perf_counter()
import app
init_s = time.perf_counter() - started
model = next(getattr(app, n) for n in ("captioner", "translator", "synthesizer") if hasattr(app, n))
class Context:
    function_name = "bench"; function_version = "$LATEST"; memory_limit_in_mb = 2048
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench"
    aws_request_id = "bench"; log_group_name = "bench"; log_stream_name = "bench"
    def get_remaining_time_in_millis(self): return 30000
raw = eval(sys.argv[2])
def handler_call():
    answer = app.handler(event, Context())
    assert answer["statusCode"] == 200, str(answer)[:300]
handler_call(); raw(event)
# The handler's own time, paired per call: its wall time minus the model call inside it.
method = next(n for n in ("caption", "translate", "synthesize") if hasattr(model, n))
unwrapped, inside = getattr(model, method), []
def timed(*args, **kwargs):
    t = time.perf_counter()
    try:
        return unwrapped(*args, **kwargs)
    finally:
        inside.append((time.perf_counter() - t) * 1000)
setattr(model, method, timed)
# The floors, built by benchmarks/floor_app.py (mounted at /bench): the same event through
# Mangum and FastAPI to a route that only reads the body, then that route wrapped like every
# function.
floor_setup = time.perf_counter()
sys.path.insert(0, "/bench")
from floor_app import floor_handler
floor = floor_handler(event["rawPath"])
floor_pt = floor_handler(event["rawPath"], powertools=True)
assert floor(event, Context())["statusCode"] == 200
assert floor_pt(event, Context())["statusCode"] == 200
floor_setup_s = time.perf_counter() - floor_setup
def timed_ms(call):
    t = time.perf_counter(); call(); return (time.perf_counter() - t) * 1000
handler_ms, own_ms, raw_ms, floor_ms, floor_pt_ms = [], [], [], [], []
for _ in range(int(sys.argv[4])):
    inside.clear()
    handler_ms.append(timed_ms(handler_call))
    own_ms.append(handler_ms[-1] - sum(inside))
    raw_ms.append(timed_ms(lambda: raw(event)))
    floor_ms.append(timed_ms(lambda: floor(event, Context())))
    raw_ms.append(timed_ms(lambda: raw(event)))
    floor_pt_ms.append(timed_ms(lambda: floor_pt(event, Context())))
    raw_ms.append(timed_ms(lambda: raw(event)))
print("RESULT" + json.dumps({
    "init_s": init_s, "model_load_s": model.load_ms / 1000,
    "process_to_ready_s": time.perf_counter() - T0 - floor_setup_s - sum(handler_ms) / 1000
    - sum(raw_ms) / 1000 - sum(floor_ms) / 1000 - sum(floor_pt_ms) / 1000,
    "handler_ms": handler_ms, "own_ms": own_ms, "raw_ms": raw_ms, "floor_ms": floor_ms,
    "floor_pt_ms": floor_pt_ms,
    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _podman(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["podman", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def _probe(image: str, event: str, raw_call: str) -> dict[str, Any]:
    accept = "wav" if image.startswith("speak") else "json"
    started = time.perf_counter()
    completed = _podman(
        "run", "--rm", "--network", "none", "-e", "POWERTOOLS_LOG_LEVEL=WARNING",
        "-e", "POWERTOOLS_METRICS_NAMESPACE=Bench", "-e", "BUCKET_NAME=bench",
        "-e", "CACHE_ENABLED=false",  # no S3 here (cache costs: the cache section)
        "-v", f"{EVENTS}:/events:ro", "-v", f"{FLOOR_APP}:/bench/floor_app.py:ro",
        "--entrypoint", "python3", image,
        "-c", PROBE, event, raw_call, accept, str(WARM_RUNS),
    )  # fmt: skip
    wall_s = time.perf_counter() - started
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT")]
    if completed.returncode != 0 or not lines:
        raise RuntimeError(f"probe in {image} failed:\n{completed.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT") :])
    result["container_wall_s"] = wall_s
    return result


def _rie_binary() -> Path:
    found = sorted(
        (REPO_ROOT / ".tools" / "sam").glob(
            "lib/python3*/site-packages/samcli/local/rapid/aws-lambda-rie-x86_64"
        )
    )
    if not found:
        raise RuntimeError("SAM CLI's aws-lambda-rie-x86_64 not found under .tools/sam")
    return found[0]


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _invoke(port: int, event: dict[str, Any]) -> float:
    url = f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations"
    request = urllib.request.Request(url, data=json.dumps(event).encode())
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    if answer.get("statusCode") != 200:
        raise RuntimeError(f"RIE invoke failed: {str(answer)[:300]}")
    return (time.perf_counter() - started) * 1000


def _through_rie(image: str, event_name: str) -> dict[str, Any]:
    """Cold (container start -> first answer) and warm latency through the emulator."""
    event = json.loads((EVENTS / event_name).read_text())
    if image.startswith("speak"):
        event.setdefault("headers", {})["accept"] = "audio/wav"
    port = _free_port()
    name = f"bench-rie-{os.getpid()}-{port}"
    started = time.perf_counter()
    run = _podman(
        "run", "-d", "--rm", "--name", name, "-p", f"127.0.0.1:{port}:8080",
        "-e", "POWERTOOLS_LOG_LEVEL=WARNING", "-e", "BUCKET_NAME=bench",
        "-e", "CACHE_ENABLED=false",
        "-v", f"{_rie_binary()}:/rie:ro", "--entrypoint", "/rie", image,
        "python3", "-m", "awslambdaric", "app.handler",
    )  # fmt: skip
    if run.returncode != 0:
        raise RuntimeError(f"podman run {image}: {run.stderr[-2000:]}")
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                _invoke(port, event)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        cold_s = time.perf_counter() - started
        warm = [_invoke(port, event) for _ in range(RIE_WARM_RUNS)]
        stats = _podman("stats", "--no-stream", "--format", "{{.MemUsage}}", name).stdout.strip()
    finally:
        _podman("rm", "-f", name)
    return {"cold_s": cold_s, "warm_ms": warm, "mem_usage": stats}


def _image_mb(image: str) -> float:
    out = _podman("image", "inspect", image, "--format", "{{.Size}}")
    if out.returncode != 0:
        raise RuntimeError(f"image {image} not found: run `make images` first")
    return int(out.stdout.strip()) / 1e6


def _machine() -> str:
    cpu = cpu_model()
    podman = _podman("--version").stdout.strip()
    python = sys.version.split()[0]
    return f"{platform.node()}: {os.cpu_count()} cores, {cpu}; {podman}; host Python {python}"


def measure(function: str) -> dict[str, Any]:
    image, event, raw_call = FUNCTIONS[function]
    probes = [_probe(image, event, raw_call) for _ in range(CONTAINERS)]
    handler = [ms for p in probes for ms in p["handler_ms"]]
    raw = [ms for p in probes for ms in p["raw_ms"]]
    own = [ms for p in probes for ms in p["own_ms"]]
    floor = [ms for p in probes for ms in p["floor_ms"]]
    floor_pt = [ms for p in probes for ms in p["floor_pt_ms"]]
    rie = _through_rie(image, event)
    return {
        "image_mb": _image_mb(image),
        "init_s": statistics.median(p["init_s"] for p in probes),
        "init_s_max": max(p["init_s"] for p in probes),
        "model_load_s": statistics.median(p["model_load_s"] for p in probes),
        "init_extra_s": statistics.median(p["init_s"] - p["model_load_s"] for p in probes),
        "ready_s": statistics.median(p["process_to_ready_s"] for p in probes),
        "handler_ms": statistics.median(handler),
        "handler_p95_ms": percentile(handler, 0.95),
        "raw_ms": statistics.median(raw),
        "raw_p95_ms": percentile(raw, 0.95),
        "own_ms": statistics.median(own),
        "own_p95_ms": percentile(own, 0.95),
        "floor_ms": statistics.median(floor),
        "floor_p95_ms": percentile(floor, 0.95),
        "floor_pt_ms": statistics.median(floor_pt),
        "floor_pt_p95_ms": percentile(floor_pt, 0.95),
        "peak_rss_mb": max(p["peak_rss_mb"] for p in probes),
        "rie_cold_s": rie["cold_s"],
        "rie_warm_ms": statistics.median(rie["warm_ms"]),
        "rie_warm_p95_ms": percentile(rie["warm_ms"], 0.95),
        "rie_mem_usage": rie["mem_usage"],
    }


def _verdict(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _ensure_images() -> None:
    missing = [
        image for image, _, _ in FUNCTIONS.values() if _podman("image", "exists", image).returncode
    ]
    if missing:
        subprocess.run([str(REPO_ROOT / "scripts" / "sam_build.sh")], check=True, cwd=REPO_ROOT)


def _pct(ms: float, base: float) -> str:
    return f"{ms / base:.1%}"


def run() -> str:
    _ensure_images()
    rows, overhead_rows = [], []
    for function in FUNCTIONS:
        m = measure(function)
        rows.append(
            f"| {function} | {m['image_mb']:.0f} ({_verdict(m['image_mb'] <= TARGET_IMAGE_MB)}) "
            f"| {m['init_s']:.2f} / max {m['init_s_max']:.2f} "
            f"({_verdict(m['init_s'] <= TARGET_INIT_S)}) | {m['model_load_s']:.2f} "
            f"| {m['init_extra_s']:.2f} ({_verdict(m['init_extra_s'] <= TARGET_INIT_EXTRA_S)}) "
            f"| {m['ready_s']:.2f} "
            f"| {m['peak_rss_mb']:.0f} | {m['rie_cold_s']:.2f} "
            f"| {m['rie_warm_ms']:.1f} / {m['rie_warm_p95_ms']:.1f} |"
        )
        raw = m["raw_ms"]
        difference = m["handler_ms"] - raw
        overhead_rows.append(
            f"| {function} | {raw:.1f} / {m['raw_p95_ms']:.1f} "
            f"| {m['handler_ms']:.1f} / {m['handler_p95_ms']:.1f} "
            f"| {difference:+.2f} ({_pct(difference, raw)}, "
            f"{_verdict(difference <= TARGET_OVERHEAD * raw)}) "
            f"| {m['own_ms']:.2f} / {m['own_p95_ms']:.2f} ({_pct(m['own_ms'], raw)}, "
            f"{_verdict(m['own_ms'] <= TARGET_OVERHEAD * raw)}) "
            f"| {m['floor_ms']:.2f} / {m['floor_p95_ms']:.2f} ({_pct(m['floor_ms'], raw)}) "
            f"| {m['floor_pt_ms']:.2f} / {m['floor_pt_p95_ms']:.2f} "
            f"({_pct(m['floor_pt_ms'], raw)}) "
            f"| {TARGET_OVERHEAD * raw - m['floor_pt_ms']:+.2f} |"
        )
    return "\n".join(
        [
            "## Function containers (benchmarks/containers.py)",
            "",
            f"Machine: {_machine()}.",
            "Command: `.venv/bin/python -m benchmarks containers` (builds the images with "
            "`make images` first if they are missing).",
            f"Each image: {CONTAINERS} fresh containers x {WARM_RUNS} warm rounds (handler, raw "
            "model call, floor, raw, floor + Powertools, raw, in one process; HTTP API events "
            "from events/, "
            f"speak with Accept: audio/wav), then one container under the Lambda RIE "
            f"({RIE_WARM_RUNS} warm invokes over HTTP on 127.0.0.1). Times are medians; a / b = "
            "median / p95.",
            f"Targets: image <= {TARGET_IMAGE_MB} MB, init <= {TARGET_INIT_S} s and at most "
            f"{TARGET_INIT_EXTRA_S * 1000:.0f} ms beyond the model's own load (bundle check + "
            f"session creation, the loader's load_ms), handler overhead <= {TARGET_OVERHEAD:.0%}. "
            "Result cache off (no S3 in these containers).",
            "",
            "| function | image MB | init s (import app) | model load s | init - model load s "
            "| interpreter -> ready s | peak RSS MB | RIE cold start s | RIE warm ms |",
            "|---|---|---|---|---|---|---|---|---|",
            *rows,
            "",
            "init = the module-scope model load Lambda runs in INIT (bundle sha256 check + "
            "session creation + imports). RIE cold start = `podman run` -> first answer, so it "
            "also counts container creation.",
            "",
            "Handler overhead, from the same rounds. 'handler - raw' compares the two medians; "
            "'handler's own' is each handler call's wall time minus the model call inside it "
            "(paired, so the model's noise cancels). 'floor' sends the same event through "
            "Mangum and FastAPI to a route that only reads the body and returns a constant: what "
            "any route costs in this stack, measured like the handler (right after a model "
            "call). 'floor + Powertools' wraps that route as every function is wrapped "
            "(observability.instrument: Lambda context and correlation id in the logs, EMF "
            "flushed per invocation) and records one metric, as each model route does. 'room' = "
            "the 5 % budget minus 'floor + Powertools': what is left for the route's own work "
            "(body parsing and validation, the result cache, building the answer).",
            "",
            "| function | raw model ms | handler ms | handler - raw ms | handler's own ms "
            "| floor ms (Mangum + FastAPI, empty route) | floor + Powertools ms | room ms |",
            "|---|---|---|---|---|---|---|---|",
            *overhead_rows,
        ]
    )
