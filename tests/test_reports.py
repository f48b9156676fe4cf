"""Every file a run writes: results.json against its schema, junit.xml,
report.html (static checks; the browser test is separate), repro/ scripts
that show the difference, and the flaky verdict of --rerun-failures."""
import json
import re
import os
import shutil
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET

import jsonschema
import pytest

from conformance import cli
from conformance.report.html import render_html
from conformance.report.junit import render_junit
from conformance.harness.registry import Case
from conformance.report.schemacheck import RESULTS_SCHEMA, errors, load_schema, validate, SchemaError
from conformance.session import Item, Session
from conformance.report.summary import GATING, render_summary
from reportdata import make_doc, record, sample_doc

BROKEN = textwrap.dedent("""
    from ssl import *
    from ssl import SSLError, SSLContext, DER_cert_to_PEM_cert, PEM_cert_to_DER_cert
    OP_NO_TLSv1 = 0  # broken: the option does nothing

    def cert_time_to_seconds(timestring):
        return 0.0  # broken: always the epoch
""")


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory):
    """One real run: the stdlib and a broken variant of it, a few cases of each kind."""
    root = tmp_path_factory.mktemp("broken")
    (root / "brokenssl.py").write_text(BROKEN)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", str(root))
        status = cli.main(["run", "--impl", "brokenssl", "--impl", "ssl", "-n", "0",
                           "--case", "api/cert_time_to_seconds/spec-example",
                           "--case", "api/cert_time_to_seconds/tz-UTC",
                           "--case", "matrix/legacy/client=TLSv1/server=SSLv23*",
                           "--report-dir", str(root / "reports")])
    run_dir = (root / "reports" / "latest").resolve()
    return status, run_dir, json.loads((run_dir / "results.json").read_text()), root


def test_the_broken_run_fails_and_writes_every_view(broken_run):
    status, run_dir, doc, _ = broken_run
    assert status == 1
    assert sorted(p.name for p in run_dir.iterdir()) == ["junit.xml", "report.html", "repro", "results.json"]
    assert {r["outcome"] for r in doc["cases"] if r["impl"] == "brokenssl"} == {"fail"}


def test_results_json_matches_its_schema(broken_run):
    doc = broken_run[2]
    assert errors(doc, load_schema()) == []
    jsonschema.validate(doc, load_schema())  # the reference validator agrees


def test_the_schema_ships_inside_the_package():
    assert RESULTS_SCHEMA.parent.parent.name == "conformance"
    assert load_schema()["properties"]["version"] == {"const": 1}


@pytest.mark.parametrize("damage, problem", [
    (lambda d: d["cases"][0].update(outcome="maybe"), "is not one of"),
    (lambda d: d["cases"][0].pop("duration"), "missing member 'duration'"),
    (lambda d: d["cases"][0].update(colour="red"), "unexpected member 'colour'"),
    (lambda d: d["run"].update(duration="slow"), "expected number"),
    (lambda d: d.update(version=2), "expected 1"),
    (lambda d: d["cases"][0].update(flaky_rate=1.5), "maximum"),
    (lambda d: d["implementations"]["ssl"].update(openssl_version_number=True), "expected integer or null"),
])
def test_the_validator_catches_each_kind_of_damage(damage, problem):
    doc = sample_doc()
    damage(doc)
    found = errors(doc, load_schema())
    assert any(problem in line for line in found), found
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, load_schema())
    with pytest.raises(SchemaError):
        validate(doc, load_schema())


def test_the_validator_refuses_keywords_it_does_not_implement():
    with pytest.raises(ValueError, match="unsupported keywords"):
        errors("x", {"type": "string", "pattern": "^x$"})


def test_junit_has_one_testcase_per_record_and_marks_failures(broken_run):
    doc, run_dir = broken_run[2], broken_run[1]
    root = ET.parse(run_dir / "junit.xml").getroot()
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(doc["cases"])
    assert {(c.get("classname").rsplit(".", 1)[0], c.get("name")) for c in cases} == \
        {(r["impl"], r["id"]) for r in doc["cases"]}
    failures = root.findall("testsuite/testcase/failure")
    assert len(failures) == sum(r["outcome"] in GATING for r in doc["cases"]) == int(root.get("failures"))
    assert any("expected: 1178668800" in f.text and "actual:   0.0" in f.text for f in failures)


