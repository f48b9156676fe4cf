"""The ledger of a run and how every view shows a run that did not finish."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from conformance.report.compare import compare, render_comparison
from conformance.report.html import render_html
from conformance.report.junit import render_junit
from conformance.report.ledger import Journal, Ledger, is_suite_item, item_id_of, read_journal
from conformance.report.summary import render_summary, verdict, verdict_line

NODE = "conformance/test_conformance.py::test_conformance[{}]"


def _rec(case_id: str, outcome: str = "pass") -> dict:
    return {"id": case_id, "impl": "ssl", "area": case_id.split("/")[0], "spec": "", "params": {},
            "outcome": outcome, "message": "", "duration": 0.0}


def test_node_ids_of_the_suite_and_their_item_ids() -> None:
    assert is_suite_item(NODE.format("ssl:api/x")) and not is_suite_item("tests/test_a.py::test_b")
    assert item_id_of(NODE.format("ssl->reference:matrix/a=b")) == "ssl->reference:matrix/a=b"


def test_a_run_is_complete_only_when_every_item_left_a_record() -> None:
    ledger = Ledger()
    ledger.expect([NODE.format("ssl:api/a"), NODE.format("ssl:api/b"), "tests/test_x.py::test_y"])
    ledger.add(NODE.format("ssl:api/a"), _rec("api/a"))
    done = ledger.completeness(0)
    assert not done["complete"] and done["items"] == 2 and done["missing_ids"] == ["ssl:api/b"]
    ledger.add(NODE.format("ssl:api/b"), _rec("api/b"))
    assert ledger.completeness(0)["complete"] and ledger.completeness(1)["complete"]
    for status, word in ((2, "interrupted"), (3, "internal error"), (-9, "signal 9")):
        assert word in " ".join(ledger.completeness(status)["reasons"])
    ledger.internal_errors.append("DumpError: can't serialize")
    assert "internal error: DumpError" in " ".join(ledger.completeness(1)["reasons"])


def test_a_crash_or_an_unfinished_collection_is_incomplete() -> None:
    unfinished = Ledger()
    unfinished.add(NODE.format("ssl:api/a"), _rec("api/a"))  # a record, but no collection reported
    assert "collection did not finish" in unfinished.completeness(0)["reasons"]
    ledger = Ledger()
    ledger.expect([NODE.format("ssl:api/a")])
    ledger.crash(NODE.format("ssl:api/a"), "worker gw0 died while running it")
    ledger.add(NODE.format("ssl:api/a"), _rec("api/a", "fail"))
    done = ledger.completeness(1)
    assert not done["complete"] and done["crashed"] == {"ssl:api/a": "worker gw0 died while running it"}


def test_a_pytest_run_without_the_suite_is_not_judged() -> None:
    ledger = Ledger()
    ledger.expect(["tests/test_x.py::test_y"])
    assert ledger.completeness(2)["complete"]


def test_the_journal_survives_a_line_cut_short(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    for name in ("a", "b", "c"):
        journal.started(NODE.format(f"ssl:api/{name}"))
        if name != "c":
            journal.record(NODE.format(f"ssl:api/{name}"), _rec(f"api/{name}"))
    journal.crashed(NODE.format("ssl:api/b"), "died")
    journal.close()
    with open(journal.path, "a") as f:
        f.write('{"nodeid": "x", "rec')  # the process died mid-write
    contents = read_journal(journal.path)
    assert sorted(contents.records) == [NODE.format("ssl:api/a"), NODE.format("ssl:api/b")]
    assert contents.running == [NODE.format("ssl:api/c")]
    assert contents.crashed == {NODE.format("ssl:api/b"): "died"}


def _doc(complete: bool) -> dict:
    done = {"complete": complete, "items": 3, "records": 1, "missing": 0 if complete else 2,
            "missing_ids": [] if complete else ["ssl:api/b", "ssl:api/c"], "crashed": {},
            "reasons": [] if complete else ["2 of 3 collected items produced no record"]}
    return {"format": "ssl-conformance-results", "version": 1,
            "run": {"id": "r", "started": "2026-12-01T00:00:00", "duration": 1.0, "complete": complete,
                    "completeness": done},
            "implementations": {}, "peers": {}, "load_problems": {}, "cases": [_rec("api/a")]}


def test_every_view_says_incomplete_never_ok() -> None:
    doc = _doc(False)
    assert verdict(doc) == 1
    assert verdict_line(doc).startswith("INCOMPLETE: 1 records for 3 collected items")
    summary = render_summary(doc)
    assert summary.splitlines()[-1].startswith("INCOMPLETE") and "no record: ssl:api/b, ssl:api/c" in summary
    html = render_html(doc)
    assert "class='verdict bad'>INCOMPLETE" in html and "OK:" not in html
    suites = ET.fromstring(render_junit(doc))
    assert suites.get("errors") == "1" and suites.find(".//testcase[@name='complete']/error") is not None
    ok = _doc(True)
    assert verdict(ok) == 0 and render_summary(ok).splitlines()[-1].startswith("OK")
    assert ET.fromstring(render_junit(ok)).get("errors") == "0"


def test_compare_names_an_incomplete_run() -> None:
    diff = compare(_doc(True), _doc(False))
    assert diff["new"]["incomplete"] and not diff["old"]["incomplete"]
    assert "new: INCOMPLETE run" in render_comparison(diff)
