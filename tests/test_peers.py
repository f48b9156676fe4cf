"""Third-party peers: the Endpoint interface, openssl s_server/s_client, tlslite-ng, raw SSLv2 hellos."""
import ssl
import struct
import time

import pytest

from conformance.cases.thirdparty import server_hello_kind, sslv2_client_hello
from conformance.harness.env import Certs, Env
from conformance.harness.impls import load_impl
from conformance.peers import (PeerConfig, endpoint, impl_client_to_peer, peer_client_to_impl,
                               reason_of_text, require)
from conformance.peers.openssl_cli import OpenSSLCLI
from conformance.harness.registry import Unsupported

CERTS = Certs()


@pytest.fixture
def env():
    e = Env(load_impl("ssl"), CERTS, timeout=5)
    yield e
    e.close()


def openssl():
    ep = endpoint("openssl-cli")
    if ep.available() is not None:
        pytest.fail(f"the openssl CLI is needed here: {ep.available()}")
    return ep


def test_missing_binary_is_a_reason_not_a_crash():
    why = OpenSSLCLI(binary="/nonexistent/openssl").available()
    assert isinstance(why, str) and "tls1" in why


def test_require_turns_unavailability_into_unsupported(monkeypatch):
    ep = endpoint("openssl-cli")
    monkeypatch.setattr(ep, "available", lambda: "not here")
    with pytest.raises(Unsupported, match="not here"):
        require("openssl-cli")


def test_require_refuses_a_version_the_peer_cannot_pin():
    openssl()
    with pytest.raises(Unsupported, match="SSLv2"):
        require("openssl-cli", version="SSLv2")


def test_reason_of_text():
    assert reason_of_text("...:error:0A000102:SSL routines::unsupported protocol:...") == "protocol-version"
    assert reason_of_text("  ") is None


@pytest.mark.parametrize("version", ["TLSv1.2", "TLSv1.3"])
def test_openssl_server_answers_reversed_and_reports_its_side(env, version):
    ep = openssl()
    ctx = env.context(trust="root-ca", verify="REQUIRED")
    mine, theirs = impl_client_to_peer(env, ctx, ep, PeerConfig(version=version, cert="server"))
    assert mine.ok and mine.version == version and mine.echoed == b"gnip\n"
    assert theirs.ok and theirs.version == version


def test_openssl_client_verifies_the_implementations_server(env):
    ep = openssl()
    good, side = peer_client_to_impl(env, env.context(cert="server"), ep,
                                     PeerConfig(verify="REQUIRED", trust="root-ca"))
    assert good.ok and side.ok and good.received == b"ping\n"
    bad, side = peer_client_to_impl(env, env.context(cert="untrusted-leaf"), ep,
                                    PeerConfig(verify="REQUIRED", trust="root-ca"))
    assert not bad.ok and not side.ok


def test_pinned_openssl_server_refuses_other_versions(env):
    ep = openssl()
    ctx = env.context(options=["NO_TLSv1_3"])
    mine, theirs = impl_client_to_peer(env, ctx, ep, PeerConfig(version="TLSv1.3", cert="server"))
    assert not mine.ok and not theirs.ok and theirs.reason == "protocol-version"


def test_openssl_server_is_stopped_when_nobody_connects(env):
    ep = openssl()
    start = time.monotonic()
    with ep.server(PeerConfig(cert="server"), CERTS, 5) as srv:
        proc = srv.proc
    assert proc.poll() is not None
    assert time.monotonic() - start < 5


def test_tlslite_offers_sslv3_and_the_stdlib_refuses_it(env):
    ep = tlslite()
    theirs, side = peer_client_to_impl(env, env.context(cert="server-rsa", policy="legacy"), ep,
                                       PeerConfig(version="SSLv3", policy="legacy"))
    assert not theirs.ok and not side.ok
    assert isinstance(side.error, ssl.SSLError) and side.reason == "protocol-version"


def test_two_third_party_peers_talk_to_each_other():
    server, client = tlslite(), openssl()
    with server.server(PeerConfig(version="TLSv1.2", cert="server"), CERTS, 5) as srv:
        res = client.client(srv.address, PeerConfig(verify="REQUIRED", trust="root-ca"), CERTS, 5)
        theirs = srv.result()
    assert res.ok and res.version == "TLSv1.2" and theirs.ok, (res, theirs)


def test_tlslite_server_exits_promptly_without_a_client():
    ep = tlslite()
    start = time.monotonic()
    with ep.server(PeerConfig(cert="server"), CERTS, 5):
        pass
    assert time.monotonic() - start < 2.5


def test_sslv2_client_hello_layout():
    record = sslv2_client_hello(0x0002, (0x010080,), challenge=b"c" * 16)
    length = struct.unpack(">H", record[:2])[0]
    assert length & 0x8000 and (length & 0x7FFF) == len(record) - 2
    assert record[2] == 1 and record[3:5] == b"\x00\x02"
    assert record[-16:] == b"c" * 16 and record[11:14] == bytes.fromhex("010080")


def test_server_hello_kinds():
    assert server_hello_kind(bytes.fromhex("8012040001")) == "SSLv2 SERVER-HELLO"
    assert server_hello_kind(bytes.fromhex("160303004a02")) == "ServerHello 3.3"
    assert server_hello_kind(bytes.fromhex("15030300020246")) is None
    assert server_hello_kind(b"") is None


def tlslite():
    ep = endpoint("tlslite")
    if ep.available() is not None:  # the test extra installs it
        pytest.fail(ep.available())
    return ep
