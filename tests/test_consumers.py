"""The consumer cases' parts: the outcome rule, the local servers, where a refusal is named, the bounds."""
from __future__ import annotations

import asyncio
import ftplib
import http.client
import smtplib
import socket
import ssl
import time
import urllib.error

import pytest

from conformance.cases import consumers, consumers_asyncio
from conformance.harness.env import Certs, Env
from conformance.harness.impls import load_impl
from conformance.harness.leaks import leftovers, snapshot
from conformance.harness.registry import REGISTRY, CaseFailure
from conformance.judge.consumers import HOSTNAME, OUTCOMES, TRUST, expected
from conformance.peers.localservers import BODY, LISTING, TOKEN, ftp_server, https_server, smtp_server

CERTS = Certs()


def _server_ctx() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERTS.path("server", "chain"), CERTS.path("server", "key"))
    return ctx


def _client_ctx() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=CERTS.path("root-ca"))


def _env(timeout: float = 5.0) -> Env:
    impl = load_impl("ssl", "3.13")
    return Env(impl, CERTS, timeout=timeout, peer=Env(impl, CERTS, timeout=timeout))


def test_the_outcome_rule():
    assert expected("trusted", "match") == "ok"
    assert expected("trusted", "mismatch") == "hostname-mismatch"
    assert {expected("untrusted", h) for h in HOSTNAME} == {"certificate-verify-failed"}
    assert {expected(t, h) for t in TRUST for h in HOSTNAME} == set(OUTCOMES)
    with pytest.raises(ValueError):
        expected("trusted", "maybe")


def test_every_consumer_has_every_row_derived_and_cited():
    ids = [i for i in REGISTRY if i.startswith("consumer/")]
    families = {i.rsplit("/", 2)[0] for i in ids}
    assert families == {"consumer/asyncio/create_connection", "consumer/asyncio/start_tls",
                        "consumer/asyncio/start_server", "consumer/http.client/HTTPSConnection",
                        "consumer/urllib/HTTPSHandler", "consumer/smtplib/starttls", "consumer/ftplib/FTP_TLS",
                        "consumer/http.server/wrapped-listener"}
    for i in ids:
        c = REGISTRY[i]
        assert c.pair and c.since == "3.7" and c.basis == "spec"
        assert c.spec == consumers.SPECS[expected(c.params["trust"], c.params["hostname"])]
    assert len(ids) == len(families) * len(consumers.ROWS)


def test_https_server_serves_the_body_to_http_client_and_leaves_nothing():
    before = snapshot()
    with https_server(_server_ctx(), timeout=5.0) as ((host, port), seen):
        conn = http.client.HTTPSConnection("localhost", port, timeout=5.0, context=_client_ctx())
        conn.request("GET", "/x")
        assert conn.getresponse().read() == BODY
        conn.close()
    assert seen.commands == ["GET /x HTTP/1.1"] and not seen.errors
    assert not leftovers(before, 5.0)


def test_https_server_keeps_the_handshake_it_refused():
    client = ssl.create_default_context(cafile=CERTS.path("untrusted-root-ca.pem"))
    with https_server(_server_ctx(), timeout=5.0) as ((_, port), seen):
        conn = http.client.HTTPSConnection("localhost", port, timeout=5.0, context=client)
        with pytest.raises(ssl.SSLCertVerificationError):
            conn.request("GET", "/")
        conn.close()
    assert seen.errors and isinstance(seen.errors[0], ssl.SSLError)


def test_smtp_server_speaks_starttls_to_smtplib():
    with smtp_server(_server_ctx(), timeout=5.0) as ((_, port), seen):
        with smtplib.SMTP("localhost", port, local_hostname="localhost", timeout=5.0) as smtp:
            smtp.starttls(context=_client_ctx())
            code, answer = smtp.ehlo()
    assert code == 250 and TOKEN.encode() in answer
    assert [c.split(" ")[0] for c in seen.commands] == ["ehlo", "STARTTLS", "ehlo", "QUIT"]


