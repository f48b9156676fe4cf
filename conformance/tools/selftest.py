"""``ssl-conformance selftest``: the suite against every mutant of ``reference``.

A gate is only worth the failures it can produce.  Each mutant
(``conformance.mutants``) breaks one documented behaviour; the selftest runs
the cases against it, in-process, one mutant per worker process, and says
which cases caught it.  A case counts as catching a mutant only if it fails
(``fail`` or ``error``) on the mutant *and* passes on the unbroken
``reference`` in the same run.  A mutant no case catches *survives*; the
kill rate must be 100% and the command exits 1 otherwise.

``--focus`` runs, for each mutant, only the cases its entry names as the ones
that must catch it (seconds instead of minutes; the tests use it).  Each
mutant runs at its entry's edition (``Mutant.edition``: a behaviour added
after 3.2 is checked only by cases of that edition), and the unbroken
reference is checked at the same edition.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, Set

from . import standalone
from ..judge.editions import DEFAULT as DEFAULT_EDITION
from ..mutants import MUTANTS
from ..session import Session
from ..harness.runner import FAILING

__all__ = ["add_arguments", "run", "main", "run_one"]

BASELINE = "reference"
PREFIX = "conformance.mutants."


def run_one(impl: str, patterns: Sequence[str], timeout: float, edition: str = DEFAULT_EDITION) -> Dict[str, Any]:
    """Run the cases matching ``patterns`` on ``impl`` at ``edition``; ids that passed and that failed."""
    started = time.perf_counter()
    session = Session.from_options(impls=[impl], timeout=timeout, case_patterns=list(patterns), edition=edition)
    if session.problems:
        return {"impl": impl, "problem": "; ".join(session.problems.values())}
    passed: List[str] = []
    failed: Dict[str, str] = {}
    for item in session.items():
        if item.kind != "case" or item.case is None:
            continue
        rec = session.run(item)
        if rec.outcome == "pass":
            passed.append(item.case.id)
        elif rec.outcome in FAILING:
            failed[item.case.id] = rec.message
    return {"impl": impl, "passed": passed, "failed": failed,
            "seconds": round(time.perf_counter() - started, 2)}


def _escape(case_id: str) -> str:
    """A pattern that matches exactly ``case_id`` (``[`` is special to fnmatch)."""
    return case_id.replace("[", "[[]")


def _pool_run(jobs: Sequence[tuple], timeout: float, workers: int, progress: Any) -> Dict[str, Any]:
    results: Dict[str, Dict[str, Any]] = {}
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(run_one, impl, pats, timeout, edition): impl for impl, pats, edition in jobs}
        for fut in concurrent.futures.as_completed(futures):
            impl = futures[fut]
            try:
                results[impl] = fut.result()
            except Exception as exc:  # a worker that died is a finding, not a crash
                results[impl] = {"impl": impl, "problem": f"{type(exc).__name__}: {exc}"}
            if progress:
                progress(f"{len(results)}/{len(jobs)} {impl.replace(PREFIX, '')}")
    return results


def selftest(names: Sequence[str], *, focus: bool, timeout: float, workers: int,
             progress: Any = None) -> Dict[str, Any]:
    """Run every named mutant, then the unbroken reference on the cases that
    failed on some mutant; a mutant is caught by the cases that fail on it
    and pass on the reference."""
    jobs = [(PREFIX + n, tuple(MUTANTS[n].focus) if focus else (), MUTANTS[n].edition) for n in names]
    results = _pool_run(jobs, timeout, workers, progress)
    failed_at: Dict[str, Set[str]] = {}  # edition -> ids that failed on some mutant of it
    for name in names:
        failed_at.setdefault(MUTANTS[name].edition, set()).update(results[PREFIX + name].get("failed", ()))
    failed_anywhere = sorted({cid for ids in failed_at.values() for cid in ids})
    good: Dict[str, Set[str]] = {}
    for edition, ids in sorted(failed_at.items()):
        if not ids:
            continue
        base = run_one(BASELINE, [_escape(c) for c in sorted(ids)], timeout, edition)
        if "problem" in base:
            raise RuntimeError(f"the unbroken {BASELINE} cannot run: {base['problem']}")
        good[edition] = set(base["passed"])
    mutants = []
    for name in names:
        res = results[PREFIX + name]
        entry: Dict[str, Any] = {"name": name, "breaks": MUTANTS[name].breaks,
                                 "focus": list(MUTANTS[name].focus) if focus else ["*"]}
        if "problem" in res:
            entry.update(caught_by=[], problem=res["problem"])
        else:
            entry["caught_by"] = sorted(cid for cid in res["failed"] if cid in good.get(MUTANTS[name].edition, ()))
            entry["example"] = (res["failed"][entry["caught_by"][0]] if entry["caught_by"] else "")
            entry["seconds"] = res["seconds"]
        mutants.append(entry)
    killed = sum(1 for m in mutants if m["caught_by"])
    return {"mutants": mutants, "killed": killed, "total": len(mutants),
            "checked_on_reference": len(failed_anywhere), "focus": focus}


def format_report(doc: Dict[str, Any]) -> str:
    width = max(len(m["name"]) for m in doc["mutants"])
    lines = []
    for m in doc["mutants"]:
        if m["caught_by"]:
            first = m["caught_by"][0]
            more = f" (+{len(m['caught_by']) - 1} more)" if len(m["caught_by"]) > 1 else ""
            lines.append(f"caught    {m['name']:<{width}}  by {first}{more}")
            lines.append(f"          {'':<{width}}  {m['breaks']}; {m['example'][:100]}")
        else:
            why = m.get("problem") or "no case failed on it that passes on the reference"
            lines.append(f"SURVIVED  {m['name']:<{width}}  {m['breaks']}: {why}")
    rate = 100.0 * doc["killed"] / doc["total"] if doc["total"] else 0.0
    scope = "focused cases" if doc["focus"] else "every case"
    lines.append(f"kill rate: {doc['killed']}/{doc['total']} mutants ({rate:.0f}%), {scope}; "
                 f"{doc['checked_on_reference']} catching cases re-checked on the unbroken reference")
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("mutants", nargs="*", metavar="MUTANT",
                        help="mutants to run (default: all; see --list)")
    parser.add_argument("--list", action="store_true", help="list the mutants and what each breaks")
    parser.add_argument("--focus", action="store_true",
                        help="run only the cases each mutant names as its catchers (fast)")
    parser.add_argument("--case-timeout", type=float, default=2.0, metavar="SECONDS",
                        help="timeout of every socket operation in a case (default 2)")
    parser.add_argument("-n", "--workers", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="worker processes (default: the number of CPUs)")
    parser.add_argument("--json", action="store_true", help="print the verdicts as JSON")


def run(args: argparse.Namespace) -> int:
    try:
        import OpenSSL  # noqa: F401  (the mutants are variants of the reference)
    except ImportError as exc:  # pragma: no cover - needs pyOpenSSL, like reference
        print(f"selftest: the mutants need the reference's dependencies: {exc}", file=sys.stderr)
        return 2
    if args.list:
        for m in MUTANTS.values():
            print(f"{m.name:<36} {m.breaks}")
        return 0
    unknown = [n for n in args.mutants if n not in MUTANTS]
    if unknown:
        print(f"selftest: unknown mutant(s) {', '.join(unknown)}; --list shows them", file=sys.stderr)
        return 2
    names = args.mutants or list(MUTANTS)
    tty = sys.stderr.isatty()

    def progress(msg: str) -> None:
        if tty:
            print(f"\r\x1b[K{msg}", end="", file=sys.stderr, flush=True)

    doc = selftest(names, focus=args.focus, timeout=args.case_timeout, workers=args.workers,
                   progress=progress)
    if tty:
        print("\r\x1b[K", end="", file=sys.stderr)
    print(json.dumps(doc, indent=1) if args.json else format_report(doc))
    return 0 if doc["killed"] == doc["total"] else 1


def main(argv: Optional[Sequence[str]] = None) -> int:
    return standalone(sys.modules[__name__], "ssl-conformance selftest", argv)


if __name__ == "__main__":
    sys.exit(main())
