#!/usr/bin/env bash
# Prints the path of a working Python X.Y interpreter, or exits 1 when there is none.
#
#   tools/find_python.sh 3.12
#
# Looks on PATH first (python3.12), then in pyenv's versions ($PYENV_ROOT, default ~/.pyenv),
# newest patch release first. A candidate must run and report that version: pyenv shims on
# PATH exist for versions that are not selected, and fail when run.
set -uo pipefail

want="${1:?usage: find_python.sh X.Y}"
candidates=()
if on_path="$(command -v "python$want" 2>/dev/null)"; then
    candidates+=("$on_path")
fi
while IFS= read -r found; do
    candidates+=("$found")
done < <(ls -d "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python"$want" 2>/dev/null | sort -rV)

for python in "${candidates[@]}"; do
    if [[ "$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" == "$want" ]]; then
        printf '%s\n' "$python"
        exit 0
    fi
done
exit 1
