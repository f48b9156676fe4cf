"""The memory-BIO pump: bounded, naming who waits, and the same echo as the socket pair."""
from __future__ import annotations

import ssl
import types

import pytest

from conformance.harness.env import Certs
from conformance.harness.pump import (BioEnd, PumpStalled, bio_pair, pump, require_bio, retry, tls_connect,
                                      wire)
from conformance.harness.registry import CaseFailure

CERTS = Certs()


def _contexts(verify_trust: str = "root-ca"):
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(CERTS.path("server", "chain"), CERTS.path("server", "key"))
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.load_verify_locations(CERTS.path(verify_trust))
    return client, server


def test_a_pump_without_progress_stops_and_names_what_each_side_waits_for():
    _, server_ctx = _contexts()
    a = BioEnd(ssl, server_ctx, server_side=True, name="reader-a")
    b = BioEnd(ssl, server_ctx, server_side=True, name="reader-b")  # two servers: each waits for a hello
    results = pump([(a, retry(a, a.obj.do_handshake, "do_handshake")),
                    (b, retry(b, b.obj.do_handshake, "do_handshake"))], rounds=3, timeout=5)
    errors = [e for _, e in results]
    assert all(isinstance(e, PumpStalled) for e in errors), errors
    assert "no progress in 3 rounds" in str(errors[0])
    assert "reader-a waits in do_handshake" in str(errors[0])


def test_bio_pair_completes_an_echo_and_reports_a_refused_chain_as_the_socket_pair_does():
    client_ctx, server_ctx = _contexts()
    out = bio_pair(client_ctx, server_ctx, ssl, ssl, payload=b"x" * 20000)
    assert out.ok and out.client.echoed == b"x" * 20000 and out.client.version == "TLSv1.3"
    assert isinstance(out.client.peercert, dict) and "subject" in out.client.peercert
    client_ctx, server_ctx = _contexts("untrusted-root-ca")
    for transport in ("bio", "socket"):
        out = tls_connect(transport, client_ctx, server_ctx, ssl, ssl, timeout=5)
        assert not out.client.ok and out.client.reason == "certificate-verify-failed", transport
        assert not out.client.timed_out and not out.server.ok, transport


def test_closing_pump_gives_the_other_end_an_eof_and_an_open_one_does_not():
    client_ctx, server_ctx = _contexts()
    for close in (True, False):
        c, s = BioEnd(ssl, client_ctx), BioEnd(ssl, server_ctx, server_side=True)
        results = pump([(c, retry(c, c.obj.do_handshake, "hs")), (s, retry(s, s.obj.do_handshake, "hs"))],
                       close=close)
        assert [e for _, e in results] == [None, None]
        wire(c, s)
        assert (c.closed, s.closed) == (close, close)


def test_unknown_transport_and_a_module_without_memory_bios():
    client_ctx, server_ctx = _contexts()
    with pytest.raises(ValueError, match="unknown transport"):
        tls_connect("pigeon", client_ctx, server_ctx, ssl, ssl, timeout=1)
    bare = types.SimpleNamespace(SSLContext=ssl.SSLContext)
    with pytest.raises(CaseFailure, match="no MemoryBIO"):
        require_bio(bare, "bare")
