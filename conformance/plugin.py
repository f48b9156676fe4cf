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

import collections
import re
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest

from .judge.protocols import DEFAULT_IMPLS
from .judge.basis import check_choice
from .judge import editions
from .harness.leaks import peak_rss_kib
from .harness.env import CERTS_DIR, certs_problem
from .report.ledger import JOURNAL, Journal, Ledger, incomplete_line, is_suite_item, item_id_of, read_journal
from .session import Session
from .report.rundir import write_reports
from .report.summary import verdict, verdict_line
from .report.results import build_document, load_results, memory_figures, new_run_id

_KEY = "ssl_conformance"
#: where plain pytest writes a run of the suite without --report-dir (as ssl-conformance run does)
DEFAULT_REPORT_DIR = "reports"


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
                    help="write results.json and the views derived from it into DIR/<run-id>/ "
                         f"(default: {DEFAULT_REPORT_DIR}/ in the current directory, when the run has cases)")
    group.addoption("--case", action="append", default=[], metavar="PATTERN",
                    help="run only the cases whose id matches this shell pattern, e.g. "
                         "'api/SSLContext.*' or 'matrix/legacy/*'; repeatable")
    group.addoption("--case-timeout", type=float, default=5.0, metavar="SECONDS",
                    help="timeout of every socket operation in a case (default 5); "
                         "a case still running after 6 times that fails as hung")
    group.addoption("--certs", default=None, metavar="DIR",
                    help="certificate fixtures directory (default: fixtures/certs of the checkout, "
                         "else the copy installed with the package)")
    group.addoption("--peer", action="append", default=[], metavar="SPEC",
                    help="an out-of-process peer for the interop matrix: INTERPRETER:MODULE "
                         "(e.g. pypy3:ssl, python3.9:ssl) or openssl-cli, tlslite; repeatable")
    group.addoption("--rerun-failures", type=int, default=0, metavar="N",
                    help="re-run each failing case N more times; a case that both passes and "
                         "fails is reported as 'flaky' with its failure rate (default 0)")
    group.addoption("--run-id", default=None, metavar="ID",
                    help="name of the run directory under --report-dir (default: UTC time + random)")
    group.addoption("--resume", action="store_true", default=False,
                    help="continue the run --run-id in --report-dir after its pytest process died: items "
                         "with a record in its journal are not run again, the one that was running is "
                         "recorded as crashed (ssl-conformance run does this by itself)")
    group.addoption("--edition", default=editions.DEFAULT, metavar="X.Y",
                    help="hold implementations to the ssl API documented for Python X.Y ("
                         + ", ".join((editions.BASE, "...", editions.LATEST)) + "), or 'native' for the "
                         "running interpreter's release; default " + editions.DEFAULT + ", the base spec, "
                         "so that a run means the same on every interpreter")
    group.addoption("--basis", default="all", metavar="BASIS",
                    help="run only the cases whose expectation rests on the spec's text ('spec') or on "
                         "CPython's behaviour where the spec is silent ('cpython'); default 'all'")


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "conformance: an ssl conformance case")
    problem = certs_problem(Path(config.getoption("certs") or CERTS_DIR))
    if problem:  # one clear error, not every case failing on its own FileNotFoundError
        raise pytest.UsageError(problem)
    try:
        config._ssl_conformance = Session.from_options(
            impls=config.getoption("impl") or list(DEFAULT_IMPLS),
            expectations=config.getoption("expectations"),
            timeout=config.getoption("case_timeout"),
            certs=config.getoption("certs"),
            case_patterns=config.getoption("case"),
            peers=config.getoption("peer"),
            based_on=config.getoption("based_on"),
            edition=config.getoption("edition"),
        )
    except ValueError as exc:  # a bad --peer, --based-on or --edition
        raise pytest.UsageError(str(exc)) from None
    if config.getoption("rerun_failures") < 0:
        raise pytest.UsageError("--rerun-failures must be 0 or more")
    if config.getoption("resume") and not (config.getoption("report_dir") and config.getoption("run_id")):
        raise pytest.UsageError("--resume needs the --report-dir and --run-id of the run to continue")
    unmatched = config._ssl_conformance.unmatched_patterns()
    if unmatched:  # a typo must not turn into a green run of nothing
        raise pytest.UsageError(
            "--case " + ", ".join(repr(p) for p in unmatched) + " matches no case id"
            + ("" if config.getoption("peer") else " (interop/... cases need --peer)"))
    config._ssl_conformance.rerun_failures = config.getoption("rerun_failures")
    try:
        config._ssl_conformance.basis = check_choice(config.getoption("basis"))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None
    config._ssl_conformance_started = time.time()
    config._ssl_conformance_recorder = _Recorder(config._ssl_conformance)
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
    """The run's session, its implementations probed (once per process, before
    the first item: a probe is never part of a case's time or deadline)."""
    session = _session(request.config)
    session.prepare()
    return session