def test_ftp_server_gives_ftplib_a_tls_listing():
    with ftp_server(_server_ctx(), timeout=5.0) as ((_, port), seen):
        ftp = ftplib.FTP_TLS(context=_client_ctx(), timeout=5.0)
        ftp.connect("localhost", port)
        ftp.login("u", "p")
        ftp.prot_p()
        assert ftp.nlst() == LISTING
        ftp.quit()
        ftp.close()
    assert seen.commands[0] == "AUTH TLS" and "NLST" in seen.commands and not seen.errors


def test_a_server_nobody_talks_to_stops_within_its_bound():
    start = time.monotonic()
    with smtp_server(_server_ctx(), timeout=0.5):
        pass
    with https_server(_server_ctx(), timeout=0.5):
        pass
    assert time.monotonic() - start < 3.0


def test_where_names_the_consumers_type_check_and_its_line():
    mine, theirs = socket.socketpair()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(asyncio.Protocol, sock=mine)
        try:
            await loop.start_tls(transport, asyncio.Protocol(), object())
        finally:
            transport.close()

    try:
        with pytest.raises(TypeError) as info:
            asyncio.run(main())
    finally:
        mine.close()
        theirs.close()
    text = consumers.where(info.value)
    assert text.startswith("asyncio/base_events.py:") and "isinstance(sslcontext, ssl.SSLContext)" in text


def test_where_names_the_attribute_a_consumer_read():
    class Bare:  # what http.client reads of a context on 3.7 ... 3.13, but no wrap_socket
        verify_mode = ssl.CERT_REQUIRED
        check_hostname = True

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        conn = http.client.HTTPSConnection("127.0.0.1", listener.getsockname()[1], timeout=5.0, context=Bare())
        try:
            with pytest.raises(AttributeError) as info:
                conn.connect()
        finally:
            conn.close()
    text = consumers.where(info.value)
    assert text.startswith("http/client.py:") and "self._context.wrap_socket(" in text


def test_observe_unwraps_urllib_and_tells_mismatch_from_untrusted():
    env = _env()
    mismatch = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: "
                                               "Hostname mismatch, certificate is not valid for 'localhost'.")
    mismatch.verify_message = "Hostname mismatch, certificate is not valid for 'localhost'."
    untrusted = ssl.SSLCertVerificationError(1, "certificate verify failed: unable to get local issuer")
    assert consumers.observe(env, None) == "ok"
    assert consumers.observe(env, urllib.error.URLError(mismatch)) == "hostname-mismatch"
    assert consumers.observe(env, untrusted) == "certificate-verify-failed"
    assert consumers.observe(env, ssl.SSLError(1, "other")).startswith("other: SSLError")


def test_a_hung_asyncio_consumer_fails_within_its_bound():
    env = _env(timeout=0.2)
    start = time.monotonic()
    with pytest.raises(TimeoutError, match="hung"):
        consumers_asyncio.run_async(env, lambda: asyncio.sleep(60), [])
    assert time.monotonic() - start < 2.0


def test_judge_fails_a_wrong_outcome_and_a_damaged_answer():
    env = _env()
    with pytest.raises(CaseFailure, match="expected certificate-verify-failed, got ok"):
        consumers.judge(env, "x", "untrusted", "match", lambda: BODY, lambda body: None)
    with pytest.raises(CaseFailure, match="completed but short"):
        consumers.judge(env, "x", "trusted", "match", lambda: b"", lambda body: "short")
    consumers.judge(env, "x", "trusted", "match", lambda: BODY, lambda body: None)


@pytest.mark.parametrize("case_id", sorted(i for i in REGISTRY if i.startswith("consumer/")))
def test_stdlib_ssl_passes_every_consumer_case_against_itself(case_id):
    env = _env()
    try:
        REGISTRY[case_id].run(env)
    finally:
        env.close()
