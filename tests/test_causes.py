"""Causes of failing records: the normaliser, the origin walk, the grouping, and how the
summary and report.html show causes and the two bases."""
import os

import pytest

from conformance.harness import causes
from conformance.report.html import render_html
from conformance.harness.loopback import run_pair
from conformance.harness.registry import Case, CaseFailure
from conformance.harness.runner import run_case
from conformance.report.summary import render_summary

import origin_sample
from reportdata import record, sample_doc


class _Env:
    """What run_case needs of an Env (no implementation module: the walk's rule 2 applies)."""

    timeout = 2.0

    def close(self) -> None:
        pass


# -- normalise ------------------------------------------------------------------

@pytest.mark.parametrize("raw, want", [
    ("<socket.socket fd=15, family=2, laddr=('127.0.0.1', 58523), raddr=('127.0.0.1', 33910)>",
     "<socket.socket fd=<fd>, family=2, laddr=('127.0.0.1', <port>), raddr=('127.0.0.1', <port>)>"),
    ("<Foo object at 0x7f3a2b1c9d40>", "<Foo object at 0x<hex>>"),
    ("connect to 127.0.0.1:40123 failed", "connect to 127.0.0.1:<port> failed"),
    ("[Errno 2] No such file or directory: '/tmp/pytest-of-root/pytest-7/x0/does-not-exist.pem'",
     "[Errno 2] No such file or directory: '<path>'"),
    ("took 0.20341 s, sent 200000 bytes", "took <n> s, sent <n> bytes"),
    ("  two\n  lines  ", "two lines"),
])
def test_normalise_replaces_what_varies(raw, want):
    assert causes.normalise(raw) == want


@pytest.mark.parametrize("stable", [
    "[Errno 104] Connection reset by peer",
    "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)",
    "ctx.load_cert_chain(f.directory): errno EISDIR",
    "expected 3, got 4",
])
def test_normalise_keeps_what_tells_causes_apart(stable):
    assert causes.normalise(stable) == stable


def test_two_runs_of_one_failure_normalise_alike():
    a = "refused <socket.socket fd=7, laddr=('::1', 40000, 0, 0)> after 0.2501 s"
    b = "refused <socket.socket fd=11, laddr=('::1', 51234, 0, 0)> after 0.1999 s"
    assert causes.normalise(a) == causes.normalise(b)


def test_a_long_message_is_clipped():
    assert len(causes.normalise("x" * 5000)) == causes.MESSAGE_LIMIT


# -- the origin walk ------------------------------------------------------------

def _raises_in_sample(env):
    origin_sample.refuse("the call")


def test_an_exception_in_a_module_of_the_implementation_names_that_module_not_the_harness():
    rec = run_case(Case(id="api/x/raises", spec="x", basis="spec", cite="-", func=_raises_in_sample),
                   _Env(), "impl", None)
    assert rec.outcome == "fail"
    assert rec.cause["type"] == "RuntimeError"
    assert rec.cause["origin"].endswith(f"origin_sample.py:{origin_sample.RAISE_LINE} in refuse")
    assert "harness frame" not in rec.cause["origin"]
    assert f"origin_sample.py:{origin_sample.RAISE_LINE}" in rec.message  # the message says so too
    assert rec.cause["message"] == "refused the call at 0x<hex> from ('127.0.0.1', <port>)"


def test_an_error_of_a_server_thread_names_the_implementation_frame_in_that_thread():
    def case(env):
        c, s = run_pair(lambda sock: sock.recv(1), origin_sample.serve_badly, timeout=env.timeout)
        raise CaseFailure(f"server side raised {type(s.error).__name__}: {s.error}")  # quotes, no __cause__

    rec = run_case(Case(id="api/x/thread", spec="x", basis="spec", cite="-", func=case), _Env(), "impl", None)
    assert rec.outcome == "fail"
    assert rec.cause["type"] == "RuntimeError"
    assert rec.cause["origin"].endswith(f"origin_sample.py:{origin_sample.RAISE_LINE} in refuse")


def test_the_implementation_roots_win_over_deeper_frames_elsewhere(tmp_path):
    frames = [causes.traceback.FrameSummary(f, n, fn) for f, n, fn in (
        (os.path.join(causes._HARNESS_DIR, "runner.py"), 10, "run_case"),
        (str(tmp_path / "myssl" / "context.py"), 20, "wrap_socket"),
        (str(tmp_path / "site" / "OpenSSL" / "SSL.py"), 30, "_raise"),
    )]
    assert causes.origin(frames, [str(tmp_path / "myssl")]).endswith("context.py:20 in wrap_socket")
    assert causes.origin(frames).endswith("SSL.py:30 in _raise")  # no roots: innermost outside the harness


def test_stdlib_plumbing_is_looked_through_and_a_harness_only_stack_says_so():
    plumbing = os.path.join(causes._STDLIB_DIR, "threading.py")
    frames = [causes.traceback.FrameSummary(f, n, fn) for f, n, fn in (
        (os.path.join(causes._HARNESS_DIR, "loopback.py"), 5, "run"),
        (plumbing, 7, "wait"),
    )]
    where = causes.origin(frames)
    assert where.startswith(os.path.join("conformance", "loopback.py") + ":5 in run")
    assert where.endswith(causes.HARNESS_NOTE)


def test_a_failed_check_without_an_error_behind_it_points_at_the_check():
    from types import SimpleNamespace
    from conformance.harness.registry import REGISTRY
    env = _Env()
    env.ssl = SimpleNamespace(SSLContext=lambda protocol: SimpleNamespace(verify_mode=2))
    env.const = {"PROTOCOL_SSLv23": 2, "CERT_NONE": 0}.__getitem__
    rec = run_case(REGISTRY["api/SSLContext.verify_mode/default-CERT_NONE"], env, "impl", None)
    assert rec.outcome == "fail"
    assert rec.cause["type"] == "CaseFailure"
    assert rec.cause["message"] == "verify_mode of a new context: expected 0, got 2"
    where = rec.cause["origin"]
    assert os.path.join("cases", "context.py") in where and " in verify_default " in where  # not registry.py
    assert where.endswith(causes.CHECK_NOTE)
    assert rec.basis == "spec"


