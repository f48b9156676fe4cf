"""One cross-run view of several results.json: implementation x interpreter x OpenSSL.

CI matrices run the suite in many jobs (one per interpreter, one per OpenSSL
build of the reference); each writes its own results.json.  ``merge`` lines
them up:

* a *column* is one implementation label of one run, named by what varies
  between jobs, the run's edition first: ``reference@3.2 @ CPython 3.11.7 /
  OpenSSL 3.1.4``.  Runs of different editions are never one column (the same
  implementation held to two documentations answers two questions), and the
  text and page say when the merged runs are of more than one edition;
* each case id becomes one row with the outcome (and negotiated version) in
  every column;
* the protocol matrices become one grid per policy in which each cell shows
  the common answer of every column, or each column's answer where they
  differ -- so three OpenSSL builds give one matrix that shows exactly where
  they part ways.

Output: ``merged.json`` (schema ``conformance/schema/merged.schema.json``)
and ``merged.html`` (self-contained, like report.html).  Standard library only.
"""
from __future__ import annotations

import collections
import html
import json
import os
from pathlib import Path
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from .html import CSP, CSS
from .matrixview import KINDS, cell_of, label_order
from .results import edition_of
from .summary import COLUMNS, GATING

__all__ = ["FORMAT", "merge", "merged_grids", "render_merged_text", "render_merged_html", "write_merged",
           "editions_note"]

FORMAT = "ssl-conformance-merged"


def _openssl(facts: Mapping[str, Any]) -> str:
    words = str(facts.get("openssl_version") or "OpenSSL ?").split()
    return " ".join(words[:2])


def _column_label(run: Mapping[str, Any], impl: str) -> str:
    facts = {**(run.get("peers") or {}), **(run.get("implementations") or {})}
    sides = impl.split("->")
    ssl_of = [_openssl(facts.get(s, {})) for s in sides]
    openssl = ssl_of[0] if len(set(ssl_of)) == 1 else "->".join(ssl_of)
    interp = run.get("run", {}).get("interpreter") or {}
    if impl == "*":
        return f"expectation checks @ {run.get('run', {}).get('id')}"
    return (f"{impl}@{edition_of(run)} @ {interp.get('implementation', '?')} {interp.get('version', '?')} "
            f"/ {openssl}")


def merge(docs: Sequence[Mapping[str, Any]]) -> Dict[str, Any]:
    """The merged document of several results documents."""
    columns: List[Dict[str, Any]] = []
    rows: Dict[str, Dict[str, Any]] = {}
    for doc in docs:
        run = doc.get("run", {})
        labels = sorted({r["impl"] for r in doc.get("cases", ())})
        for impl in labels:
            label = _column_label(doc, impl)
            if any(c["label"] == label for c in columns):
                label += f" ({run.get('id')})"
            recs = [r for r in doc.get("cases", ()) if r["impl"] == impl]
            columns.append({"label": label, "run": run.get("id"), "impl": impl, "edition": edition_of(doc),
                            "interpreter": run.get("interpreter"),
                            "openssl": {s: (doc.get("implementations") or {}).get(s, {}).get("openssl_version")
                                        for s in impl.split("->") if s != "*"},
                            "counts": dict(collections.Counter(r["outcome"] for r in recs))})
            for r in recs:
                row = rows.setdefault(r["id"], {"id": r["id"], "area": r["area"], "spec": r.get("spec", ""),
                                               "params": r.get("params") or {}, "results": {}})
                obs = r.get("observed") if isinstance(r.get("observed"), dict) else {}
                row["results"][label] = {"outcome": r["outcome"], "version": obs.get("version"),
                                         "expected": obs.get("expected"), "message": r.get("message", ""),
                                         "actual": r.get("actual")}
        for name, problem in (doc.get("load_problems") or {}).items():
            columns.append({"label": f"{name}@{edition_of(doc)} @ {run.get('id')} (not loaded)",
                            "run": run.get("id"), "impl": name, "edition": edition_of(doc),
                            "interpreter": run.get("interpreter"), "openssl": {},
                            "counts": {"error": 1}, "load_problem": problem})
    cases = [rows[k] for k in sorted(rows)]
    for row in cases:
        answers = {(v["outcome"], v["version"]) for v in row["results"].values()}
        row["differs"] = len(answers) > 1
    gating = sum(1 for c in cases for v in c["results"].values() if v["outcome"] in GATING)
    gating += sum(1 for c in columns if c.get("load_problem"))
    return {"format": FORMAT, "version": 1,
            "runs": [{"id": d.get("run", {}).get("id"), "started": d.get("run", {}).get("started"),
                      "platform": d.get("run", {}).get("platform"), "edition": edition_of(d),
                      "interpreter": d.get("run", {}).get("interpreter")} for d in docs],
            "columns": columns, "cases": cases,
            "summary": {"columns": len(columns), "cases": len(cases),
                        "differing": sum(1 for c in cases if c["differs"]), "gating": gating,
                        "editions": sorted({edition_of(d) for d in docs}, key=_edition_key)}}


