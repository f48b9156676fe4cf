"""The terminal summary of a run, and the verdict that gates CI.

Rendered from a results document alone (see ``results``):

* the run's edition (``--edition``: whose documentation the run held the
  implementations to), in the first line and in the verdict;
* one line per implementation: interpreter, module file, OpenSSL;
* implementations that failed to load, one line each;
* a table per implementation label (``ssl``, ``ssl->reference`` for pair
  cases...) and area: pass / fail / deviation / unexpected-pass /
  unsupported / error / flaky counts;
* the deviations inherited from a base implementation (``based_on``);
* time per area (summed case time, so the slowest area is visible);
* the protocol matrices (``matrixview``);
* the failing cases, spec failures apart from CPython-compatibility
  differences (``conformance.judge.basis``), each group with the causes several
  records share first (``conformance.harness.causes``), then the cases with
  expected vs actual;
* the verdict.

:func:`verdict` is the exit status of ``ssl-conformance run``: 0 iff the
run is complete (every collected item left a record: see ``ledger``) and no
record is ``fail``, ``unexpected-pass``, ``error`` or ``flaky``.

Standard library only.
"""
from __future__ import annotations

import collections
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from ..judge import basis
from ..harness import causes
from .ledger import incomplete_line
from .results import edition_of
from .matrixview import LEGEND, all_grids, render_text
from ..harness.runner import FAILING

__all__ = ["GATING", "COLUMNS", "BASIS_COLUMNS", "counts", "basis_counts", "completeness", "verdict",
           "verdict_line", "failed_phrase", "gating_records", "render_summary", "clip"]

#: Outcomes that fail the run: a flake is never a pass.
GATING = frozenset(FAILING | {"flaky"})

#: Count columns, in display order, with their short headings.
COLUMNS: Tuple[Tuple[str, str], ...] = (
    ("pass", "pass"), ("fail", "fail"), ("deviation", "dev"), ("unexpected-pass", "xpass"),
    ("unsupported", "unsup"), ("error", "error"), ("flaky", "flaky"),
)


def counts(records: Sequence[Mapping[str, Any]]) -> Dict[Tuple[str, str], collections.Counter]:
    """(implementation label, area) -> Counter of outcomes."""
    out: Dict[Tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for rec in records:
        out[(rec.get("impl", "?"), rec.get("area", "?"))][rec.get("outcome", "error")] += 1
    return out


#: Columns after the outcomes: the records that fail the run, by basis.
BASIS_COLUMNS: Tuple[Tuple[str, str], ...] = (("spec", "spec-fail"), ("cpython", "cpy-diff"))


def basis_counts(records: Sequence[Mapping[str, Any]]) -> Dict[Tuple[str, str], collections.Counter]:
    """(implementation label, area) -> Counter of the bases of the records that fail the run."""
    out: Dict[Tuple[str, str], collections.Counter] = collections.defaultdict(collections.Counter)
    for rec in records:
        if rec.get("outcome") in GATING:
            out[(rec.get("impl", "?"), rec.get("area", "?"))][basis.basis_of(rec)] += 1
    return out


def failed_phrase(doc: Mapping[str, Any]) -> str:
    """What failed, for the verdict: ``12 spec failures, 7 CPython-compatibility differences``."""
    return basis.failure_phrase(gating_records(doc), len(doc.get("load_problems") or {}))


def gating_records(doc: Mapping[str, Any]) -> List[Mapping[str, Any]]:
    """The records that fail the run."""
    return [r for r in doc.get("cases", ()) if r.get("outcome") in GATING]


def completeness(doc: Mapping[str, Any]) -> Mapping[str, Any]:
    """``run.completeness`` (a document written before it existed counts as complete)."""
    return (doc.get("run") or {}).get("completeness") or {"complete": True}


def verdict(doc: Mapping[str, Any]) -> int:
    """0 iff the run finished and nothing unexpected happened (load problems count), else 1."""
    if not completeness(doc).get("complete", False):
        return 1
    return 1 if gating_records(doc) or doc.get("load_problems") else 0


def verdict_line(doc: Mapping[str, Any]) -> str:
    """The verdict in one line: ``INCOMPLETE: ...``, ``FAILED: ...`` or ``OK: ...``, naming the
    edition (``OK: 1184 records at edition 3.2, no unexpected outcome``)."""
    bad = len(gating_records(doc))
    total = len(doc.get("cases", ()))
    unloaded = len(doc.get("load_problems") or {})
    done = completeness(doc)
    failed = failed_phrase(doc)
    edition = edition_of(doc)
    if not done.get("complete", False):
        return incomplete_line(done) + (f"; and {failed}" if bad or unloaded else "") + f" (edition {edition})"
    if bad or unloaded:
        return f"FAILED: {failed} in {total} records at edition {edition}"
    return f"OK: {total} records at edition {edition}, no unexpected outcome"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], first_left: int = 1) -> List[str]:
    cols = list(zip(*([header] + [[str(c) for c in r] for r in rows])))
    widths = [max(len(str(c)) for c in col) for col in cols]
    out = []
    for line in [header] + [[str(c) for c in r] for r in rows]:
        out.append("  ".join(str(c).ljust(w) if i < first_left else str(c).rjust(w)
                             for i, (c, w) in enumerate(zip(line, widths))).rstrip())
    return out