def test_a_check_in_a_case_outside_the_harness_points_at_that_case():
    def case(env):
        raise CaseFailure("verify_mode of a new context: expected 0, got 2")

    rec = run_case(Case(id="api/x/check", spec="x", basis="cpython", cite="-", func=case), _Env(), "impl", None)
    assert "test_causes.py" in rec.cause["origin"] and rec.basis == "cpython"


def test_a_passing_record_has_no_cause():
    rec = run_case(Case(id="api/x/ok", spec="x", basis="spec", cite="-", func=lambda env: None), _Env(), "i", None)
    assert rec.outcome == "pass" and rec.cause is None and rec.basis == "spec"


# -- grouping -------------------------------------------------------------------

def _failing(case_id, impl="m", basis="spec", **cause):
    return record(case_id, impl, "fail", basis=basis, message=cause.get("message", ""),
                  cause={"type": "AttributeError", "message": "module 'm' has no attribute 'SSLContext'",
                         "origin": "m.py:3 in <module>", **cause})


def test_group_puts_the_largest_cause_first_with_three_example_ids():
    recs = [_failing(f"api/a/{i}") for i in range(5)] + [_failing("api/b/1", message="other", origin="m.py:9 in f")]
    groups = causes.group(recs)
    assert [g.count for g in groups] == [5, 1]
    assert groups[0].examples() == ["api/a/0", "api/a/1", "api/a/2"]
    assert groups[0].cause["origin"] == "m.py:3 in <module>"
    assert [g.count for g in causes.group(recs, min_count=2)] == [5]


def test_records_differing_in_origin_are_different_causes():
    recs = [_failing("api/a/1"), _failing("api/a/2", origin="m.py:4 in <module>")]
    assert len(causes.group(recs)) == 2


def test_a_record_without_a_stored_cause_is_grouped_by_its_message():
    old = [record("api/a/1", "m", "fail", message="hung after 30.1234 s"),
           record("api/a/2", "m", "fail", message="hung after 29.9876 s")]
    [g] = causes.group(old)
    assert g.count == 2 and g.cause == {"type": "fail", "message": "hung after <n> s", "origin": ""}


# -- rendering: the two bases apart, causes first --------------------------------

def _doc():
    doc = sample_doc()
    doc["cases"] += [_failing(f"api/SSLContext.x/{i}") for i in range(4)]
    doc["cases"] += [_failing(f"badinput/y/{i}", basis="cpython", message="errno EISDIR",
                              origin="m.py:7 in load_cert_chain") for i in range(3)]
    return doc


def test_the_summary_keeps_spec_failures_apart_and_shows_shared_causes_first():
    text = render_summary(_doc(), matrices=False)
    spec_at = text.index("spec failures (6):")
    cpy_at = text.index("CPython-compatibility differences (3):")
    assert spec_at < cpy_at
    spec_part = text[spec_at:cpy_at]
    assert spec_part.index("4 x AttributeError: module 'm' has no attribute 'SSLContext'") \
        < spec_part.index("[fail] m: api/SSLContext.x/0")
    assert "at m.py:3 in <module>" in spec_part
    assert "e.g. api/SSLContext.x/0, api/SSLContext.x/1, api/SSLContext.x/2" in spec_part
    assert "3 x AttributeError: errno EISDIR" in text[cpy_at:]
    assert text.splitlines()[-1] == (
        f"FAILED: 6 spec failures, 3 CPython-compatibility differences in {len(_doc()['cases'])} records "
        "at edition 3.2")
    header = next(l for l in text.splitlines() if l.strip().startswith("implementation"))
    assert header.split()[-2:] == ["spec-fail", "cpy-diff"]


def test_report_html_has_the_two_groups_each_with_its_causes():
    page = render_html(_doc())
    spec_at, cpy_at = page.index("id='failures-spec'"), page.index("id='failures-cpython'")
    assert spec_at < cpy_at
    spec_part, cpy_part = page[spec_at:cpy_at], page[cpy_at:page.index("id='deviations'")]
    assert "<table class='causes'>" in spec_part
    assert spec_part.index("<td class='n'>4</td>") < spec_part.index("class='failure'")
    assert "m.py:3 in &lt;module&gt;" in spec_part
    assert "errno EISDIR" in cpy_part and "errno EISDIR" not in spec_part
    assert "FAILED: 6 spec failures, 3 CPython-compatibility differences in" in page
    assert ">spec-fail</th>" in page and ">cpy-diff</th>" in page


def test_one_error_met_at_many_places_of_the_harness_is_one_cause():
    recs = [_failing(f"api/a/{i}", origin=f"conformance/cases/context.py:{10 + i} in f {causes.HARNESS_NOTE}")
            for i in range(4)]
    [g] = causes.group(recs)
    assert g.count == 4
    assert g.cause["origin"].startswith("4 places in the harness, e.g. conformance/cases/context.py:10 in f")
    assert recs[0]["cause"]["origin"].endswith(causes.HARNESS_NOTE)  # the records themselves are untouched


def test_report_html_records_can_be_filtered_by_basis():
    page = render_html(_doc())
    assert "<select id='f-basis'>" in page and "<option value='cpython'>cpython</option>" in page
    assert page.count("data-basis='cpython'") == 3
    assert "f.basis.value" in page  # the filter script reads it
