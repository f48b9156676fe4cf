"""``ssl-conformance``: run the suite, compare runs, merge runs.

Subcommands (each has ``--help``):

``run``       the suite through pytest (xdist across the cores when it is
              installed), writing ``D/<run-id>/{results.json, report.html,
              junit.xml, repro/}`` and ``D/latest``, then the summary;
``compare``   what changed between two results.json (exit 1 on regressions, or when the later run is incomplete);
``merge``     one cross-run view of several results.json (JSON + HTML);
``bench``, ``selftest``, ``soak``, ``fixtures``
              provided by their own modules (see :data:`EXTERNAL`).

Exit status: 0 when nothing unexpected happened, 1 when something did (an
unlisted failure, an unexpected pass, a flake, an implementation that would
not load, a regression), 2 for usage errors.

Standard library only: the command works wherever the suite does.
"""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from .judge.protocols import DEFAULT_IMPLS
from .report.ledger import JOURNAL

__all__ = ["main", "build_parser", "EXTERNAL", "pytest_command"]

DEFAULT_REPORT_DIR = "reports"
SUITE_FILE = Path(__file__).resolve().parent / "test_conformance.py"
#: how often ``run`` samples the memory of all its processes (seconds)
SAMPLE_EVERY = 1.0
#: how many times ``run`` continues a run whose pytest process died (``-n 0``; under
#: xdist, the workers are replaced instead, up to :data:`MAX_WORKER_RESTARTS`)
MAX_RESUMES = 20
MAX_WORKER_RESTARTS = 50

#: Subcommands implemented in their own modules: name -> (module, one-line help).
#: Each module exposes ``add_arguments(parser)`` and ``run(args) -> int``.
EXTERNAL: Dict[str, tuple] = {
    "bench": ("conformance.tools.bench", "benchmarks: handshakes/s, throughput, per-call overhead vs stdlib ssl"),
    "selftest": ("conformance.tools.selftest", "run the suite against broken variants of the reference (mutants)"),
    "soak": ("conformance.tools.soak", "concurrency and leak figures: many handshakes, fds/threads/RSS budgets"),
    "fixtures": ("conformance.tools.fixtures", "write a copy of the certificate fixtures, to edit or replace"),
}


class UsageError(Exception):
    """A command-line mistake: reported in one line, exit status 2."""


# -- run ---------------------------------------------------------------------
def _xdist_available() -> bool:
    return importlib.util.find_spec("xdist") is not None


def pytest_command(args: argparse.Namespace, run_id: str) -> List[str]:
    """The pytest command line ``run`` executes (in a child interpreter)."""
    cmd = [sys.executable, "-m", "pytest", "-p", "conformance.plugin", str(SUITE_FILE),
           "-p", "no:cacheprovider", "-p", "no:benchmark", "-c", os.devnull, "--rootdir", str(SUITE_FILE.parent),
           "-q", "--tb=no", "-W", "ignore::DeprecationWarning",
           "--report-dir", str(args.report_dir), "--run-id", run_id]
    for impl in args.impl or DEFAULT_IMPLS:
        cmd += ["--impl", impl]
    if args.certs:
        cmd += ["--certs", str(args.certs)]
    for flag, values in (("--peer", args.peer), ("--expectations", args.expectations),
                         ("--case", args.case), ("--based-on", args.based_on)):
        for value in values or ():
            cmd += [flag, value]
    if args.k:
        cmd += ["-k", args.k]
    if args.rerun_failures:
        cmd += ["--rerun-failures", str(args.rerun_failures)]
    if getattr(args, "basis", "all") != "all":
        cmd += ["--basis", args.basis]
    if getattr(args, "edition", None):
        cmd += ["--edition", args.edition]
    if args.case_timeout is not None:
        cmd += ["--case-timeout", str(args.case_timeout)]
    if args.n not in ("0", "1") and _xdist_available():
        cmd += ["-n", args.n, "--max-worker-restart", str(MAX_WORKER_RESTARTS)]
    return cmd


