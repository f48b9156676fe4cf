"""report.html: one self-contained page rendered from results.json.

Readable without scrolling through every record:

1. ``#verdict`` -- the run's verdict (naming the edition), ``#edition`` --
   the edition the run held the implementations to (whose documentation:
   ``--edition``), then the implementations (OpenSSL,
   interpreter, module file) and ``#counts``, a table of outcomes per
   implementation label (areas fold out);
2. ``#failures`` -- every case that fails the run, in two groups: spec
   failures (``#failures-spec``) and CPython-compatibility differences
   (``#failures-cpython``; see ``conformance.judge.basis``); each opens with the
   causes several records share (``conformance.harness.causes``: count, message,
   origin, example ids), then the cases with expected vs actual side by side;
   then the known deviations with their reasons;
3. ``#matrices`` -- the protocol (and interop) matrices as coloured grids
   like the spec's table: client down the side, server along the top, the
   negotiated version in each cell, the oracle's verdict and the message in
   its tooltip;
4. ``#cases`` -- every record in one table with filters by implementation,
   area, basis and outcome plus a text search (default: everything but
   passes).  Filters can be preset in the address:
   ``report.html#outcome=fail&area=api&basis=spec``.

No network: CSS and script are inline, nothing is fetched.  The rows are
rendered here, in HTML, so the page reads without script too; the script
only filters.  Standard library only.
"""
from __future__ import annotations

import collections
import html
import json
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Optional

from ..judge import basis
from ..harness import causes
from .matrixview import LEGEND, Grid, all_grids
from .results import edition_of
from .summary import BASIS_COLUMNS, COLUMNS, GATING, basis_counts, completeness, counts, verdict, verdict_line

__all__ = ["render_html", "write_html"]

#: Nothing may be fetched: inline style and script only.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"

CSS = """
body{font:14px/1.4 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0 auto;max-width:1400px;
 padding:0 16px 40px;color:#1d1d1f}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:18px 0 6px}table.causes td{vertical-align:top;font-size:13px}
th.basis{background:#f9ecec}
.meta{color:#555}.verdict{padding:10px 14px;border-radius:6px;font-weight:600;margin:12px 0}
.verdict.ok{background:#dff3e0;color:#1b5e20}.verdict.bad{background:#fde0e0;color:#8e1c1c}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #d0d0d0;padding:3px 7px;text-align:left}
th{background:#f4f4f6}table.matrix th{font-size:12px;line-height:1.15;text-align:center}table.matrix tr th:first-child{text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.zero{color:#bbb}.grids{display:flex;flex-wrap:wrap;gap:22px}
table.matrix td.cell{text-align:center;min-width:42px;font-family:ui-monospace,monospace}
table.matrix caption{font-weight:600;text-align:left;padding:4px 0}
.s-pass.connect{background:#c8ecc9}.s-pass.refuse{background:#eceff1;color:#555}
.s-fail,.s-unexpected-pass,.s-error{background:#f4a9a8;font-weight:700}
.s-deviation{background:#ffd8a6}.s-unsupported{background:#fafafa;color:#aaa}.s-flaky{background:#e1c6ef}
.legend span{display:inline-block;padding:1px 8px;margin-right:6px;border:1px solid #ccc}
.failure{border:1px solid #e3b3b3;border-left:5px solid #c62828;border-radius:4px;padding:6px 10px;margin:8px 0}
.failure .id{font-family:ui-monospace,monospace;font-weight:600}
.ea{display:grid;grid-template-columns:90px 1fr;gap:2px 8px;margin-top:4px}
pre{margin:0;white-space:pre-wrap;word-break:break-word;font-size:12.5px}
.filters{display:flex;gap:12px;flex-wrap:wrap;align-items:center;margin:6px 0}
#case-table td{font-size:13px}#case-table td.msg{max-width:640px}
tr.hidden{display:none}.out{font-weight:600}
"""

