#!/usr/bin/env bash
# Contract tests: the SDK against Prism 4.14.1, an OpenAPI validator nobody here wrote.
#
#   bash contract/run.sh [extra pytest arguments]
#
# 1. installs Prism from contract/package-lock.json into contract/node_modules (npm ci; skipped
#    when that exact lock file is already installed),
# 2. builds the document Prism serves, contract/build/prism.openapi.json,
# 3. starts `prism mock` on a free 127.0.0.1 port and waits until it answers,
# 4. runs `.venv/bin/pytest tests/contract -q` with PRISM_URL / PRISM_SPEC set,
# 5. stops Prism (by its PID) however the script ends.
# Needs: Node >= 16 with npm, and .venv (built by `make`). See docs/contract.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$ROOT"

PRISM_VERSION="4.14.1"
BUILD="$HERE/build"
SPEC_OUT="$BUILD/prism.openapi.json"
PRISM_LOG="$BUILD/prism.log"
PRISM_BIN="$HERE/node_modules/.bin/prism"
STAMP="$HERE/node_modules/.contract-lock.sha256"
PYTHON="$ROOT/.venv/bin/python"
PYTEST="$ROOT/.venv/bin/pytest"
START_WAIT_TENTHS=300  # 30 s for Prism to answer
PYTEST_TIMEOUT=150     # seconds; the suite takes a few

say() { printf 'contract: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

# `timeout` bounds a step where coreutils has it (Linux CI); elsewhere the step runs unbounded.
bounded() {
    local seconds="$1"
    shift
    if command -v timeout >/dev/null 2>&1; then
        timeout "$seconds" "$@"
    else
        "$@"
    fi
}

[[ -x "$PYTHON" && -x "$PYTEST" ]] || die ".venv is missing: run \`make test\` (or \`make demo\`) once to build it"
command -v node >/dev/null 2>&1 || die "node is not installed (Prism $PRISM_VERSION needs Node >= 16)"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
(( node_major >= 16 )) || die "Node $(node --version) is too old: Prism $PRISM_VERSION needs Node >= 16"

# -- 1. Prism, exactly as pinned by the lock file ------------------------------------------------
if [[ ! -f "$HERE/package-lock.json" ]]; then
    # Only when someone deleted the lock to move Prism: npm install writes a new one (commit it).
    say "no contract/package-lock.json: resolving with npm install (commit the new lock file)"
    bounded 300 npm install --prefix "$HERE" --no-audit --no-fund --loglevel=error >&2
fi
lock_sum="$("$PYTHON" -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$HERE/package-lock.json")"
if [[ -x "$PRISM_BIN" && -f "$STAMP" && "$(cat "$STAMP")" == "$lock_sum" ]]; then
    say "Prism already installed from this package-lock.json"
else
    say "installing Prism with npm ci (contract/package-lock.json)"
    bounded 300 npm ci --prefix "$HERE" --no-audit --no-fund --loglevel=error >&2
    printf '%s\n' "$lock_sum" >"$STAMP"
fi
installed="$("$PRISM_BIN" --version)"
[[ "$installed" == "$PRISM_VERSION" ]] || die "expected Prism $PRISM_VERSION, found $installed"

# -- 2. the document Prism serves ----------------------------------------------------------------
mkdir -p "$BUILD"
"$PYTHON" "$HERE/make_prism_spec.py" --out "$SPEC_OUT" >&2

# -- 3. start Prism and wait until it answers ----------------------------------------------------
PRISM_PID=""
stop_prism() {
    if [[ -n "$PRISM_PID" ]] && kill -0 "$PRISM_PID" 2>/dev/null; then
        kill "$PRISM_PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$PRISM_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$PRISM_PID" 2>/dev/null || true
        wait "$PRISM_PID" 2>/dev/null || true
    fi
    PRISM_PID=""
}
trap stop_prism EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
    "$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Answers 0 once Prism serves a valid retrieve with 200.
probe() {
    "$PYTHON" - "$1" <<'PY'
import sys, urllib.request
request = urllib.request.Request(
    sys.argv[1] + "/v1/credit_notes/cn_probe", headers={"Authorization": "Bearer sk_test_probe"}
)
try:
    with urllib.request.urlopen(request, timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

PRISM_URL=""
for attempt in 1 2 3; do  # a port taken between free_port and Prism's bind: try another
    port="$(free_port)"
    url="http://127.0.0.1:$port"
    say "starting Prism $PRISM_VERSION on $url (attempt $attempt)"
    "$PRISM_BIN" mock --host 127.0.0.1 --port "$port" --errors "$SPEC_OUT" >"$PRISM_LOG" 2>&1 &
    PRISM_PID=$!
    for _ in $(seq 1 "$START_WAIT_TENTHS"); do
        if ! kill -0 "$PRISM_PID" 2>/dev/null; then
            break
        fi
        if probe "$url"; then
            PRISM_URL="$url"
            break
        fi
        sleep 0.1
    done
    [[ -n "$PRISM_URL" ]] && break
    say "Prism did not come up; last lines of its log:"
    tail -n 20 "$PRISM_LOG" >&2 || true
    stop_prism
done
[[ -n "$PRISM_URL" ]] || die "Prism did not start"
say "Prism is answering on $PRISM_URL (log: ${PRISM_LOG#"$ROOT"/})"

# -- 4. the contract suite -----------------------------------------------------------------------
status=0
PRISM_URL="$PRISM_URL" PRISM_SPEC="$SPEC_OUT" \
    bounded "$PYTEST_TIMEOUT" "$PYTEST" tests/contract -q "$@" || status=$?
if (( status != 0 )); then
    say "pytest exited with $status; Prism's log is $PRISM_LOG"
fi
exit "$status"