def _edition_key(edition: str) -> Tuple[int, ...]:
    return tuple(int(part) for part in edition.split(".") if part.isdigit())


def editions_note(merged: Mapping[str, Any]) -> str:
    """A warning when the merged runs are of more than one edition (empty otherwise)."""
    editions = merged["summary"].get("editions") or []
    if len(editions) < 2:
        return ""
    per = collections.Counter(r.get("edition", "3.2") for r in merged["runs"])
    return ("runs of different editions: " + ", ".join(f"{e} ({per[e]} run{'s' if per[e] > 1 else ''})"
                                                      for e in editions)
            + "; each column holds its implementation to its own run's edition (label@edition), so a "
              "difference across columns of two editions may be the documentation's, not the implementation's")


def merged_grids(merged: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """One grid per (kind, group): cells map column label -> matrixview Cell."""
    grids: Dict[Tuple[str, str], Dict[str, Any]] = {}
    for kind in KINDS:
        for row in merged["cases"]:
            p = row["params"]
            if not row["id"].startswith(kind.prefix) or kind.row_key not in p or kind.col_key not in p:
                continue
            group = ", ".join(f"{k} {p[k]}" for k in kind.group_keys if k in p)
            g = grids.setdefault((kind.title, group), {"kind": kind, "group": group, "rows": [], "cols": [],
                                                       "cells": {}})
            r, c = str(p[kind.row_key]), str(p[kind.col_key])
            g["rows"] += [r] if r not in g["rows"] else []
            g["cols"] += [c] if c not in g["cols"] else []
            g["cells"][(r, c)] = {label: cell_of({"id": row["id"], "observed": {"version": v["version"],
                                                                                "expected": v["expected"]},
                                                  **v}) for label, v in row["results"].items()}
    for g in grids.values():
        g["rows"].sort(key=label_order)
        g["cols"].sort(key=label_order)
    return [grids[k] for k in sorted(grids)]


def _common(cells: Mapping[str, Any]) -> str:
    texts = {c.marked for c in cells.values()}
    return texts.pop() if len(texts) == 1 else "≠"


def render_merged_text(merged: Mapping[str, Any], *, limit: int = 30) -> str:
    editions = merged["summary"].get("editions") or ["3.2"]
    out = [f"merged {len(merged['runs'])} runs of edition{'s' if len(editions) > 1 else ''} "
           f"{', '.join(editions)}, {merged['summary']['columns']} columns, "
           f"{merged['summary']['cases']} cases, {merged['summary']['differing']} differ across columns"]
    if editions_note(merged):
        out.append(f"  WARNING: {editions_note(merged)}")
    for i, col in enumerate(merged["columns"], 1):
        counts = ", ".join(f"{col['counts'][k]} {h}" for k, h in COLUMNS if col["counts"].get(k))
        out.append(f"  [{i}] {col['label']}: {counts}")
    for g in merged_grids(merged):
        k = g["kind"]
        out.append(f"\n{k.title}, {g['group']} (one cell per client/server; ≠ where columns differ)")
        w = max(len(r) for r in g["rows"] + [f"{k.row_key} \\ {k.col_key}"])
        numbered = w + sum(max(4, len(c)) + 1 for c in g["cols"]) > 110
        heads = [str(i) for i in range(1, len(g["cols"]) + 1)] if numbered else g["cols"]
        cw = [max(4, len(c)) for c in heads]
        out.append(" ".join([f"{k.row_key} \\ {k.col_key}".ljust(w)] + [c.rjust(x) for c, x in zip(heads, cw)]))
        diffs = []
        for r in g["rows"]:
            cells = [g["cells"].get((r, c), {}) for c in g["cols"]]
            out.append(" ".join([r.ljust(w)] + [(_common(x) if x else "").rjust(n) for x, n in zip(cells, cw)]))
            diffs += [(r, c, x) for c, x in zip(g["cols"], cells) if x and _common(x) == "≠"]
        if numbered:
            out.append(f"  {k.col_key}: " + ", ".join(f"{i}={c}" for i, c in enumerate(g["cols"], 1)))
        index = {col["label"]: i for i, col in enumerate(merged["columns"], 1)}
        for r, c, x in diffs:
            out.append(f"  ≠ {k.row_key}={r} {k.col_key}={c}: "
                       + ", ".join(f"[{index.get(lbl, '?')}] {cell.marked}" for lbl, cell in x.items()))
    differing = [c for c in merged["cases"] if c["differs"] and not c["id"].startswith(tuple(k.prefix for k in KINDS))]
    if differing:
        out.append(f"\nother cases that differ across columns: {len(differing)}")
        index = {col["label"]: i for i, col in enumerate(merged["columns"], 1)}
        for c in differing[:limit]:
            out.append(f"  {c['id']}: " + ", ".join(f"[{index[l]}] {v['outcome']}" for l, v in c["results"].items()))
    out.append(f"\n{'FAILED' if merged['summary']['gating'] else 'OK'}: "
               f"{merged['summary']['gating']} unexpected outcome(s) across all runs")
    return "\n".join(out)


def _e(v: Any) -> str:
    return html.escape(str(v), quote=True)


def render_merged_html(merged: Mapping[str, Any]) -> str:
    cols = merged["columns"]
    s = merged["summary"]
    body = ["<h1>ssl-conformance: merged view</h1>",
            f"<div id='verdict' class='verdict {'bad' if s['gating'] else 'ok'}'>{len(merged['runs'])} runs, "
            f"{s['columns']} columns, {s['cases']} cases, {s['differing']} differ across columns; "
            f"{s['gating']} unexpected outcome(s)</div>",
            f"<div id='editions' class='meta{' failure' if editions_note(merged) else ''}'>edition"
            f"{'s' if len(s.get('editions') or []) > 1 else ''} {_e(', '.join(s.get('editions') or ['3.2']))}"
            f"{': ' + _e(editions_note(merged)) if editions_note(merged) else ''}</div>",
            "<table id='columns'><tr><th>#</th><th>column</th>" + "".join(f"<th>{h}</th>" for _, h in COLUMNS) + "</tr>"]
    for i, c in enumerate(cols, 1):
        body.append(f"<tr><td>{i}</td><td>{_e(c['label'])}</td>" + "".join(
            f"<td class='n'>{c['counts'].get(k, 0)}</td>" for k, _ in COLUMNS) + "</tr>")
    body.append("</table><h2 id='matrices'>Matrices</h2><div class='grids'>")
    index = {c["label"]: i for i, c in enumerate(cols, 1)}
    for g in merged_grids(merged):
        k = g["kind"]
        body.append(f"<table class='matrix merged' data-group='{_e(g['group'])}'><caption>{_e(k.title)}, "
                    f"{_e(g['group'])}</caption><tr><th>{_e(k.row_key)} \\ {_e(k.col_key)}</th>"
                    + "".join(f"<th>{_e(c)}</th>" for c in g["cols"]) + "</tr>")
        for r in g["rows"]:
            tds = []
            for c in g["cols"]:
                x = g["cells"].get((r, c), {})
                states = {cell.state for cell in x.values()}
                state = next((st for st in ("fail", "error", "unexpected-pass", "flaky", "deviation") if st in states),
                             "pass" if "pass" in states else "unsupported")
                common = _common(x) if x else ""
                text = _e(common) if common != "≠" else "<br>".join(
                    f"<small>[{index[l]}]</small> {_e(cell.marked)}" for l, cell in x.items())
                link = " refuse" if common in ("no", "-") else " connect"
                title = "; ".join(f"[{index[l]}] {cell.state}: {cell.detail}" for l, cell in x.items())
                tds.append(f"<td class='cell s-{state}{link}{' differs' if common == '≠' else ''}' "
                           f"title='{_e(title)}'>{text}</td>")
            body.append(f"<tr><th>{_e(r)}</th>{''.join(tds)}</tr>")
        body.append("</table>")
    body.append("</div><h2 id='differences'>Cases that differ across columns</h2><table id='diff-table'><tr><th>case</th>"
                + "".join(f"<th title='{_e(c['label'])}'>[{i}]</th>" for i, c in enumerate(cols, 1)) + "</tr>")
    for row in merged["cases"]:
        if not row["differs"]:
            continue
        tds = []
        for c in cols:
            v = row["results"].get(c["label"])
            tds.append("<td></td>" if v is None else
                       f"<td class='s-{_e(v['outcome'])}' title='{_e(v['message'])}'>{_e(v['outcome'])}"
                       f"{' ' + _e(v['version']) if v['version'] else ''}</td>")
        body.append(f"<tr><td><code>{_e(row['id'])}</code></td>{''.join(tds)}</tr>")
    body.append("</table>")
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\"><title>ssl-conformance merged</title>"
            f"<style>{CSS}td.differs{{outline:2px solid #7b1fa2}}</style></head><body>\n" + "\n".join(body)
            + "\n</body></html>\n")


def write_merged(merged: Mapping[str, Any], directory: Path) -> Dict[str, Path]:
    """Write ``merged.json`` and ``merged.html`` into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"merged.json": directory / "merged.json", "merged.html": directory / "merged.html"}
    tmp = directory / "merged.json.tmp"
    tmp.write_text(json.dumps(merged, indent=1, default=repr) + "\n", encoding="utf-8")
    os.replace(tmp, paths["merged.json"])
    paths["merged.html"].write_text(render_merged_html(merged), encoding="utf-8")
    return paths
