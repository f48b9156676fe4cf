"""The wheel carries everything a run needs, and runs from anywhere.

The suite is built into a wheel from a copy of the source tree (so that no
``build/`` of the checkout can leak into it), installed with ``--no-deps``
into a fresh virtual environment beside nothing but pytest -- no
cryptography, no pyOpenSSL, no checkout on ``sys.path`` -- and run from a
directory outside any checkout, as ``ssl-conformance`` and as
``python -m conformance``.  The certificate fixtures live at the top of the
repository (``fixtures/certs/``); the build maps them in as
``conformance.fixtures`` (pyproject.toml), and these tests hold that the
installed suite finds them there, and that a run pointed at fixtures that
are not there stops with one error instead of a failure per case.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Dict, List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: what the build reads: everything else of the checkout stays out of the copy
SOURCES = ("pyproject.toml", "README.md", "conformance", "reference", "fixtures")
#: a slice of the suite that needs nothing but the stdlib ssl and the fixtures
CASE = "api/DER_cert_to_PEM_cert/*"
#: building, installing pytest, one run: generous, so a busy machine does not fail the test
TIMEOUT = 300
_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")


def _run(cmd: List[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=TIMEOUT, **kwargs)


def _checked(cmd: List[str], **kwargs) -> subprocess.CompletedProcess:
    proc = _run(cmd, **kwargs)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))}: exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _source_files() -> Set[str]:
    """The files an installed package must hold, named as they are installed:
    the checkout's ``fixtures/`` becomes ``conformance/fixtures/``."""
    names = set()
    for top, installed in (("conformance", "conformance"), ("reference", "reference"),
                           ("fixtures", "conformance/fixtures")):
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                names.add(installed + "/" + path.relative_to(ROOT / top).as_posix())
    return names


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=_IGNORE)
        else:
            shutil.copy2(ROOT / name, src / name)
    return src


@pytest.fixture(scope="module")
def wheel(source: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dist = tmp_path_factory.mktemp("dist")
    _checked([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, source])
    (built,) = dist.glob("ssl_conformance-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh environment holding the wheel and pytest, nothing of the checkout."""
    where = tmp_path_factory.mktemp("venv") / "env"
    _checked([sys.executable, "-m", "venv", where])
    python = where / "bin" / "python"
    _checked([python, "-m", "pip", "install", "-q", "--no-deps", wheel])
    _checked([python, "-m", "pip", "install", "-q", f"pytest=={pytest.__version__}"])
    return where


@pytest.fixture
def outside(tmp_path: Path) -> Dict[str, object]:
    """subprocess arguments for a command run as a user would: from a directory of
    their own, with nothing pointing back at the checkout."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "SSL_CONFORMANCE_CERTS", "VIRTUAL_ENV")}
    return {"cwd": tmp_path, "env": dict(env, PYTHONNOUSERSITE="1")}


def test_the_wheel_holds_every_file_of_the_source_tree(wheel: Path) -> None:
    """Modules, the agent (shim.py), expectations, schemas, the API listing and every fixture."""
    with zipfile.ZipFile(wheel) as zf:
        names = {n for n in zf.namelist() if not n.startswith("ssl_conformance-")}
    missing = _source_files() - names
    assert not missing, f"{len(missing)} files of the source tree are not in the wheel: {sorted(missing)[:10]}"
    for needed in ("conformance/shim.py", "conformance/__main__.py", "conformance/judge/api.json",
                   "conformance/schema/results.schema.json", "conformance/expectations/ssl.json",
                   "conformance/fixtures/certs/manifest.json"):
        assert needed in names


def test_the_sdist_holds_the_fixtures_where_the_repository_keeps_them(source: Path, tmp_path: Path) -> None:
    _checked([sys.executable, "-c", "import sys; from setuptools import build_meta; "
              "print(build_meta.build_sdist(sys.argv[1]))", tmp_path], cwd=source)
    (sdist,) = tmp_path.glob("ssl?conformance-*.tar.gz")  # setuptools < 69 kept the hyphen
    with tarfile.open(sdist) as tf:
        names = {n.split("/", 1)[1] for n in tf.getnames() if "/" in n}
    fixtures = {n for n in _source_files() if n.startswith("conformance/fixtures/")}
    expected = {n.replace("conformance/fixtures/", "fixtures/", 1) for n in fixtures}
    assert expected and not expected - names, sorted(expected - names)[:10]


def test_the_installed_suite_uses_the_fixtures_it_carries(venv: Path, outside: Dict[str, object]) -> None:
    proc = _checked([venv / "bin" / "python", "-c",
                     "from conformance.harness.env import CERTS_DIR; print(CERTS_DIR)"], **outside)
    certs = Path(proc.stdout.strip())
    assert certs.is_relative_to(venv.resolve()), certs
    assert certs.parts[-3:] == ("conformance", "fixtures", "certs") and (certs / "manifest.json").is_file()


@pytest.mark.parametrize("command", [["bin/ssl-conformance"], ["bin/python", "-m", "conformance"]],
                         ids=["console-script", "python-m-conformance"])
def test_the_installed_suite_runs_from_outside_any_checkout(
        venv: Path, outside: Dict[str, object], tmp_path: Path, command: List[str]) -> None:
    reports = tmp_path / "reports"
    proc = _run([venv / command[0], *command[1:], "run", "--impl", "ssl", "--case", CASE, "-n", "0",
                 "--report-dir", reports], **outside)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "\nOK: " in proc.stdout, proc.stdout[-3000:]
    assert (reports / "latest" / "results.json").is_file()


def test_a_run_without_its_fixtures_stops_with_one_clear_error(
        venv: Path, outside: Dict[str, object], tmp_path: Path) -> None:
    missing = tmp_path / "no-such-certs"
    proc = _run([venv / "bin" / "ssl-conformance", "run", "--impl", "ssl", "--case", CASE, "-n", "0",
                 "--report-dir", tmp_path / "reports", "--certs", missing], **outside)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0] and "--certs" in lines[0], proc.stderr
    assert "FileNotFoundError" not in proc.stdout + proc.stderr
    assert not (tmp_path / "reports").exists()


def test_the_installed_fixtures_command_writes_the_bundled_set(
        venv: Path, outside: Dict[str, object], tmp_path: Path) -> None:
    out = tmp_path / "mine"
    _checked([venv / "bin" / "ssl-conformance", "fixtures", "--out", out], **outside)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written == {p.relative_to(ROOT / "fixtures" / "certs").as_posix()
                       for p in (ROOT / "fixtures" / "certs").rglob("*") if p.is_file()}
    again = _run([venv / "bin" / "ssl-conformance", "fixtures", "--out", out], **outside)
    assert again.returncode == 2 and "not an empty directory" in again.stderr