def _check_run_args(args: argparse.Namespace) -> None:
    if args.n != "auto" and not (args.n.isdigit()):
        raise UsageError(f"-n {args.n!r}: expected a number of workers or 'auto'")
    if args.rerun_failures < 0 or args.repeat < 1:
        raise UsageError("--rerun-failures must be >= 0 and --repeat >= 1")
    from .judge import editions
    try:
        args.edition = editions.parse(args.edition)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    from .harness.env import CERTS_DIR, certs_problem
    problem = certs_problem(Path(args.certs or CERTS_DIR))
    if problem:
        raise UsageError(problem)
    for path in args.expectations or ():
        if not Path(path).exists():
            raise UsageError(f"--expectations {path}: no such file or directory")
    for text in args.based_on or ():
        from .judge.expectations import ExpectationError, parse_based_on
        try:
            parse_based_on(text)
        except ExpectationError as exc:
            raise UsageError(str(exc)) from None
    if args.peer:
        from .peers.peerspec import parse_peers
        try:
            parse_peers(args.peer)
        except ValueError as exc:
            raise UsageError(str(exc)) from None


def _run_once(args: argparse.Namespace) -> tuple:
    """One pytest run: (exit status, results document or None)."""
    from .harness.leaks import TreePeak
    from .report.results import add_run_peak, load_results, new_run_id
    run_id = new_run_id(time.time())
    cmd = pytest_command(args, run_id)
    if args.verbose:
        print("+ " + " ".join(cmd), flush=True)
    env = dict(os.environ)
    # The child must import this very package (a checkout or an install).
    root = str(SUITE_FILE.parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    run_dir = Path(args.report_dir) / run_id
    with TreePeak(os.getpid(), SAMPLE_EVERY) as peak:
        rc = subprocess.call(cmd, env=env)
        for _ in range(MAX_RESUMES):
            if not (run_dir / JOURNAL).exists():
                break  # pytest finished its session (it removes the journal then)
            print(f"ssl-conformance: the pytest process ended (exit status {rc}) before the run finished; "
                  "continuing without the case it was running", file=sys.stderr, flush=True)
            rc = subprocess.call(cmd + ["--resume"], env=env)
    if (run_dir / JOURNAL).exists():
        _give_up(run_dir, rc)
    results = run_dir / "results.json"
    if rc == 4:
        raise UsageError("pytest refused the options (see above)")
    if rc == 5:
        raise UsageError("no case selected (check --case / -k / --basis)")
    if not results.exists():
        print(f"ssl-conformance: pytest exited with status {rc} without writing {results}",
              file=sys.stderr)
        return 1, None
    doc = add_run_peak(results, peak.kib, SAMPLE_EVERY) if peak.kib else load_results(results)
    if rc not in (0, 1):
        print(f"ssl-conformance: pytest exited with status {rc}; results may be incomplete",
              file=sys.stderr)
    return rc, doc


def _give_up(run_dir: Path, rc: int) -> None:
    """The pytest process kept dying: results.json from what its journal holds, INCOMPLETE."""
    from .report.ledger import Ledger, read_journal
    from .report.results import load_results
    from .report.rundir import write_reports
    doc = load_results(run_dir / "results.json")  # the placeholder written as the run began
    ledger = Ledger.from_journal(read_journal(run_dir / JOURNAL), "the pytest process died while running it")
    doc["cases"] = sorted(ledger.records.values(), key=lambda r: (r["id"], r["impl"]))
    died = (f"the pytest process died {MAX_RESUMES + 1} times (last exit status {rc}); "
            "the items it had not reached are not counted")
    doc["run"]["completeness"] = ledger.completeness(rc, reasons=[died])
    doc["run"]["complete"] = doc["run"]["completeness"]["complete"]
    write_reports(doc, run_dir.parent)
    (run_dir / JOURNAL).unlink()


def cmd_run(args: argparse.Namespace) -> int:
    from .report.summary import render_summary, verdict
    _check_run_args(args)
    runs = []
    for i in range(args.repeat):
        if args.repeat > 1:
            print(f"== run {i + 1} of {args.repeat}", flush=True)
        rc, doc = _run_once(args)
        if doc is None:
            return 1
        runs.append((rc, doc))
    rc, doc = runs[-1]
    run_dir = Path(args.report_dir) / doc["run"]["id"]
    paths = {name: run_dir / name for name in ("results.json", "report.html", "junit.xml", "repro")
             if (run_dir / name).exists()}
    print()
    print(render_summary(doc, paths=paths, matrices=not args.no_matrix))
    status = verdict(doc)
    if rc not in (0, 1):
        status = 1
    if args.repeat > 1:
        status = max(status, _report_repeats([d for _, d in runs]))
    return status


def _report_repeats(docs: Sequence[Dict[str, Any]]) -> int:
    """Print which cases changed outcome across repeated runs; 1 if any did."""
    seen: Dict[tuple, set] = {}
    for doc in docs:
        for rec in doc.get("cases", ()):
            seen.setdefault((rec["id"], rec["impl"]), set()).add(rec["outcome"])
    changed = sorted(k for k, v in seen.items() if len(v) > 1)
    print(f"\nrepeat: {len(docs)} runs, {len(seen)} cases, {len(changed)} changed outcome")
    for case_id, impl in changed[:30]:
        print(f"  {impl}: {case_id}: {', '.join(sorted(seen[(case_id, impl)]))}")
    return 1 if changed else 0


def _add_run_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--impl", action="append", metavar="MODULE",
                   help="an ssl implementation under test: a dotted module name, or a .py file path; repeatable "
                        f"(default: {' and '.join(DEFAULT_IMPLS)})")
    p.add_argument("--peer", action="append", metavar="SPEC",
                   help="out-of-process peer for the interop matrix: INTERPRETER:MODULE "
                        "(e.g. pypy3:ssl) or openssl-cli, tlslite; repeatable")
    p.add_argument("--expectations", action="append", metavar="PATH",
                   help="known-deviation file or directory; repeatable (default: the bundled ones)")
    p.add_argument("--based-on", action="append", metavar="WRAPPER=BASE",
                   help="WRAPPER is built on BASE (e.g. mywrapper=ssl) and inherits BASE's known "
                        "deviations; repeatable")
    p.add_argument("--certs", metavar="DIR",
                   help="certificate fixtures directory (default: the checkout's fixtures/certs, else the "
                        "copy installed with the package; 'ssl-conformance fixtures' writes one)")
    p.add_argument("--report-dir", default=DEFAULT_REPORT_DIR, metavar="D",
                   help=f"where runs are written, as D/<run-id>/ (default: {DEFAULT_REPORT_DIR}/)")
    p.add_argument("-n", default="auto", metavar="N",
                   help="parallel workers (pytest-xdist), or 'auto' for one per core (default); "
                        "0 runs in one process")
    p.add_argument("-k", metavar="EXPR", help="pytest -k expression over item ids, e.g. 'matrix and ssl'")
    p.add_argument("--case", action="append", metavar="PATTERN",
                   help="only cases whose id matches this shell pattern, e.g. 'matrix/*'; repeatable")
    p.add_argument("--rerun-failures", type=int, default=0, metavar="N",
                   help="re-run failing cases N more times; mixed results are reported as flaky")
    p.add_argument("--repeat", type=int, default=1, metavar="N",
                   help="run the whole suite N times and report every case whose outcome changed")
    p.add_argument("--case-timeout", type=float, default=None, metavar="SECONDS",
                   help="timeout of every socket operation in a case (default 5); "
                        "a case still running after 6 times that fails as hung")
    from .judge import editions
    p.add_argument("--edition", default=editions.DEFAULT, metavar="X.Y",
                   help="hold implementations to the ssl API documented for Python X.Y "
                        f"({editions.BASE} ... {editions.LATEST}), or 'native' for the running interpreter's "
                        f"release ({editions.native()} here); default {editions.DEFAULT}, the base spec: "
                        "a run then means the same on every interpreter and its verdicts stay comparable")
    from .judge.basis import CHOICES
    p.add_argument("--basis", choices=CHOICES, default="all",
                   help="only the cases that rest on the spec's text (spec), or on CPython's behaviour where "
                        "the spec is silent (cpython); default: all")
    p.add_argument("--no-matrix", action="store_true", help="leave the matrices out of the summary")
    p.add_argument("-v", "--verbose", action="store_true", help="print the pytest command line")


