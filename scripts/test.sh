#!/usr/bin/env bash
# Installs everything the tests need, then runs them.  README's test command.
#   scripts/test.sh [extra pytest args]
# System packages (openssl CLI, pypy3, chromium) are installed with apt-get when
# running as root; Python packages go into .venv (created if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== apt-get: openssl pypy3 chromium"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends openssl pypy3 chromium >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv with $($PY --version)"
    "$PY" -m venv .venv
fi
echo "== pip install -e .[test]"
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

echo "== pytest"
set +e
.venv/bin/python -m pytest -n auto -p no:cacheprovider "$@"
rc=$?
set -e
if [ "$rc" = 5 ]; then
    echo "pytest collected no tests: that is a failure" >&2
    exit 1
fi
[ "$rc" = 0 ] || exit "$rc"

# The suite itself must run where cryptography cannot be installed: PyPy's
# own ssl, with nothing but pytest beside the committed fixtures.
if command -v pypy3 >/dev/null; then
    echo "== pypy3: the suite against PyPy's ssl, only pytest installed"
    [ -x .venv-pypy/bin/python ] || pypy3 -m venv .venv-pypy
    .venv-pypy/bin/python -m pip install -q --disable-pip-version-check pytest
    set +e
    .venv-pypy/bin/python -m pytest -p conformance.plugin -p no:cacheprovider -q \
        conformance/test_conformance.py --impl ssl
    rc=$?
    set -e
    [ "$rc" = 5 ] && { echo "pypy3: no tests ran: that is a failure" >&2; exit 1; }
    exit "$rc"
fi
exit 0
