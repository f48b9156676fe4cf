"""An ``SSLSocket`` at the edges of its life: before TLS starts, after the peer has
gone, and when the program lets go of it.

* **write after the peer has gone** -- the peer closes (with or without its
  close_notify); ``write``/``sendall``/``send`` must then raise ``OSError``
  (``SSLError`` is one) within a bounded number of calls, and keep raising;
* **a dropped socket** closes its descriptor as soon as its last reference
  goes, not when the cyclic garbage collector runs: with the collector off,
  the peer sees the end of the connection at once;
* **datagram methods** (``sendto``, ``recvfrom``, ``recvfrom_into``) on a
  wrapped socket that is not connected yet -- so no TLS yet -- behave exactly as
  the plain socket's (same exception, same errno); once TLS runs they are
  refused with ``ValueError``;
* **read arguments** on a live non-blocking connection: any C ``ssize_t``
  size is accepted (and asks to wait), a float or a read-only buffer is a
  ``TypeError``.

Each area is one table and one function; every socket has the case's timeout.
"""
from __future__ import annotations

import gc
import socket
import sys
import threading
from typing import Any, Callable, Dict

from ..harness.loopback import read_exactly
from ..harness.registry import Unsupported, expect_equal, expect_true, table
from .helpers import pair, server_ctx
from .stateful import outcome_of, nodelay, send_close_notify


def _shown(value: Any) -> Any:
    """An outcome as the case compares it: an exception by type and errno."""
    if isinstance(value, BaseException):
        return f"{type(value).__name__}(errno={getattr(value, 'errno', None)})"
    return repr(value)


# -- write after the peer has gone -------------------------------------------------------

CHUNK = b"w" * 16384
MAX_WRITES = 64  #: loopback answers the first write to a closed peer with a reset: far fewer suffice

WRITERS: Dict[str, Callable[[Any, bytes], Any]] = {
    "write": lambda tls, data: tls.write(data),
    "sendall": lambda tls, data: tls.sendall(data),
    "send": lambda tls, data: tls.send(data),
}


def _peer_leaves(ctx: Any, close_notify: bool, gone: threading.Event) -> Callable[[socket.socket], None]:
    """A server that reads one byte, then closes: after its close_notify, or without one."""
    def server(sock: socket.socket) -> None:
        tls = ctx.wrap_socket(nodelay(sock), server_side=True)
        try:
            read_exactly(tls, 1)
            if close_notify:
                send_close_notify(tls)
        finally:
            tls.close()
            gone.set()
    return server


@table("stateful/write-after-peer-gone/{end}/{how}", spec="SSLSocket.write",
       basis="cpython", cite="CPython's write/sendall/send to a peer that has closed raise OSError, every time",
       rows=[{"end": e, "how": h} for e in ("close", "close-notify") for h in WRITERS])
def write_after_peer_gone(env: Any, end: str, how: str) -> Dict[str, Any]:
    write = WRITERS[how]
    gone = threading.Event()
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(nodelay(sock))
        try:
            tls.write(b"x")
            expect_true(gone.wait(env.timeout), "the peer closed", actual="still open")
            for count in range(1, MAX_WRITES + 1):
                first = outcome_of(lambda: write(tls, CHUNK))
                if isinstance(first, BaseException):
                    return count, first, outcome_of(lambda: write(tls, CHUNK))
            return MAX_WRITES, None, None
        finally:
            tls.close()

    (count, first, again), _ = pair(env, client, _peer_leaves(server_ctx(env), end == "close-notify", gone))
    expect_true(isinstance(first, OSError), f"{how}() to a peer that has gone raises OSError "
                f"within {MAX_WRITES} calls", expected="OSError", actual=_shown(first))
    expect_true(isinstance(again, OSError), f"the next {how}() raises OSError too",
                expected="OSError", actual=_shown(again))
    return {"calls": count, "first": _shown(first), "again": _shown(again)}


# -- a dropped socket ----------------------------------------------------------------------

DROPS = {
    "client-after-handshake": ("client", True),
    "server-after-handshake": ("server", True),
    "client-before-handshake": ("client", False),
}


