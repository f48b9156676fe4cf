"""Hostile peers that are not TLS stacks at all: bytes no TLS stack would
send, and peers that go silent.

The documented answer to a broken peer is an ``SSLError``, raised promptly;
to a silent one, with a socket timeout set, ``socket.timeout``.  The peer is
a plain socket (the implementation under test is the one TLS side), so what
it sends is exact.  It closes or stalls after its bytes; the side under
test gets a short socket timeout where failure is certain, so a hang costs a
second, not the whole suite.

Each case first runs its control (``conformance.harness.control``): the same side
under test against a TLS peer of the same implementation that does what the
raw or silent peer does not (handshakes, answers), which must complete.  A
side that fails anyway -- a "server" that acts as a client fails on any
input -- proves nothing about bytes that are not TLS.  A pass also needs the
side to have stopped after the peer misbehaved: after the bytes were sent,
or (for a stalled read) after its handshake completed and the peer fell silent.

The faults a TLS peer can meet on the way -- cuts, resets, ragged EOFs,
damaged records, one-byte fragments -- are in :mod:`.relayed` and
:mod:`.fragmented`.
"""
from __future__ import annotations

import contextlib
import random
import socket
import struct
import time
from typing import Any, Callable, Dict, Optional, Tuple

from ..harness.control import control, ended_after
from ..harness.loopback import SideResult, run_pair
from ..harness.registry import CaseFailure, expect_true, table

SHORT = 1.0            # socket timeout where the answer is certain to come at once
STALL = 0.2            # socket timeout of the side a stalling peer starves
MAX_RECORD = 2 ** 14 + 2048  # the largest ciphertext length a TLS record may claim


def _noise(seed: int, n: int = 2048) -> bytes:
    """``n`` reproducible pseudo-random bytes (the same for a seed on every run)."""
    return random.Random(seed).getrandbits(8 * n).to_bytes(n, "little") if n else b""


def payload(n: int = 3000) -> bytes:
    return _noise(n, n)


def fail_side(what: str, res: Any) -> CaseFailure:
    err = res.error
    return CaseFailure(f"{what}: {type(err).__name__}: {err}" if err else f"{what}: returned {res.value!r}",
                       actual=f"{type(err).__name__}: {err}" if err else repr(res.value))


def _until_closed(conn: Any) -> None:
    """Read until the connection ends, however it ends (a peer's end is not judged)."""
    try:
        while conn.recv(4096):
            pass
    except Exception:
        pass


def _against(role: str, under_test: Callable, peer: Callable, timeout: float) -> Tuple[SideResult, SideResult]:
    """Run the side under test (``role``) against ``peer``: (its result, the peer's)."""
    fns = (under_test, peer) if role == "client" else (peer, under_test)
    c, s = run_pair(*fns, timeout=timeout)
    return (c, s) if role == "client" else (s, c)


def _tls_peer(ctx: Any, role: str, answer: Optional[bytes] = None) -> Callable:
    """The control's peer: a TLS peer of the implementation, in the role opposite
    ``role``, that handshakes, writes ``answer`` if any, then reads until the end."""
    def peer(sock: socket.socket) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # no delayed-ACK wait for the answer
        tls = ctx.wrap_socket(sock, server_side=role == "client")
        try:
            if answer is not None:
                tls.write(answer)
            _until_closed(tls)
        finally:
            tls.close()
    return peer


def _control_against_tls(env: Any, role: str, under_test: Callable, peer_ctx: Any, want: Any,
                         timeout: float, answer: Optional[bytes] = None) -> None:
    """The control of a raw or silent peer's case: ``under_test`` against a
    TLS peer of the same implementation must return ``want``."""
    def problem(results: Tuple[SideResult, SideResult]) -> Optional[str]:
        res, err = results[0], results[0].error
        if err is None and not res.timed_out and res.value == want:
            return None
        return f"the {role} raised {type(err).__name__}: {err}" if err else f"the {role} returned {res.value!r}"

    peer = "server" if role == "client" else "client"
    control(f"the {role} against a TLS {peer} of {env.impl.name}",
            lambda: _against(role, under_test, _tls_peer(peer_ctx, role, answer), timeout), problem)


# -- raw peers: garbage, oversized and malformed records ------------------------

def record_header(ctype: int, version: int, length: int) -> bytes:
    return struct.pack("!BHH", ctype, version, length)


BYTES = {
    "random-1": _noise(1),
    "random-2": _noise(2),
    "http-request": b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    "handshake-header-then-garbage": record_header(22, 0x0301, 64) + _noise(3, 64),
    "oversized-record": record_header(22, 0x0301, MAX_RECORD + 1) + _noise(4, 64),
    "malformed-header": record_header(0x63, 0x0909, 64) + _noise(5, 64),
}
RAW = [{"role": role, "kind": kind, "instead": instead}
       for role, instead in (("server", "ClientHello"), ("client", "ServerHello"))
       for kind in BYTES]


