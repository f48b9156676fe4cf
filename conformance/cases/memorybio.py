"""``MemoryBIO`` as a buffer (documented since 3.5): read, write, write_eof, pending, eof.

No TLS here: a ``MemoryBIO`` is a FIFO of bytes with an end marker, and these
cases hold it to that -- ``read(n)`` takes up to ``n`` bytes from the front
(all of them when ``n`` is omitted or negative), ``write`` takes any
buffer-protocol object and returns its length, ``pending`` counts what is
there, and ``eof`` turns true only after ``write_eof()`` *and* once
everything before it was read.  The ``SSLObject`` cases
(``cases/sslobject.py``) use the buffers for TLS.
"""
from __future__ import annotations

import array
from typing import Any, Dict

from ..harness.pump import TRANSPORTS, require_bio
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table

SINCE = TRANSPORTS["bio"]


def _bio(env: Any) -> Any:
    require_bio(env.ssl, env.impl.name)
    return env.ssl.MemoryBIO()


#: read(...) on a buffer holding b"abcdef": the argument and what the call returns
READS = {
    "omitted": ((), b"abcdef"), "negative": ((-1,), b"abcdef"), "zero": ((0,), b""),
    "two": ((2,), b"ab"), "more-than-pending": ((100,), b"abcdef"),
}


@table("bio/MemoryBIO.read/{arg}", spec="MemoryBIO.read", basis="spec",
       cite="Read up to *n* bytes from the memory buffer. If *n* is not specified or negative, all bytes "
            "are returned.", rows=[{"arg": a} for a in READS], since=SINCE)
def read_sizes(env: Any, arg: str) -> Dict[str, Any]:
    bio = _bio(env)
    bio.write(b"abcdef")
    args, want = READS[arg]
    got = bio.read(*args)
    expect_equal(got, want, f"MemoryBIO.read{args or '()'} on b'abcdef'")
    expect_equal(bio.read(), b"abcdef"[len(want):], "what is left after it, read whole")
    expect_equal(bio.read(), b"", "read() on the drained buffer")
    return {"read": got.decode()}


#: buffer-protocol objects of 4 bytes b"data"
WRITES = {
    "bytes": lambda: b"data", "bytearray": lambda: bytearray(b"data"),
    "memoryview": lambda: memoryview(b"xdatax")[1:5],
    "array": lambda: array.array("b", b"data"),
}


@table("bio/MemoryBIO.write/{kind}", spec="MemoryBIO.write", basis="spec",
       cite="The return value is the number of bytes written, which is always equal to the length of *buf*.",
       rows=[{"kind": k} for k in WRITES], since=SINCE)
def write_kinds(env: Any, kind: str) -> Dict[str, Any]:
    bio = _bio(env)
    n = bio.write(WRITES[kind]())
    expect_equal(n, 4, f"MemoryBIO.write({kind} of 4 bytes) returns")
    expect_equal(bio.pending, 4, "pending after the write")
    expect_equal(bio.read(), b"data", "what reads back")
    return {"written": n}


@case("bio/MemoryBIO.write/str-refused", spec="MemoryBIO.write", basis="cpython",
      cite="CPython's MemoryBIO.write raises TypeError for a str: it needs the buffer protocol", since=SINCE)
def write_str(env: Any) -> Dict[str, Any]:
    bio = _bio(env)
    try:
        bio.write("data")
    except TypeError as exc:
        expect_equal(bio.pending, 0, "pending after the refused write")
        return {"raised": f"TypeError: {exc}"}
    raise CaseFailure("MemoryBIO.write('data') (a str) was accepted", expected="TypeError",
                      actual=f"pending {bio.pending}")


@case("bio/MemoryBIO.write_eof/write-after", spec="MemoryBIO.write_eof", basis="cpython",
      cite="CPython's MemoryBIO.write raises SSLError ('cannot write() after write_eof()') once write_eof() was "
           "called", since=SINCE)
def write_after_eof(env: Any) -> Dict[str, Any]:
    bio = _bio(env)
    bio.write(b"ab")
    bio.write_eof()
    try:
        bio.write(b"cd")
    except env.ssl.SSLError as exc:
        expect_equal(bio.read(), b"ab", "the buffer after the refused write")
        return {"raised": f"{type(exc).__name__}: {exc}"}
    raise CaseFailure("MemoryBIO.write() after write_eof() was accepted", expected="SSLError",
                      actual=f"pending {bio.pending}")


@case("bio/MemoryBIO.pending/counts", spec="MemoryBIO.pending", basis="spec",
      cite="Return the number of bytes currently in the memory buffer.", since=SINCE)
def pending_counts(env: Any) -> Dict[str, Any]:
    bio = _bio(env)
    seen = [bio.pending]
    for step in (lambda: bio.write(b"abc"), lambda: bio.write(b"defgh"), lambda: bio.read(2),
                 lambda: bio.read(100)):
        step()
        seen.append(bio.pending)
    expect_equal(seen, [0, 3, 8, 6, 0], "pending: new, after writing 3 and 5 bytes, reading 2, reading the rest")
    return {"pending": seen}


@case("bio/MemoryBIO.eof/after-write_eof-and-drained", spec="MemoryBIO.eof", basis="spec",
      cite="The attribute :attr:`eof` will become true after all data currently in the buffer has been read.",
      since=SINCE)
def eof_when_drained(env: Any) -> Dict[str, Any]:
    bio = _bio(env)
    seen = {"new": bio.eof}
    bio.write(b"abc")
    bio.read()
    seen["drained, no write_eof"] = bio.eof
    bio.write(b"xyz")
    bio.write_eof()
    seen["write_eof, 3 bytes left"] = bio.eof
    bio.read(2)
    seen["1 byte left"] = bio.eof
    bio.read()
    seen["drained after write_eof"] = bio.eof
    want = {"new": False, "drained, no write_eof": False, "write_eof, 3 bytes left": False,
            "1 byte left": False, "drained after write_eof": True}
    expect_equal(seen, want, "MemoryBIO.eof at each step")
    expect_true(isinstance(bio.eof, bool), "eof is a boolean", actual=type(bio.eof).__name__)
    return seen
