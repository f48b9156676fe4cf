"""Hostile peers that are not TLS stacks at all: bytes no TLS stack would
send, and peers that go silent.

The documented answer to a broken peer is an ``SSLError``, raised promptly;
to a silent one, with a socket timeout set, ``socket.timeout``.  The peer is
a plain socket (the implementation under test is the one TLS side), so what
it sends is exact.  It closes or stalls after its bytes; the side under
test gets a short socket timeout where failure is certain, so a hang costs a
second, not the whole suite.

The faults a TLS peer can meet on the way -- cuts, resets, ragged EOFs,
damaged records, one-byte fragments -- are in :mod:`.relayed`.
"""
from __future__ import annotations

import random
import socket
import struct
from typing import Any, Dict

from ..loopback import run_pair
from ..registry import CaseFailure, expect_true, table

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

    def under_test(sock: socket.socket) -> Any:
        sock.settimeout(SHORT)
        tls = ctx.wrap_socket(sock, server_side=role == "server", do_handshake_on_connect=False)
        try:
            tls.do_handshake()
        finally:
            tls.close()
        return "handshake completed"

    def raw(sock: socket.socket) -> None:
        if role == "client":
            sock.recv(4096)  # the ClientHello
        sock.sendall(data)
        if kind.startswith("random"):
            sock.shutdown(socket.SHUT_WR)
        try:
            while sock.recv(4096):
                pass
        except OSError:
            pass

    fns = (under_test, raw) if role == "client" else (raw, under_test)
    c, s = run_pair(*fns, timeout=SHORT)
    res = c if role == "client" else s
    if not isinstance(res.error, env.ssl.SSLError) or res.timed_out:
        raise fail_side(f"{role} given {kind} instead of a {instead}: expected SSLError", res)
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

    def under_test(sock: socket.socket) -> Any:
        sock.settimeout(STALL)
        tls = ctx.wrap_socket(sock, server_side=role == "server")
        try:
            return tls.read(10) if phase == "read" else "handshake completed"
        finally:
            tls.close()

    peer_ctx = env.context(cert="server")

    def silent(sock: socket.socket) -> None:
        conn = peer_ctx.wrap_socket(sock, server_side=True) if phase == "read" else sock
        try:  # handshake (for "read"), then say nothing until the other side gives up
            while conn.recv(4096):
                pass
        except OSError:
            pass
        finally:
            conn.close()

    fns = (under_test, silent) if role == "client" else (silent, under_test)
    c, s = run_pair(*fns, timeout=SHORT * 2)
    res = c if role == "client" else s
    err = res.error
    if res.timed_out or not isinstance(err, (socket.timeout, env.ssl.SSLError)):
        raise fail_side(f"{role} facing a silent peer in the {phase}: expected socket.timeout", res)
    if isinstance(err, env.ssl.SSLError) and not isinstance(err, socket.timeout):
        expect_true("timed out" in str(err).lower(), "an SSLError for a stall names the timeout",
                    actual=str(err))
    return {"error": f"{type(err).__name__}: {err}"}