def _impl_lines(doc: Mapping[str, Any]) -> List[str]:
    lines = []
    for name, facts in (doc.get("implementations") or {}).items():
        interp = facts.get("interpreter") or {}
        lines.append(f"  {name}: {facts.get('openssl_version') or 'OpenSSL ?'}; "
                     f"{interp.get('implementation', '?')} {interp.get('version', '?')}; "
                     f"{facts.get('module_file') or facts.get('module', '?')}")
    for name, peer in (doc.get("peers") or {}).items():
        if not peer.get("available"):
            lines.append(f"  peer {name}: NOT AVAILABLE: {peer.get('unavailable')}")
        else:
            where = f"; {peer['module_file']}" if peer.get("module_file") else ""
            lines.append(f"  peer {peer.get('description') or name}{where}")
    for name, problem in (doc.get("load_problems") or {}).items():
        lines.append(f"  {name}: NOT LOADED: " + problem.replace("\n", "\n    "))  # frames indented
    return lines


def _count_lines(doc: Mapping[str, Any]) -> List[str]:
    table = counts(doc.get("cases", ()))
    by_basis = basis_counts(doc.get("cases", ()))
    rows = []

    def cells(c: Mapping[str, int], b: Mapping[str, int]) -> List[Any]:
        return [c.get(k, 0) or "." for k, _ in COLUMNS] + ["|"] + [b.get(k, 0) or "." for k, _ in BASIS_COLUMNS]

    for impl in sorted({k[0] for k in table}):
        total: collections.Counter = collections.Counter()
        total_basis: collections.Counter = collections.Counter()
        for (i, area), c in sorted(table.items()):
            if i == impl:
                total += c
                total_basis += by_basis.get((i, area), collections.Counter())
                rows.append([impl, area] + cells(c, by_basis.get((i, area), {})))
        if sum(1 for i, _ in table if i == impl) > 1:
            rows.append([impl, "(all)"] + cells(total, total_basis))
    header = ["implementation", "area"] + [h for _, h in COLUMNS] + ["|"] + [h for _, h in BASIS_COLUMNS]
    return _table(header, rows, first_left=2)


def _inherited_lines(doc: Mapping[str, Any]) -> List[str]:
    """How many deviations each label inherited, and from whom (``based_on``)."""
    inherited = collections.Counter((r.get("impl", "?"), r["inherited_from"]) for r in doc.get("cases", ())
                                    if r.get("outcome") == "deviation" and r.get("inherited_from"))
    return [f"  {impl}: {n} inherited from {base}" for (impl, base), n in sorted(inherited.items())]


def _time_lines(doc: Mapping[str, Any]) -> List[str]:
    per_area: Dict[str, float] = collections.defaultdict(float)
    n: Dict[str, int] = collections.Counter()
    for rec in doc.get("cases", ()):
        per_area[rec.get("area", "?")] += float(rec.get("duration") or 0)
        n[rec.get("area", "?")] += 1
    rows = [[area, n[area], f"{secs:.2f}"] for area, secs in sorted(per_area.items(), key=lambda x: -x[1])]
    return _table(["area", "cases", "case time (s)"], rows)


def _memory_lines(memory: Mapping[str, Any]) -> List[str]:
    per_process = memory.get("peak_rss_mib")
    detail = ""
    if per_process:
        detail = f"pytest {per_process['controller']:.0f} MiB" + "".join(
            f", worker {w:.0f} MiB" for w in per_process["workers"])
    if memory.get("run_peak_mib"):
        return [f"peak memory: {memory['run_peak_mib']:.0f} MiB, all processes at once (summed PSS, "
                f"sampled every {memory.get('sampled_every_s', 0.2)} s); peak RSS per process: {detail}"]
    return [f"peak RSS per process: {detail}"] if detail else []


