"""TLS 1.3 post-handshake client authentication (Python 3.8):
``SSLContext.post_handshake_auth`` and ``SSLSocket.verify_client_post_handshake()``.

Pairs over loopback: the client of ``env`` holds the ``client`` fixture's
certificate, the server of ``env.peer`` verifies against the root CA with
``CERT_REQUIRED``.  With PHA on both sides, the server has no client
certificate after the handshake; it calls ``verify_client_post_handshake()``
and writes (the CertificateRequest leaves with it), the client reads (and
answers with its certificate) and writes, the server reads -- and then
``getpeercert()`` is the client's.  Every unmet precondition (TLS 1.2, a
client without PHA, a client-side socket) is an ``SSLError``.  ``bio/pha/...``
runs the same with the server an ``SSLObject`` over its socket.
"""
from __future__ import annotations

import socket
from typing import Any, Dict

from ..harness.pump import BioEnd, over_socket, read_exactly, require_bio, retry
from ..harness.registry import case, expect_equal, expect_true, table
from .helpers import expect_raises, pair

SINCE = "3.8"
EXCHANGE = ("The server-side sends a CertificateRequest during the next write event and expects the client to "
            "respond with a certificate on the next read event.")
PRECONDITION = "If any precondition isn't met (e.g. not TLS 1.3, PHA not enabled), an :exc:`SSLError` is raised."
MEMBER = {"TLSv1.2": "TLSv1_2", "TLSv1.3": "TLSv1_3"}
PRECONDITION_ROWS = [{"name": "tls12", "version": "TLSv1.2", "client_pha": True},
                     {"name": "client-not-enabled", "version": "TLSv1.3", "client_pha": False}]


def _contexts(env: Any, version: str, client_pha: bool) -> Any:
    member = MEMBER[version]
    cctx = env.context(cert="client", trust="root-ca", minimum=member, maximum=member)
    cctx.post_handshake_auth = client_pha
    sctx = (env.peer or env).context(cert="server", trust="root-ca", verify="REQUIRED", minimum=member,
                                     maximum=member)
    sctx.post_handshake_auth = True
    return cctx, sctx


def _request(obj: Any) -> Dict[str, Any]:
    """The server's request after its handshake, on an ``SSLSocket`` or an ``SSLObject``:
    the peer certificate before it, and what ``verify_client_post_handshake()`` raised."""
    out: Dict[str, Any] = {"before": obj.getpeercert(), "error": None}
    try:
        obj.verify_client_post_handshake()
    except Exception as exc:  # judged in the main thread
        out["error"] = exc
    return out


def _bio_server(env: Any, sctx: Any, sock: socket.socket) -> Dict[str, Any]:
    """The server as an ``SSLObject`` over the socket (``harness.pump.over_socket``)."""
    senv = env.peer or env
    require_bio(senv.ssl, senv.impl.name)
    end = BioEnd(senv.ssl, sctx, server_side=True)

    def steps() -> Any:
        yield from retry(end, end.obj.do_handshake, "do_handshake")
        out = _request(end.obj)
        end.obj.write(b"x")
        yield from read_exactly(end, 1)
        out["after"] = end.obj.getpeercert()
        end.obj.write(b"z")
        return out

    return over_socket(end, sock, steps(), env.timeout)


def _run(env: Any, version: str, client_pha: bool = True, transport: str = "socket") -> Dict[str, Any]:
    """One connection of the module docstring; the server's view before and after, or its error.
    ``transport="bio"``: the server is an ``SSLObject`` over its socket."""
    cctx, sctx = _contexts(env, version, client_pha)

    def client(sock: socket.socket) -> None:
        tls = cctx.wrap_socket(sock)
        try:
            tls.recv(1)
            tls.sendall(b"y")
            tls.recv(1)
        finally:
            tls.close()

    def server(sock: socket.socket) -> Dict[str, Any]:
        if transport == "bio":
            return _bio_server(env, sctx, sock)
        tls = sctx.wrap_socket(sock, server_side=True)
        try:
            out = _request(tls)
            tls.sendall(b"x")
            tls.recv(1)
            out["after"] = tls.getpeercert()
            tls.sendall(b"z")
            return out
        finally:
            tls.close()

    return pair(env, client, server)[1]