# -- compare / merge ---------------------------------------------------------
def _add_compare_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("old", metavar="OLD", help="results.json of the earlier run (or its run directory)")
    p.add_argument("new", metavar="NEW", help="results.json of the later run (or its run directory)")
    p.add_argument("--json", action="store_true", help="print the comparison as JSON")


def cmd_compare(args: argparse.Namespace) -> int:
    from .report.compare import compare, render_comparison
    old, new = _load(args.old), _load(args.new)
    diff = compare(old, new)
    if args.json:
        import json
        print(json.dumps(diff, indent=1))
    else:
        print(render_comparison(diff))
    # a later run that did not finish is no evidence that nothing regressed
    return 1 if diff["regressions"] or diff["new"]["incomplete"] else 0


def _add_merge_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("inputs", nargs="+", metavar="RESULTS",
                   help="results.json files or run directories to merge, e.g. one per CI job; a "
                        "directory of report directories (reports/tox) stands for each one's latest run")
    p.add_argument("-o", "--output", default=os.path.join(DEFAULT_REPORT_DIR, "merged"), metavar="DIR",
                   help="where merged.json and merged.html are written (default: reports/merged)")


def cmd_merge(args: argparse.Namespace) -> int:
    from .report.merge import merge, write_merged
    docs = [_load(p) for p in _expand(args.inputs)]
    merged = merge(docs)
    paths = write_merged(merged, Path(args.output))
    from .report.merge import render_merged_text
    print(render_merged_text(merged))
    for name, path in paths.items():
        print(f"{name}: {path}")
    return 1 if merged["summary"]["gating"] else 0


