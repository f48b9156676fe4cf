"""The plugin end to end, in a child pytest: loading problems, verdicts, records."""
import json
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
