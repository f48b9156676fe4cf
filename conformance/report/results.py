"""results.json: the source of truth of a run, and where it is written.

Every other view (terminal summary, report.html, junit.xml, compare, merge)
is rendered from this document alone; ``report.rundir`` writes a run's
directory (this file and its views).  The format is versioned and described
by ``conformance/schema/results.schema.json``.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import secrets
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional, Sequence

from .. import __version__
from ..harness.impls import interpreter_info
from ..judge.editions import DEFAULT as DEFAULT_EDITION

__all__ = ["FORMAT", "VERSION", "build_document", "load_results", "write_json", "new_run_id", "memory_figures",
           "add_run_peak", "edition_of"]

FORMAT = "ssl-conformance-results"
VERSION = 1


def new_run_id(started: float) -> str:
    stamp = datetime.datetime.fromtimestamp(started, datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(2)}"


def memory_figures(controller_kib: int, worker_kib: Sequence[int]) -> Dict[str, Any]:
    """``run.memory``: the peak RSS of each pytest process of the run, in MiB.
    (``ssl-conformance run`` adds ``run_peak_mib``: see :func:`add_run_peak`.)"""
    mib = [round(k / 1024, 1) for k in (controller_kib, *worker_kib)]
    return {"peak_rss_mib": {"controller": mib[0], "workers": mib[1:]}}


def add_run_peak(path: Path, peak_kib: int, interval: float) -> Dict[str, Any]:
    """Record in results.json at ``path`` the most memory all the run's processes
    (the command, pytest, its workers, peers) held at once -- summed
    proportional set sizes, sampled every ``interval`` seconds; returns the
    updated document."""
    doc = load_results(path)
    doc["run"].setdefault("memory", {}).update(run_peak_mib=round(peak_kib / 1024, 1),
                                               sampled_every_s=interval)
    write_json(doc, path)
    return doc


def write_json(doc: Dict[str, Any], path: Path) -> None:
    tmp = path.with_suffix(".json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:  # streamed: no second copy of the document
        json.dump(doc, f, indent=1, sort_keys=False)
        f.write("\n")
    os.replace(tmp, path)


def build_document(session: Any, records: Sequence[Dict[str, Any]], *, started: float,
                   command: Sequence[str], run_id: str = "",
                   memory: Optional[Dict[str, Any]] = None,
                   completeness: Optional[Dict[str, Any]] = None,
                   probe: bool = True) -> Dict[str, Any]:
    """Assemble the results document from the session and its records.

    ``completeness`` is the ledger's account of the run (``run.completeness``);
    ``probe=False`` describes the implementations without probing them (the
    placeholder written before the run)."""
    finished = time.time()
    doc = {
        "format": FORMAT,
        "version": VERSION,
        "run": {
            "id": run_id or new_run_id(started),
            "started": datetime.datetime.fromtimestamp(started, datetime.timezone.utc).isoformat(),
            "duration": round(finished - started, 3),
            "harness_version": __version__,
            "command": [sys.argv[0], *command],
            "platform": platform.platform(),
            "interpreter": interpreter_info(),
            "options": {"impls": list(session.impl_names),
                        "peers": [spec.name for spec in getattr(session, "peers", ())],
                        "expectations": sorted({e.source.split("#")[0] for e in session.expectations}),
                        "based_on": [{"module": b.module, "on": b.on, "source": b.source}
                                     for b in getattr(session, "bases", ())],
                        "timeout": session.timeout,
                        "certs": str(session.certs.dir),
                        "rerun_failures": getattr(session, "rerun_failures", 0),
                        "basis": getattr(session, "basis", "all"),
                        "edition": getattr(session, "edition", DEFAULT_EDITION)},
            "edition": getattr(session, "edition", DEFAULT_EDITION),
        },
        "implementations": {name: session.facts(name) if probe else session.static_facts(name)
                            for name in session.impls},
        "peers": session.peer_facts() if getattr(session, "peers", None) else {},
        "load_problems": dict(session.problems),
        "cases": sorted(records, key=lambda r: (r["id"], r["impl"])),
    }
    if memory:
        doc["run"]["memory"] = memory
    if completeness is not None:
        doc["run"]["complete"] = bool(completeness["complete"])
        doc["run"]["completeness"] = completeness
    return doc


def edition_of(doc: Any) -> str:
    """The edition a results document's run held implementations to (``run.edition``; a document
    written before editions existed was a run of the base spec, 3.2)."""
    return str((doc.get("run") or {}).get("edition") or DEFAULT_EDITION)


def load_results(path: Path) -> Dict[str, Any]:
    """Read a results.json, checking it is one."""
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ValueError(f"{path}: not an ssl-conformance results file")
    if doc.get("version") != VERSION:
        raise ValueError(f"{path}: results format version {doc.get('version')}, this tool reads {VERSION}")
    return doc