SCRIPT = """
(function(){
  var f={impl:document.getElementById('f-impl'),area:document.getElementById('f-area'),
         basis:document.getElementById('f-basis'),
         outcome:document.getElementById('f-outcome'),text:document.getElementById('f-text')};
  var rows=document.querySelectorAll('#case-table tbody tr');
  function apply(){
    var shown=0,q=f.text.value.toLowerCase();
    for(var i=0;i<rows.length;i++){
      var r=rows[i],o=r.getAttribute('data-outcome'),ok=true;
      if(f.impl.value&&r.getAttribute('data-impl')!==f.impl.value)ok=false;
      if(f.area.value&&r.getAttribute('data-area')!==f.area.value)ok=false;
      if(f.basis.value&&r.getAttribute('data-basis')!==f.basis.value)ok=false;
      if(f.outcome.value==='not-pass'){if(o==='pass')ok=false;}
      else if(f.outcome.value&&o!==f.outcome.value)ok=false;
      if(q&&r.textContent.toLowerCase().indexOf(q)<0)ok=false;
      r.className=ok?'':'hidden';if(ok)shown++;
    }
    document.getElementById('shown').textContent=shown+' of '+rows.length+' records shown';
  }
  var h=location.hash.replace(/^#/,'').split('&');
  for(var j=0;j<h.length;j++){var kv=h[j].split('=');
    if(f[kv[0]]&&kv.length===2)f[kv[0]].value=decodeURIComponent(kv[1]);}
  for(var k in f){f[k].addEventListener('input',apply);f[k].addEventListener('change',apply);}
  apply();
})();
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _json(value: Any) -> str:
    return json.dumps(value, indent=1, default=repr, ensure_ascii=False)


def _header(doc: Mapping[str, Any]) -> List[str]:
    run = doc.get("run", {})
    interp = run.get("interpreter", {})
    ok = verdict(doc) == 0
    out = ["<h1>ssl-conformance report</h1>",
           f"<div class='meta'>run <code>{_e(run.get('id'))}</code> started {_e(run.get('started'))}, "
           f"{float(run.get('duration') or 0):.1f} s; {_e(interp.get('implementation'))} "
           f"{_e(interp.get('version'))} on {_e(run.get('platform'))}; harness {_e(run.get('harness_version'))}</div>",
           f"<div id='verdict' class='verdict {'ok' if ok else 'bad'}'>{_e(verdict_line(doc))}</div>",
           f"<div id='edition' class='meta'>edition <b>{_e(edition_of(doc))}</b>: the implementations are held to "
           f"the ssl API documented for Python {_e(edition_of(doc))}; a case runs only in the editions that "
           "document what it checks (its span, e.g. 3.5+)</div>",
           *_incomplete(doc),
           "<table id='implementations'><tr><th>implementation</th><th>OpenSSL</th><th>interpreter</th>"
           "<th>module file</th></tr>"]
    for name, f in (doc.get("implementations") or {}).items():
        i = f.get("interpreter") or {}
        out.append(f"<tr><td>{_e(name)}</td><td>{_e(f.get('openssl_version'))}</td>"
                   f"<td>{_e(i.get('implementation'))} {_e(i.get('version'))}</td><td>{_e(f.get('module_file'))}</td></tr>")
    for name, p in (doc.get("peers") or {}).items():
        i = p.get("interpreter") or {}
        if not p.get("available"):
            out.append(f"<tr class='peer s-unsupported'><td>peer {_e(name)}</td>"
                       f"<td colspan='3'>not available: {_e(p.get('unavailable'))}</td></tr>")
        elif i:
            out.append(f"<tr class='peer'><td>peer {_e(name)}</td><td>{_e(p.get('openssl_version'))}</td>"
                       f"<td>{_e(i.get('implementation'))} {_e(i.get('version'))}</td>"
                       f"<td>{_e(p.get('module_file'))}</td></tr>")
        else:
            out.append(f"<tr class='peer'><td>peer {_e(name)}</td><td colspan='3'>{_e(p.get('description'))}</td></tr>")
    for name, problem in (doc.get("load_problems") or {}).items():
        out.append(f"<tr class='s-error'><td>{_e(name)}</td><td colspan='3'>not loaded: {_e(problem)}</td></tr>")
    out.append("</table>")
    return out


def _incomplete(doc: Mapping[str, Any]) -> List[str]:
    """Why the run is not complete: the ledger's reasons, crashed items, items without a record."""
    done = completeness(doc)
    if done.get("complete", False):
        return []
    rows = [f"<li>{_e(r)}</li>" for r in done.get("reasons", ())]
    rows += [f"<li>crashed: <code>{_e(i)}</code>: {_e(w)}</li>" for i, w in (done.get("crashed") or {}).items()]
    if done.get("missing_ids"):
        rows.append("<li>no record: " + ", ".join(f"<code>{_e(i)}</code>" for i in done["missing_ids"])
                    + (" ..." if int(done.get("missing") or 0) > len(done["missing_ids"]) else "") + "</li>")
    return ["<ul id='incomplete' class='failure'>", *rows, "</ul>"]


