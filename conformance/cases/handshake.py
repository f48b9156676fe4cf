"""SSLSocket life cycle: when the handshake happens, non-blocking handshakes,
unwrap, ragged EOFs, listening sockets, the context attribute.

Pair cases as in ``sslsocket``: client ``env``, server ``env.peer``.
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Any, Callable, Optional, Tuple

from ..harness.hubs import HarnessThread
from ..harness.loopback import serve, wait_ready
from ..harness.reasons import classify
from ..harness.registry import case, expect_equal, expect_true, table
from .helpers import SUPPRESS_RAGGED_EOFS, documented, drain, pair, serve_tls, server_ctx


def nonblocking_handshake(env: Any, tls: Any, sock_timeout: float,
                          tried: Optional[threading.Event] = None) -> dict:
    """The spec's loop, bounded: retry on WANT_READ / WANT_WRITE, waiting as the spec's
    ``select()`` does (with ``poll()`` where there is one: no limit on descriptor numbers).

    ``tried`` is set after the first attempt, so a peer that waits for it
    guarantees that attempt found nothing to read (no timing luck involved).
    """
    want_read, want_write = env.const("SSL_ERROR_WANT_READ"), env.const("SSL_ERROR_WANT_WRITE")
    seen = {"want_read": 0, "want_write": 0}
    deadline = time.monotonic() + sock_timeout
    while True:
        try:
            tls.do_handshake()
            return seen
        except env.ssl.SSLError as err:
            if tried is not None:
                tried.set()
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            if err.args[0] == want_read:
                seen["want_read"] += 1
                wait_ready(tls, timeout=left)
            elif err.args[0] == want_write:
                seen["want_write"] += 1
                wait_ready(tls, write=True, timeout=left)
            else:
                raise


@table("api/SSLSocket.do_handshake/non-blocking-{side}", spec="SSLSocket.do_handshake",
       basis="spec",
       cite="If the socket is non-blocking, this method may raise :exc:`SSLError` with the value of the "
            "exception instance's ``args[0]`` being either :const:`SSL_ERROR_WANT_READ` or "
            ":const:`SSL_ERROR_WANT_WRITE`, and should be called again until it stops raising those "
            "exceptions.",
       rows=[{"side": "client"}, {"side": "server"}], pair=True)
def nonblocking(env: Any, side: str) -> None:
    cctx, sctx = env.context(), server_ctx(env)
    tried = threading.Event()

    def run(ctx: Any, server_side: bool, nb: bool):
        side_env = (env.peer or env) if server_side else env

        def body(sock: socket.socket) -> Any:
            tls = ctx.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=False)
            try:
                if nb:
                    tls.setblocking(False)
                    try:
                        seen = nonblocking_handshake(side_env, tls, env.timeout, tried)
                    finally:
                        tried.set()
                    tls.settimeout(env.timeout)
                else:
                    tried.wait(env.timeout)  # let the non-blocking side try first
                    tls.do_handshake()
                    seen = None
                if server_side:
                    tls.write(tls.read(4))
                else:
                    tls.write(b"ping")
                    seen = (seen, tls.read(4))
                return seen
            finally:
                tls.close()
        return body

    cval, sval = pair(env, run(cctx, False, side == "client"), run(sctx, True, side == "server"))
    seen = cval[0] if side == "client" else sval
    expect_equal(cval[1], b"ping", "echo after the non-blocking handshake")
    expect_true(seen["want_read"] >= 1, "a non-blocking handshake reports SSL_ERROR_WANT_READ at least once",
                expected=">= 1 WANT_READ", actual=seen)


@case("api/SSLSocket.do_handshake/want-read-is-SSLError", spec="SSLSocket.do_handshake",
      basis="spec",
      cite="If the socket is non-blocking, this method may raise :exc:`SSLError` with the value of the "
           "exception instance's ``args[0]`` being either :const:`SSL_ERROR_WANT_READ` or "
           ":const:`SSL_ERROR_WANT_WRITE`, and should be called again until it stops raising those "
           "exceptions.", pair=True)
def want_read_error(env: Any) -> None:
    """A non-blocking client's first do_handshake() cannot finish: SSLError, args[0] WANT_READ."""
    ctx = env.context()
    gate = threading.Event()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock, do_handshake_on_connect=False)
        try:
            tls.setblocking(False)
            try:
                tls.do_handshake()
                return "completed"
            except Exception as exc:
                return exc
        finally:
            gate.set()
            tls.close()

    def server(sock: socket.socket) -> None:
        gate.wait(env.timeout)  # do not answer until the client has tried once

    err, _ = pair(env, client, server)
    expect_true(isinstance(err, env.ssl.SSLError), "non-blocking do_handshake() raises SSLError",
                expected="SSLError", actual=repr(err))
    expect_equal(err.args[0], env.const("SSL_ERROR_WANT_READ"), "args[0] of that SSLError")


