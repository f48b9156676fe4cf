"""The plugin end to end, in a child pytest: loading problems, verdicts, records."""
import json
import re
import textwrap

import pytest

pytest_plugins = ["pytester"]

SUITE = "conformance/test_conformance.py"


@pytest.fixture
def suite(pytester):
    """A throwaway implementation module and a copy of the suite's test file."""
    import conformance.test_conformance as t
    pytester.makepyfile(test_suite=open(t.__file__).read())
    return pytester


def _impl(pytester, name, body=""):
    pytester.makepyfile(**{name: textwrap.dedent("""
        from ssl import *
        from ssl import SSLError, SSLContext, DER_cert_to_PEM_cert, PEM_cert_to_DER_cert
        try:
            from ssl import wrap_socket
        except ImportError:
            pass
    """) + textwrap.dedent(body)})


def test_an_unimportable_implementation_is_one_clear_failure(suite):
    result = suite.runpytest("--impl", "no_such_module_xyz", "-k", "load", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*cannot import implementation 'no_such_module_xyz'*"])
    assert "Traceback" not in result.stdout.str()


def test_a_module_that_is_not_ssl_is_refused_in_one_line(suite):
    suite.makepyfile(notssl="x = 1\n")
    result = suite.runpytest("--impl", "notssl", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*lacks most of the documented ssl API*"])


def test_a_broken_constant_is_reported_as_a_failure_with_expected_and_actual(suite):
    _impl(suite, "brokenssl", "CERT_OPTIONAL = CERT_NONE\n")
    result = suite.runpytest("--impl", "brokenssl", "--case", "api/CERT_[*]/distinct", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*CERT_NONE/OPTIONAL/REQUIRED are distinct*"])


def _expectations(pytester, entries):
    f = pytester.path / "exp.json"
    f.write_text(json.dumps({"format": 1, "expectations": entries}))
    return str(f)


def test_listed_failure_is_a_deviation_and_records_are_written(suite):
    _impl(suite, "brokenssl", "CERT_OPTIONAL = CERT_NONE\n")
    exp = _expectations(suite, [{"case": "api/CERT_*/distinct", "impl": {"module": "brokenssl"},
                                 "reason": "this module merges OPTIONAL into NONE"}])
    result = suite.runpytest("--impl", "brokenssl", "--expectations", exp, "--case", "api/CERT_[*]/distinct",
                             "--report-dir", "out", "-p", "no:cacheprovider")
    result.assert_outcomes(xfailed=1, passed=1)
    doc = json.loads((suite.path / "out" / "latest" / "results.json").read_text())
    (rec,) = [r for r in doc["cases"] if r["id"] == "api/CERT_*/distinct"]
    assert rec["outcome"] == "deviation" and rec["reason"] == "this module merges OPTIONAL into NONE"
    assert doc["implementations"]["brokenssl"]["module"] == "brokenssl"


def test_listed_case_that_passes_is_an_unexpected_pass(suite):
    exp = _expectations(suite, [{"case": "api/CERT_*/distinct", "impl": "ssl", "reason": "thought broken"}])
    result = suite.runpytest("--impl", "ssl", "--expectations", exp, "--case", "api/CERT_[*]/distinct", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)  # the case; the (live) entry itself
    result.stdout.fnmatch_lines(["*unexpected-pass*remove the entry*"])


@pytest.mark.parametrize("entry,message", [
    ({"case": "api/no-such-case", "impl": "ssl", "reason": "r"}, "*matches no case id*"),
    ({"case": "api/CERT_*/distinct", "impl": "ssl", "reason": "r", "until": "2020-01-01"}, "*review date 2020-01-01 has passed*"),
])
def test_stale_expectations_fail_the_run(suite, entry, message):
    exp = _expectations(suite, [entry])
    result = suite.runpytest("--impl", "ssl", "--expectations", exp, "-k", "expectation", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([message])


def test_bad_expectations_file_is_one_clear_failure(suite):
    f = suite.path / "bad.json"
    f.write_text("{")
    result = suite.runpytest("--impl", "ssl", "--expectations", str(f), "-k", "expectation", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*not valid JSON*"])


def _base_and_wrapper(suite, based_on_in_file):
    """A stdlib entry for a case the wrapper fails, one for a case it passes, one for nothing it runs."""
    _impl(suite, "brokenssl", "CERT_OPTIONAL = CERT_NONE\n")
    base = [{"case": "api/CERT_*/distinct", "impl": "ssl", "reason": "the stdlib merges them (pretend)"},
            {"case": "api/OP_NO_TLSv1/distinct-OP_NO", "impl": "ssl", "reason": "the stdlib's bits (pretend)"},
            {"case": "api/SSLError/is-socket-error", "impl": {"module": "ssl", "python": "<3"},
             "reason": "never for this interpreter"}]
    f = suite.path / "exp.json"
    doc = {"format": 1, "expectations": base}
    if based_on_in_file:
        doc["based_on"] = {"module": "brokenssl", "on": "ssl"}
    f.write_text(json.dumps(doc))
    return str(f)


@pytest.mark.parametrize("declared_in", ["file", "option"])
def test_a_wrapper_inherits_the_base_deviations_and_its_passes_are_unexpected(suite, declared_in):
    exp = _base_and_wrapper(suite, declared_in == "file")
    extra = [] if declared_in == "file" else ["--based-on", "brokenssl=ssl"]
    result = suite.runpytest("--impl", "brokenssl", "--expectations", exp, *extra,
                             "--case", "api/CERT_[*]/distinct", "--case", "api/OP_NO_TLSv1/distinct-OP_NO",
                             "--case", "api/SSLError/is-socket-error", "--report-dir", "out", "-p", "no:cacheprovider")
    # CERT: inherited deviation; OP_NO: passes although inherited (unexpected pass); SSLError: passes.
    # No expectation item: the stdlib's entries are judged stale only where ssl runs.
    result.assert_outcomes(xfailed=1, failed=1, passed=1)
    result.stdout.fnmatch_lines(["*unexpected-pass*inherited from ssl*based_on 'except' list*"])
    doc = json.loads((suite.path / "out" / "latest" / "results.json").read_text())
    by_id = {r["id"]: r for r in doc["cases"]}
    assert by_id["api/CERT_*/distinct"]["outcome"] == "deviation"
    assert by_id["api/CERT_*/distinct"]["inherited_from"] == "ssl"
    assert by_id["api/OP_NO_TLSv1/distinct-OP_NO"]["outcome"] == "unexpected-pass"
    assert by_id["api/SSLError/is-socket-error"]["inherited_from"] is None
    assert doc["run"]["options"]["based_on"][0]["module"] == "brokenssl"
    from conformance.report.html import render_html
    from conformance.report.summary import render_summary
    assert "brokenssl: 1 inherited from ssl" in render_summary(doc)
    assert "(inherited from <code>ssl</code>)" in render_html(doc)


def test_a_users_file_based_on_ssl_inherits_the_bundled_stdlib_entries(suite):
    _impl(suite, "wrapper_of_ssl")
    f = suite.path / "mine.json"
    f.write_text(json.dumps({"format": 1, "based_on": {"module": "wrapper_of_ssl", "on": "ssl"}}))
    result = suite.runpytest("--impl", "wrapper_of_ssl", "--expectations", str(f),
                             "--case", "api/cert_time_to_seconds/returns-float", "--report-dir", "out",
                             "-p", "no:cacheprovider")
    result.assert_outcomes(xfailed=1)  # the stdlib's int (Python >= 3.5), from ssl.json
    doc = json.loads((suite.path / "out" / "latest" / "results.json").read_text())
    (rec,) = doc["cases"]
    assert rec["outcome"] == "deviation" and rec["inherited_from"] == "ssl" and "calendar.timegm" in rec["reason"]


def test_a_malformed_based_on_option_is_a_usage_error(suite):
    result = suite.runpytest("--impl", "ssl", "--based-on", "nowrapper", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*expected WRAPPER=BASE*"])


def test_a_file_path_is_loaded_as_the_implementation(suite):
    _impl(suite, "filessl", "CERT_OPTIONAL = CERT_NONE\n")
    result = suite.runpytest("--impl", "./filessl.py", "--case", "api/CERT_[*]/distinct",
                             "--case", "api/cert_time_to_seconds/tz-UTC", "--report-dir", "out", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)  # the broken constant, seen through the file; TZ child loads it too
    result.stdout.fnmatch_lines(["*test_conformance?./filessl.py:api/CERT_*/distinct?*",
                                 "*CERT_NONE/OPTIONAL/REQUIRED are distinct*"])
    doc = json.loads((suite.path / "out" / "latest" / "results.json").read_text())
    assert doc["implementations"]["./filessl.py"]["module_file"] == str(suite.path / "filessl.py")


def test_a_module_that_raises_at_import_is_one_failure_showing_where(suite):
    suite.makepyfile(raisingssl="from ssl import *\n\ndef setup():\n    raise OSError('no CA bundle')\n\nsetup()\n")
    result = suite.runpytest("--impl", "raisingssl", "--report-dir", "out", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*importing implementation 'raisingssl' raised OSError: no CA bundle",
                                 "*raisingssl.py:6 in <module>: setup()",
                                 "*raisingssl.py:4 in setup: raise OSError('no CA bundle')"])
    doc = json.loads((suite.path / "out" / "latest" / "results.json").read_text())
    problem = doc["load_problems"]["raisingssl"]
    assert problem.splitlines()[-1].endswith("raisingssl.py:4 in setup: raise OSError('no CA bundle')")
    (load,) = [r for r in doc["cases"] if r["id"] == "load"]
    assert load["message"] == problem
    from conformance.report.summary import render_summary
    summary = render_summary(doc)
    assert "  raisingssl: NOT LOADED: importing implementation 'raisingssl' raised OSError: no CA bundle" in summary
    frame = problem.splitlines()[-1].strip()
    assert any(line.startswith("      ") and line.strip() == frame for line in summary.splitlines())


def test_plain_pytest_writes_every_run_of_the_suite_and_says_where(tmp_path):
    """Without --report-dir, a run with cases is written to reports/<run-id>/ of
    the current directory, and pytest's output ends with the suite's own account."""
    import subprocess
    import sys
    import conformance.test_conformance as t
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "conformance.plugin", t.__file__, "--impl", "ssl",
                           "--case", "api/DER_cert_to_PEM_cert/server", "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    doc = json.loads((tmp_path / "reports" / "latest" / "results.json").read_text())
    assert [r["id"] for r in doc["cases"] if r["area"] == "api"] == ["api/DER_cert_to_PEM_cert/server"]
    assert "ssl-conformance" in proc.stdout  # the suite's own section, ending with its verdict
    assert re.search(r"^OK: \d+ records at edition 3\.2, no unexpected outcome$", proc.stdout, re.M), proc.stdout[-1000:]


def test_work_sent_to_a_worker_that_just_died_does_not_end_the_run(tmp_path):
    """xdist's scheduler can send a dead worker its next items before the
    news of the death arrives; the recorder's wrapper lets that send fail
    quietly (the death is reported, and the items given to another worker,
    when the news comes), and lets every other failure through."""
    import sys
    import time
    import types

    import execnet
    from xdist.workermanage import WorkerController

    from conformance.plugin import tolerate_death

    gateway = execnet.makegateway(f"popen//python={sys.executable}")
    channel = gateway.remote_exec("import os; channel.receive(); os._exit(1)")
    node = types.SimpleNamespace(channel=channel, log=lambda *a: None)
    node.sendcommand = types.MethodType(WorkerController.sendcommand, node)
    tolerate_death(node)
    channel.send("die")
    deadline = time.monotonic() + 10
    with pytest.raises(OSError):  # what xdist would let end the run
        while time.monotonic() < deadline:
            WorkerController.sendcommand(node, "runtests", indices=[1])
            time.sleep(0.05)
    node.sendcommand("runtests", indices=[1, 2])
    node.sendcommand("runtests_all")
    with pytest.raises(OSError):
        node.sendcommand("shutdown")
    gateway.exit()