def _count_cells(c: Mapping[str, int], b: Optional[Mapping[str, int]] = None) -> str:
    cells = [(c, k) for k, _ in COLUMNS] + [(b or {}, k) for k, _ in BASIS_COLUMNS]
    return "".join(f"<td class='n{'' if d.get(k) else ' zero'}'>{d.get(k, 0)}</td>" for d, k in cells)


#: headings of the basis columns, with what they count
_BASIS_HEAD = "".join(f"<th class='basis' title='records that fail the run: {_e(basis.LABELS[k][1])}'>"
                      f"{_e(h)}</th>" for k, h in BASIS_COLUMNS)


def _counts(doc: Mapping[str, Any]) -> List[str]:
    """Outcomes per implementation label, and the failing ones by basis; the split by area folds out."""
    table = counts(doc.get("cases", ()))
    by_basis = basis_counts(doc.get("cases", ()))
    head = "".join(f"<th>{_e(h)}</th>" for _, h in COLUMNS) + _BASIS_HEAD
    impls = sorted({i for i, _ in table})

    def total(d: Mapping[Any, collections.Counter], impl: str) -> collections.Counter:
        return sum((d[k] for k in d if k[0] == impl), collections.Counter())

    out = ["<h2>Outcomes</h2>", f"<table id='counts'><tr><th>implementation</th>{head}</tr>"]
    out += [f"<tr><th>{_e(i)}</th>{_count_cells(total(table, i), total(by_basis, i))}</tr>" for i in impls]
    out.append("</table><details id='by-area'><summary>by area</summary>"
               f"<table><tr><th>implementation</th><th>area</th>{head}</tr>")
    for (impl, area), c in sorted(table.items()):
        cells = _count_cells(c, by_basis.get((impl, area)))
        out.append(f"<tr><td>{_e(impl)}</td><td>{_e(area)}</td>{cells}</tr>")
    out.append("</table></details>")
    return out


def _head(name: str) -> str:
    """A column heading that stacks at '+' (SSLv23<br>+NO_TLSv1) to keep grids narrow."""
    return "<br>+".join(_e(part) for part in name.split("+"))


def _grid(grid: Grid) -> str:
    k = grid.kind
    rows = [f"<table class='matrix' data-impl='{_e(grid.impl)}' data-group='{_e(grid.group)}'>",
            f"<caption>{_e(grid.title)}</caption>",
            f"<tr><th>{_e(k.row_key)} \\ {_e(k.col_key)}</th>"
            + "".join(f"<th>{_head(c)}</th>" for c in grid.cols) + "</tr>"]
    for r in grid.rows:
        tds = []
        for c in grid.cols:
            cell = grid.cells.get((r, c))
            if cell is None:
                tds.append("<td></td>")
                continue
            link = " connect" if cell.text not in ("no", "-", "ERR") else " refuse"
            tds.append(f"<td class='cell s-{_e(cell.state)}{link}' data-case='{_e(cell.case_id)}' "
                       f"title='{_e(cell.state + ': ' + cell.detail)}'>{_e(cell.marked)}</td>")
        rows.append(f"<tr><th>{_e(r)}</th>{''.join(tds)}</tr>")
    rows.append("</table>")
    return "".join(rows)


