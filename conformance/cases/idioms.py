"""The spec's own code, run: every idiom and example ``ssl-3.2.rst`` shows is a case.

A program copied from the documentation must work.  Each case here is one of
the spec's code forms, written as the spec writes it, over loopback with the
fixtures instead of the network (``www.verisign.com`` is a local server with
the ``server`` chain, ``linuxfr.org`` one with the self-signed ``selfsigned``
certificate, ``/etc/ca_certs_file`` the fixture root):

* the options idioms -- assigning ``options``, ORing constants, and
  ``context.options |= ssl.OP_NO_SSLv2`` -- then a handshake with the result
  ("will allow SSLv3 and TLSv1 connections, but not SSLv2");
* the client example on the module-level ``wrap_socket`` (``ca_certs``,
  ``CERT_REQUIRED``, ``getpeername``, ``pprint`` of ``getpeercert()``, an
  HTTP request, one ``read()``, ``close()``);
* the ``SSLContext`` example: ``CERT_OPTIONAL`` plus ``load_verify_locations``,
  ``commonName`` and ``subjectAltName`` of the peer, ``write`` of the HEAD
  request returning 38, ``read().split(b"\\r\\n")``; and its promise that
  ``CERT_OPTIONAL`` refuses a server signed by no trusted CA;
* the server example: ``load_cert_chain(certfile=..., keyfile=...)``, the
  accept loop with ``wrap_socket(newsocket, server_side=True)`` and
  ``deal_with_client`` reading until ``b""``, for two clients in turn, each
  ending in its own way;
* the ``do_handshake()`` loop on a non-blocking socket with ``select.select``.

Where the examples leave a socket without a timeout, the cases give it one
(every socket operation here is bounded); the spec's server uses
``PROTOCOL_TLSv1``, which modern OpenSSL refuses at its default security
level, so the server example runs on ``PROTOCOL_SSLv23`` (TLSv1 pins are the
matrix's business).  The spec's other examples are cases elsewhere:
``cert_time_to_seconds`` (``functions``), the getpeercert dicts (``decode``),
wrapped listening sockets (``handshake``).  The ``try: import ssl`` idiom
("Testing for SSL support") tests the interpreter, not the module: it is no case.
"""
from __future__ import annotations

import pprint
import select
import socket
from typing import Any, Dict, List

from ..harness.loopback import read_exactly, run_pair, serve, tls_pair
from ..harness.registry import Unsupported, case, expect_equal, expect_true, table
from .helpers import documented
from .stateful import nodelay, send_close_notify

# -- SSLContext.options ------------------------------------------------------------------

#: form: (the spec's code, the options it must leave, given ``before``); ``ssl`` and ``context`` as in the spec
OPTION_IDIOMS: Dict[str, Any] = {
    "assign-OP_ALL-or-OP_NO_SSLv2": ("context.options = ssl.OP_ALL | ssl.OP_NO_SSLv2",
                                     "ssl.OP_ALL | ssl.OP_NO_SSLv2"),
    "or-assign-OP_NO_SSLv2": ("context.options |= ssl.OP_NO_SSLv2", "before | ssl.OP_NO_SSLv2"),
    "assign-ORed-OP_NO_SSLv2-OP_NO_SSLv3": ("context.options = ssl.OP_ALL | ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3",
                                            "ssl.OP_ALL | ssl.OP_NO_SSLv2 | ssl.OP_NO_SSLv3"),
    "assign-back-the-default": ("context.options = before", "before"),
}
_OPTION_CITES = {
    "or-assign-OP_NO_SSLv2": "context.options |= ssl.OP_NO_SSLv2",
}
_OPTIONS_CITE = (":data:`OP_ALL`, but you can specify other options such as :data:`OP_NO_SSLv2` by ORing "
                 "them together.")


def _options_idiom(env: Any, form: str) -> Any:
    """A context of ``PROTOCOL_SSLv23`` after the idiom ``form``; checks what it left."""
    code, want = OPTION_IDIOMS[form]
    context = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    space = {"ssl": env.ssl, "context": context, "before": context.options}
    try:
        exec(code, space)  # noqa: S102 - the spec's own line, on the module under test
    except ValueError as exc:
        info = tuple(getattr(env.ssl, "OPENSSL_VERSION_INFO", (9,)))
        expect_true(info < (0, 9, 8, 13), "ValueError on clearing an option is allowed only before OpenSSL 0.9.8m",
                    expected=f"{code!r} works", actual=f"ValueError: {exc} (OpenSSL {info})")
        raise Unsupported("clearing options", f"OpenSSL {info} can only set options") from None
    expect_equal(hex(int(context.options)), hex(int(eval(want, space))),  # noqa: S307 - table data
                 f"options after {code!r}")
    return context


