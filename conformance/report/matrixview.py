"""Grids from results.json: the protocol matrix (and any other two-key table).

The spec shows "which versions in a client can connect to which versions in
a server" as a table, client down the side, server along the top.  The
suite's matrix cases carry exactly that in their parameters, so the grid is
rebuilt from the records alone, with no knowledge of the cases' code:

* a :class:`GridKind` says which records form grids (an id prefix), which
  parameter splits them into separate tables (``policy``), and which two
  parameters are the row and the column key;
* :func:`build_grids` turns the records into :class:`Grid` objects, one per
  implementation label and group, each cell a :class:`Cell` (short text, a
  state, a detail line);
* :func:`render_text` draws one grid for a terminal; ``htmlreport`` draws
  the same grids as coloured tables.

A cell reads as the spec's table does: the negotiated version (``1.2``
meaning "yes, TLSv1.2"), ``no`` for a refused connection, ``-`` where the
implementation lacks the protocol.  ``*`` marks a cell that differs from the
oracle (a failing case), ``~`` a known deviation, ``?`` a flaky one.

Standard library only.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

__all__ = ["GridKind", "Cell", "Grid", "KINDS", "build_grids", "all_grids", "cell_of", "render_text"]


@dataclasses.dataclass(frozen=True)
class GridKind:
    """Which records make grids, and how they are laid out."""

    prefix: str       # id prefix, e.g. "matrix/"
    row_key: str      # parameter down the side
    col_key: str      # parameter along the top
    group_keys: Tuple[str, ...] = ()  # parameters splitting tables (e.g. the cipher policy)
    title: str = ""
    by_impl: bool = True  # one table per implementation label too (False: the rows/columns name them)


#: Every grid the reports show.  Interop cells come from the peer matrix.
KINDS: Tuple[GridKind, ...] = (
    GridKind("matrix/", "client", "server", ("policy",), "protocol matrix"),
    GridKind("interop/", "client_endpoint", "server_endpoint", ("policy", "cell"), "interop matrix",
             by_impl=False),
)

#: Marks for outcomes other than a clean pass (see the module docstring).
MARKS = {"fail": "*", "unexpected-pass": "*", "error": "*", "deviation": "~", "flaky": "?"}

#: Preferred order of row/column names: the spec's protocol order.
_ORDER = ("SSLv2", "SSLv3", "SSLv23", "TLS", "TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3")


@dataclasses.dataclass
class Cell:
    """One cell: ``text`` fits a terminal column, ``detail`` explains it."""

    text: str
    state: str       # the record's outcome
    detail: str = ""
    case_id: str = ""

    @property
    def marked(self) -> str:
        return self.text + MARKS.get(self.state, "")


@dataclasses.dataclass
class Grid:
    kind: GridKind
    impl: str
    group: str
    rows: List[str]
    cols: List[str]
    cells: Dict[Tuple[str, str], Cell]

    @property
    def title(self) -> str:
        group = f", {self.group}" if self.group else ""
        return f"{self.kind.title}: {self.impl}{group}" if self.impl else f"{self.kind.title}{group}"

    def differing(self) -> List[Tuple[str, str, Cell]]:
        """Cells that differ from the oracle (known deviations included)."""
        return [(r, c, cell) for (r, c), cell in sorted(self.cells.items(), key=self._key)
                if cell.state in MARKS]

    def _key(self, item: Tuple[Tuple[str, str], Cell]) -> Tuple[int, int]:
        (r, c), _ = item
        return self.rows.index(r), self.cols.index(c)


def short_version(version: Any) -> str:
    """``TLSv1.2`` -> ``1.2``; ``TLSv1`` -> ``1.0``; ``SSLv3`` -> ``S3``; anything else as text."""
    if not isinstance(version, str) or not version:
        return "no"
    if version == "TLSv1":
        return "1.0"
    if version.startswith("TLSv"):
        return version[4:]
    if version.startswith("SSLv"):
        return "S" + version[4:]
    return version


def _version_in(value: Any) -> Optional[str]:
    """The version a record's ``actual``/``expected`` speaks of, if any."""
    if isinstance(value, dict):
        return _version_in(value.get("version"))
    if isinstance(value, str) and value.startswith(("TLSv", "SSLv")) and " " not in value:
        return value
    return None


