"""Whether a run finished: every collected item must leave a record.

A verdict is only as good as the evidence behind it.  A worker that dies, an
internal error, ``-x``, a ``KeyboardInterrupt`` or a record that could not be
sent all end a run early, and the records that did arrive may all be passes.
So the plugin keeps a :class:`Ledger` of the run (on the xdist controller, or
the one pytest process): the node ids pytest collected (after ``-k`` and
deselection), the record each item produced, the items whose process died
under them, and the internal errors.  :meth:`Ledger.completeness` is the
``run.completeness`` entry of results.json; a run is *complete* only when

* every collected item produced a record,
* pytest ended with status 0 or 1 (not interrupted, no internal error, no
  usage error), and
* no internal error was reported,

and every view says ``INCOMPLETE`` (exit status 1), never OK, otherwise.

While a run goes, its records are also appended to a *journal*
(``records.jsonl`` beside results.json): if the pytest process itself dies
(``-n 0`` and an implementation that kills its process), ``ssl-conformance
run`` rebuilds the results from it, with the item that was running named.

Standard library only.
"""
from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any, Dict, IO, Iterator, List, Optional, Sequence

__all__ = ["is_suite_item", "Ledger", "Journal", "JournalContents", "read_journal", "item_id_of", "incomplete_line", "JOURNAL", "MISSING_SHOWN"]

#: the journal's file name, in the run directory
JOURNAL = "records.jsonl"
#: how many missing node ids results.json lists by name (the count is always there)
MISSING_SHOWN = 50
#: why results.json is INCOMPLETE from the start of a run until its end
UNFINISHED = "the run has not finished (or its process died)"


def is_suite_item(nodeid: str) -> bool:
    """Is ``nodeid`` an item of the suite (``conformance/test_conformance.py``'s
    one test function), rather than any other test of the same pytest run?"""
    return "::test_conformance[" in nodeid


def item_id_of(nodeid: str) -> str:
    """The suite's item id in a node id: ``...::test_conformance[ssl:api/x]`` -> ``ssl:api/x``."""
    start = nodeid.find("[")
    return nodeid[start + 1:-1] if start >= 0 and nodeid.endswith("]") else nodeid


class Ledger:
    """What the run collected, and what each item left behind."""

    def __init__(self) -> None:
        #: collected node ids, in order; ``None`` until collection finished
        self.expected: Optional[List[str]] = None
        self.records: Dict[str, Dict[str, Any]] = {}
        #: node id -> why it produced no record of its own (its process died...)
        self.crashed: Dict[str, str] = {}
        self.internal_errors: List[str] = []

    def expect(self, nodeids: Sequence[str]) -> None:
        """The collected node ids of the suite's items (the first report
        counts; under xdist every worker reports the same).  Items recorded
        already -- by the run a ``--resume`` continues -- were collected too."""
        if self.expected is None:
            self.expected = list(dict.fromkeys([*self.records, *(n for n in nodeids if is_suite_item(n))]))

    def add(self, nodeid: str, record: Dict[str, Any]) -> None:
        self.records[nodeid] = record

    def crash(self, nodeid: str, why: str) -> None:
        self.crashed.setdefault(nodeid, why)

    def missing(self) -> List[str]:
        """Collected node ids that have no record (a crashed item has one: its failure)."""
        return [n for n in self.expected or () if n not in self.records]

    @classmethod
    def from_journal(cls, contents: "JournalContents", why_running: str) -> "Ledger":
        """The ledger of a run whose process died: the journal's records, and the
        items it was running (recorded as crashed, ``why_running``) as the only
        ones known to be missing."""
        ledger = cls()
        ledger.records = dict(contents.records)
        ledger.crashed = {**contents.crashed, **{n: why_running for n in contents.running}}
        ledger.expected = list(dict.fromkeys([*contents.records, *contents.running]))
        return ledger

    @classmethod
    def unfinished(cls) -> Dict[str, Any]:
        """The ``run.completeness`` of a run that has begun and not ended: what
        results.json says until the run replaces it."""
        ledger = cls()
        ledger.expected = []
        return ledger.completeness(0, reasons=[UNFINISHED])

    def completeness(self, exitstatus: int, *, reasons: Sequence[str] = ()) -> Dict[str, Any]:
        """``run.completeness``: whether the run finished, and if not, why
        (``reasons``: more that the caller knows, e.g. the process died)."""
        missing = self.missing()
        given, reasons = list(reasons), []
        if not (self.expected or self.records or self.crashed or given):  # a pytest run without the suite in it
            return {"complete": True, "items": 0, "records": 0, "missing": 0, "missing_ids": [],
                    "crashed": {}, "reasons": reasons}
        if self.expected is None:
            reasons.append("collection did not finish")
        if missing:
            reasons.append(f"{len(missing)} of {len(self.expected or ())} collected items produced no record")
        if self.crashed:
            reasons.append(f"{len(self.crashed)} item(s) ended with their process")
        reasons += [f"internal error: {e}" for e in self.internal_errors]
        if int(exitstatus) not in (0, 1):
            reasons.append(f"pytest exit status {int(exitstatus)} ({_exit_name(exitstatus)})")
        reasons += given
        return {
            "complete": not reasons,
            "items": len(self.expected or ()),
            "records": len(self.records),
            "missing": len(missing),
            "missing_ids": [item_id_of(n) for n in missing[:MISSING_SHOWN]],
            "crashed": {item_id_of(n): why for n, why in self.crashed.items()},
            "reasons": reasons,
        }


