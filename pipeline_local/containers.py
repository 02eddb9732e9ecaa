"""`--containers`: the functions run in their images under `sam local start-lambda` (podman).

moto then runs as a server inside this process (so the Lambda hook still applies), listening on
127.0.0.1 for us and on podman's bridge gateway for the containers; the containers get
AWS_ENDPOINT_URL pointing there. moto's Lambda invocations go to start-lambda's Invoke API
(moto_bridge.HttpFunctions). Needs `make images` (function images <name>function:v1).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from .moto_bridge import REPO_ROOT, HttpFunctions
from .template import FunctionSpec, load_template

SAM = REPO_ROOT / ".tools" / "sam" / "bin" / "sam"
PODMAN_SOCKET_SCRIPT = REPO_ROOT / "scripts" / "podman_socket.sh"
WORK_DIR = REPO_ROOT / "build" / "pipeline_local"


class ContainersUnavailableError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def can_bind(address: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((address, port))
        except OSError:
            return False
    return True


def answers(address: str, port: int, *, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((address, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def docker_host() -> str:
    if os.environ.get("DOCKER_HOST"):
        return os.environ["DOCKER_HOST"]
    if not PODMAN_SOCKET_SCRIPT.is_file():
        raise ContainersUnavailableError(f"{PODMAN_SOCKET_SCRIPT} is missing")
    found = subprocess.run(
        [str(PODMAN_SOCKET_SCRIPT)], capture_output=True, text=True, check=False, timeout=120
    )
    if found.returncode != 0 or not found.stdout.strip():
        raise ContainersUnavailableError(f"podman socket: {found.stderr.strip()[-500:]}")
    return found.stdout.strip()


def podman_gateway() -> str:
    """The host's address on podman's default network: what containers reach the host by."""
    podman = shutil.which("podman")
    if podman is None:
        raise ContainersUnavailableError("podman is not installed (make images installs it)")
    inspected = subprocess.run(
        [podman, "network", "inspect", "podman"], capture_output=True, text=True, check=False
    )
    if inspected.returncode != 0:
        raise ContainersUnavailableError(f"podman network inspect: {inspected.stderr.strip()}")
    for subnet in json.loads(inspected.stdout)[0].get("subnets", []):
        if subnet.get("gateway"):
            return str(subnet["gateway"])
    raise ContainersUnavailableError("podman's default network has no gateway")


BUILT_TEMPLATE = REPO_ROOT / ".aws-sam" / "build" / "template.yaml"


def image_for(logical_id: str, resources: dict[str, Any]) -> str:
    """The image `make images` (sam build) made for a function.

    sam build writes each function's ImageUri into .aws-sam/build/template.yaml; that is the truth.
    Without it: sam builds functions with identical Metadata once and tags the image after the
    first of them in template order (<logicalid lowercased>:<DockerTag>), so the jobs functions
    that share functions/jobs/Dockerfile all run jobsapifunction:v1.
    """
    built = _built_image_uris().get(logical_id)
    if built:
        return built
    metadata = resources[logical_id].get("Metadata") or {}
    owner = next(
        name
        for name, resource in resources.items()
        if resource.get("Type") == "AWS::Serverless::Function"
        and (resource.get("Metadata") or {}) == metadata
    )
    return f"{owner.lower()}:{metadata.get('DockerTag', 'latest')}"


def _built_image_uris() -> dict[str, str]:
    if not BUILT_TEMPLATE.is_file():
        return {}
    resources = load_template(BUILT_TEMPLATE).get("Resources") or {}
    return {
        name: str(resource["Properties"]["ImageUri"])
        for name, resource in resources.items()
        if isinstance((resource.get("Properties") or {}).get("ImageUri"), str)
    }


def require_images(images: list[str]) -> None:
    podman = shutil.which("podman") or "podman"
    for image in images:
        found = subprocess.run([podman, "image", "exists", image], capture_output=True, check=False)
        if found.returncode != 0:
            raise ContainersUnavailableError(f"image {image} is not built: run `make images` first")


def start_lambda_template(
    resources: dict[str, Any], specs: dict[str, FunctionSpec], environment: dict[str, str]
) -> Path:
    """A minimal SAM template: each function as its already-built image, local environment."""
    functions = {}
    for logical_id, spec in specs.items():
        functions[logical_id] = {
            "Type": "AWS::Serverless::Function",
            "Properties": {
                "PackageType": "Image",
                "ImageUri": image_for(logical_id, resources),
                # functions that share an image differ by their command (trigger.handler, ...)
                "ImageConfig": {"Command": [spec.handler]},
                "Timeout": max(spec.timeout, 120),  # the first call loads the model
                "MemorySize": spec.memory_size,
                "Environment": {"Variables": environment},
            },
        }
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    path = WORK_DIR / "start-lambda.template.json"
    path.write_text(
        json.dumps({"Transform": "AWS::Serverless-2016-10-31", "Resources": functions}, indent=2)
    )
    return path


class StartLambda:
    """`sam local start-lambda` on 127.0.0.1 (a subprocess of ours, stopped by its pid)."""

    def __init__(self, template: Path, *, docker: str, environment: dict[str, str]) -> None:
        if not SAM.is_file():
            raise ContainersUnavailableError(f"SAM CLI is not installed at {SAM}")
        self.port = free_port()
        self.log_path = WORK_DIR / "start-lambda.log"
        self._log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [
                str(SAM),
                "local",
                "start-lambda",
                "--template",
                str(template),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--warm-containers",
                "LAZY",
                "--skip-pull-image",
            ],
            cwd=REPO_ROOT,
            # SAM lets the shell's variables override the template's: keep ours out of it.
            env={
                **{k: v for k, v in os.environ.items() if k not in environment},
                "DOCKER_HOST": docker,
                "SAM_CLI_TELEMETRY": "0",
            },
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._wait_ready()

    def _wait_ready(self, timeout_s: float = 240.0) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ContainersUnavailableError(
                    f"sam local start-lambda exited: {self.log_path.read_text()[-1500:]}"
                )
            try:
                urllib.request.urlopen(self.endpoint, timeout=1)
            except urllib.error.HTTPError:
                return  # it answers (404 on /): ready
            except OSError:
                time.sleep(0.3)
                continue
            return
        raise ContainersUnavailableError(f"start-lambda not ready after {timeout_s} s")

    def start_container(self, function_name: str) -> None:
        """Start (and keep warm) one function's container with an event it refuses at once
        without touching AWS: podman's bridge exists from then on."""
        request = urllib.request.Request(
            f"{self.endpoint}/2015-03-31/functions/{function_name}/invocations",
            data=json.dumps({"warm_up": True}).encode(),
            headers={"Content-Type": "application/json"},
        )
        try:
            urllib.request.urlopen(request, timeout=180).close()
        except OSError as exc:
            raise ContainersUnavailableError(
                f"could not start the {function_name} container: {exc}; see {self.log_path}"
            ) from exc

    def functions(self, *, history: int | None = None) -> HttpFunctions:
        return HttpFunctions(self.endpoint, history=history)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # SAM removes its warm containers on SIGINT
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()
