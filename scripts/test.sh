#!/usr/bin/env bash
# Installs everything the tests need, then runs them.  README's test command.
#   scripts/test.sh [extra pytest args]
# System packages (openssl CLI, pypy3, chromium, ca-certificates: the decode
# corpus of tests/test_corpus.py) are installed with apt-get when
# running as root; Python packages go into .venv (created if missing).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== apt-get: openssl pypy3 chromium ca-certificates"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq -o DPkg::Lock::Timeout=300
    apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends openssl pypy3 chromium ca-certificates >/dev/null
fi

# The interop tests run peer agents under python3.9 ... python3.13 (pyenv) and
# pypy3: put every installed pyenv version on PATH, the global one first.
if [ -z "${PYENV_VERSION:-}" ] && command -v pyenv >/dev/null; then
    PYENV_VERSION=$({ pyenv version-name; pyenv versions --bare --skip-aliases; } 2>/dev/null \
        | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | awk '!seen[$0]++' | paste -sd: -) || true
    export PYENV_VERSION
    echo "== PYENV_VERSION=$PYENV_VERSION"
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

# The agents run under the interpreters this machine has (PyPy from apt; python3.9 where pyenv has it).
peers=(--peer openssl-cli)
for interpreter in pypy3 python3.9; do
    if "$interpreter" -c 'import ssl' >/dev/null 2>&1; then peers+=(--peer "$interpreter:ssl"); fi
done
echo "== interop: implementations x ${peers[*]}"
.venv/bin/ssl-conformance run --impl reference --impl ssl "${peers[@]}" --case 'interop/*' -n 2 \
    --report-dir reports/interop

# The newest edition against the stdlib that implements it: CPython 3.13's ssl
# beside the reference at --edition 3.13 (TLS-PSK and the verified chains exist
# only there), where pyenv has python3.13.
if command -v python3.13 >/dev/null && python3.13 -c 'import ssl' >/dev/null 2>&1; then
    echo "== python3.13: ssl and reference at --edition 3.13"
    [ -x .venv-313/bin/python ] || python3.13 -m venv .venv-313
    .venv-313/bin/python -m pip install -q --disable-pip-version-check -e .
    .venv-313/bin/ssl-conformance run --impl ssl --impl reference --edition 3.13 -n 2 \
        --report-dir reports/edition-3.13
fi

# The suite itself must run where cryptography cannot be installed: PyPy's
# own ssl, with nothing but pytest beside the committed fixtures.
if command -v pypy3 >/dev/null; then
    echo "== pypy3: the suite against PyPy's ssl, only pytest installed"
    [ -x .venv-pypy/bin/python ] || pypy3 -m venv .venv-pypy
    .venv-pypy/bin/python -m pip install -q --disable-pip-version-check pytest
    # Twice, about a minute each: at the default edition (3.2, which keeps the cases
    # later editions dropped) and at PyPy's own (native: 3.9, the editions' new cases).
    for edition in 3.2 native; do
        set +e
        .venv-pypy/bin/python -m pytest -p conformance.plugin -p no:cacheprovider -q \
            conformance/test_conformance.py --impl ssl --edition "$edition"
        rc=$?
        set -e
        [ "$rc" = 5 ] && { echo "pypy3 --edition $edition: no tests ran: that is a failure" >&2; exit 1; }
        [ "$rc" = 0 ] || exit "$rc"
    done
fi
exit 0