@table("idioms/SSLContext.options/{form}", spec="SSLContext.options",
       basis="spec", cite=lambda row: _OPTION_CITES.get(row["form"], _OPTIONS_CITE),
       rows=[{"form": f} for f in OPTION_IDIOMS])
def options_idiom(env: Any, form: str) -> Dict[str, Any]:
    """The idiom on both sides, then a TLS handshake between the two contexts."""
    client, server = _options_idiom(env, form), _options_idiom(env, form)
    server.load_cert_chain(env.certs.path("server", "chain"), env.certs.path("server", "key"))
    out = tls_pair(client, server, timeout=env.timeout)
    expect_true(out.ok, "a handshake between two contexts made with the idiom", expected="ok",
                actual={"client": out.client.describe(), "server": out.server.describe()})
    return {"options": hex(int(client.options)), "version": out.client.version}


MIDDLEBOX_COMPAT = 0x100000  #: OpenSSL's SSL_OP_ENABLE_MIDDLEBOX_COMPAT, on in every new context


def _client_hello_session_id(env: Any, context: Any) -> int:
    """The length of the legacy_session_id in the ClientHello ``context`` sends."""
    head = 5 + 4 + 2 + 32  # record header, handshake header, legacy_version, random

    def client(sock: socket.socket) -> None:
        try:
            context.wrap_socket(sock).close()
        except OSError:  # the "server" hangs up after the hello: expected
            pass

    def server(sock: socket.socket) -> bytes:
        data = b""
        while len(data) <= head:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data

    _, hello = run_pair(client, server, timeout=env.timeout)
    expect_true(hello.error is None and len(hello.value or b"") > head and hello.value[0] == 0x16,
                "the client sent a ClientHello record", actual=repr(hello.error or hello.value)[:80])
    return hello.value[head]


@case("idioms/SSLContext.options/assignment-clears-openssl-defaults", spec="SSLContext.options",
      basis="cpython", cite="CPython clears every option bit an assignment leaves out, OpenSSL's own defaults "
                            "included: without 0x100000 its TLS 1.3 ClientHello has no legacy session id")
def options_assignment_reaches_openssl(env: Any) -> Dict[str, Any]:
    """``ctx.options = OP_ALL | OP_NO_SSLv2`` leaves out OpenSSL's middlebox compatibility
    (on by default): the bit is gone from ``options`` and from the handshake, whose
    ClientHello then carries an empty legacy_session_id (RFC 8446, D.4)."""
    ssl = env.ssl
    default = ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    if not int(default.options) & MIDDLEBOX_COMPAT:
        raise Unsupported("middlebox compatibility", f"{env.impl.name}'s contexts do not start with 0x100000")
    compat = _client_hello_session_id(env, default)
    context = _options_idiom(env, "assign-OP_ALL-or-OP_NO_SSLv2")
    without = _client_hello_session_id(env, context)
    expect_equal(compat, 32, "legacy_session_id length of a default (middlebox-compatible) TLS 1.3 hello")
    expect_equal(without, 0, f"legacy_session_id length after options = {hex(int(context.options))}")
    return {"session id": [compat, without]}


# -- the client examples ---------------------------------------------------------------------

RESPONSE = b"HTTP/1.0 200 OK\r\nServer: ssl-conformance\r\nConnection: close\r\n\r\n"


def _http_server(env: Any, cert: str, seen: List[Any]) -> Any:
    """A server for one connection: reads a request (up to its blank line), answers
    ``RESPONSE`` in one write, then reads until the client's end and notes how it came."""
    ctx = env.context(cert=cert)

    def server(sock: socket.socket) -> None:
        try:
            tls = ctx.wrap_socket(nodelay(sock), server_side=True)
        except OSError as exc:  # a client that refused us: the case judges its side
            seen.append(exc)
            return
        try:
            request = b""
            while not request.endswith(b"\r\n\r\n"):
                chunk = tls.read(1024)
                if not chunk:
                    break
                request += chunk
            seen.append(request)
            tls.write(RESPONSE)
            try:
                seen.append(tls.read(1024))  # b"": the client closed
            except OSError as exc:  # the client's close may reach us as a reset
                seen.append(exc)
        finally:
            tls.close()
    return server


