"""Stateful I/O: what an ``SSLSocket`` does after things happened to its connection.

One call at a time is easy; bugs live in sequences.  These cases drive a
connection through a state and then call the I/O methods again, each area one
table and one function:

* **after an end** -- a clean close (close_notify) or a ragged EOF (the peer's
  TCP connection ends without one): ``read``, ``read`` into a buffer, ``recv``,
  ``recv_into`` and ``makefile().read()``, three times each, all meet the same
  end (``b""`` / 0, or with ``suppress_ragged_eofs=False`` the ``SSLError``);
  and an HTTP/1.0-style response whose body ends with the connection, read
  through ``makefile('rb')``;
* **bulk** -- ``sendall`` and ``write`` of 1 MiB and more, read with ``read``
  and ``recv_into``, checked by SHA-256 on both sides;
* **exact reads** -- a stream written in pieces that straddle TLS records
  (at most 16 KiB each) read back in other exact sizes: no read returns more
  than asked, and none returns nothing before the end.

The edges of a socket's life (write after the peer has gone, a dropped
socket, datagram methods, read arguments) are in ``lifecycle``.

The ragged end is made by the peer's own duplicate of its descriptor
(``shutdown(SHUT_RDWR)`` on it), so it means the same for every implementation.
"""
from __future__ import annotations

import hashlib
import random
import socket
from typing import Any, Callable, Dict, List

from ..harness.loopback import read_exactly
from ..harness.registry import expect_equal, expect_true, table
from .helpers import pair, server_ctx

MiB = 1 << 20
RECORD = 16384  #: the largest TLS plaintext record


def _payload(size: int) -> bytes:
    """``size`` bytes without a period, so a lost, repeated or reordered piece shows."""
    return random.Random(size).randbytes(size)


def outcome_of(call: Callable[[], Any]) -> Any:
    """What ``call()`` returned, or the exception it raised (compared by the case)."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - the case judges it
        return exc


# -- after an end ------------------------------------------------------------------------

def _makefile_read(tls: Any) -> bytes:
    with tls.makefile("rb") as f:
        return f.read()


#: how: (call, the EOF value, basis, cite)
AFTER_EOF_CALLS: Dict[str, Any] = {
    "read": (lambda tls: tls.read(100), b"", "spec", "empty data means the client is finished with us"),
    "read-buffer": (lambda tls: tls.read(100, bytearray(100)), 0, "cpython",
                    "CPython's read(nbytes, buffer) returns 0, the bytes placed, at each EOF"),
    "recv": (lambda tls: tls.recv(100), b"", "cpython", "CPython's SSLSocket.recv returns b'' at each EOF"),
    "recv_into": (lambda tls: tls.recv_into(bytearray(100)), 0, "cpython",
                  "CPython's SSLSocket.recv_into returns 0 at each EOF"),
    "makefile-read": (_makefile_read, b"", "cpython",
                      "CPython's SSLSocket.makefile('rb').read() returns b'' at each EOF"),
}
#: end: (the peer sends close_notify, suppress_ragged_eofs, the spec's sentence for it)
ENDS: Dict[str, Any] = {
    "clean": (True, True, "empty data means the client is finished with us"),
    "ragged": (False, True, "If specified as :const:`True` (the default), it returns a normal EOF in response "
                            "to unexpected EOF errors raised from the underlying socket"),
    "ragged-unsuppressed": (False, False, "if :const:`False`, it will raise the exceptions back to the caller."),
}
REPEATS = 3


def _end_cite(row: Dict[str, Any]) -> str:
    _, _, basis, note = AFTER_EOF_CALLS[row["how"]]
    return ENDS[row["end"]][2] if basis == "spec" else note


def nodelay(sock: socket.socket) -> socket.socket:
    """No Nagle: a close_notify or a short answer after a write leaves at once, not
    after the peer's delayed ACK (40 ms on Linux); only the time changes."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send_close_notify(tls: Any) -> None:
    """Send our close_notify and close, without waiting for the peer's answer
    (``unwrap()`` on a non-blocking socket sends it, then asks to read)."""
    tls.setblocking(False)
    try:
        tls.unwrap()
    except (OSError, ValueError):
        pass
    tls.close()


def writes_then_ends(ctx: Any, data: bytes, clean: bool, request: int = 0,
                     server_side: bool = True) -> Callable[[socket.socket], None]:
    """A server (or, with ``server_side=False``, a client) that reads ``request``
    bytes, writes ``data`` and ends: close_notify (``clean``) or a bare TCP end."""
    def server(sock: socket.socket) -> None:
        raw = nodelay(sock).dup()  # the TCP connection, whatever the implementation does to ``sock``
        try:
            tls = ctx.wrap_socket(sock, server_side=server_side)
            try:
                read_exactly(tls, request)
                tls.write(data)
                if clean:
                    tls.unwrap()  # close_notify, then wait for the client's answer
                else:
                    raw.shutdown(socket.SHUT_RDWR)
            finally:
                tls.close()
        finally:
            raw.close()
    return server