class _Recorder:
    """Collects the records of every report (on the controller under xdist),
    keeps the :class:`~conformance.report.ledger.Ledger` of the run, journals the
    records as they arrive, and takes the peak RSS each xdist worker
    reports when it goes down."""
    def __init__(self, session: Session) -> None:
        self.session = session
        self.ledger = Ledger()
        self.journal: Optional[Journal] = None
        self.worker_peak_kib: List[int] = []

    @property
    def records(self) -> List[Dict[str, Any]]:
        return list(self.ledger.records.values())

    def pytest_collection_modifyitems(self, config: Any, items: List[Any]) -> None:
        """With ``--resume``, what the journal holds is not run again."""
        journal = _journal_path(config)
        if journal is None or not journal.exists():
            return
        contents = read_journal(journal)
        if not _is_worker(config):
            self.ledger.expect([item.nodeid for item in items])
        skip = set(contents.records) | set(contents.running)
        config.hook.pytest_deselected(items=[i for i in items if i.nodeid in skip])
        items[:] = [i for i in items if i.nodeid not in skip]

    def pytest_collection_finish(self, session: Any) -> None:
        self.ledger.expect([item.nodeid for item in session.items])

    def resume(self, config: Any, journal: Journal) -> None:
        """Take the records of the journal of the run being resumed; the
        items that were running when its process died are crashed."""
        contents = read_journal(journal.path)
        for nodeid, record in contents.records.items():
            self.ledger.add(nodeid, record)
        for nodeid, why in contents.crashed.items():
            self.ledger.crash(nodeid, why)
        for nodeid in contents.running:
            self._crashed(nodeid, "the pytest process died while running it")

    def _crashed(self, nodeid: str, why: str) -> None:
        """Item ``nodeid`` ended with its process: a failure of its implementation."""
        self.ledger.crash(nodeid, why)
        if self.journal is not None:
            self.journal.crashed(nodeid, why)
        self._add(nodeid, self.session.record_without_run(
            item_id_of(nodeid), "fail", f"crashed: the process running the case ended ({why})"))

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_node_collection_finished(self, node: Any, ids: Sequence[str]) -> None:
        self.ledger.expect(ids)

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        tolerate_death(node)

    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        output = getattr(node, "workeroutput", {})
        if output.get("peak_rss_kib"):
            self.worker_peak_kib.append(int(output["peak_rss_kib"]))
        # The workers probed the implementations already: the controller does not again.
        _session(node.config).adopt_facts(output.get("facts") or {})

    def pytest_internalerror(self, excrepr: Any, excinfo: Any) -> None:
        lines = [line for line in str(getattr(excinfo, "value", excrepr)).splitlines() if line.strip()]
        self.ledger.internal_errors.append(lines[-1].strip() if lines else repr(excrepr))

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.journal is not None:
            self.journal.started(nodeid)

    def pytest_runtest_logreport(self, report: Any) -> None:
        record = next((v for k, v in getattr(report, "user_properties", ()) if k == _KEY), None)
        if record is not None and report.when == "call":
            self._add(report.nodeid, record)
        elif report.failed and is_suite_item(report.nodeid) and report.nodeid not in self.ledger.records:
            # No record of its own: its process died under it (xdist's report,
            # ``when`` "???"), or pytest failed it around the call.
            why = _first_line(report.longrepr)
            if report.when in ("setup", "call", "teardown"):
                self._add(report.nodeid, self.session.record_without_run(
                    item_id_of(report.nodeid), "error", f"pytest failed the item at {report.when}: {why}"))
            else:
                why = re.sub(r"^worker '?(\w+)'? crashed while running .*", r"worker \1 died while running it", why)
                self._crashed(report.nodeid, why)

    @pytest.hookimpl(hookwrapper=True, tryfirst=True)
    def pytest_sessionfinish(self, session: Any) -> Any:
        """The last word, after pytest's own summary line: an incomplete run
        says so, and fails (exit status 1, or pytest's own if worse)."""
        yield
        completeness = getattr(session.config, "_ssl_conformance_completeness", None)
        if not completeness or completeness["complete"]:
            return
        terminal = session.config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            terminal.write_line(incomplete_line(completeness), red=True, bold=True)
        if session.exitstatus == 0:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED

    def _add(self, nodeid: str, record: Dict[str, Any]) -> None:
        self.ledger.add(nodeid, record)
        if self.journal is not None:
            self.journal.record(nodeid, record)