def test_junit_uses_only_the_common_junit_schema_subset():
    root = ET.fromstring(render_junit(sample_doc()))
    allowed = {"testsuites": {"name", "tests", "failures", "errors", "skipped", "time"},
               "testsuite": {"name", "tests", "failures", "errors", "skipped", "time", "timestamp"},
               "properties": set(), "property": {"name", "value"},
               "testcase": {"classname", "name", "time"},
               "failure": {"type", "message"}, "error": {"type", "message"}, "skipped": {"type", "message"}}
    children = {"testsuites": {"testsuite"}, "testsuite": {"properties", "testcase"},
                "properties": {"property"}, "testcase": {"failure", "error", "skipped"}}
    for el in root.iter():
        assert set(el.attrib) <= allowed[el.tag], el.tag
        assert {c.tag for c in el} <= children.get(el.tag, set()), el.tag
        for attr in ("tests", "failures", "errors", "skipped"):
            if attr in el.attrib:
                assert el.get(attr).isdigit()
    kinds = {tc.get("name") + "|" + tc.get("classname"): [c.tag for c in tc] for tc in root.iter("testcase")}
    assert kinds["api/SSLSocket.read/len|reference.api"] == ["failure"]  # flaky is never a pass
    assert kinds["matrix/default/client=TLSv1_1/server=TLSv1_1|ssl.matrix"] == ["skipped"]  # deviation


def test_report_html_is_self_contained_and_shows_failures(broken_run):
    text = (broken_run[1] / "report.html").read_text()
    assert "http://" not in text and "https://" not in text and "<link" not in text
    assert "src=" not in text
    assert "api/cert_time_to_seconds/spec-example" in text and "1178668800" in text
    assert "class='matrix'" in text


def test_every_failing_record_has_a_reproducer_and_the_certificates(broken_run):
    doc, run_dir = broken_run[2], broken_run[1]
    from conformance.report.repro import file_name
    failing = [r for r in doc["cases"] if r["outcome"] in GATING]
    assert failing
    for rec in failing:
        assert (run_dir / "repro" / file_name(rec)).is_file()
    assert (run_dir / "repro" / "certs" / "server-chain.pem").is_file()
    assert (run_dir / "repro" / "certs" / "root-ca.pem").is_file()


def _run_script(path, root):
    env = dict(os.environ, PYTHONPATH=str(root))
    return subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60,
                          cwd=str(root), env=env)


