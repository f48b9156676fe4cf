"""A probe measures only when it ends the documented way; anything else is its cause.

``conformance.harness.causes`` tells a refusal (``SSLError``, ``OSError``) from an
ending that measured nothing, and says where the latter came from;
``capabilities`` records such probes as broken, and every reader of the
probed versions gets a ``ProbeBroken`` naming the cause first.
"""
import socket
import types
import ssl
from pathlib import Path

import pytest

from conformance.probe import capabilities, third_party as floor
from conformance.probe.capabilities import Capabilities, _probe_version
from conformance.harness import causes
from conformance.harness.measurement import ProbeBroken, non_tls_cause, origin
from conformance.cases.judging import Seen, judge
from conformance.harness.env import Certs
from conformance.harness.impls import load_impl
from conformance.harness.loopback import TLSSide, read_exactly
from conformance.judge import oracle
from conformance.harness.registry import CaseFailure, Unsupported

IMPLS = Path(__file__).resolve().parent / "impls"


def _raised(exc):
    try:
        raise exc
    except BaseException as caught:
        return caught


@pytest.mark.parametrize("exc", [
    ssl.SSLError(1, "[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol"),
    ConnectionResetError(104, "Connection reset by peer"),
    socket.timeout("timed out"),
    Unsupported("PROTOCOL_SSLv3", "no such constant"),
    None,
])
def test_a_refusal_is_a_measurement(exc):
    assert non_tls_cause(exc, ssl) is None


def test_anything_else_is_a_cause_with_type_message_and_origin():
    cause = non_tls_cause(_raised(TypeError("wrap_socket() got an unexpected keyword")), ssl, "the server side")
    assert cause["cause"] == "TypeError: wrap_socket() got an unexpected keyword"
    assert cause["origin"].startswith("tests/test_measurement.py:") and cause["origin"].endswith("in _raised")
    assert cause["where"] == "the server side"


def test_the_origin_is_the_implementations_frame_else_the_harness_call_into_it():
    # an attribute the socket lacks is looked up in the harness's own frame: with no frame of
    # an implementation on the stack, the innermost frame outside the harness is blamed (here
    # this test's), and with none of those either, the harness's frame, marked as such
    exc = _raised_in_harness()
    assert origin(exc).startswith("tests/test_measurement.py:") and "_raised_in_harness" in origin(exc)
    exc.__traceback__ = exc.__traceback__.tb_next  # the frames below this module: the harness's
    assert "loopback.py:" in origin(exc) and "read_exactly" in origin(exc)
    assert origin(exc).endswith(causes.HARNESS_NOTE)
    assert origin(ValueError("echo mismatch")) == "found by the harness"  # made, never raised


def _raised_in_harness():
    try:
        read_exactly(object(), 1)
    except AttributeError as exc:
        return exc
    raise AssertionError("read_exactly read from an object()")


def _caps(broken):
    return Capabilities(protocols={}, options=[], versions_default=frozenset({"TLSv1.3"}),
                        versions_seclevel0=frozenset({"TLSv1.3"}), has_version_method=True,
                        has_minimum_version=True, openssl={}, broken=broken, impl="mod")


BROKEN = {"self/default/TLSv1.2": {"cause": "AttributeError: no do_handshake", "origin": "mod.py:3 in f",
                                   "where": "the client side"},
          "third-party/default/TLSv1.2": {"cause": "AttributeError: no do_handshake", "origin": "mod.py:3 in f",
                                          "where": "the client"}}


def test_the_versions_of_a_policy_with_a_broken_probe_are_not_answered():
    caps = _caps(BROKEN)
    with pytest.raises(ProbeBroken) as info:
        caps.versions("default")
    assert isinstance(info.value, CaseFailure)
    assert info.value.message.startswith("AttributeError: no do_handshake (at mod.py:3 in f; the client side) "
                                         "broke the self-probe of TLSv1.2 (default policy)")
    assert "1 more probes" in info.value.message and set(info.value.actual) == set(BROKEN)
    assert caps.versions("legacy") == {"TLSv1.3"}  # its probes measured
    assert caps.as_json()["broken"] == BROKEN


def test_the_self_probe_measures_a_refusal_and_records_a_broken_api(monkeypatch):
    certs = Certs()
    refused = _probe_version(load_impl("ssl"), certs, "TLSv1", "default", 5.0)
    assert (refused.completes, refused.broken) == (False, None)
    assert refused.note.startswith("failed (")
    monkeypatch.syspath_prepend(str(IMPLS))
    broken = _probe_version(load_impl("no_handshake"), certs, "TLSv1.3", "default", 5.0)
    assert not broken.completes and broken.note.startswith("broken: AttributeError")
    assert "do_handshake" in broken.broken["cause"] and broken.broken["where"] == "the client side"


def test_a_harness_that_breaks_is_a_broken_probe_too(monkeypatch):
    def no_listener(*args, **kwargs):
        raise RuntimeError("cannot listen")

    monkeypatch.setattr("conformance.probe.capabilities.tls_pair", no_listener)
    seen = _probe_version(load_impl("ssl"), Certs(), "TLSv1.3", "default", 5.0)
    assert seen.broken["cause"] == "RuntimeError: cannot listen"
    assert seen.broken["where"] == "the harness or the peer"

    def no_peer(*args, **kwargs):
        raise RuntimeError("openssl s_server did not start")

    monkeypatch.setattr("conformance.probe.third_party.impl_client_to_peer", no_peer)
    text, cause = floor._one(load_impl("ssl"), Certs(), None, "server", "default", "TLSv1.3", 5.0)
    assert text.startswith("broken: RuntimeError: openssl s_server did not start")
    assert cause["where"] == "the harness or the peer"


