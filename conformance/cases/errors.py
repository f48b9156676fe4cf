"""The exceptions of the ``ssl`` module: the classes the documentation states,
and which one each failure of an ``SSLSocket`` raises.

* **hierarchy** -- ``SSLError`` is an ``OSError``; ``SSLZeroReturnError``,
  ``SSLWantReadError``, ``SSLWantWriteError``, ``SSLSyscallError`` and
  ``SSLEOFError`` subclass it (3.3); ``SSLCertVerificationError`` too, and
  ``CertificateError`` is its alias (3.7).
* **which exception** -- a situation made on purpose over loopback, on the
  client side (the implementation under test against a server of each
  implementation, ``env.peer``) and on the server side (``env.peer`` against
  the client ``env``): a non-blocking handshake or read with nothing to read
  (``SSLWantReadError``), a non-blocking write into a full socket buffer
  (``SSLWantWriteError``), an EOF without close_notify while
  ``suppress_ragged_eofs`` is false (``SSLEOFError``), a read after the
  close_notify exchange this side began (``SSLZeroReturnError``).  The class is
  the documentation's (``spec``); ``args[0]``, the ``SSL_ERROR_*`` code, is
  CPython's (``cpython``).  A read at the peer's close_notify is "empty data",
  as the documentation's server example has it, not an exception.

``SSLSyscallError`` has no row of its own: a system error under TLS reaches
CPython's ``SSLSocket`` as the ``OSError`` of the failing call (a reset is
``ConnectionResetError``), so no situation made on purpose raises it.
Certificate verification failures and ``library``/``reason`` are in
``cases.certerrors``.
"""
from __future__ import annotations

import builtins
import socket
import threading
from typing import Any, Callable, Dict, Tuple

from ..harness.loopback import read_exactly, run_pair
from ..harness.registry import CaseFailure, expect_equal, expect_true, table
from .helpers import documented, drain, server_ctx, side_raised
from .stateful import nodelay, outcome_of, writes_then_ends

SIDES = [{"side": "client"}, {"side": "server"}]
#: bases of the hierarchy that are Python's own, not the module's
BUILTIN_BASES = ("OSError", "ValueError")

# -- the classes --------------------------------------------------------------------------

#: (name, relation, other, since, basis, cite)
HIERARCHY: Tuple[Tuple[str, str, str, str, str, str], ...] = (
    ("SSLError", "subclass-of", "OSError", "3.3", "spec", "This error is a subtype of :exc:`OSError`."),
    ("SSLZeroReturnError", "subclass-of", "SSLError", "3.3", "spec",
     "A subclass of :exc:`SSLError` raised when trying to read or write and the SSL connection has been "
     "closed cleanly."),
    ("SSLWantReadError", "subclass-of", "SSLError", "3.3", "spec",
     "A subclass of :exc:`SSLError` raised by a :ref:`non-blocking SSL socket <ssl-nonblocking>` when trying "
     "to read or write data, but more data needs to be received on the underlying TCP transport before the "
     "request can be fulfilled."),
    ("SSLWantWriteError", "subclass-of", "SSLError", "3.3", "spec",
     "A subclass of :exc:`SSLError` raised by a :ref:`non-blocking SSL socket <ssl-nonblocking>` when trying "
     "to read or write data, but more data needs to be sent on the underlying TCP transport before the "
     "request can be fulfilled."),
    ("SSLSyscallError", "subclass-of", "SSLError", "3.3", "spec",
     "A subclass of :exc:`SSLError` raised when a system error was encountered while trying to fulfill an "
     "operation on a SSL socket."),
    ("SSLEOFError", "subclass-of", "SSLError", "3.3", "spec",
     "A subclass of :exc:`SSLError` raised when the SSL connection has been terminated abruptly."),
    ("SSLCertVerificationError", "subclass-of", "SSLError", "3.7", "spec",
     "A subclass of :exc:`SSLError` raised when certificate validation has failed."),
    ("SSLCertVerificationError", "subclass-of", "ValueError", "3.7", "cpython",
     "CPython's SSLCertVerificationError also subclasses ValueError, the base of CertificateError before 3.7"),
    ("CertificateError", "is", "SSLCertVerificationError", "3.7", "spec",
     "An alias for :exc:`SSLCertVerificationError`."),
)