def unwrap_body(env: Any, ctx: Any, server_side: bool, initiator: bool) -> Callable:
    """One side of an unwrap exchange: 4 bytes each way over TLS, then the
    ``initiator`` unwraps at once and the other after reading the EOF its
    close_notify makes; then 5 plaintext bytes each way on the returned socket.
    Returns ``(tls bytes read, unwrap() returned a socket.socket, plaintext read)``."""
    def body(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock, server_side=server_side)
        tls.write(b"tls!")
        got_tls = tls.read(4)
        if not initiator:
            tail = drain(tls)
            if tail:
                raise AssertionError(f"data after the peer's shutdown: {tail!r}")
        plain = tls.unwrap()
        is_socket = isinstance(plain, socket.socket)
        plain.settimeout(env.timeout)
        plain.sendall(b"clear" if server_side else b"plain")
        got = b""
        while len(got) < 5:
            chunk = plain.recv(5 - len(got))
            if not chunk:
                break
            got += chunk
        plain.close()
        return got_tls, is_socket, got
    return body


@table("api/SSLSocket.unwrap/{first}-first", spec="SSLSocket.unwrap",
       basis="spec",
       cite="Performs the SSL shutdown handshake, which removes the TLS layer from the underlying socket, "
            "and returns the underlying socket object.",
       rows=[{"first": "client"}, {"first": "server"}], pair=True)
def unwrap_both(env: Any, first: str) -> None:
    """The initiator unwraps; the other side sees EOF, unwraps too; both continue in plaintext."""
    cctx, sctx = env.context(), server_ctx(env)
    c, s = pair(env, unwrap_body(env, cctx, False, first == "client"),
                 unwrap_body(env, sctx, True, first == "server"))
    expect_equal((c[0], s[0]), (b"tls!", b"tls!"), "data over TLS before unwrap")
    expect_equal((c[1], s[1]), (True, True), "unwrap() returns a socket.socket on both sides")
    expect_equal((c[2], s[2]), (b"clear", b"plain"), "plaintext exchanged after unwrap")


def read_past_hello(tls: Any, between: Optional[Callable[[Any], None]] = None) -> Tuple[bytes, Any]:
    """A ragged-EOF case's client: ``tls.read(5)`` (the server's ``hello``), ``between(tls)`` if
    given, then what the next ``read(100)`` gives -- its data or the exception it raised; closes ``tls``."""
    try:
        first = tls.read(5)
        if between is not None:
            between(tls)
        try:
            return first, tls.read(100)
        except Exception as exc:
            return first, exc
    finally:
        tls.close()


@table("api/SSLContext.wrap_socket/suppress-ragged-eofs-{suppress}", spec="SSLContext.wrap_socket",
       basis="spec",
       cite=SUPPRESS_RAGGED_EOFS,
       rows=[{"suppress": True}, {"suppress": False}], pair=True)
def ragged_eof(env: Any, suppress: bool) -> None:
    """The server drops TCP without a TLS shutdown; the client's read says so, or not."""
    ctx, sctx = env.context(), server_ctx(env)

    def client(sock: socket.socket) -> Any:
        return read_past_hello(ctx.wrap_socket(sock, suppress_ragged_eofs=suppress))

    def server(sock: socket.socket) -> None:
        fd = sock.fileno()
        tls = sctx.wrap_socket(sock, server_side=True)
        tls.write(b"hello")
        cut = socket.fromfd(fd, sock.family, socket.SOCK_STREAM)
        cut.shutdown(socket.SHUT_RDWR)  # no close_notify: a ragged EOF
        cut.close()
        tls.close()

    (first, second), _ = pair(env, client, server)
    expect_equal(first, b"hello", "data before the ragged EOF")
    if suppress:
        expect_equal(second, b"", "read() at a ragged EOF with suppress_ragged_eofs=True")
    else:
        expect_true(isinstance(second, env.ssl.SSLError), "read() at a ragged EOF raises SSLError",
                    expected="SSLError", actual=repr(second))
        expect_equal(classify(second), "unexpected-eof", "reason of that SSLError")


@table("api/SSLContext.wrap_socket/do-handshake-on-connect-{flag}", spec="SSLContext.wrap_socket",
       basis="spec",
       cite="The parameter ``do_handshake_on_connect`` specifies whether to do the SSL handshake "
            "automatically after doing a :meth:`socket.connect`, or whether the application program will "
            "call it explicitly",
       rows=[{"flag": True}, {"flag": False}], pair=True)