#: the commands that hand a worker items: a worker that died cannot take them, and need not
_WORK_COMMANDS = ("runtests", "runtests_all", "steal")


def tolerate_death(node: Any) -> None:
    """Let xdist's ``node`` be sent work after it died without ending the run.

    xdist's scheduler may hand a worker its next items while the news of
    its death is still on its way, and the failed send then ends the whole
    run in an INTERNALERROR (pytest-xdist #204). When the news arrives, xdist
    reports the death and gives what was sent to another worker, so such a
    send is dropped; any other command's failure still raises."""
    send = node.sendcommand

    def sendcommand(name: str, **kwargs: Any) -> None:
        try:
            send(name, **kwargs)
        except OSError:
            if name not in _WORK_COMMANDS:
                raise
    node.sendcommand = sendcommand


def _first_line(longrepr: Any) -> str:
    text = str(longrepr or "").strip()
    return text.splitlines()[-1].strip() if text else "no detail"


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


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: Any) -> None:
    """Under plain pytest too, the suite's own account: outcomes as the suite
    names them (a deviation is a known, reasoned difference, not an xfail),
    the verdict, and where results.json and report.html are."""
    paths = getattr(config, "_ssl_conformance_paths", None)
    if _is_worker(config) or not paths:
        return
    doc = load_results(paths["results"])
    counts = collections.Counter(r.get("outcome") for r in doc.get("cases", ()))
    terminalreporter.section("ssl-conformance")
    terminalreporter.write_line(", ".join(f"{n} {o}" for o, n in sorted(counts.items(), key=lambda kv: -kv[1])))
    for name, path in paths.items():
        terminalreporter.write_line(f"{name}: {path}")
    terminalreporter.write_line(verdict_line(doc), green=verdict(doc) == 0, red=verdict(doc) != 0)


def _is_worker(config: Any) -> bool:
    return hasattr(config, "workerinput")


def _run_id(config: Any) -> str:
    if not getattr(config, "_ssl_conformance_run_id", None):
        config._ssl_conformance_run_id = config.getoption("run_id") or new_run_id(config._ssl_conformance_started)
    return config._ssl_conformance_run_id


def pytest_sessionstart(session: Any) -> None:
    """Before any item runs, the run directory already holds an INCOMPLETE
    results.json (and its views) and ``latest`` points at it: if the process
    dies, nobody finds an older run's OK there instead.  The journal of
    records starts beside it."""
    config = session.config
    report_dir = config.getoption("report_dir")
    if _is_worker(config) or not report_dir:
        return
    doc = build_document(_session(config), [], started=config._ssl_conformance_started,
                         command=list(config.invocation_params.args), run_id=_run_id(config),
                         probe=False, completeness=Ledger.unfinished())
    recorder = config._ssl_conformance_recorder
    journal_path = _journal_path(config)
    resumed = journal_path.exists() if journal_path is not None else False
    paths = write_reports(doc, Path(report_dir))
    recorder.journal = Journal(paths["results"].parent)
    if resumed:
        recorder.resume(config, recorder.journal)


def _journal_path(config: Any) -> Optional[Path]:
    """The journal of the run that ``--resume`` continues (None without it)."""
    if not config.getoption("resume"):
        return None
    return Path(config.getoption("report_dir")) / config.getoption("run_id") / JOURNAL


def pytest_sessionfinish(session: Any, exitstatus: int) -> None:
    config = session.config
    if _is_worker(config):  # an xdist worker: the controller writes reports
        config.workeroutput["peak_rss_kib"] = peak_rss_kib()
        config.workeroutput["facts"] = _session(config).known_facts()
        return
    recorder = config._ssl_conformance_recorder
    completeness = recorder.ledger.completeness(exitstatus)
    config._ssl_conformance_completeness = completeness
    report_dir = config.getoption("report_dir")
    if not report_dir:
        if not recorder.ledger.expected and not recorder.records:
            return  # a pytest run without the suite in it
        report_dir = DEFAULT_REPORT_DIR  # every run of the suite is written, as README says
    doc = build_document(_session(config), recorder.records,
                         started=config._ssl_conformance_started,
                         command=list(config.invocation_params.args),
                         run_id=_run_id(config), completeness=completeness,
                         memory=memory_figures(peak_rss_kib(), recorder.worker_peak_kib))
    paths = write_reports(doc, Path(report_dir))
    if recorder.journal is not None:
        recorder.journal.close(remove=True)  # results.json holds every record now
    config._ssl_conformance_paths = paths