def _expand(inputs: Sequence[str]) -> List[str]:
    """Each input as results files: a directory holding report directories
    (``reports/tox/<env>/latest``) stands for every ``*/latest`` in it."""
    out: List[str] = []
    for item in inputs:
        p = Path(item)
        if p.is_dir() and not (p / "results.json").exists() and not (p / "latest").exists():
            found = sorted(str(d / "latest") for d in p.iterdir() if (d / "latest" / "results.json").exists())
            if not found:
                raise UsageError(f"{item}: no results.json, no latest run, no report directories in it")
            out += found
        elif p.is_dir() and not (p / "results.json").exists():
            out.append(str(p / "latest"))
        else:
            out.append(item)
    return out


def _load(path: str) -> Dict[str, Any]:
    from .report.results import load_results
    p = Path(path)
    if p.is_dir():
        p = p / "results.json"
    if not p.exists():
        raise UsageError(f"{path}: no such results file")
    try:
        return load_results(p)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


# -- subcommands from other modules -----------------------------------------
def _external(name: str, module: str, sub: Any, help_text: str) -> None:
    try:
        mod = importlib.import_module(module)
    except Exception as exc:  # noqa: BLE001 - one broken subcommand must not take the others down
        if isinstance(exc, ModuleNotFoundError) and exc.name == module:
            why = f"'{name}' is not available: module {module} is not part of this installation"
        else:
            why = f"'{name}' is not available: importing {module} failed: {type(exc).__name__}: {exc}"
        p = sub.add_parser(name, help=help_text + " (not available)", description=why)
        p.set_defaults(func=_unavailable(why))
        return
    p = sub.add_parser(name, help=help_text, description=(mod.__doc__ or help_text).strip().split("\n\n")[0])
    mod.add_arguments(p)
    p.set_defaults(func=mod.run)


def _unavailable(why: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        print(f"ssl-conformance: {why}", file=sys.stderr)
        return 2
    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ssl-conformance",
        description="Conformance suite for the Python ssl module API (as documented for 3.2).",
        epilog="exit status: 0 nothing unexpected, 1 unexpected outcomes or regressions, 2 usage error")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    own = (("run", "run the suite and write results.json, report.html, junit.xml, repro/",
            _add_run_arguments, cmd_run),
           ("compare", "what changed between two runs: regressions, fixes, versions, new/removed cases",
            _add_compare_arguments, cmd_compare),
           ("merge", "one cross-run view (implementation x interpreter x OpenSSL) of several runs",
            _add_merge_arguments, cmd_merge))
    for name, help_text, add, func in own:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add(p)
        p.set_defaults(func=func)
    for name, (module, help_text) in EXTERNAL.items():
        _external(name, module, sub, help_text)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # inside the try: a closed pipe is reported here, not at exit
        return status
    except UsageError as exc:
        print(f"ssl-conformance {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("ssl-conformance: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader went away (``compare ... | head``): stop quietly, and keep
        # the interpreter from complaining again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


if __name__ == "__main__":
    sys.exit(main())
