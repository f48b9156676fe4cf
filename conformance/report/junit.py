"""junit.xml from results.json, for CI systems that display JUnit reports.

One ``<testsuite>`` per implementation label (``ssl``, ``reference``,
``ssl->reference`` ...), one ``<testcase>`` per case id in it:

=================  ==========================================================
outcome            JUnit
=================  ==========================================================
pass               plain testcase
fail               ``<failure type="fail">`` with expected/actual in the text
unexpected-pass    ``<failure type="unexpected-pass">``
flaky              ``<failure type="flaky">`` (the rate in the message)
error              ``<error>``
deviation          ``<skipped type="deviation">`` with the expectation reason
unsupported        ``<skipped type="unsupported">`` with the missing capability
=================  ==========================================================

``classname`` is ``impl.area`` so CI front ends group by implementation and
area; ``name`` is the case id; the failure text carries expected vs actual,
the spec item and the reason.  Every suite has the property ``edition`` (the
run's ``--edition``), and ``openssl_version`` / ``module_file`` for an
implementation's own suite.  The elements and attributes used are the
common subset of the Jenkins / Ant JUnit schema that GitHub, GitLab and
Jenkins all read.  Standard library only.
"""
from __future__ import annotations

import collections
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any, Dict, List, Mapping

from .ledger import incomplete_line
from .results import edition_of
from .summary import completeness

__all__ = ["render_junit", "write_junit"]

_FAILURE = {"fail", "unexpected-pass", "flaky"}
_SKIPPED = {"deviation", "unsupported"}


def _text(rec: Mapping[str, Any]) -> str:
    lines = [rec.get("message") or rec["outcome"]]
    if rec.get("expected") is not None or rec.get("actual") is not None:
        lines.append(f"expected: {json.dumps(rec.get('expected'), default=repr)}")
        lines.append(f"actual:   {json.dumps(rec.get('actual'), default=repr)}")
    if rec.get("reason"):
        lines.append(f"reason: {rec['reason']}")
    if rec.get("spec"):
        lines.append(f"spec: {rec['spec']}" + (f" (editions {rec['editions']})" if rec.get("editions") else ""))
    return "\n".join(lines)


def _one_line(text: str, n: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _testcase(rec: Mapping[str, Any]) -> ET.Element:
    tc = ET.Element("testcase", {
        "classname": f"{rec['impl']}.{rec['area']}",
        "name": rec["id"],
        "time": f"{float(rec.get('duration') or 0):.6f}",
    })
    outcome = rec["outcome"]
    message = _one_line(rec.get("message") or outcome)
    if outcome in _FAILURE:
        el = ET.SubElement(tc, "failure", {"type": outcome, "message": message})
        el.text = _text(rec)
    elif outcome == "error":
        el = ET.SubElement(tc, "error", {"type": "error", "message": message})
        el.text = _text(rec)
    elif outcome in _SKIPPED:
        label = f"known deviation: {rec.get('reason')}" if outcome == "deviation" else f"unsupported: {message}"
        el = ET.SubElement(tc, "skipped", {"type": outcome, "message": _one_line(label)})
        el.text = _text(rec)
    return tc


def render_junit(doc: Mapping[str, Any]) -> bytes:
    """The junit.xml document (UTF-8 bytes) for a results document."""
    by_impl: Dict[str, List[Mapping[str, Any]]] = collections.defaultdict(list)
    for rec in doc.get("cases", ()):
        by_impl[rec["impl"]].append(rec)
    run = doc.get("run", {})
    root = ET.Element("testsuites", {"name": f"ssl-conformance {run.get('id', '')}".strip()})
    totals = collections.Counter()
    for impl in sorted(by_impl):
        recs = by_impl[impl]
        c = collections.Counter(r["outcome"] for r in recs)
        counts = {"tests": len(recs), "failures": sum(c[o] for o in _FAILURE),
                  "errors": c["error"], "skipped": sum(c[o] for o in _SKIPPED)}
        totals.update(counts)
        suite = ET.SubElement(root, "testsuite", {
            "name": impl, **{k: str(v) for k, v in counts.items()},
            "time": f"{sum(float(r.get('duration') or 0) for r in recs):.3f}",
            "timestamp": str(run.get("started", ""))[:19],
        })
        facts = (doc.get("implementations") or {}).get(impl.split("->")[0])
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", {"name": "edition", "value": edition_of(doc)})
        if facts:
            for name in ("openssl_version", "module_file"):
                ET.SubElement(props, "property", {"name": name, "value": str(facts.get(name) or "")})
        for rec in recs:
            suite.append(_testcase(rec))
    for name, problem in (doc.get("load_problems") or {}).items():
        if not any(r["impl"] == name for r in doc.get("cases", ())):
            suite = ET.SubElement(root, "testsuite", {"name": name, "tests": "1", "failures": "0",
                                                      "errors": "1", "skipped": "0", "time": "0"})
            tc = ET.SubElement(suite, "testcase", {"classname": f"{name}.load", "name": "load", "time": "0"})
            ET.SubElement(tc, "error", {"type": "load", "message": _one_line(problem)}).text = problem
            totals.update({"tests": 1, "errors": 1})
    done = completeness(doc)
    if not done.get("complete", False):  # a CI system must see a run that did not finish
        suite = ET.SubElement(root, "testsuite", {"name": "ssl-conformance", "tests": "1", "failures": "0",
                                                  "errors": "1", "skipped": "0", "time": "0"})
        tc = ET.SubElement(suite, "testcase", {"classname": "ssl-conformance.run", "name": "complete",
                                               "time": "0"})
        ET.SubElement(tc, "error", {"type": "incomplete", "message": _one_line(incomplete_line(done))}
                      ).text = "\n".join([incomplete_line(done), *done.get("missing_ids", ())])
        totals.update({"tests": 1, "errors": 1})
    for k in ("tests", "failures", "errors", "skipped"):
        root.set(k, str(totals.get(k, 0)))
    root.set("time", f"{float(run.get('duration') or 0):.3f}")
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def write_junit(doc: Mapping[str, Any], path: Path) -> Path:
    Path(path).write_bytes(render_junit(doc))
    return Path(path)