def incomplete_line(completeness: Dict[str, Any]) -> str:
    """The one-line verdict of a run that did not finish."""
    return (f"INCOMPLETE: {completeness['records']} records for {completeness['items']} collected items; "
            + "; ".join(completeness["reasons"]))


def _exit_name(status: int) -> str:
    names = {2: "interrupted", 3: "internal error", 4: "usage error", 5: "no tests collected"}
    if int(status) < 0:
        return f"killed by signal {-int(status)}"
    return names.get(int(status), "abnormal")


class Journal:
    """Appends what a run does to ``run_dir/records.jsonl``, one JSON object a
    line, flushed as it goes: ``{"started": nodeid}`` as an item begins,
    ``{"nodeid": ..., "record": ...}`` as its record arrives, and
    ``{"crashed": nodeid, "why": ...}`` for an item whose process died."""

    def __init__(self, run_dir: Path) -> None:
        self.path = Path(run_dir) / JOURNAL
        self._file: Optional[IO[str]] = open(self.path, "a", encoding="utf-8")

    def _line(self, entry: Dict[str, Any]) -> None:
        if self._file is not None:
            self._file.write(json.dumps(entry) + "\n")
            self._file.flush()

    def started(self, nodeid: str) -> None:
        self._line({"started": nodeid})

    def record(self, nodeid: str, record: Dict[str, Any]) -> None:
        self._line({"nodeid": nodeid, "record": record})

    def crashed(self, nodeid: str, why: str) -> None:
        self._line({"crashed": nodeid, "why": why})

    def close(self, *, remove: bool = False) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        if remove:
            try:
                os.unlink(self.path)
            except OSError:
                pass


@dataclasses.dataclass
class JournalContents:
    """What a journal says: the records by node id, the items that crashed
    (with why), and the items started without a record (running when the
    process died)."""

    records: Dict[str, Dict[str, Any]]
    crashed: Dict[str, str]
    running: List[str]


def read_journal(path: Path) -> JournalContents:
    """The contents of a journal; a line cut short by the process's death is ignored."""
    records: Dict[str, Dict[str, Any]] = {}
    crashed: Dict[str, str] = {}
    started: Dict[str, None] = {}
    for line in _lines(Path(path)):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if "started" in entry:
            started[entry["started"]] = None
        elif "record" in entry:
            records[entry["nodeid"]] = entry["record"]
        elif "crashed" in entry:
            crashed[entry["crashed"]] = entry["why"]
    return JournalContents(records, crashed, [n for n in started if n not in records])


def _lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        yield from f
