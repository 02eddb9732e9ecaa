"""`python -m local_stack` as a child process on a free port (browser tests, benchmarks).

The child is stopped the way a person stops it (SIGINT, like Ctrl-C) and waited for; only if
it does not stop in time is it killed, and that is reported as a failure of the stop.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from pipeline_local.containers import free_port
from pipeline_local.moto_bridge import REPO_ROOT


class StackProcessError(RuntimeError):
    pass


class StackProcess:
    def __init__(
        self,
        *,
        port: int | None = None,
        extra_args: list[str] | None = None,
        start_timeout_s: float = 180.0,
        env: dict[str, str] | None = None,
    ) -> None:
        self.port = port or free_port()
        self.extra_args = list(extra_args or ["--ephemeral"])
        self.start_timeout_s = start_timeout_s
        self.env = env
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        self._log: IO[bytes] | None = None
        self.log_path: Path | None = None

    def __enter__(self) -> StackProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        handle, name = tempfile.mkstemp(prefix="local_stack-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)
        self._log = self.log_path.open("wb")
        layer = str(REPO_ROOT / "layers" / "shared")
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([layer, str(REPO_ROOT)]),
            "PYTHONUNBUFFERED": "1",
            **(self.env or {}),
        }
        command = [sys.executable, "-m", "local_stack", "--port", str(self.port), "--no-browser"]
        self.process = subprocess.Popen(
            [*command, *self.extra_args],
            cwd=REPO_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise StackProcessError(f"local_stack exited at start-up:\n{self.output()}")
            try:
                self.health()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise StackProcessError(f"local_stack not ready in {self.start_timeout_s} s")

    def health(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
            return dict(json.load(response))

    def output(self) -> str:
        if self._log is not None:
            self._log.flush()
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def stop(self, sig: int = signal.SIGINT, timeout_s: float = 60.0) -> int:
        """Signal the stack and wait; returns its exit code (raises if it had to be killed)."""
        if self.process is None:
            return self.returncode if self.returncode is not None else 0
        process, self.process = self.process, None
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                raise StackProcessError(
                    f"local_stack ignored {signal.Signals(sig).name} for {timeout_s} s"
                ) from None
        self.returncode = process.returncode
        if self._log is not None:
            self._log.close()
            self._log = None
        return self.returncode