def test_a_matrix_reproducer_uses_only_the_public_api_and_shows_the_difference(broken_run):
    _, run_dir, doc, root = broken_run
    from conformance.report.repro import file_name
    rec = next(r for r in doc["cases"] if r["id"] == "matrix/legacy/client=TLSv1/server=SSLv23+NO_TLSv1"
               and r["impl"] == "ssl->brokenssl")
    script = run_dir / "repro" / file_name(rec)
    assert not _imports_the_suite(script.read_text().split('"""', 2)[2])  # nothing of the suite imported
    result = _run_script(script, root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "DIFFERENCE: expected no connection, got TLSv1" in result.stdout


def test_a_generic_reproducer_runs_the_case_and_shows_expected_vs_actual(broken_run):
    _, run_dir, doc, root = broken_run
    from conformance.report.repro import file_name
    rec = next(r for r in doc["cases"] if r["id"] == "api/cert_time_to_seconds/spec-example"
               and r["impl"] == "brokenssl")
    result = _run_script(run_dir / "repro" / file_name(rec), root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "expected: 1178668800" in result.stdout and "actual:   0.0" in result.stdout


def test_the_summary_draws_the_matrix_and_marks_the_differing_cell():
    text = render_summary(sample_doc())
    assert "protocol matrix: reference, policy legacy" in text
    line = next(l for l in text.splitlines() if "client=TLSv1 server=SSLv23" in l)
    assert line.strip().startswith("no*")
    assert "no~" in text  # the known deviation
    assert text.splitlines()[-1].startswith("FAILED: 2 spec failures, 0 CPython-compatibility differences in ")


def test_a_real_run_records_its_edition_and_every_cases_span(broken_run):
    doc, run_dir = broken_run[2], broken_run[1]
    assert doc["run"]["edition"] == "3.2" and doc["implementations"]["ssl"]["edition"] == "3.2"
    spans = {r["id"]: r["editions"] for r in doc["cases"] if r["impl"] == "ssl"}
    assert spans["api/cert_time_to_seconds/spec-example"] == "3.2+"
    assert spans["api/cert_time_to_seconds/tz-UTC"] == "3.2-3.4"  # 3.5 words it otherwise: utc-tz-UTC
    assert all(r["editions"] is None for r in doc["cases"] if r["impl"] == "*")  # not cases
    root = ET.parse(run_dir / "junit.xml").getroot()
    assert {p.get("value") for p in root.iter("property") if p.get("name") == "edition"} == {"3.2"}


def _edition_doc():
    return make_doc([record("api/cert_time_to_seconds/returns-int", "ssl", "fail", spec="cert_time_to_seconds",
                            editions="3.5+", message="cert_time_to_seconds returns an int", expected="int",
                            actual="float"),
                     record("api/cert_time_to_seconds/spec-example", "ssl", spec="cert_time_to_seconds",
                            editions="3.2+")], edition="3.13")


def test_summary_html_and_junit_name_the_edition_and_show_a_cases_span():
    doc = _edition_doc()
    assert errors(doc, load_schema()) == []
    text = render_summary(doc)
    assert text.splitlines()[0].startswith("ssl-conformance run 20260101T000000Z-abcd at edition 3.13 (")
    assert text.splitlines()[-1] == ("FAILED: 1 spec failure, 0 CPython-compatibility differences in 2 records "
                                     "at edition 3.13")
    doc["cases"][0]["outcome"] = "deviation"
    assert render_summary(doc).splitlines()[-1] == "OK: 2 records at edition 3.13, no unexpected outcome"
    doc["cases"][0]["outcome"] = "fail"
    page = render_html(doc)
    assert "<div id='edition' class='meta'>edition <b>3.13</b>" in page
    assert "editions: 3.5+" in page  # the failure says which editions document the case
    assert "<code>api/cert_time_to_seconds/returns-int</code> <span class='meta editions'>3.5+</span>" in page
    assert "<code>api/cert_time_to_seconds/spec-example</code></td>" in page  # 3.2+ goes without saying
    root = ET.fromstring(render_junit(doc))
    assert [(p.get("name"), p.get("value")) for p in root.iter("property")][0] == ("edition", "3.13")
    assert "spec: cert_time_to_seconds (editions 3.5+)" in root.find("testsuite/testcase/failure").text
    legacy = make_doc([record("api/x/y", "ssl")])  # written before editions existed
    assert "records at edition 3.2," in render_summary(legacy).splitlines()[-1]


def test_a_view_that_breaks_never_costs_the_results(tmp_path, monkeypatch, capsys):
    import conformance.report.rundir
    from conformance.report.rundir import write_reports

    def boom(doc, path):
        raise RuntimeError("renderer bug")
    monkeypatch.setattr(conformance.report.rundir, "write_html", boom)
    paths = write_reports(sample_doc(), tmp_path)
    assert paths["results"].is_file() and "report.html" not in paths
    assert "renderer bug" in capsys.readouterr().err


# -- --rerun-failures --------------------------------------------------------
def _session_item(func):
    session = Session(["ssl"], [], None, 5.0, __import__("conformance.harness.env").harness.env.Certs())
    case = Case(id="api/test/rerun", spec="SSLContext", func=func)
    return session, Item("case", "ssl:api/test/rerun", case=case, impl="ssl")


def _alternating():
    calls = []

    def func(env):
        calls.append(1)
        if len(calls) % 2:
            from conformance.harness.registry import CaseFailure
            raise CaseFailure("odd attempt", expected=1, actual=2)
    return func, calls


def test_a_case_that_fails_then_passes_is_flaky_with_its_rate_never_pass():
    func, calls = _alternating()
    session, item = _session_item(func)
    session.rerun_failures = 3
    rec = session.run(item)
    assert len(calls) == 4
    assert rec.outcome == "flaky" and rec.flaky_rate == 0.5
    assert "2 of 4 attempts failed" in rec.message


def test_without_reruns_a_failure_stays_a_failure():
    func, calls = _alternating()
    session, item = _session_item(func)
    assert session.run(item).outcome == "fail" and len(calls) == 1


def test_a_case_failing_every_attempt_is_a_failure_saying_so():
    from conformance.harness.registry import CaseFailure

    def func(env):
        raise CaseFailure("always")
    session, item = _session_item(func)
    session.rerun_failures = 2
    rec = session.run(item)
    assert rec.outcome == "fail" and "failed all 3 attempts" in rec.message


def test_sample_documents_are_valid():
    assert errors(sample_doc(), load_schema()) == []
    assert errors(make_doc([record("api/x/y", "ssl")]), load_schema()) == []


NO_VERIFY = textwrap.dedent("""
    import ssl as _ssl
    from ssl import *

    class SSLContext(_ssl.SSLContext):  # broken: verify_mode is shown, never applied
        @property
        def verify_mode(self):
            return getattr(self, "_shown", _ssl.CERT_NONE)

        @verify_mode.setter
        def verify_mode(self, value):
            self._shown = value
            _ssl.SSLContext.verify_mode.__set__(self, _ssl.CERT_NONE)
""")


@pytest.mark.parametrize("case_id, shows", [
    ("verify/server-cert/TLSv1.3/REQUIRED/peer=untrusted/trust=capath", "expected no connection, got TLSv1.3"),
    ("verify/client-cert/TLSv1.2/REQUIRED/peer=none/trust=cafile", "expected no connection, got TLSv1.2"),
    ("verify/server-cert/TLSv1.2/REQUIRED/peer=trusted/trust=cafile",
     "the client's getpeercert() is unvalidated, expected validated"),
    ("verify/chain/certfile=leaf/trust=root", "expected no connection, got TLSv1.3"),
])
def test_a_verify_reproducer_is_standalone_and_passes_once_the_module_is_fixed(tmp_path, case_id, shows):
    (tmp_path / "noverify.py").write_text(NO_VERIFY)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYTHONPATH", str(tmp_path))
        assert cli.main(["run", "--impl", "noverify", "-n", "0", "--case", case_id,
                         "--report-dir", str(tmp_path / "reports")]) == 1
    repro = (tmp_path / "reports" / "latest" / "repro").resolve()
    (script,) = [p for p in repro.glob("*.py")]
    moved = tmp_path / "elsewhere"  # with its certificates, the directory works anywhere
    shutil.copytree(repro, moved)
    text = (moved / script.name).read_text()
    assert not _imports_the_suite(text.split('"""', 2)[2])  # only the public API of the module
    result = _run_script(moved / script.name, tmp_path)
    assert result.returncode == 1 and f"DIFFERENCE: {shows}" in result.stdout, result.stdout + result.stderr
    fixed = moved / "fixed.py"  # the same script against the stdlib: no difference
    fixed.write_text(text.replace("'module': 'noverify'", "'module': 'ssl'"))
    result = _run_script(fixed, tmp_path)
    assert result.returncode == 0 and "no difference" in result.stdout, result.stdout + result.stderr


def test_a_reproducer_of_an_implementation_given_as_a_file_loads_that_file(tmp_path, monkeypatch):
    """``--impl ./x.py``: the child of the TZ case and the repro script (run from elsewhere) find the file."""
    (tmp_path / "filebroken.py").write_text(BROKEN)
    monkeypatch.chdir(tmp_path)
    status = cli.main(["run", "--impl", "./filebroken.py", "-n", "0", "--case", "api/cert_time_to_seconds/spec-example",
                       "--case", "api/cert_time_to_seconds/tz-UTC", "--report-dir", "reports"])
    assert status == 1
    run_dir = (tmp_path / "reports" / "latest").resolve()
    doc = json.loads((run_dir / "results.json").read_text())
    assert {(r["id"], r["outcome"]) for r in doc["cases"] if r["impl"] == "./filebroken.py"} == {
        ("api/cert_time_to_seconds/spec-example", "fail"), ("api/cert_time_to_seconds/tz-UTC", "fail")}
    (script,) = (run_dir / "repro").glob("*spec-example.py")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120,
                            cwd=str(tmp_path.parent), env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "api/cert_time_to_seconds/spec-example on ./filebroken.py: fail" in result.stdout


def _imports_the_suite(code):
    """Does ``code`` import anything of the suite (a path naming it is no import)?"""
    return bool(re.search(r"^\s*(from|import)\s+conformance\b", code, re.M))
