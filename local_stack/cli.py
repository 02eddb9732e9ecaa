"""`python -m local_stack` (`make up`): serve the whole system until Ctrl-C or SIGTERM.

A signal during start-up aborts it (everything started so far is stopped); while serving, the
first signal stops the HTTP server gracefully, then the functions, start-lambda (with
--containers) and moto, and saves the bucket. Nothing started here outlives the command.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from pathlib import Path
from types import FrameType

import uvicorn

from pipeline_local.containers import ContainersUnavailableError
from pipeline_local.runner import LocalPipelineError

from .stack import DEFAULT_STATE_DIR, LocalStack, StackError, StackOptions, has_display
from .stack import open_browser_when_ready as _open_browser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m local_stack",
        description="The page, the HTTP API, S3, Step Functions and the functions on this "
        "machine (make up).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="HTTP port (default 8000)")
    parser.add_argument(
        "--s3-port", type=int, default=0, help="the local S3 endpoint's port (default: PORT+1)"
    )
    parser.add_argument(
        "--containers",
        action="store_true",
        help="run the functions in their images (make images first)",
    )
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser")
    parser.add_argument(
        "--state-dir",
        default=str(DEFAULT_STATE_DIR),
        help="where the bucket is kept between runs (default: build/local_stack/bucket)",
    )
    parser.add_argument(
        "--ephemeral", action="store_true", help="keep nothing: the bucket starts and ends empty"
    )
    parser.add_argument("--fresh", action="store_true", help="forget the kept bucket first")
    parser.add_argument("--verbose", action="store_true", help="print the functions' logs")
    return parser


class _Signals:
    """SIGINT/SIGTERM: abort start-up at once; while serving, let uvicorn stop gracefully."""

    def __init__(self) -> None:
        self.serving = False
        self.received: list[int] = []

    def install(self) -> None:
        signal.signal(signal.SIGINT, self.handle)
        signal.signal(signal.SIGTERM, self.handle)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.received.append(signum)
        if not self.serving:
            raise KeyboardInterrupt  # unwinds the start-up; context managers clean up
        # While serving uvicorn's own handler is active; it hands the signal back here once
        # it has stopped, and then the stack stops (see main).


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    logging.getLogger("local_stack").setLevel(logging.INFO)  # one line per request / invocation
    options = StackOptions(
        host=args.host,
        port=args.port,
        s3_port=args.s3_port,
        containers=args.containers,
        state_dir=None if args.ephemeral else Path(args.state_dir),
        fresh=args.fresh,
        verbose=args.verbose,
    )
    signals = _Signals()
    signals.install()
    print(
        f"Starting: moto, the state machine and the functions"
        f"{' (containers)' if args.containers else ''}...",
        flush=True,
    )
    try:
        with LocalStack(options) as stack:
            assert stack.gateway is not None
            config = uvicorn.Config(
                stack.gateway,
                host=options.host,
                port=options.port,
                log_level="warning",
                access_log=False,
                lifespan="off",
                timeout_graceful_shutdown=5,
            )
            server = uvicorn.Server(config)
            print(stack.banner(), flush=True)
            if not args.no_browser and has_display():
                _open_browser(server, stack.url)
            signals.serving = True
            server.run()
            print("Stopping...", flush=True)
    except KeyboardInterrupt:
        print("Stopped during start-up.", file=sys.stderr)
        return 130
    except (StackError, LocalPipelineError, ContainersUnavailableError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("Stopped.", flush=True)
    return 0