def _drop(tls_box: list, dropped: threading.Event) -> None:
    """Let go of the only reference, with the cyclic collector off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        tls_box.clear()
        dropped.set()
    finally:
        if enabled:
            gc.enable()


@table("stateful/dropped-socket-closes/{who}", spec="SSLContext.wrap_socket",
       basis="cpython",
       cite="CPython closes a dropped SSLSocket's descriptor when its last reference goes, without the "
            "cyclic collector", rows=[{"who": w} for w in DROPS])
def dropped_socket(env: Any, who: str) -> Dict[str, Any]:
    """One side lets go of its ``SSLSocket`` without closing it; the other must see the end
    (an EOF or an error) at once, not a timeout."""
    if sys.implementation.name != "cpython":
        raise Unsupported("refcounting", f"{sys.implementation.name} frees objects only when its collector runs")
    side, handshake = DROPS[who]
    dropped = threading.Event()
    ctx, sctx = env.context(), server_ctx(env)

    def dropper(sock: socket.socket) -> None:
        if side == "client":
            box = [ctx.wrap_socket(sock, do_handshake_on_connect=handshake)]
        else:
            box = [sctx.wrap_socket(sock, server_side=True)]
        if handshake:
            if side == "client":
                box[0].write(b"x")
            else:
                read_exactly(box[0], 1)
        _drop(box, dropped)

    def watcher(sock: socket.socket) -> Any:
        if side == "client":
            tls = sctx.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        else:
            tls = ctx.wrap_socket(sock)
        try:
            if handshake:
                if side == "client":
                    tls.do_handshake()
                    read_exactly(tls, 1)
                else:
                    tls.write(b"x")
            dropped.wait(env.timeout)
            if not handshake:
                return _shown(outcome_of(tls.do_handshake))
            return _shown(outcome_of(lambda: tls.read(10)))
        finally:
            tls.close()

    if side == "client":
        _, seen = pair(env, dropper, watcher)
    else:
        seen, _ = pair(env, watcher, dropper)
    expect_true("timeout" not in seen.lower(), f"the peer of a dropped {side} socket sees the end at once",
                expected="b'' or an error other than a timeout", actual=seen)
    return {"peer saw": seen}


# -- datagram methods ---------------------------------------------------------------------------

_ANYWHERE = ("127.0.0.1", 9)
DATAGRAM_CALLS: Dict[str, Callable[[Any], Any]] = {
    "sendto": lambda s: s.sendto(b"x", _ANYWHERE),
    "sendto-flags": lambda s: s.sendto(b"x", 0, _ANYWHERE),
    "recvfrom": lambda s: s.recvfrom(10),
    "recvfrom-flags": lambda s: s.recvfrom(10, 0),
    "recvfrom_into": lambda s: s.recvfrom_into(bytearray(10)),
    "recvfrom_into-nbytes": lambda s: s.recvfrom_into(bytearray(10), 10),
}


def _plain_socket(env: Any) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.settimeout(env.timeout)
    env.cleanup(sock.close)
    return sock


@table("stateful/datagram/unconnected/{call}", spec="wrap_socket",
       basis="spec",
       cite="For client-side sockets, the context construction is lazy; if the underlying socket isn't "
            "connected yet, the context construction will be performed after :meth:`connect` is called on "
            "the socket.", rows=[{"call": c} for c in DATAGRAM_CALLS])
def datagram_unconnected(env: Any, call: str) -> Dict[str, Any]:
    """Before ``connect()`` there is no TLS: the call does what it does on the plain socket."""
    method = DATAGRAM_CALLS[call]
    plain = _shown(outcome_of(lambda: method(_plain_socket(env))))
    tls = env.context().wrap_socket(_plain_socket(env))
    env.cleanup(tls.close)
    wrapped = _shown(outcome_of(lambda: method(tls)))
    expect_equal(wrapped, plain, f"{call} on an unconnected wrapped socket, as on the plain socket")
    return {"outcome": plain}


@table("stateful/datagram/connected/{call}", spec="SSLContext.wrap_socket",
       basis="cpython", cite="CPython's SSLSocket refuses datagram methods with ValueError once TLS runs",
       rows=[{"call": c} for c in ("sendto", "recvfrom", "recvfrom_into")])
def datagram_connected(env: Any, call: str) -> Dict[str, Any]:
    method = DATAGRAM_CALLS[call]
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock)
        try:
            return outcome_of(lambda: method(tls))
        finally:
            tls.close()

    def server(sock: socket.socket) -> None:
        server_ctx(env).wrap_socket(sock, server_side=True).close()

    seen, _ = pair(env, client, server)
    expect_true(isinstance(seen, ValueError), f"{call} on a connected SSLSocket raises ValueError",
                expected="ValueError", actual=_shown(seen))
    return {"outcome": _shown(seen)}


# -- read arguments on a live connection ----------------------------------------------------------

#: label: (the read, what it must do: "want-read" -- accepted, nothing there yet -- or an exception type)
READ_ARGUMENTS: Dict[str, Any] = {
    "nbytes-2GiB": (lambda tls: tls.read(2 ** 31), "want-read"),
    "nbytes-float-zero": (lambda tls: tls.read(0.0), TypeError),
    "nbytes-beyond-ssize_t": (lambda tls: tls.read(2 ** 63), OverflowError),
    "buffer-read-only": (lambda tls: tls.read(16, b"\0" * 16), TypeError),
    "recv_into-read-only": (lambda tls: tls.recv_into(memoryview(b"\0" * 16)), TypeError),
}


@table("stateful/read-arguments/{label}", spec="SSLSocket.read",
       basis="cpython", cite="CPython's SSLSocket.read takes any C ssize_t size and only a writable buffer",
       rows=[{"label": k} for k in READ_ARGUMENTS])
def read_arguments(env: Any, label: str) -> Dict[str, Any]:
    """A connected non-blocking client with nothing to read: a valid read asks to wait
    (``SSL_ERROR_WANT_READ``), an invalid one says what is wrong; no call blocks."""
    call, want = READ_ARGUMENTS[label]
    ctx, done = env.context(), threading.Event()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock)
        try:
            tls.setblocking(False)
            return outcome_of(lambda: call(tls))
        finally:
            tls.close()
            done.set()

    def server(sock: socket.socket) -> None:
        tls = server_ctx(env).wrap_socket(sock, server_side=True)
        try:
            done.wait(env.timeout)
        finally:
            tls.close()

    seen, _ = pair(env, client, server)
    if want == "want-read":
        expect_true(isinstance(seen, env.ssl.SSLError) and seen.args[0] == env.const("SSL_ERROR_WANT_READ"),
                    f"{label}: a read of that size is accepted and waits for data", expected="SSL_ERROR_WANT_READ",
                    actual=_shown(seen))
    else:
        expect_true(isinstance(seen, want), f"{label} raises {want.__name__}", expected=want.__name__,
                    actual=_shown(seen))
    return {"outcome": _shown(seen)}
