"""`make up` as a person runs it: Ctrl-C / SIGTERM stop everything; the bucket survives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from local_stack.process import StackProcess
from pipeline_local.containers import can_bind, free_port
from pipeline_local.moto_bridge import REPO_ROOT
from tests.unit.pipeline_local.conftest import small_jpeg

# Generous: a fresh stack answers its first request after importing the HTTP stack, and a
# loaded 2-core machine can take seconds (httpx's default is 5 s).
HTTP = httpx.Client(timeout=60)

pytestmark = pytest.mark.usefixtures("default_bundles")


@pytest.fixture(scope="module")
def default_bundles() -> None:
    from tests.conftest import bundle_path
    from tests.unit.pipeline_local.conftest import chosen_presets

    for task, preset in chosen_presets().items():
        bundle_path(task, preset)


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_sigint_while_serving_stops_every_thread_and_frees_both_ports() -> None:
    stack = StackProcess()
    stack.start()
    s3_port = int(stack.health()["s3_endpoint"].rsplit(":", 1)[1])
    assert stack.process is not None
    pid = stack.process.pid
    spawned = children(pid)
    # WHEN Ctrl-C arrives
    code = stack.stop(signal.SIGINT, timeout_s=60)
    # THEN the process ends cleanly (a leftover non-daemon thread would keep it alive)
    assert code == 0, stack.output()
    assert "Stopped." in stack.output()
    assert not alive(pid) and not any(alive(child) for child in spawned)
    assert can_bind("127.0.0.1", stack.port) and can_bind("127.0.0.1", s3_port)


def test_sigterm_saves_the_bucket_and_the_next_start_serves_the_finished_job(
    tmp_path: Path,
) -> None:
    state = ["--state-dir", str(tmp_path / "bucket")]
    # GIVEN a finished job
    with StackProcess(extra_args=state) as first:
        created = HTTP.post(
            f"{first.url}/jobs",
            content=small_jpeg("chelsea", 224),
            headers={"content-type": "image/jpeg"},
        ).json()
        job_id = created["job_id"]
        deadline = time.monotonic() + 120
        while HTTP.get(f"{first.url}/jobs/{job_id}").json()["status"] in (
            "RUNNING",
            "AWAITING_UPLOAD",
        ):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        # WHEN the stack is stopped by SIGTERM (a service manager, `kill`)
        assert first.stop(signal.SIGTERM) == 0, first.output()
    assert (tmp_path / "bucket" / "index.json").is_file()
    # THEN a new stack restores the bucket: the job is still there with its audio
    with StackProcess(extra_args=state) as second:
        assert "object(s) restored" in second.output()
        status = HTTP.get(f"{second.url}/jobs/{job_id}").json()
        assert status["status"] == "SUCCEEDED" and "gato" in status["translation"].lower()
        assert HTTP.get(status["audio_url"]).content[:4] == b"RIFF"
        assert second.stop() == 0


def test_ctrl_c_during_start_up_aborts_cleanly(tmp_path: Path) -> None:
    # GIVEN a stack that is still loading (signal handlers are in place once it says so)
    port = free_port()
    log = (tmp_path / "stack.log").open("w+")
    env = {**os.environ, "PYTHONPATH": f"{REPO_ROOT / 'layers' / 'shared'}:{REPO_ROOT}"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-u",
            "-m",
            "local_stack",
            "--port",
            str(port),
            "--no-browser",
            "--ephemeral",
        ],
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while "Starting:" not in (tmp_path / "stack.log").read_text():
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    # WHEN Ctrl-C arrives before it serves
    process.send_signal(signal.SIGINT)
    # THEN it stops what it had started and exits with 130, the port never taken
    assert process.wait(timeout=60) == 130
    log.close()
    assert "Stopped during start-up." in (tmp_path / "stack.log").read_text()
    assert can_bind("127.0.0.1", port)