def handshake_on_connect(env: Any, flag: bool) -> None:
    """Wrap an unconnected client socket, then connect(): the handshake runs at
    connect() only when do_handshake_on_connect is true."""
    sctx = server_ctx(env)
    ctx = env.context()
    with serve(serve_tls(sctx, lambda t: t.write(t.read(4))), timeout=env.timeout) as addr:
        tls = ctx.wrap_socket(env.socket(), do_handshake_on_connect=flag)
        env.cleanup(tls.close)
        tls.connect(addr)
        after_connect = tls.cipher()
        if not flag:
            tls.do_handshake()
        tls.write(b"ping")
        echoed = tls.read(4)
    if flag:
        expect_true(after_connect is not None, "cipher() right after connect(): handshake done",
                    actual=after_connect)
    else:
        expect_equal(after_connect, None, "cipher() after connect() with do_handshake_on_connect=False")
    expect_equal(echoed, b"ping", "echo")


@case("api/SSLSocket.context/is-the-wrapping-context", spec="SSLSocket.context",
      basis="spec",
      cite="The :class:`SSLContext` object this SSL socket is tied to.")
def context_attr(env: Any) -> None:
    ctx = env.context()
    tls = ctx.wrap_socket(env.socket())
    env.cleanup(tls.close)
    expect_true(tls.context is ctx, "SSLContext.wrap_socket(...).context is that context",
                actual=repr(tls.context))


@case("api/SSLSocket.context/module-wrap-socket", spec="SSLSocket.context",
      basis="spec",
      cite="If the SSL socket was created using the top-level :func:`wrap_socket` function (rather than "
           ":meth:`SSLContext.wrap_socket`), this is a custom context object created for this SSL socket.",
      until="3.12")
def context_attr_module(env: Any) -> None:
    tls = documented(env, "wrap_socket")(env.socket())
    env.cleanup(tls.close)
    expect_true(isinstance(tls.context, env.ssl.SSLContext), "wrap_socket(...).context is an SSLContext",
                actual=repr(getattr(tls, "context", None)))


@table("api/{spec}/listening-socket", spec="{spec}",
       basis="spec",
       cite="it is assumed to be a listening socket, and the server-side SSL wrapping is automatically "
            "performed on client connections accepted via the :meth:`accept` method.",
       rows=[{"spec": "wrap_socket"}, {"spec": "SSLContext.wrap_socket"}],
       until=lambda row: "3.12" if row["spec"] == "wrap_socket" else None)
def listening(env: Any, spec: str) -> None:
    """A wrapped listening socket hands out TLS connections from accept()."""
    lsock = env.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(1)
    if spec == "wrap_socket":
        server = documented(env, "wrap_socket")(lsock, server_side=True,
                                                certfile=env.certs.path("server", "chain"),
                                                keyfile=env.certs.path("server", "key"))
    else:
        server = env.context(cert="server").wrap_socket(lsock, server_side=True)
    env.cleanup(server.close)
    addr = lsock.getsockname() if lsock.fileno() != -1 else server.getsockname()
    result: dict = {}

    def connect() -> None:
        try:
            tls = env.context().wrap_socket(env.socket())
            tls.connect(addr)
            tls.write(b"ping")
            result["echo"] = tls.read(4)
            tls.close()
        except Exception as exc:
            result["error"] = exc

    t = HarnessThread(connect, name="client")
    t.start()
    try:
        conn, _ = server.accept()
        env.cleanup(conn.close)
        conn.settimeout(env.timeout)
        is_tls = conn.cipher() is not None
        conn.write(conn.read(4))
    finally:
        t.join(3 * env.timeout)
    expect_true(is_tls, "accept() on a wrapped listening socket returns a connection with a completed handshake")
    expect_equal(result.get("echo"), b"ping", f"client echo ({result.get('error')!r})")


@case("api/SSLContext.wrap_socket/makefile", spec="SSLContext.wrap_socket",
      basis="spec",
      cite="This module provides a class, :class:`ssl.SSLSocket`, which is derived from the "
           ":class:`socket.socket` type", pair=True)
def makefile(env: Any) -> None:
    """An SSLSocket is a socket: makefile() gives line-oriented reads and writes."""
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock)
        try:
            with tls.makefile("rwb") as f:
                f.write(b"hello\n")
                f.flush()
                return f.readline(), f.readline()
        finally:
            tls.close()

    def server_then(tls: Any) -> None:
        line = b""
        while not line.endswith(b"\n"):
            chunk = tls.read(100)
            if not chunk:
                break
            line += chunk
        tls.write(line.upper() + b"second\n")

    (a, b), _ = pair(env, client, serve_tls(server_ctx(env), server_then))
    expect_equal((a, b), (b"HELLO\n", b"second\n"), "lines read through makefile()")
