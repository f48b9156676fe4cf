"""No route ends green for a wrong implementation.

Four modules in ``tests/impls/``, each wrong in a way that once ended in an
OK verdict or an unreadable one, are run through every route a user takes --
plain pytest and ``ssl-conformance run``, each in one process and under
xdist -- and every view of every run must say FAILED or INCOMPLETE:

* ``wrong_verify_mode``: reads ``CERT_OPTIONAL`` back as the ``IntEnum``
  ``CERT_NONE`` (its wrong answer once killed the xdist worker sending it);
* ``kills_process``: ``DER_cert_to_PEM_cert`` ends the process it runs in;
* ``no_handshake``: its sockets have no ``do_handshake()``;
* ``no_sslcontext``: it has no ``SSLContext``.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Sequence, Tuple

import pytest

from conformance.report.summary import verdict

ROOT = Path(__file__).resolve().parent.parent
IMPLS = Path(__file__).resolve().parent / "impls"

#: the cases every run is restricted to: the ones each module's defect reaches, and some it passes
#: (a few DER cases only: each crash costs a resume, and `run -n 0` allows MAX_RESUMES, 20)
#: (no pair case: a side without do_handshake makes its peer wait out the case timeout)
CASES = ["api/SSLContext.verify_mode/*", "api/DER_cert_to_PEM_cert/[c-e]*", "api/PEM_cert_to_DER_cert/*",
         "floor/default/*", "api/SSLContext/*"]
MODULES = ("wrong_verify_mode", "kills_process", "no_handshake", "no_sslcontext")
ROUTES = {
    "pytest -n 0": ["-m", "pytest", "-p", "conformance.plugin", "conformance/test_conformance.py",
                    "-p", "no:cacheprovider", "-q"],
    "pytest -n 2": ["-m", "pytest", "-p", "conformance.plugin", "conformance/test_conformance.py",
                    "-p", "no:cacheprovider", "-q", "-n", "2"],
    "cli -n 0": ["-m", "conformance.cli", "run", "--no-matrix", "-n", "0"],
    "cli -n 2": ["-m", "conformance.cli", "run", "--no-matrix", "-n", "2"],
}


def _run(route: str, modules: Sequence[str], report_dir: Path) -> subprocess.CompletedProcess:
    cmd = [sys.executable, *ROUTES[route], "--report-dir", str(report_dir), "--case-timeout", "2"]
    for module in modules:
        cmd += ["--impl", module]
    for pattern in CASES:
        cmd += ["--case", pattern]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(IMPLS)]))
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def _modules(route: str) -> Tuple[str, ...]:
    """All four at once; in one plain pytest process the one that kills its process
    would take the others with it (it has a test of its own below)."""
    return tuple(m for m in MODULES if route != "pytest -n 0" or m != "kills_process")


def _green(line: str) -> bool:
    """Does the last line read as a run that went well?"""
    if line.startswith("OK"):
        return True
    return "passed" in line and not any(word in line for word in ("failed", "error", "incomplete"))


def _last_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_no_route_ends_green(route: str, tmp_path: Path) -> None:
    modules = _modules(route)
    proc = _run(route, modules, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out[-3000:]
    assert "INTERNALERROR" not in out, out[-3000:]
    last = _last_line(proc.stdout)
    assert not _green(last), last

    run_dir = (tmp_path / "latest").resolve()
    doc = json.loads((run_dir / "results.json").read_text())
    assert verdict(doc) == 1
    failing = {r["impl"].split("->")[0] for r in doc["cases"] if r["outcome"] in ("fail", "error")}
    assert set(modules) <= failing, f"no failure recorded for {sorted(set(modules) - failing)}"
    html = (run_dir / "report.html").read_text()
    assert "class='verdict bad'" in html and "class='verdict ok'" not in html
    suites = ET.parse(run_dir / "junit.xml").getroot()
    assert int(suites.get("failures")) + int(suites.get("errors")) > 0


def test_an_enum_answer_is_shown_not_a_crash(tmp_path: Path) -> None:
    proc = _run("pytest -n 2", ["wrong_verify_mode"], tmp_path)
    doc = json.loads(((tmp_path / "latest").resolve() / "results.json").read_text())
    assert doc["run"]["complete"] is True, doc["run"]["completeness"]
    failed = {r["id"]: r for r in doc["cases"] if r["outcome"] == "fail"}
    assert "api/SSLContext.verify_mode/set-CERT_OPTIONAL" in failed, proc.stdout[-2000:]
    assert "VerifyMode.CERT_NONE (0)" in json.dumps(failed["api/SSLContext.verify_mode/set-CERT_OPTIONAL"])


@pytest.mark.parametrize("route", ["cli -n 0", "cli -n 2"])
def test_a_crash_fails_its_case_and_the_rest_of_the_run_goes_on(route: str, tmp_path: Path) -> None:
    """``ssl-conformance run`` goes on after a crash: under xdist it replaces
    the worker (plain pytest stops after xdist's ``--max-worker-restart``),
    in one process it continues the run from its journal."""
    proc = _run(route, ["kills_process"], tmp_path)
    doc = json.loads(((tmp_path / "latest").resolve() / "results.json").read_text())
    done = doc["run"]["completeness"]
    assert doc["run"]["complete"] is False and "INCOMPLETE" in _last_line(proc.stdout)
    by_outcome: dict = {}
    for rec in doc["cases"]:
        by_outcome.setdefault(rec["outcome"], set()).add(rec["id"])
    crashed = {i.split(":", 1)[1] for i in done["crashed"]}
    # every DER_cert_to_PEM_cert case that calls it crashed, and each is a failure naming the crash
    assert crashed and crashed <= by_outcome["fail"]
    assert all(r["message"].startswith("crashed:") for r in doc["cases"] if r["id"] in crashed)
    # ... and the PEM_cert_to_DER_cert cases, after them, still ran and passed
    assert any(i.startswith("api/PEM_cert_to_DER_cert/") for i in by_outcome["pass"])
    assert done["missing"] == 0 and done["records"] == done["items"]


def test_plain_pytest_without_xdist_leaves_an_incomplete_report_when_it_dies(tmp_path: Path) -> None:
    proc = _run("pytest -n 0", ["kills_process"], tmp_path)
    assert proc.returncode == 70  # the module's os._exit: nothing after it ran
    run_dir = (tmp_path / "latest").resolve()
    doc = json.loads((run_dir / "results.json").read_text())
    assert doc["run"]["complete"] is False
    assert "INCOMPLETE" in (run_dir / "report.html").read_text()
    assert (run_dir / "records.jsonl").exists()  # what ssl-conformance run continues from
