#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: sets up .venv (once), installs the
# project with its test extras, installs the Debian feed readers and browser the
# reader/browser tests use and the PostgreSQL server the store tests start (when apt-get
# is there and they are missing), runs pytest.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -k feeds`.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

# Real feed readers (newsboat, sfeed), a headless browser (chromium) and PostgreSQL (the
# tests run initdb and postgres from /usr/lib/postgresql/<version>/bin), from Debian.
need=()
for cmd in newsboat sfeed chromium; do
    command -v "$cmd" >/dev/null 2>&1 || need+=("$cmd")
done
# the shared-frontier tests start their own redis-server (tests/helpers/redis.py)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
    need+=(postgresql)
fi
if [ ${#need[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "installing Debian packages: ${need[*]}"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null) \
        || echo "warning: could not install ${need[*]}; the tests that need them will fail" >&2
fi

exec .venv/bin/python -m pytest "$@"