def _matrices(doc: Mapping[str, Any]) -> List[str]:
    grids = all_grids(doc)
    out = ["<h2 id='matrices'>Matrices</h2>"]
    if not grids:
        return out + ["<p>No matrix cases in this run.</p>"]
    out.append(f"<p class='legend'>{_e(LEGEND)}<br><span class='s-pass connect'>connects</span>"
               "<span class='s-pass refuse'>refused, as expected</span><span class='s-fail'>differs</span>"
               "<span class='s-deviation'>known deviation</span><span class='s-flaky'>flaky</span>"
               "<span class='s-unsupported'>unsupported</span></p>")
    out.append("<div class='grids'>" + "".join(_grid(g) for g in grids) + "</div>")
    return out


def _failure(rec: Mapping[str, Any]) -> str:
    parts = [f"<div class='failure' data-outcome='{_e(rec['outcome'])}'>",
             f"<div><span class='out'>[{_e(rec['outcome'])}]</span> {_e(rec['impl'])}: "
             f"<span class='id'>{_e(rec['id'])}</span> <span class='meta'>spec: {_e(rec.get('spec'))}; "
             f"basis: {_e(basis.basis_of(rec))}; editions: {_e(rec.get('editions') or '3.2+')}</span></div>",
             f"<div>{_e(rec.get('message'))}</div>"]
    origin = (rec.get("cause") or {}).get("origin")
    if origin and origin not in str(rec.get("message")):
        parts.append(f"<div class='meta'>at <code>{_e(origin)}</code></div>")
    if rec.get("expected") is not None or rec.get("actual") is not None:
        parts.append(f"<div class='ea'><b>expected</b><pre class='expected'>{_e(_json(rec.get('expected')))}</pre>"
                     f"<b>actual</b><pre class='actual'>{_e(_json(rec.get('actual')))}</pre></div>")
    if rec.get("params"):
        parts.append(f"<div class='meta'>params: <code>{_e(json.dumps(rec['params']))}</code></div>")
    return "".join(parts) + "</div>"


def _cause_groups(records: List[Mapping[str, Any]]) -> List[str]:
    """The causes several of ``records`` share, largest first."""
    shared = causes.group(records, min_count=2)
    if not shared:
        return []
    out = ["<table class='causes'><tr><th>records</th><th>cause</th><th>origin</th><th>e.g.</th></tr>"]
    for g in shared:
        out.append(f"<tr><td class='n'>{g.count}</td><td><code>{_e(causes.describe(g.cause))}</code></td>"
                   f"<td><code>{_e(g.cause.get('origin'))}</code></td>"
                   f"<td>{'<br>'.join(f'<code>{_e(i)}</code>' for i in g.examples())}"
                   f" <span class='meta'>({_e(', '.join(g.impls()))})</span></td></tr>")
    out.append("</table>")
    return out


def _failures(doc: Mapping[str, Any]) -> List[str]:
    cases = doc.get("cases", ())
    bad = [r for r in cases if r.get("outcome") in GATING]
    dev = [r for r in cases if r.get("outcome") == "deviation"]
    out = [f"<h2 id='failures'>Unexpected outcomes ({len(bad)})</h2>"]
    if not bad:
        out.append("<p>None.</p>")
    for which, recs in basis.split(bad).items():
        if recs or which in basis.BASES:
            out.append(f"<h3 id='failures-{_e(which)}'>{_e(basis.LABELS.get(which, (which, which))[1])} "
                       f"({len(recs)})</h3>")
        out += _cause_groups(recs)
        out += [_failure(r) for r in recs]
    out.append(f"<details id='deviations'><summary>Known deviations ({len(dev)})</summary>")
    out += [f"<div class='meta'>{_e(r['impl'])}: <code>{_e(r['id'])}</code>: {_inherited(r)}{_e(r.get('reason'))}</div>"
            for r in dev]
    out.append("</details>")
    return out


