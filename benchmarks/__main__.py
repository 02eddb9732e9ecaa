"""`python -m benchmarks [NAME ...]`: run benchmark modules and update docs/benchmarks.md.

Each module `benchmarks/<name>.py` exposes `run() -> str` (a Markdown section). Sections live
between markers in docs/benchmarks.md, so running a subset updates only those sections.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import platform
import re
import subprocess
import sys
from pathlib import Path

from .stats import cpu_model, isa_summary

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
# Order in the document; each entry is a module in this package.
MODULES = (
    "caption_classifier",
    "seq2seq",
    "bergamot",
    "speech",
    "handler_overhead",
    "containers",
    "pipeline",
    "cache",
    "duplicate_upload",
    "local_stack",
    "batch",
    "edge",
    "session_options",
    "intelligibility",
)
HEADER = """# Benchmarks

Measured by `make bench` (`python -m benchmarks [NAME ...]`). Each section says the command that
produced it and when. Speed is reported as medians and p95 of variants measured side by side in
one run, each variant in a fresh process where it matters: these 2-core machines are noisy, so
compare ratios within a section, not absolute numbers across sections.
"""


def machine() -> str:
    """The footer of every section: CPU, its ISA flags (they decide onnxruntime's kernels, so the
    int8/fp32 and ONNX/PyTorch ratios), cores, Python, OS."""
    cpu = cpu_model()
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or "?"
    return (
        f"{cpu} ({isa_summary()}), {cores} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )


def marker(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def update(doc: str, name: str, body: str) -> str:
    start, end = marker(name)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    block = (
        f"{start}\n{body.strip()}\n\n_Measured {stamp} on {machine()} with "
        f"`python -m benchmarks {name}`._\n{end}"
    )
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(doc):
        return pattern.sub(lambda _: block, doc)
    return doc.rstrip() + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", help=f"any of {', '.join(MODULES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(MODULES))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; known: {', '.join(MODULES)}")
    doc = DOC.read_text() if DOC.exists() else HEADER
    failed = []
    for name in args.names or MODULES:
        print(f"== {name}", flush=True)
        try:
            body = importlib.import_module(f"benchmarks.{name}").run()
        except Exception as exc:  # one broken benchmark must not hide the others' numbers
            print(f"   FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            failed.append(name)
            continue
        doc = update(doc, name, body)
        DOC.write_text(doc)  # write after each section: long runs keep what they measured
        print(body)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