@table("stateful/after-eof/{end}/{how}", spec="SSLSocket.read",
       basis=lambda row: AFTER_EOF_CALLS[row["how"]][2], cite=_end_cite,
       rows=[{"end": e, "how": h} for e in ENDS for h in AFTER_EOF_CALLS])
def after_eof(env: Any, end: str, how: str) -> Dict[str, Any]:
    """The peer writes ``hello`` and ends; the client reads it, then calls ``how`` again and again."""
    clean, suppress, _ = ENDS[end]
    call, eof_value, _, _ = AFTER_EOF_CALLS[how]
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(nodelay(sock), suppress_ragged_eofs=suppress)
        try:
            first = read_exactly(tls, 5)
            seen = [outcome_of(lambda: call(tls)) for _ in range(REPEATS)]
            if clean:
                tls.unwrap()  # answer the peer's close_notify
            return first, seen
        finally:
            tls.close()

    (first, seen), _ = pair(env, client, writes_then_ends(server_ctx(env), b"hello", clean))
    expect_equal(first, b"hello", "the data before the end")
    shown = [repr(s)[:100] for s in seen]
    if suppress:
        expect_equal(shown, [repr(eof_value)] * REPEATS, f"{how} after the {end} end, {REPEATS} times")
    else:
        expect_true(all(isinstance(s, env.ssl.SSLError) for s in seen),
                    f"{how} after a ragged EOF with suppress_ragged_eofs=False raises SSLError every time",
                    expected=["SSLError"] * REPEATS, actual=shown)
    return {"seen": shown}


@table("stateful/http10-response/{end}", spec="SSLSocket.read",
       basis="cpython", cite="CPython's makefile('rb') reads a response whose end is the end of the connection",
       rows=[{"end": "clean"}, {"end": "ragged"}])
def http10_response(env: Any, end: str) -> None:
    """An HTTP/1.0-style exchange: a request, a response of several records, the end of the
    connection marks the end of the body; ``readline`` then ``read()`` on ``makefile('rb')``."""
    clean = ENDS[end][0]
    body = _payload(3 * RECORD + 77)
    response = b"HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n" + body
    request = b"GET / HTTP/1.0\r\n\r\n"
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(nodelay(sock))
        try:
            tls.sendall(request)
            with tls.makefile("rb") as f:
                status = f.readline()
                while f.readline() not in (b"\r\n", b""):
                    pass
                got = f.read()
            if clean:
                tls.unwrap()
            return status, got
        finally:
            tls.close()

    status, got = pair(env, client, writes_then_ends(server_ctx(env), response, clean, len(request)))[0]
    expect_equal(status, b"HTTP/1.0 200 OK\r\n", "the status line")
    expect_equal(len(got), len(body), "length of the body read to the end of the connection")
    expect_true(got == body, "the body, byte for byte", actual=hashlib.sha256(got).hexdigest())


# -- bulk ---------------------------------------------------------------------------------

def _send_by(tls: Any, how: str, data: bytes) -> List[int]:
    """Send ``data`` with ``sendall`` or a ``write`` loop; the counts ``write`` returned."""
    if how == "sendall":
        expect_equal(tls.sendall(data), None, "sendall() returns None")
        return []
    view, sent, counts = memoryview(data), 0, []
    while sent < len(data):
        n = tls.write(view[sent:])
        counts.append(n)
        expect_true(isinstance(n, int) and 0 < n <= len(data) - sent,
                    "write() returns the number of bytes written, at most what it was given",
                    expected=f"1..{len(data) - sent}", actual=n)
        sent += n
    return counts


def _receive_by(tls: Any, how: str, size: int) -> bytes:
    if how == "read":
        return read_exactly(tls, size)
    buf, got = bytearray(size), 0
    view = memoryview(buf)
    while got < size:
        n = tls.recv_into(view[got:])
        if not n:
            break
        got += n
    return bytes(buf[:got])


BULK = [{"send": s, "receive": r, "size": n} for s, r, n in (
    ("sendall", "read", MiB), ("sendall", "recv_into", 2 * MiB + 1),
    ("write", "read", MiB), ("write", "recv_into", 2 * MiB + 1))]


