"""Helpers for the container tests and benchmarks: podman, SAM CLI and a moto server container.

Network layout (all on this machine): SAM runs each function container on podman's default
network and connects it to NETWORK as well; moto runs in a container on NETWORK, published to
the host on 127.0.0.1 only. Functions reach moto by its NETWORK address (AWS_ENDPOINT_URL via
`--env-vars`), the tests by 127.0.0.1. `--docker-network host` does not work with SAM: its
emulator port mapping assumes a bridge network.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
SAM = REPO_ROOT / ".tools" / "sam" / "bin" / "sam"
BUILT_TEMPLATE = REPO_ROOT / ".aws-sam" / "build" / "template.yaml"
NETWORK = "image-to-speech-local"
MOTO_IMAGE = "localhost/image-to-speech-moto:5.2.5"
MOTO_CONTAINERFILE = REPO_ROOT / "tests" / "integration" / "moto.Containerfile"
BUCKET = "image-to-speech-local"  # the bucket the sample events in events/ name
REGION = "us-east-1"
# SAM tags images <logical id lowercased>:<DockerTag>; podman stores them under docker.io/library.
FUNCTIONS = (
    "CaptionFunction",
    "TranslateFunction",
    "SpeakFunction",
    "JobsApiFunction",
    "UploadTriggerFunction",
    "RecordResultFunction",
    "BatchSummaryFunction",
)
MODEL_FUNCTIONS = ("CaptionFunction", "TranslateFunction", "SpeakFunction")
DOCKER_TAG = "v1"

_REPORT = re.compile(r"REPORT RequestId: \S+\s+Init Duration: ([\d.]+) ms\s+Duration: ([\d.]+) ms")


def image_tag(function: str) -> str:
    return f"{function.lower()}:{DOCKER_TAG}"


def docker_host() -> str:
    """Start (if needed) podman's Docker-compatible socket; export DOCKER_HOST for SAM."""
    value = subprocess.run(
        [str(REPO_ROOT / "scripts" / "podman_socket.sh")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    os.environ["DOCKER_HOST"] = value
    return value


def image_exists(tag: str) -> bool:
    return subprocess.run(["podman", "image", "exists", tag], check=False).returncode == 0


def image_size_bytes(tag: str) -> int:
    out = subprocess.run(
        ["podman", "image", "inspect", tag, "--format", "{{.Size}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return int(out.strip())


def ensure_images(timeout_s: float = 3000) -> None:
    """Reuse the images of a previous `make images`, else build them (scripts/sam_build.sh)."""
    docker_host()
    # A partial `sam build <Function>` leaves the other functions without ImageUri in the
    # built template: check both the template and the images.
    built = BUILT_TEMPLATE.read_text() if BUILT_TEMPLATE.is_file() else ""
    if all(f"ImageUri: {image_tag(f)}" in built and image_exists(image_tag(f)) for f in FUNCTIONS):
        return
    subprocess.run(
        [str(REPO_ROOT / "scripts" / "sam_build.sh")], check=True, cwd=REPO_ROOT, timeout=timeout_s
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MotoServer:
    container: str
    host_url: str  # for the tests, on 127.0.0.1
    network_url: str  # for the function containers, on NETWORK

    def client(self, service: str) -> Any:
        import boto3

        return boto3.client(  # type: ignore[call-overload]
            service,
            endpoint_url=self.host_url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )


def _ensure_network() -> None:
    if subprocess.run(["podman", "network", "exists", NETWORK], check=False).returncode != 0:
        subprocess.run(["podman", "network", "create", NETWORK], check=True, capture_output=True)


def _ensure_moto_image() -> None:
    if image_exists(MOTO_IMAGE):
        return
    base = subprocess.run(
        [str(REPO_ROOT / "scripts" / "base_image.sh")], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(
        [
            "podman", "build", "-q", "-t", MOTO_IMAGE, "--build-arg", f"BASE_IMAGE={base}",
            "-f", str(MOTO_CONTAINERFILE), str(MOTO_CONTAINERFILE.parent),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


@contextmanager
def moto_server() -> Iterator[MotoServer]:
    """A moto server container on NETWORK, published on 127.0.0.1:<free port>; removed after."""
    docker_host()
    _ensure_network()
    _ensure_moto_image()
    name = f"image-to-speech-moto-{os.getpid()}"
    port = free_port()
    subprocess.run(
        [
            "podman", "run", "-d", "--rm", "--name", name, "--network", NETWORK,
            "-p", f"127.0.0.1:{port}:5000", MOTO_IMAGE,
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    try:
        address = subprocess.run(
            [
                "podman", "inspect", name, "--format",
                f'{{{{(index .NetworkSettings.Networks "{NETWORK}").IPAddress}}}}',
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()  # fmt: skip
        server = MotoServer(name, f"http://127.0.0.1:{port}", f"http://{address}:5000")
        _wait_http(f"{server.host_url}/moto-api/", timeout_s=60)
        yield server
    finally:
        subprocess.run(["podman", "rm", "-f", name], check=False, capture_output=True)


def _wait_http(url: str, *, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def env_vars_file(path: Path, moto: MotoServer) -> Path:
    """SAM --env-vars: only variables the template declares can be set (it declares these)."""
    path.write_text(
        json.dumps(
            {
                "Parameters": {
                    "AWS_ENDPOINT_URL": moto.network_url,
                    "BUCKET_NAME": BUCKET,
                    "POWERTOOLS_LOG_LEVEL": "WARNING",
                }
            }
        )
    )
    return path


@dataclass
class Invocation:
    payload: Any
    stderr: str
    wall_s: float
    duration_ms: float | None = None  # from the emulator's REPORT line (cold: includes init)
    extra: dict[str, Any] = field(default_factory=dict)


def sam_local_invoke(
    function: str, event: Path, env_file: Path, *, timeout_s: float = 300
) -> Invocation:
    """One `sam local invoke`: a fresh container, so every call is a cold start."""
    started = time.perf_counter()
    completed = subprocess.run(
        [
            str(SAM), "local", "invoke", function, "--event", str(event),
            "--docker-network", NETWORK, "--env-vars", str(env_file),
            "--template", str(BUILT_TEMPLATE),
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )  # fmt: skip
    wall_s = time.perf_counter() - started
    if completed.returncode != 0 or not completed.stdout.strip():
        raise AssertionError(
            f"sam local invoke {function} failed ({completed.returncode}):\n"
            + completed.stderr[-4000:]
        )
    match = _REPORT.search(completed.stderr)
    return Invocation(
        payload=json.loads(completed.stdout),
        stderr=completed.stderr,
        wall_s=wall_s,
        duration_ms=float(match.group(2)) if match else None,
    )


@contextmanager
def sam_local_start_api(env_file: Path, log_path: Path) -> Iterator[str]:
    """`sam local start-api` on 127.0.0.1:<free port> with warm containers; stopped after."""
    port = free_port()
    before = function_containers()
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                str(SAM), "local", "start-api", "--host", "127.0.0.1", "--port", str(port),
                "--docker-network", NETWORK, "--env-vars", str(env_file),
                "--template", str(BUILT_TEMPLATE), "--warm-containers", "LAZY",
                # Auth is off locally; SAM CLI cannot evaluate the routes' AuthMode condition.
                "--disable-authorizer",
            ],
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while "Running on" not in log_path.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"sam local start-api did not start:\n{log_path.read_text()}")
            time.sleep(0.5)
        yield base_url
    finally:
        # Ctrl-C to the process we started: SAM then stops and removes its warm containers.
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        # SAM does not always remove its warm containers (seen after a CI run: three left
        # running): remove the ones this server started.
        left = function_containers() - before
        if left:
            subprocess.run(["podman", "rm", "-f", *left], capture_output=True, check=False)


def function_containers() -> set[str]:
    """Ids of running containers made from a function image (<name>function:<tag>)."""
    listed = subprocess.run(
        ["podman", "ps", "--format", "{{.ID}} {{.Image}}"], capture_output=True, text=True
    )
    return {
        line.split()[0]
        for line in listed.stdout.splitlines()
        if len(line.split()) == 2 and "function:" in line.split()[1]
    }


def podman_python(image: str, code: str) -> subprocess.CompletedProcess[str]:
    """Run python3 -c CODE in IMAGE (entry point replaced, nothing else started)."""
    return subprocess.run(
        ["podman", "run", "--rm", "--entrypoint", "python3", image, "-c", code],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def have_container_tools() -> bool:
    return shutil.which("podman") is not None and SAM.is_file()
