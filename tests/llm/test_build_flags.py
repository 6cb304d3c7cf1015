"""scripts/llama_build_flags.py: llama.cpp is built for exactly the instructions the CPU lists, never AMX."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "llama_build_flags.py"

# /proc/cpuinfo flags (abridged to what matters) of three x86 machines
AVX2_ONLY = "fpu sse sse2 ssse3 sse4_1 sse4_2 avx f16c fma bmi2 avx2"
SAPPHIRE_RAPIDS = (
    "fpu sse sse2 avx f16c fma bmi2 avx2 avx_vnni avx512f avx512dq avx512cd avx512bw avx512vl avx512vbmi "
    "avx512_vnni avx512_bf16 avx512_fp16 amx_bf16 amx_tile amx_int8"
)
PARTIAL_AVX512 = "sse2 avx f16c fma bmi2 avx2 avx512f avx512cd"  # no BW/DQ/VL: ggml's AVX512 option needs them


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("llama_build_flags", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def on(flags: list[str]) -> set[str]:
    return {f[2:-3] for f in flags if f.endswith("=ON")}


def test_an_avx2_machine_gets_no_avx512(script: ModuleType):
    flags = script.build_flags(AVX2_ONLY.split())
    assert flags[0] == "-DGGML_NATIVE=OFF"
    assert on(flags) == {"GGML_AVX", "GGML_AVX2", "GGML_FMA", "GGML_F16C", "GGML_BMI2"}


def test_an_amx_machine_gets_avx512_and_vnni_but_never_amx(script: ModuleType):
    flags = script.build_flags(SAPPHIRE_RAPIDS.split())
    assert {"GGML_AVX512", "GGML_AVX512_VBMI", "GGML_AVX512_VNNI", "GGML_AVX512_BF16", "GGML_AVX_VNNI"} <= on(flags)
    assert not any("AMX" in flag or "NATIVE=ON" in flag for flag in flags)


def test_avx512_needs_every_subset_ggml_compiles_with(script: ModuleType):
    assert "GGML_AVX512" not in on(script.build_flags(PARTIAL_AVX512.split()))


def test_flags_are_read_from_cpuinfo_text(script: ModuleType):
    cpuinfo = (
        f"processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: {AVX2_ONLY}\n\nprocessor\t: 1\nflags\t\t: {AVX2_ONLY}\n"
    )
    assert script.cpu_flags(cpuinfo) == set(AVX2_ONLY.split())
    assert script.build_flags(script.cpu_flags("Processor\t: ARMv8\n")) == ["-DGGML_NATIVE=OFF"]
