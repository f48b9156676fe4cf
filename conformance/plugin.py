"""The pytest plugin: options, one test item per (case, implementation), records.

Registered through the ``pytest11`` entry point, so ``pytest --impl ssl``
works wherever the package is installed; elsewhere (PyPy with only pytest)
``pytest -p conformance.plugin conformance/test_conformance.py --impl ssl``
from a checkout does the same.

Items are data-driven: ``conformance/test_conformance.py`` holds a single
test function that the plugin parametrizes with

* one item per registered case and implementation under test (pair cases:
  per ordered pair of implementations, ``client->server``);
* one item per implementation that failed to load (a one-line failure);
* one item per expectation entry, failing when the entry is stale.

Each item attaches its result record to the test report, so under xdist the
controller receives every record and writes ``results.json`` (``--report-dir``).
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

from .leaks import peak_rss_kib
from .session import Session

DEFAULT_IMPLS = ("reference", "ssl")
_KEY = "ssl_conformance"


def pytest_addoption(parser: Any) -> None:
    group = parser.getgroup("ssl-conformance", "ssl conformance suite")
    group.addoption("--impl", action="append", default=[], metavar="MODULE",
                    help="an ssl implementation under test: a dotted module name, or a .py file path; repeatable "
                         f"(default: {' and '.join(DEFAULT_IMPLS)})")
    group.addoption("--expectations", action="append", default=[], metavar="PATH",
                    help="known-deviation file or directory; repeatable "
                         "(default: the files bundled in conformance/expectations)")
    group.addoption("--based-on", action="append", default=[], metavar="WRAPPER=BASE",
                    help="WRAPPER is built on BASE (e.g. mywrapper=ssl): it inherits BASE's known "
                         "deviations; repeatable (files can declare it too: \"based_on\")")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="write results.json (and the reports derived from it) into DIR")
    group.addoption("--case", action="append", default=[], metavar="PATTERN",
                    help="run only the cases whose id matches this shell pattern, e.g. "
                         "'api/SSLContext.*' or 'matrix/legacy/*'; repeatable")
    group.addoption("--case-timeout", type=float, default=5.0, metavar="SECONDS",
                    help="timeout of every socket operation in a case (default 5); "
                         "a case still running after 6 times that fails as hung")
    group.addoption("--certs", default=None, metavar="DIR",
                    help="certificate fixtures directory (default: fixtures/certs of the checkout)")
    group.addoption("--peer", action="append", default=[], metavar="SPEC",
                    help="an out-of-process peer for the interop matrix: INTERPRETER:MODULE "
                         "(e.g. pypy3:ssl, python3.9:ssl) or openssl-cli, tlslite; repeatable")
    group.addoption("--rerun-failures", type=int, default=0, metavar="N",
                    help="re-run each failing case N more times; a case that both passes and "
                         "fails is reported as 'flaky' with its failure rate (default 0)")
    group.addoption("--run-id", default=None, metavar="ID",
                    help="name of the run directory under --report-dir (default: UTC time + random)")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "conformance: an ssl conformance case")
    try:
        config._ssl_conformance = Session.from_options(
            impls=config.getoption("impl") or list(DEFAULT_IMPLS),
            expectations=config.getoption("expectations"),
            timeout=config.getoption("case_timeout"),
            certs=config.getoption("certs"),
            case_patterns=config.getoption("case"),
            peers=config.getoption("peer"),
            based_on=config.getoption("based_on"),
        )
    except ValueError as exc:  # a bad --peer or --based-on spec
        raise pytest.UsageError(str(exc)) from None
    if config.getoption("rerun_failures") < 0:
        raise pytest.UsageError("--rerun-failures must be 0 or more")
    unmatched = config._ssl_conformance.unmatched_patterns()
    if unmatched:  # a typo must not turn into a green run of nothing
        raise pytest.UsageError(
            "--case " + ", ".join(repr(p) for p in unmatched) + " matches no case id"
            + ("" if config.getoption("peer") else " (interop/... cases need --peer)"))
    config._ssl_conformance.rerun_failures = config.getoption("rerun_failures")
    config._ssl_conformance_started = time.time()
    config._ssl_conformance_recorder = _Recorder()
    config.pluginmanager.register(config._ssl_conformance_recorder, "ssl-conformance-recorder")
    # Implementations under test warn about the legacy API the spec documents.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:conformance")


def _session(config: Any) -> Session:
    return config._ssl_conformance


def pytest_generate_tests(metafunc: Any) -> None:
    if "conformance_item" not in metafunc.fixturenames:
        return
    items = _session(metafunc.config).items()
    metafunc.parametrize("conformance_item", items, ids=[i.id for i in items])


@pytest.fixture(scope="session")
def conformance_session(request: Any) -> Session:
    return _session(request.config)


class _Recorder:
    """Collects the records of every report (on the controller under xdist),
    and the peak RSS each xdist worker reports when it goes down."""

    def __init__(self) -> None:
        self.records: List[Dict[str, Any]] = []
        self.worker_peak_kib: List[int] = []

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {})
        if output.get("peak_rss_kib"):
            self.worker_peak_kib.append(int(output["peak_rss_kib"]))
        # The workers probed the implementations already: the controller does not again.
        _session(node.config).adopt_facts(output.get("facts") or {})

    def pytest_runtest_logreport(self, report: Any) -> None:
        if report.when != "call":
            return
        for key, value in getattr(report, "user_properties", ()):
            if key == _KEY:
                self.records.append(value)


def attach(node: Any, record: Dict[str, Any]) -> None:
    """Put ``record`` on the test report (travels from xdist workers)."""
    node.user_properties.append((_KEY, record))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """The record travels on the ``call`` report only: pytest copies an item's
    user_properties onto its teardown report too, which under xdist is a
    second serialised copy of every record held by the controller."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "teardown" and report.user_properties:
        report.user_properties = [p for p in report.user_properties if p[0] != _KEY]


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    config = session.config
    if hasattr(config, "workerinput"):  # an xdist worker: the controller writes reports
        config.workeroutput["peak_rss_kib"] = peak_rss_kib()
        config.workeroutput["facts"] = _session(config).known_facts()
        return
    report_dir = config.getoption("report_dir")
    records = config._ssl_conformance_recorder.records
    if not report_dir or not records:
        return
    from .results import build_document, memory_figures, write_reports
    doc = build_document(_session(config), records,
                         started=config._ssl_conformance_started,
                         command=list(config.invocation_params.args),
                         run_id=config.getoption("run_id") or "",
                         memory=memory_figures(peak_rss_kib(), config._ssl_conformance_recorder.worker_peak_kib))
    paths = write_reports(doc, Path(report_dir))
    config._ssl_conformance_paths = paths