def cell_of(record: Mapping[str, Any]) -> Cell:
    """The grid cell showing ``record``."""
    outcome = record.get("outcome", "error")
    observed = record.get("observed") if isinstance(record.get("observed"), dict) else {}
    expected = observed.get("expected", record.get("expected"))
    if outcome == "unsupported":
        return Cell("-", outcome, record.get("message", ""), record.get("id", ""))
    if outcome == "error":
        return Cell("ERR", outcome, record.get("message", ""), record.get("id", ""))
    if outcome == "pass":
        text = short_version(observed.get("version"))
    else:
        text = short_version(observed.get("version") or _version_in(record.get("actual")))
    detail = f"negotiated {observed.get('version') or _version_in(record.get('actual')) or 'nothing'}"
    if expected is not None:
        detail += f"; oracle: {_describe(expected)}"
    if outcome != "pass" and record.get("message"):
        detail += f"; {record['message']}"
    return Cell(text, outcome, detail, record.get("id", ""))


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def label_order(name: str) -> Tuple[int, str]:
    base = name.split("+")[0].split(" ")[0]
    return (_ORDER.index(base) if base in _ORDER else len(_ORDER), name)


def build_grids(records: Iterable[Mapping[str, Any]], kind: GridKind) -> List[Grid]:
    """One grid per (implementation label, group) of the records of ``kind``."""
    grids: Dict[Tuple[str, str], Grid] = {}
    for rec in records:
        params = rec.get("params") or {}
        if not str(rec.get("id", "")).startswith(kind.prefix):
            continue
        if kind.row_key not in params or kind.col_key not in params:
            continue
        group = ", ".join(f"{k} {params[k]}" for k in kind.group_keys if k in params)
        key = (str(rec.get("impl", "")) if kind.by_impl else "", group)
        grid = grids.setdefault(key, Grid(kind, key[0], group, [], [], {}))
        row, col = str(params[kind.row_key]), str(params[kind.col_key])
        if row not in grid.rows:
            grid.rows.append(row)
        if col not in grid.cols:
            grid.cols.append(col)
        grid.cells[(row, col)] = cell_of(rec)
    for grid in grids.values():
        grid.rows.sort(key=label_order)
        grid.cols.sort(key=label_order)
    return [grids[k] for k in sorted(grids)]


def all_grids(doc: Mapping[str, Any], kinds: Sequence[GridKind] = KINDS) -> List[Grid]:
    """Every grid of a results document, kind by kind."""
    out: List[Grid] = []
    for kind in kinds:
        out += build_grids(doc.get("cases", ()), kind)
    return out


def render_text(grid: Grid, *, max_width: int = 110) -> str:
    """The grid as the spec draws it, plus one line per differing cell.

    Column headers that would make the table wider than ``max_width`` are
    replaced by numbers with a key underneath.
    """
    cells = {k: v.marked for k, v in grid.cells.items()}
    cell_w = max([len(v) for v in cells.values()] + [3])
    row_w = max(len(r) for r in grid.rows + [grid.kind.row_key + " \\ " + grid.kind.col_key])
    numbered = row_w + len(grid.cols) * (max(cell_w, *map(len, grid.cols)) + 1) > max_width
    headers = [str(i + 1) for i in range(len(grid.cols))] if numbered else list(grid.cols)
    widths = [max(cell_w, len(h)) for h in headers]
    corner = grid.kind.row_key + " \\ " + grid.kind.col_key
    lines = [grid.title,
             " ".join([corner.ljust(row_w)] + [h.rjust(w) for h, w in zip(headers, widths)])]
    for row in grid.rows:
        lines.append(" ".join([row.ljust(row_w)] + [cells.get((row, c), "").rjust(w)
                                                    for c, w in zip(grid.cols, widths)]))
    if numbered:
        lines.append(f"  {grid.kind.col_key}: " + ", ".join(f"{i + 1}={c}" for i, c in enumerate(grid.cols)))
    for row, col, cell in grid.differing():
        lines.append(f"  {cell.marked.strip()} {grid.kind.row_key}={row} {grid.kind.col_key}={col}: {cell.detail}")
    return "\n".join(lines)


LEGEND = ("cells: negotiated version (1.2 = yes, TLSv1.2; S3 = SSLv3), no = refused, - = unsupported; "
          "* differs from the oracle, ~ known deviation, ? flaky")
