#!/usr/bin/env bash
# The test suite on other Python versions, each in its own venv (.venv-pyX.Y).
#
#   scripts/test_matrix.sh 3.10 3.13 [-- extra pytest arguments]
#
# `make test` covers the default python3; this covers the ends of the supported range
# (setup.cfg: python_requires >= 3.10, classifiers up to 3.13). An interpreter is looked
# up as pythonX.Y on PATH, then under `pyenv root`; a version that is not installed is
# skipped with a message (and the script still fails if a version that is installed
# fails its tests). Every found version runs the whole suite.
set -uo pipefail
cd "$(dirname "$0")/.."

versions=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do versions+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
pytest_args=("$@")

find_python() {
    local v=$1 candidate
    candidate=$(command -v "python$v" 2>/dev/null) && "$candidate" -c 'pass' 2>/dev/null \
        && { echo "$candidate"; return 0; }
    if command -v pyenv >/dev/null 2>&1; then
        for candidate in "$(pyenv root)"/versions/"$v".*/bin/python; do
            [ -x "$candidate" ] && { echo "$candidate"; return 0; }
        done
    fi
    return 1
}

status=0
ran=()
for v in "${versions[@]}"; do
    if ! py=$(find_python "$v"); then
        echo "test-matrix: SKIPPED Python $v: no python$v on PATH or under pyenv" >&2
        continue
    fi
    venv=".venv-py$v"
    echo "test-matrix: Python $v ($py) in $venv"
    if [ ! -f "$venv/.installed" ] || [ setup.cfg -nt "$venv/.installed" ]; then
        "$py" -m venv "$venv" \
            && "$venv/bin/python" -m pip install --quiet --upgrade pip \
            && "$venv/bin/python" -m pip install --quiet -e '.[test]' \
            && touch "$venv/.installed" \
            || { echo "test-matrix: FAILED to install on Python $v" >&2; status=1; continue; }
    fi
    "$venv/bin/cablemodels" build >/dev/null \
        && "$venv/bin/python" -m pytest -ra -q "${pytest_args[@]}" \
        || { echo "test-matrix: FAILED on Python $v" >&2; status=1; continue; }
    ran+=("$("$venv/bin/python" -c 'import platform; print(platform.python_version())')")
done
echo "test-matrix: passed on Python ${ran[*]:-none}"
exit $status