@table("hostile/raw/{kind}-instead-of-{instead}", spec="SSLSocket.do_handshake",
       basis="spec",
       cite="Raised to signal an error from the underlying SSL implementation. This signifies some "
            "problem in the higher-level encryption and authentication layer that's superimposed on the "
            "underlying network connection.", rows=RAW)
def raw_peer(env: Any, role: str, kind: str, instead: str) -> Dict[str, str]:
    """The side under test meets bytes that are not TLS: SSLError at once.

    The raw peer sends its bytes and then stays open (no EOF to hide
    behind): the implementation must reject what it read.  Random bytes get
    an EOF after them, since some could pass for the start of a record.
    """
    data = BYTES[kind]
    ctx = env.context() if role == "client" else env.context(cert="server")
    peer_ctx = env.context(cert="server") if role == "client" else env.context()

    def under_test(sock: socket.socket) -> Any:
        sock.settimeout(SHORT)
        tls = ctx.wrap_socket(sock, server_side=role == "server", do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        finally:
            tls.close()
        return "handshake completed"

    def raw(sock: socket.socket) -> float:
        if role == "client":
            sock.recv(4096)  # the ClientHello
        sent = time.monotonic()
        sock.sendall(data)
        if kind.startswith("random"):
            with contextlib.suppress(OSError):  # the side under test may be gone already
                sock.shutdown(socket.SHUT_WR)
        _until_closed(sock)
        return sent

    _control_against_tls(env, role, under_test, peer_ctx, "handshake completed", SHORT)
    res, peer = _against(role, under_test, raw, SHORT)
    if not isinstance(res.error, env.ssl.SSLError) or res.timed_out:
        raise fail_side(f"{role} given {kind} instead of a {instead}: expected SSLError", res)
    ended_after(f"the raw peer sending {kind}", peer.value, role, res.ended)
    return {"error": type(res.error).__name__, "message": str(res.error)[:120]}


# -- stalling peers ----------------------------------------------------------------

STALLS = [{"phase": "handshake", "role": "client", "call": "do_handshake"},
          {"phase": "handshake", "role": "server", "call": "do_handshake"},
          {"phase": "read", "role": "client", "call": "read"}]


@table("hostile/stall/{phase}-{role}", spec="SSLSocket.{call}",
       basis="cpython",
       cite="CPython raises socket.timeout (or an SSLError saying 'timed out') when the peer stalls past "
            "the socket timeout; the 3.2 spec says nothing of timeouts", rows=STALLS)
def stall(env: Any, phase: str, role: str, call: str) -> Dict[str, str]:
    """A peer that goes silent: with a socket timeout set, the call raises within it.

    The documented exception is ``socket.timeout`` (an OSError); an
    SSLError naming the timeout is accepted too.
    """
    ctx = env.context(cert="server") if role == "server" else env.context()
    peer_ctx = env.context(cert="server") if role == "client" else env.context()
    handshaken = []

    def under_test(sock: socket.socket) -> Any:
        sock.settimeout(STALL)
        tls = ctx.wrap_socket(sock, server_side=role == "server")
        handshaken.append(True)
        try:
            return tls.read(10) if phase == "read" else "handshake completed"
        finally:
            tls.close()

    def silent(sock: socket.socket) -> float:
        conn = peer_ctx.wrap_socket(sock, server_side=True) if phase == "read" else sock
        quiet = time.monotonic()
        try:  # handshake (for "read"), then say nothing until the other side gives up
            _until_closed(conn)
        finally:
            conn.close()
        return quiet

    answer = b"0123456789" if phase == "read" else None
    _control_against_tls(env, role, under_test, peer_ctx, answer or "handshake completed", SHORT * 2, answer)
    handshaken.clear()
    res, peer = _against(role, under_test, silent, SHORT * 2)
    err = res.error
    if res.timed_out or not isinstance(err, (socket.timeout, env.ssl.SSLError)):
        raise fail_side(f"{role} facing a silent peer in the {phase}: expected socket.timeout", res)
    expect_true(phase != "read" or handshaken, "the timeout came in the read, after the handshake completed",
                expected="read timed out", actual=f"{type(err).__name__}: {err} in the handshake")
    ended_after("the peer falling silent", peer.value, role, res.ended)
    if isinstance(err, env.ssl.SSLError) and not isinstance(err, socket.timeout):
        expect_true("timed out" in str(err).lower(), "an SSLError for a stall names the timeout",
                    actual=str(err))
    return {"error": f"{type(err).__name__}: {err}"}