def _failure_lines(doc: Mapping[str, Any], limit: int) -> List[str]:
    """Per basis: the causes several failing records share, then (up to ``limit``) the cases."""
    lines: List[str] = []
    for which, bad in basis.split(gating_records(doc)).items():
        if not bad:
            continue
        lines.append(f"  {basis.LABELS.get(which, (which, which))[1]} ({len(bad)}):")
        shared = causes.group(bad, min_count=2)
        if shared:
            lines.append("    causes shared by several records:")
        for g in shared[:limit]:
            lines.append(f"      {g.count} x {clip(causes.describe(g.cause), 200)}")
            if g.cause.get("origin"):
                lines.append(f"          at {clip(g.cause['origin'], 200)}")
            lines.append(f"          e.g. {', '.join(g.examples())}" + (
                f" ({', '.join(g.impls())})" if g.impls() else ""))
        if shared:
            lines.append("    cases:")
        for rec in bad[:limit]:
            lines.append(f"    [{rec['outcome']}] {rec['impl']}: {rec['id']}")
            if rec.get("message"):
                lines.append(f"        {clip(rec['message'], 300)}")
            if rec.get("expected") is not None or rec.get("actual") is not None:
                lines.append(f"        expected: {clip(repr(rec.get('expected')), 200)}")
                lines.append(f"        actual:   {clip(repr(rec.get('actual')), 200)}")
        if len(bad) > limit:
            lines.append(f"    ... and {len(bad) - limit} more (see report.html)")
    return lines


def clip(text: Any, n: int = 160) -> str:
    """``text`` on one line (white space folded), cut to ``n`` characters with "..."."""
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def render_summary(doc: Mapping[str, Any], *, max_failures: int = 25, matrices: bool = True,
                   paths: Mapping[str, Any] = ()) -> str:
    """The whole terminal summary of ``doc`` as one string."""
    run = doc.get("run", {})
    out = [f"ssl-conformance run {run.get('id', '?')} at edition {edition_of(doc)} ({run.get('duration', 0):.1f} s)"]
    out += _memory_lines(run.get("memory", {}))
    out += _impl_lines(doc)
    out += ["", "outcomes per implementation and area:"] + ["  " + l for l in _count_lines(doc)]
    inherited = _inherited_lines(doc)
    if inherited:
        out += ["", "known deviations inherited through based_on (reasons in report.html):"] + inherited
    out += ["", "time per area:"] + ["  " + l for l in _time_lines(doc)]
    grids = all_grids(doc) if matrices else []
    if grids:
        out += ["", LEGEND]
        quiet = 0
        for grid in grids:
            if grid.kind.prefix == "interop/" and not grid.differing() and "any,any" not in grid.group:
                quiet += 1  # interop cells beyond the plain handshake: shown when they differ
                continue
            out += [""] + ["  " + l for l in render_text(grid).splitlines()]
        if quiet:
            out += ["", f"  ({quiet} more interop grids agree with the oracle everywhere: see report.html)"]
    failures = _failure_lines(doc, max_failures)
    if failures:
        out += ["", "unexpected outcomes:"] + failures
    paths = dict(paths)
    if paths:
        out += [""] + [f"{name}: {path}" for name, path in paths.items()]
    out += _incomplete_lines(doc)
    out += ["", verdict_line(doc)]
    return "\n".join(out)


def _incomplete_lines(doc: Mapping[str, Any]) -> List[str]:
    done = completeness(doc)
    if done.get("complete", False):
        return []
    out = ["", "the run did not finish:"] + [f"  {r}" for r in done.get("reasons", ())]
    crashed = list((done.get("crashed") or {}).items())
    for item, why in crashed[:5]:
        out.append(f"  crashed: {item}: {clip(why, 200)}")
    if len(crashed) > 5:
        out.append(f"  ... and {len(crashed) - 5} more crashed (see results.json run.completeness)")
    missing, total = done.get("missing_ids") or [], int(done.get("missing") or 0)
    if missing:
        out.append("  no record: " + ", ".join(missing[:10]) + (f" ... and {total - 10} more" if total > 10 else ""))
    return out
