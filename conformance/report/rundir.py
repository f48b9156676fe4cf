"""A run's directory: ``D/<run id>/results.json``, the views derived from it,
and ``D/latest`` pointing at the newest run.

The results are written first and alone decide the verdict; a view that
cannot be written is reported and left out.  Standard library only.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Dict

from .html import write_html
from .junit import write_junit
from .repro import write_repros
from .results import write_json

__all__ = ["write_views", "write_reports"]


def write_views(doc: Dict[str, Any], run_dir: Path) -> Dict[str, Path]:
    """Write the views derived from ``doc`` beside its results.json.

    report.html, junit.xml and (when something failed) repro/.  A view that
    cannot be written is reported on stderr and left out: the results
    themselves are never lost to a rendering problem.
    """
    views = (("report.html", write_html), ("junit.xml", write_junit), ("repro", write_repros))
    paths: Dict[str, Path] = {}
    for name, write in views:
        try:
            written = write(doc, run_dir / name)
        except Exception as exc:  # noqa: BLE001 - keep results.json whatever happens
            print(f"ssl-conformance: could not write {run_dir / name}: {type(exc).__name__}: {exc}",
                  file=sys.stderr)
            continue
        if written is not None:
            paths[name] = written
    return paths


def write_reports(doc: Dict[str, Any], report_dir: Path) -> Dict[str, Path]:
    """Write ``report_dir/<run id>/results.json`` and the derived views; point ``latest`` at it."""
    run_dir = Path(report_dir) / doc["run"]["id"]
    run_dir.mkdir(parents=True, exist_ok=True)
    paths = {"results": run_dir / "results.json"}
    write_json(doc, paths["results"])
    paths.update(write_views(doc, run_dir))
    latest = Path(report_dir) / "latest"
    try:
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(run_dir.name)
    except OSError:
        (Path(report_dir) / "LATEST").write_text(run_dir.name + "\n", encoding="utf-8")
    return paths