@table("pha/tls13/certificate-after-request", spec="SSLSocket.verify_client_post_handshake", basis="spec",
       cite=EXCHANGE, pair=True, since=SINCE, rows=[{}])
def certificate_after_request(env: Any, transport: str = "socket") -> Dict[str, Any]:
    out = _run(env, "TLSv1.3", transport=transport)
    expect_equal(out["error"], None, "verify_client_post_handshake() on TLS 1.3 with PHA on both sides")
    want = env.certs.fixture("client")["peercert"]["subject"]
    got = out["after"].get("subject") if isinstance(out["after"], dict) else out["after"]
    expect_equal(_listed(got), _listed(want), "the subject of the server's getpeercert() after the exchange")
    return {"subject": _listed(got)}


def _listed(value: Any) -> Any:
    """Tuples as lists, so a getpeercert() subject compares with the manifest's JSON."""
    if isinstance(value, (tuple, list)):
        return [_listed(v) for v in value]
    return value


NONE_BEFORE = ("CPython's server with post_handshake_auth and CERT_REQUIRED asks for no certificate in the initial "
               "TLS 1.3 handshake (SSL_VERIFY_POST_HANDSHAKE): getpeercert() is None until it requests one")


@table("pha/tls13/no-certificate-before-request", spec="SSLContext.post_handshake_auth", basis="cpython",
       cite=NONE_BEFORE, pair=True, since=SINCE, rows=[{}])
def none_before(env: Any, transport: str = "socket") -> None:
    out = _run(env, "TLSv1.3", transport=transport)
    expect_equal(out["before"], None, "the server's getpeercert() right after the handshake")


@table("pha/precondition/{name}", spec="SSLSocket.verify_client_post_handshake", basis="spec", cite=PRECONDITION,
       pair=True, since=SINCE, rows=PRECONDITION_ROWS)
def precondition(env: Any, name: str, version: str, client_pha: bool, transport: str = "socket") -> Dict[str, Any]:
    out = _run(env, version, client_pha, transport)
    expect_true(isinstance(out["error"], (env.peer or env).ssl.SSLError), f"verify_client_post_handshake() ({name}) raises SSLError",
                expected="SSLError", actual=repr(out["error"]))
    return {"error": str(out["error"])[:120]}


@case("pha/precondition/client-side", spec="SSLSocket.verify_client_post_handshake", basis="spec",
      cite="PHA can only be initiated for a TLS 1.3 connection from a server-side socket", pair=True, since=SINCE)
def client_side(env: Any) -> None:
    cctx, sctx = _contexts(env, "TLSv1.3", True)

    def client(sock: socket.socket) -> None:
        tls = cctx.wrap_socket(sock)
        try:
            tls.recv(1)
            expect_raises(env, env.ssl.SSLError, tls.verify_client_post_handshake,
                          "verify_client_post_handshake() on the client")
        finally:
            tls.close()

    def server(sock: socket.socket) -> None:
        tls = sctx.wrap_socket(sock, server_side=True)
        try:
            tls.sendall(b"x")
        finally:
            tls.close()

    pair(env, client, server)


#: the same exchange and preconditions with the server an SSLObject over its socket
table("bio/pha/tls13/certificate-after-request", spec="SSLSocket.verify_client_post_handshake", basis="spec",
      cite=EXCHANGE, pair=True, since=SINCE, rows=[{"transport": "bio"}])(certificate_after_request)
table("bio/pha/tls13/no-certificate-before-request", spec="SSLContext.post_handshake_auth", basis="cpython",
      cite=NONE_BEFORE, pair=True, since=SINCE, rows=[{"transport": "bio"}])(none_before)
table("bio/pha/precondition/{name}", spec="SSLSocket.verify_client_post_handshake", basis="spec", cite=PRECONDITION,
      pair=True, since=SINCE, rows=[dict(r, transport="bio") for r in PRECONDITION_ROWS])(precondition)


@case("pha/default-off", spec="SSLContext.post_handshake_auth", basis="spec",
      cite="Post-handshake auth is disabled by default", since=SINCE)
def default_off(env: Any) -> None:
    expect_equal(env.context().post_handshake_auth, False, "post_handshake_auth of a new context")