def _inherited(rec: Mapping[str, Any]) -> str:
    """'(inherited from ssl)' before the reason of an entry inherited through based_on."""
    base = rec.get("inherited_from")
    return f"<span class='inherited'>(inherited from <code>{_e(base)}</code>)</span> " if base else ""


def _options(name: str, values: Iterable[str], first: str, extra: str = "") -> str:
    opts = f"<option value=''>{_e(first)}</option>{extra}" + "".join(
        f"<option value='{_e(v)}'>{_e(v)}</option>" for v in values)
    return f"<select id='f-{name}'>{opts}</select>"


def _cases(doc: Mapping[str, Any]) -> List[str]:
    cases = doc.get("cases", ())
    impls = sorted({r["impl"] for r in cases})
    areas = sorted({r["area"] for r in cases})
    outcomes = [o for o, _ in COLUMNS if any(r["outcome"] == o for r in cases)]
    out = ["<h2 id='cases'>All records</h2><div class='filters'>",
           "<label>implementation " + _options("impl", impls, "all") + "</label>",
           "<label>area " + _options("area", areas, "all") + "</label>",
           "<label>basis " + _options("basis", sorted({basis.basis_of(r) for r in cases}), "all") + "</label>",
           "<label>outcome " + _options("outcome", outcomes, "all",
                                        "<option value='not-pass' selected>all but pass</option>") + "</label>",
           "<label>search <input id='f-text' type='search' placeholder='id, message...'></label>",
           "<span id='shown' class='meta'></span></div>",
           "<table id='case-table'><thead><tr><th>implementation</th><th>case id</th><th>outcome</th>"
           "<th>message / observed</th><th>s</th></tr></thead><tbody>"]
    for r in cases:
        hidden = " class='hidden'" if r["outcome"] == "pass" else ""
        text = r.get("message") or (json.dumps(r["observed"], default=repr) if r.get("observed") else "")
        out.append(f"<tr{hidden} data-impl='{_e(r['impl'])}' data-area='{_e(r['area'])}' "
                   f"data-basis='{_e(basis.basis_of(r))}' "
                   f"data-outcome='{_e(r['outcome'])}'><td>{_e(r['impl'])}</td><td><code>{_e(r['id'])}</code>"
                   f"{_span(r)}</td>"
                   f"<td class='s-{_e(r['outcome'])}'>{_e(r['outcome'])}</td><td class='msg'>{_e(text)}</td>"
                   f"<td class='n'>{float(r.get('duration') or 0):.3f}</td></tr>")
    out.append("</tbody></table>")
    return out


def _span(rec: Mapping[str, Any]) -> str:
    """`` <span class='editions'>3.5+</span>`` for a case some editions do not document; nothing for 3.2+."""
    span = rec.get("editions")
    return f" <span class='meta editions'>{_e(span)}</span>" if span and span != "3.2+" else ""


def render_html(doc: Mapping[str, Any], *, title: str = "") -> str:
    """The whole report as one HTML string."""
    run_id = doc.get("run", {}).get("id", "")
    nav = ("<div class='meta'>jump to: <a href='#failures'>unexpected outcomes</a> · "
           "<a href='#matrices'>matrices</a> · <a href='#cases'>all records</a></div>")
    body = _header(doc) + [nav] + _counts(doc) + _failures(doc) + _matrices(doc) + _cases(doc)
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
            f"<title>{_e(title or 'ssl-conformance ' + run_id)}</title><style>{CSS}</style></head><body>\n"
            + "\n".join(body) + f"\n<script>{SCRIPT}</script></body></html>\n")


def write_html(doc: Mapping[str, Any], path: Path) -> Path:
    Path(path).write_text(render_html(doc), encoding="utf-8")
    return Path(path)