@table("errors/hierarchy/{name}-{relation}-{other}", spec="{name}",
       basis=lambda row: row["basis"], cite=lambda row: row["cite"], since=lambda row: row["since"],
       rows=[dict(zip(("name", "relation", "other", "since", "basis", "cite"), h)) for h in HIERARCHY])
def hierarchy(env: Any, name: str, relation: str, other: str, since: str, basis: str, cite: str) -> None:
    cls = documented(env, name)
    base = getattr(builtins, other) if other in BUILTIN_BASES else documented(env, other)
    shown = [c.__name__ for c in getattr(cls, "__mro__", ())]
    if relation == "is":
        expect_true(cls is base, f"{name} is {other} (the same class)", expected=other,
                    actual=f"{getattr(cls, '__name__', cls)!s} with bases {shown}")
    else:
        expect_true(isinstance(cls, type) and issubclass(cls, base), f"{name} is a subclass of {other}",
                    expected=other, actual=shown)


# -- which exception a situation raises ----------------------------------------------------

Body = Callable[[Any, Any, socket.socket, bool], Any]
#: what fails a case on the value the tested side returned
Judge = Callable[[Any], None]


def _accept(seen: Any) -> None:
    """The judge that accepts anything (the case judges the value afterwards)."""


def on_side(env: Any, side: str, tested: Body, other: Body, judge: Judge = _accept) -> Any:
    """Run ``tested`` on ``side`` ("client": ``env``'s module; "server": ``env.peer``'s)
    and ``other`` on the opposite side; what ``tested`` returned.

    A body is ``body(side_env, ctx, sock, server_side)``: the Env of its side,
    that side's context (the client's trusts nothing, the server's presents
    the ``server`` fixture), the connected plain socket, and its role.
    ``judge(value)`` fails the case on what the tested side saw before the
    other side's error is looked at: when the tested side went wrong, what the
    other side met follows from it.
    """
    senv = env.peer or env
    cctx, sctx = env.context(), server_ctx(env)
    client_body = tested if side == "client" else other
    server_body = tested if side == "server" else other
    c, s = run_pair(lambda sock: client_body(env, cctx, sock, False),
                    lambda sock: server_body(senv, sctx, sock, True), timeout=env.timeout)
    mine, theirs = (c, s) if side == "client" else (s, c)
    if mine.error is not None:
        raise side_raised(side, mine.error) from mine.error
    judge(mine.value)
    if theirs.error is not None:
        raise side_raised("server" if side == "client" else "client", theirs.error) from theirs.error
    return mine.value


def _handshaken(ctx: Any, sock: socket.socket, server_side: bool, **kwargs: Any) -> Any:
    tls = ctx.wrap_socket(nodelay(sock), server_side=server_side, do_handshake_on_connect=False, **kwargs)
    tls.do_handshake()
    return tls