@case("idioms/client-example/wrap_socket-CERT_REQUIRED", spec="wrap_socket",
      basis="spec", cite="note that closing the SSLSocket will also close the underlying socket", until="3.12")
def client_example(env: Any) -> Dict[str, Any]:
    wrap_socket = documented(env, "wrap_socket")
    ssl, seen = env.ssl, []
    request = b"GET / HTTP/1.0\r\nHost: www.verisign.com\r\n\r\n"
    with serve(_http_server(env, "server", seen), timeout=env.timeout) as addr:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(env.timeout)
        nodelay(s)  # only the time changes: no delayed-ACK wait (see stateful.nodelay)
        ssl_sock = wrap_socket(s, ca_certs=env.certs.path("root-ca"), cert_reqs=ssl.CERT_REQUIRED)
        try:
            ssl_sock.connect(addr)
            peer = ssl_sock.getpeername()
            cert = ssl_sock.getpeercert()
            shown = pprint.pformat(cert)
            written = ssl_sock.write(request)
            data = ssl_sock.read()
        finally:
            ssl_sock.close()
    expect_equal(tuple(peer[:2]), tuple(addr[:2]), "getpeername() is the server's address")
    expect_true(isinstance(cert, dict) and "subject" in cert and "notAfter" in cert,
                "getpeercert() of the validated server has subject and notAfter", actual=cert)
    expect_true("notAfter" in shown, "pprint.pformat(getpeercert()) shows the dict", actual=shown[:200])
    expect_equal(written, len(request), "write() of the request returns its length")
    expect_true(0 < len(data) <= 1024 and RESPONSE.startswith(data), "read() returns a part of the response",
                actual=data[:80])
    expect_equal(seen[0], request, "the request the server read")
    expect_true(seen[1] == b"" or isinstance(seen[1], OSError),
                "after close() the server's read meets the end of the connection", actual=repr(seen[1]))
    return {"read": len(data)}


CONTEXT_EXAMPLE = [
    {"server": "selfsigned", "trust": "selfsigned", "validates": True},
    {"server": "untrusted-leaf", "trust": "root-ca", "validates": False},
]
_CONTEXT_CITES = {
    True: "Here, the ``commonName`` field in the ``subject`` matches the desired HTTPS host",
    False: "it ensures that the server certificate was signed with one of the CA certificates",
}


@table("idioms/client-example/SSLContext-CERT_OPTIONAL/{server}", spec="CERT_OPTIONAL",
       basis="spec", cite=lambda row: _CONTEXT_CITES[row["validates"]], rows=CONTEXT_EXAMPLE)
def context_example(env: Any, server: str, trust: str, validates: bool) -> Dict[str, Any]:
    """``CERT_OPTIONAL`` with ``load_verify_locations``: the trusted server's names are shown
    and the HEAD request goes through; a server from an untrusted CA is refused."""
    ssl, seen = env.ssl, []
    with serve(_http_server(env, server, seen), timeout=env.timeout) as addr:
        context = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
        context.verify_mode = ssl.CERT_OPTIONAL
        context.load_verify_locations(env.certs.path(trust))
        s = socket.socket(socket.AF_INET)
        s.settimeout(env.timeout)
        nodelay(s)
        conn = context.wrap_socket(s)
        try:
            try:
                conn.connect(addr)
            except ssl.SSLError as exc:
                expect_true(not validates, f"connect() to the {server} server", expected="connected",
                            actual=f"{type(exc).__name__}: {exc}")
                return {"refused": str(exc)[:100]}
            expect_true(validates, "connect() to a server signed by no trusted CA raises SSLError",
                        expected="SSLError", actual="connected")
            cert = conn.getpeercert()
            written = conn.write(b"HEAD / HTTP/1.0\r\nHost: linuxfr.org\r\n\r\n")
            lines = conn.read().split(b"\r\n")
        finally:
            conn.close()
    expect_true((("commonName", "localhost"),) in cert.get("subject", ()),
                "the subject's commonName is the host", actual=cert.get("subject"))
    expect_true(("DNS", "localhost") in cert.get("subjectAltName", ()), "subjectAltName names the host",
                actual=cert.get("subjectAltName"))
    expect_equal(written, 38, "conn.write(b\"HEAD / HTTP/1.0\\r\\nHost: linuxfr.org\\r\\n\\r\\n\")")
    expect_equal(lines, RESPONSE.split(b"\r\n"), "conn.read().split(b\"\\r\\n\")")
    return {"lines": len(lines)}


