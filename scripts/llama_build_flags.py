"""The CMake flags that build llama.cpp (inside llama-cpp-python) for the instructions this CPU has.

    python scripts/llama_build_flags.py            # e.g. -DGGML_NATIVE=OFF -DGGML_AVX512=ON ...

Why not llama.cpp's native build (-march=native): on CPUs that report AMX it also compiles ggml's AMX
path, which crashed with a general protection fault on the first completion on some machines of ours.
Why not the plain portable build (GGML_NATIVE=OFF alone): it stops at AVX2, and on the AVX-512 CPUs
these machines have, reading a prompt then runs at ~58 tokens/s instead of ~91 (bench/RESULTS.md).

So each instruction-set option ggml has is switched on exactly when /proc/cpuinfo lists what it
compiles for, and AMX never is. The flags name the build (install.sh keys its wheelhouse by them), so a
machine with other instructions gets its own build, never one that would stop with SIGILL.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

# ggml option -> the /proc/cpuinfo flags every one of which its compiler flags need
# (ggml/src/ggml-cpu/CMakeLists.txt: GGML_AVX512 compiles with -mavx512f -mavx512cd -mavx512vl
# -mavx512dq -mavx512bw). Options left out are left at ggml's default; the AMX ones default to off.
OPTIONS: dict[str, tuple[str, ...]] = {
    "GGML_AVX": ("avx",),
    "GGML_AVX2": ("avx2",),
    "GGML_FMA": ("fma",),
    "GGML_F16C": ("f16c",),
    "GGML_BMI2": ("bmi2",),
    "GGML_AVX_VNNI": ("avx_vnni",),
    "GGML_AVX512": ("avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw"),
    "GGML_AVX512_VBMI": ("avx512f", "avx512vbmi"),
    "GGML_AVX512_VNNI": ("avx512f", "avx512_vnni"),
    "GGML_AVX512_BF16": ("avx512f", "avx512_bf16"),
}


def build_flags(cpu_flags: Iterable[str]) -> list[str]:
    """CMake arguments for a CPU with `cpu_flags` (as /proc/cpuinfo spells them). Without any x86 flags
    (another architecture, no /proc) only -DGGML_NATIVE=OFF: ggml's defaults for that architecture."""
    have = set(cpu_flags)
    flags = ["-DGGML_NATIVE=OFF"]
    if "sse2" not in have:
        return flags
    for option, needed in OPTIONS.items():
        flags.append(f"-D{option}={'ON' if have.issuperset(needed) else 'OFF'}")
    return flags


def cpu_flags(cpuinfo: str) -> set[str]:
    """The flags of the first processor in /proc/cpuinfo text (every core of a machine has the same)."""
    for line in cpuinfo.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return set(value.split())
    return set()


def main() -> None:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
    except OSError:
        cpuinfo = ""
    sys.stdout.write(" ".join(build_flags(cpu_flags(cpuinfo))) + "\n")


if __name__ == "__main__":
    main()