@table("stateful/bulk/{send}-{receive}-{size}", spec="SSLSocket.write",
       basis=lambda row: "spec" if row["send"] == "write" and row["receive"] == "read" else "cpython",
       cite=lambda row: ("Writes the ``data`` to the other side of the connection, using the SSL channel to "
                         "encrypt. Returns the number of bytes written."
                         if row["send"] == "write" and row["receive"] == "read" else
                         "CPython's sendall/recv_into move every byte of a large buffer through TLS"),
       rows=BULK, pair=True)
def bulk(env: Any, send: str, receive: str, size: int) -> Dict[str, Any]:
    """``size`` bytes client -> server, then the server sends them back; SHA-256 both ways."""
    data = _payload(size)
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(nodelay(sock))
        try:
            counts = _send_by(tls, send, data)
            return counts, hashlib.sha256(_receive_by(tls, receive, size)).hexdigest()
        finally:
            tls.close()

    def server_then(tls: Any) -> str:
        got = _receive_by(tls, receive, size)
        _send_by(tls, send, got)
        return hashlib.sha256(got).hexdigest()

    def server(sock: socket.socket) -> str:
        tls = server_ctx(env).wrap_socket(nodelay(sock), server_side=True)
        try:
            return server_then(tls)
        finally:
            tls.close()

    (counts, echoed), received = pair(env, client, server)
    want = hashlib.sha256(data).hexdigest()
    expect_equal(received, want, f"SHA-256 of the {size} bytes the server received")
    expect_equal(echoed, want, f"SHA-256 of the {size} bytes the client received back")
    return {"writes": len(counts), "sha256": want[:16]}


# -- exact reads across record boundaries ------------------------------------------------------

#: pieces the server writes (each its own record or records), then the sizes the client asks for
WRITES = (1, RECORD - 1, RECORD, RECORD + 1, 3, 2 * RECORD + 5)
EXACT_READS: Dict[str, Any] = {
    "read": lambda tls, n: tls.read(n),
    "read-buffer": lambda tls, n: _into(lambda b: tls.read(n, b), n),
    "recv": lambda tls, n: tls.recv(n),
    "recv_into": lambda tls, n: _into(lambda b: tls.recv_into(b, n), n),
}
READ_SIZES = {"1-and-4095": (1, 4095), "7-and-record": (7, RECORD), "record-1": (RECORD - 1,),
              "record+1": (RECORD + 1,), "mixed": (5, RECORD + 3, 1, 2 * RECORD, 40000)}


def _into(call: Callable[[bytearray], int], n: int) -> bytes:
    buf = bytearray(n + 8)  # room beyond n: a read must still stop at n
    count = call(buf)
    expect_true(buf[count:] == bytearray(len(buf) - count), "a read into a buffer touches only what it reports",
                actual=count)
    return bytes(buf[:count])


@table("stateful/exact-reads/{how}/{sizes}", spec="SSLSocket.read",
       basis=lambda row: "spec" if row["how"] == "read" else "cpython",
       cite=lambda row: ("Reads up to ``nbytes`` bytes from the SSL-encrypted channel and returns them."
                         if row["how"] == "read" else
                         "CPython's recv/recv_into/read into a buffer return at most the size asked, >0 before EOF"),
       rows=[{"how": h, "sizes": s} for h in EXACT_READS for s in READ_SIZES
             if h == "read" or s == "mixed"], pair=True)
def exact_reads(env: Any, how: str, sizes: str) -> Dict[str, Any]:
    total = sum(WRITES)
    data = _payload(total)
    call = EXACT_READS[how]
    ctx = env.context()

    def client(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(nodelay(sock))
        try:
            tls.write(b"go")
            got, lengths, asks = b"", [], READ_SIZES[sizes]
            while len(got) < total:
                ask = asks[len(lengths) % len(asks)]
                chunk = call(tls, ask)
                lengths.append((ask, len(chunk)))
                if not chunk:
                    break
                got += chunk
            return got, lengths
        finally:
            tls.close()

    def server_then(tls: Any) -> None:
        read_exactly(tls, 2)
        offset = 0
        for n in WRITES:
            tls.sendall(data[offset:offset + n])
            offset += n
        read_exactly(tls, 1)  # until the client is done (its close ends this read)

    def server(sock: socket.socket) -> None:
        tls = server_ctx(env).wrap_socket(nodelay(sock), server_side=True)
        try:
            server_then(tls)
        finally:
            tls.close()

    (got, lengths), _ = pair(env, client, server)
    too_long = [(a, n) for a, n in lengths if n > a]
    expect_equal(too_long, [], "reads that returned more than they were asked for (asked, got)")
    expect_true((0 not in [n for _, n in lengths]), "no read returned nothing before the end",
                actual=lengths[:12])
    expect_equal(len(got), total, "bytes read")
    expect_true(got == data, "the bytes, in order", actual=hashlib.sha256(got).hexdigest())
    return {"reads": len(lengths)}