def test_probe_collects_both_probes_broken_entries(monkeypatch):
    monkeypatch.setattr(capabilities, "_CACHE", {})
    monkeypatch.setattr(capabilities, "_probe_version",
                        lambda impl, certs, v, p, t: capabilities.Measured(v == "TLSv1.3", "ok" if v == "TLSv1.3" else "x"))
    cause = {"cause": "KeyError: 'x'", "origin": "h.py:1 in f", "where": "the harness or the peer"}
    monkeypatch.setattr(capabilities, "probe_floor", lambda impl, certs, timeout: {
        "peer": "p", "pinned_by": {}, "broken": {"legacy/TLSv1": cause},
        "default": {"versions": {}}, "legacy": {"versions": {"TLSv1": "broken: KeyError"}}})
    caps = capabilities.probe(load_impl("ssl"), Certs())
    assert caps.broken == {"third-party/legacy/TLSv1": cause} and "broken" not in caps.floor
    assert caps.versions("default") == {"TLSv1.3"}
    with pytest.raises(ProbeBroken, match=r"^KeyError: 'x' \(at h.py:1 in f; the harness or the peer\) "
                                          r"broke the third-party probe of TLSv1"):
        caps.versions("legacy")


def test_the_judge_names_a_non_tls_exception_first():
    client = TLSSide(error=_raised(AttributeError("'WrappedSocket' object has no attribute 'do_handshake'")))
    server = TLSSide(error=ssl.SSLEOFError(8, "EOF occurred in violation of protocol"))
    verdict = oracle.Verdict(ok=True, version="TLSv1.3", why="both enable it")
    with pytest.raises(CaseFailure) as info:
        judge(verdict, Seen.of_tls(client, ssl), Seen.of_tls(server, ssl), "client ssl -> server ssl")
    assert info.value.message.startswith("the client raised AttributeError: 'WrappedSocket' object has no "
                                         "attribute 'do_handshake' (at tests/test_measurement.py:")
    assert "client ssl -> server ssl: expected a connection with TLSv1.3" in info.value.message


def test_an_agent_whose_module_breaks_the_probe_answers_no_versions(monkeypatch):
    import contextlib
    from conformance.peers.agent import Agent
    from conformance.peers.inprocess import PythonResult

    agent = Agent("python3:ssl")
    broken = PythonResult(ok=False, error="AttributeError: 'WrappedSocket' object has no attribute 'do_handshake'",
                          reason="other", ssl_error=False, tls_outcome=False)
    refused = PythonResult(ok=False, error="SSLError: unsupported protocol", reason="protocol-version",
                           ssl_error=True, tls_outcome=True)

    @contextlib.contextmanager
    def server(config, certs, timeout):
        yield types.SimpleNamespace(address=("127.0.0.1", 9), result=lambda: refused)

    monkeypatch.setattr(agent, "server", server)
    monkeypatch.setattr(agent, "client", lambda *a, **k: broken)
    monkeypatch.setattr("conformance.peers.agent.measure_client", lambda connect, certs, timeout: {})
    with pytest.raises(ProbeBroken, match=r"^AttributeError: 'WrappedSocket' object has no attribute "
                                          r"'do_handshake' \(at the agent's process; the client side\)"):
        agent.versions("default")
    with pytest.raises(ProbeBroken):
        agent.refused("default")
    monkeypatch.setattr(agent, "client", lambda *a, **k: refused)
    assert agent.versions("legacy") == frozenset() and "TLSv1.3" in agent.refused("legacy")  # measured


def test_the_interop_judge_names_a_python_sides_non_tls_failure_first():
    from conformance.peers.inprocess import PythonResult

    client = PythonResult(ok=False, error="TypeError: wrap_socket() got an unexpected keyword argument",
                          reason="other", ssl_error=False, tls_outcome=False)
    server = PythonResult(ok=False, error="SSLEOFError: EOF occurred", reason="unexpected-eof",
                          ssl_error=True, tls_outcome=True)
    with pytest.raises(CaseFailure) as info:
        judge(oracle.Verdict(ok=True, version="TLSv1.3", why="both enable it"), Seen.of_peer(client),
              Seen.of_peer(server), "client pypy3:ssl -> server ssl")
    assert info.value.message.startswith("the client raised TypeError: wrap_socket() got an unexpected "
                                         "keyword argument -- client pypy3:ssl -> server ssl: expected a "
                                         "connection with TLSv1.3")


def test_a_matrix_cell_whose_probe_broke_gets_no_connection_reproducer():
    from conformance.report.reproplans import plan_for

    rec = {"id": "matrix/default/client=SSLv23/server=TLSv1_2", "impl": "mod->mod",
           "params": {"policy": "default", "client": "SSLv23", "server": "TLSv1_2"},
           "expected": "a measured capability: completed, or refused with SSLError/OSError",
           "actual": {"self/default/TLSv1.2": "AttributeError: ..."}, "observed": None}
    assert plan_for(rec, Certs()) is None  # the generic runner re-runs the case instead
    rec.update(expected="fail: server protocol-version")
    assert plan_for(rec, Certs())["oracle"] == "fail: server protocol-version"