# -- the server example --------------------------------------------------------------------------

#: how each client of the server example ends: the spec's "client is finished with us"
CLIENT_ENDS = {
    "close-notify": send_close_notify,  # the spec's server closes without answering it
    "close": lambda tls: tls.close(),
    "quit": lambda tls: tls.close(),
}


def _do_something(connstream: Any, data: bytes) -> bool:
    connstream.write(data.upper())
    return data != b"quit"


def deal_with_client(connstream: Any) -> List[bytes]:
    """The spec's ``deal_with_client``, recording what it read (``do_something`` echoes in
    upper case and is done at ``b"quit"``)."""
    got = []
    data = connstream.read()
    # empty data means the client is finished with us
    while data:
        got.append(data)
        if not _do_something(connstream, data):
            # we'll assume do_something returns False
            # when we're finished with client
            break
        data = connstream.read()
    # finished with client
    return got


@case("idioms/server-example/accept-loop", spec="SSLContext.load_cert_chain",
      basis="spec", cite="Then you'll read data from the ``connstream`` and do something with it till you "
                         "are finished with the client (or the client is finished with you)")
def server_example(env: Any) -> Dict[str, Any]:
    """Three clients in turn: two end the connection (with and without close_notify), one
    says ``quit``; the server's loop serves each to its end and goes back to listening."""
    ssl, served = env.ssl, []
    context = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
    context.load_cert_chain(certfile=env.certs.path("server", "chain"), keyfile=env.certs.path("server", "key"))

    def accepted(newsocket: socket.socket) -> None:
        connstream = context.wrap_socket(nodelay(newsocket), server_side=True)
        try:
            served.append(deal_with_client(connstream))
        finally:
            connstream.close()

    clients = [("close-notify", [b"one", b"two"]), ("close", [b"three"]), ("quit", [b"four", b"quit"])]
    replies = []
    client_ctx = env.context()
    with serve(accepted, timeout=env.timeout, connections=len(clients)) as addr:
        for end, messages in clients:
            tls = client_ctx.wrap_socket(nodelay(env.socket()))
            tls.connect(addr)
            replies.append([(tls.write(m), read_exactly(tls, len(m)))[1] for m in messages])
            CLIENT_ENDS[end](tls)
    expect_equal(replies, [[m.upper() for m in ms] for _, ms in clients], "what each client got back")
    expect_equal(served, [ms for _, ms in clients], "what deal_with_client read from each client")
    return {"clients": len(served)}


# -- the non-blocking handshake loop -------------------------------------------------------------

@case("idioms/do_handshake-select-loop", spec="SSLSocket.do_handshake",
      basis="spec", cite="and should be called again until it stops raising those exceptions. Here's an "
                         "example of how to do that::")
def select_loop(env: Any) -> Dict[str, int]:
    """The spec's loop word for word, but every ``select`` bounded by the case timeout."""
    ssl, waits = env.ssl, {"read": 0, "write": 0}
    with serve(_http_server(env, "server", []), timeout=env.timeout) as addr:
        raw = nodelay(env.socket())
        raw.connect(addr)
        raw.setblocking(False)
        sock = env.context().wrap_socket(raw, do_handshake_on_connect=False)
        env.cleanup(sock.close)
        while True:
            try:
                sock.do_handshake()
                break
            except ssl.SSLError as err:
                if err.args[0] == ssl.SSL_ERROR_WANT_READ:
                    waits["read"] += 1
                    ready = select.select([sock], [], [], env.timeout)[0]
                elif err.args[0] == ssl.SSL_ERROR_WANT_WRITE:
                    waits["write"] += 1
                    ready = select.select([], [sock], [], env.timeout)[1]
                else:
                    raise
                expect_true(ready, "select() saw the socket ready within the timeout", actual=waits)
        sock.settimeout(env.timeout)
        sock.write(b"GET / HTTP/1.0\r\n\r\n")
        got = read_exactly(sock, len(RESPONSE))
        sock.close()
    expect_equal(got, RESPONSE, "the response after the non-blocking handshake")
    return waits
