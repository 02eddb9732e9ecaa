"""Statistics and machine facts every benchmark reports, computed one way."""

from __future__ import annotations

import os
import resource
import statistics
from pathlib import Path


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1) of the measured values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def peak_rss_mb() -> float:
    """This process's peak resident memory (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def latency_summary(load_ms: float, times_ms: list[float]) -> dict[str, float]:
    """Load time, median and p95 request time, and peak memory, as the workers report them."""
    return {
        "load_ms": load_ms,
        "median_ms": statistics.median(times_ms),
        "p95_ms": percentile(times_ms, 0.95),
        "peak_rss_mb": peak_rss_mb(),
    }


# /proc/cpuinfo flag -> the name docs use. These decide which kernels onnxruntime's MLAS picks at
# process start (by CPUID; nothing can cap them at run time) for fp32 GEMM/Conv (AVX2+FMA vs
# AVX-512F) and for int8 (u8s8 GEMM: AVX2 with a 16-bit saturating step, AVX-VNNI, AVX-512 VNNI,
# AMX), so they decide the int8/fp32 and ONNX/PyTorch ratios.
ISA_FLAGS = {
    "avx2": "AVX2",
    "avx512f": "AVX-512F",
    "avx512bw": "AVX-512BW",
    "avx512_vnni": "AVX-512 VNNI",
    "avx_vnni": "AVX-VNNI",
    "amx_int8": "AMX-INT8",
}


def _cpuinfo_line(prefix: str) -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def cpu_flags() -> dict[str, bool]:
    """Which of ISA_FLAGS this CPU reports (Linux /proc/cpuinfo), by their docs name."""
    present = set((_cpuinfo_line("flags") or "").split())
    return {name: flag in present for flag, name in ISA_FLAGS.items()}


def int8_kernel(flags: dict[str, bool]) -> str:
    """The u8s8 GEMM kernel onnxruntime 1.31's MLAS selects for these flags (platform.cpp):
    the best one wins, AMX > AVX-512 VNNI > AVX-VNNI > AVX-512BW > AVX2."""
    if flags.get("AMX-INT8"):
        return "AMX (if the kernel grants AMX state)"
    if flags.get("AVX-512 VNNI"):
        return "AVX-512 VNNI"
    if flags.get("AVX-VNNI"):
        return "AVX-VNNI"
    if flags.get("AVX-512BW"):
        return "AVX-512BW (no VNNI: 16-bit saturating step)"
    if flags.get("AVX2"):
        return "AVX2 (no VNNI: 16-bit saturating step)"
    return "SSE"


def isa_summary() -> str:
    """One line for every section: the ISA flags that matter and the int8 kernel they give."""
    flags = cpu_flags()
    listed = ", ".join(f"{name} {'yes' if has else 'no'}" for name, has in flags.items())
    return f"{listed}; onnxruntime int8 GEMM kernel: {int8_kernel(flags)}"


def load_average() -> str:
    """The 1, 5 and 15 minute load averages: how busy the shared host was."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def cpu_model() -> str:
    return _cpuinfo_line("model name") or "unknown CPU"