def _waits(gate: threading.Event) -> Body:
    """The other side of a situation: complete the handshake, then do nothing until ``gate``."""
    def body(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> None:
        tls = _handshaken(ctx, sock, server_side)
        try:
            gate.wait(side_env.timeout)
        finally:
            tls.close()
    return body


def want_read_handshake(env: Any, side: str, judge: Judge = _accept) -> Any:
    """A non-blocking ``do_handshake()`` before the peer said anything."""
    gate = threading.Event()

    def tested(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> Any:
        tls = ctx.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=False)
        try:
            tls.setblocking(False)
            return outcome_of(lambda: tls.do_handshake() or "completed")
        finally:
            gate.set()
            tls.close()

    def silent(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> None:
        gate.wait(side_env.timeout)  # no hello, no answer, until the tested side has tried

    return on_side(env, side, tested, silent, judge)


def want_read_read(env: Any, side: str, judge: Judge = _accept) -> Any:
    """A non-blocking ``read()`` after the handshake, with nothing sent by the peer."""
    gate = threading.Event()

    def tested(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> Any:
        tls = _handshaken(ctx, sock, server_side)
        try:
            tls.setblocking(False)
            return outcome_of(lambda: tls.read(10) or "empty read")
        finally:
            gate.set()
            tls.close()

    return on_side(env, side, tested, _waits(gate), judge)


#: what one non-blocking write offers, and how much may go out before the buffers must be full
CHUNK, WRITE_LIMIT, SMALL_BUFFER = 1 << 16, 64 << 20, 4096


def want_write(env: Any, side: str, judge: Judge = _accept) -> Any:
    """Non-blocking writes while the peer reads nothing: the socket buffers fill up."""
    gate = threading.Event()
    chunk = b"w" * CHUNK

    def tested(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> Any:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SMALL_BUFFER)
        tls = _handshaken(ctx, sock, server_side)
        try:
            tls.setblocking(False)
            sent = 0
            while sent < WRITE_LIMIT:
                got = outcome_of(lambda: tls.write(chunk))
                if isinstance(got, BaseException):
                    return got
                sent += got
            return f"{sent} bytes written without an exception"
        finally:
            gate.set()
            tls.close()

    def reads_nothing(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SMALL_BUFFER)
        _waits(gate)(side_env, ctx, sock, server_side)

    return on_side(env, side, tested, reads_nothing, judge)


def _reads_to_the_end(suppress: bool, then: Callable[[Any], Any] = lambda tls: None) -> Body:
    """Read the peer's ``hello``, then once more (what that read did is the result)."""
    def tested(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> Any:
        tls = _handshaken(ctx, sock, server_side, suppress_ragged_eofs=suppress)
        try:
            first = read_exactly(tls, 5)
            if first != b"hello":
                raise AssertionError(f"read {first!r} before the end, not b'hello'")
            seen = outcome_of(lambda: tls.read(10))
            then(tls)
            return seen
        finally:
            tls.close()
    return tested


def _ends(clean: bool) -> Body:
    def other(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> None:
        writes_then_ends(ctx, b"hello", clean, server_side=server_side)(sock)
    return other


def ragged_eof(env: Any, side: str, judge: Judge = _accept) -> Any:
    """The peer writes ``hello`` and drops TCP without close_notify; ``suppress_ragged_eofs=False``."""
    return on_side(env, side, _reads_to_the_end(False), _ends(clean=False), judge)


def clean_end(env: Any, side: str, judge: Judge = _accept) -> Any:
    """The peer writes ``hello`` and sends close_notify (this side answers it after reading)."""
    return on_side(env, side, _reads_to_the_end(False, lambda tls: tls.unwrap()), _ends(clean=True), judge)


def zero_return(env: Any, side: str, judge: Judge = _accept) -> Any:
    """This side begins the TLS shutdown (a non-blocking ``unwrap()`` sends close_notify and
    cannot wait for the answer), the peer answers it, then this side reads."""
    gate = threading.Event()

    def tested(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> Any:
        tls = _handshaken(ctx, sock, server_side)
        try:
            tls.setblocking(False)
            began = outcome_of(tls.unwrap)
            if isinstance(began, socket.socket):
                return "unwrap() finished before the peer answered"
            gate.set()
            tls.settimeout(side_env.timeout)
            return outcome_of(lambda: tls.read(10))
        finally:
            gate.set()
            tls.close()

    def answers(side_env: Any, ctx: Any, sock: socket.socket, server_side: bool) -> None:
        tls = _handshaken(ctx, sock, server_side)
        try:
            gate.wait(side_env.timeout)
            tail = drain(tls)
            if tail:
                raise AssertionError(f"data before the peer's close_notify: {tail!r}")
            tls.unwrap().close()
        finally:
            tls.close()

    return on_side(env, side, tested, answers, judge)


#: situation: (how, exception, SSL_ERROR_* of args[0], the documentation's sentence)
SITUATIONS: Dict[str, Tuple[Callable[..., Any], str, str, str]] = {
    "non-blocking-handshake": (
        want_read_handshake, "SSLWantReadError", "SSL_ERROR_WANT_READ",
        ":exc:`SSLWantReadError` will be raised if a read operation on the underlying socket is necessary"),
    "non-blocking-read": (
        want_read_read, "SSLWantReadError", "SSL_ERROR_WANT_READ",
        "Raise :exc:`SSLWantReadError` or :exc:`SSLWantWriteError` if the socket is :ref:`non-blocking "
        "<ssl-nonblocking>` and the read would block."),
    "non-blocking-write": (
        want_write, "SSLWantWriteError", "SSL_ERROR_WANT_WRITE",
        "Raise :exc:`SSLWantReadError` or :exc:`SSLWantWriteError` if the socket is :ref:`non-blocking "
        "<ssl-nonblocking>` and the write would block."),
    "ragged-eof": (
        ragged_eof, "SSLEOFError", "SSL_ERROR_EOF",
        "A subclass of :exc:`SSLError` raised when the SSL connection has been terminated abruptly."),
    "read-after-shutdown": (
        zero_return, "SSLZeroReturnError", "SSL_ERROR_ZERO_RETURN",
        "A subclass of :exc:`SSLError` raised when trying to read or write and the SSL connection has been "
        "closed cleanly."),
}
_ROWS = [{"situation": s, "exc": v[1], **side} for s, v in SITUATIONS.items() for side in SIDES]


def _side_env(env: Any, side: str) -> Any:
    return env if side == "client" else (env.peer or env)


def raised(env: Any, situation: str, side: str) -> BaseException:
    """Make ``situation`` on ``side``; the exception it raised, which must be the
    documented class (a failure names what happened instead)."""
    how, exc_name, _, _ = SITUATIONS[situation]
    senv = _side_env(env, side)
    cls = documented(senv, exc_name)

    def judge(seen: Any) -> None:
        if not isinstance(seen, cls):
            raise CaseFailure(f"{situation} on the {side} side ({senv.impl.name}): expected {exc_name}, got "
                              f"{seen!r:.200}", expected=exc_name,
                              actual=f"{type(seen).__name__}: {seen}" if isinstance(seen, BaseException)
                              else repr(seen))

    return how(env, side, judge)


@table("errors/{exc}/{situation}/{side}", spec="{exc}", basis="spec",
       cite=lambda row: SITUATIONS[row["situation"]][3], since="3.3", rows=_ROWS, pair=True)
def which_exception(env: Any, situation: str, exc: str, side: str) -> Dict[str, Any]:
    seen = raised(env, situation, side)
    expect_true(isinstance(seen, documented(_side_env(env, side), "SSLError")), f"{exc} is an SSLError",
                actual=[c.__name__ for c in type(seen).__mro__])
    return {"raised": f"{type(seen).__name__}: {seen}"[:200]}


@table("errors/{exc}/{situation}/{side}/args0", spec="{exc}", basis="cpython",
       cite=lambda row: f"CPython's {row['exc']} carries args[0] == {SITUATIONS[row['situation']][2]}",
       since="3.3", rows=_ROWS, pair=True)
def which_code(env: Any, situation: str, exc: str, side: str) -> None:
    seen = raised(env, situation, side)
    code = SITUATIONS[situation][2]
    expect_equal(seen.args[0] if seen.args else None, _side_env(env, side).const(code),
                 f"args[0] of the {exc} ({code})")


@table("errors/close-notify/read-empty/{side}", spec="SSLSocket.read", basis="spec",
       cite="empty data means the client is finished with us", since="3.3", rows=SIDES, pair=True)
def read_at_close_notify(env: Any, side: str) -> None:
    """The peer's close_notify ends a read with ``b""`` (even with ``suppress_ragged_eofs=False``),
    not with ``SSLZeroReturnError``: that is for a connection whose shutdown is complete."""
    clean_end(env, side, lambda seen: expect_equal(
        f"{type(seen).__name__}: {seen}" if isinstance(seen, BaseException) else seen, b"",
        f"read() on the {side} side ({_side_env(env, side).impl.name}) at the peer's close_notify"))
