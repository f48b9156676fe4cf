"""``MemoryBIO``: a byte buffer between Python and an ``SSLObject`` (documented since 3.5).

CPython's ``MemoryBIO`` *is* the OpenSSL memory BIO the TLS connection reads
from or writes to.  Here it is a plain Python buffer: the ``SSLObject``
(:mod:`reference.sslobject`) moves bytes between it and the memory BIOs that
pyOpenSSL gives a ``Connection(ctx, None)``, before and after every call.
What a program sees is the same: ``write`` appends, ``read`` takes from the
front, ``pending`` counts, ``write_eof`` marks the end, and ``eof`` is true
only once the end is marked *and* everything before it was read.

Decisions: ``write`` takes any object with the buffer protocol (a ``str`` is a
``TypeError``) and returns its size in bytes; a write after ``write_eof()`` is
an ``SSLError`` with CPython's message.
"""
from __future__ import annotations

from typing import Any

from .errors import SSLError

__all__ = ["MemoryBIO"]


class MemoryBIO:
    """A FIFO of bytes with an end-of-file marker."""

    __slots__ = ("_buf", "_eof_written")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._eof_written = False

    @property
    def pending(self) -> int:
        """The number of bytes currently in the buffer."""
        return len(self._buf)

    @property
    def eof(self) -> bool:
        """True once ``write_eof()`` was called and the buffer has been drained."""
        return self._eof_written and not self._buf

    def read(self, n: int = -1, /) -> bytes:
        """Up to ``n`` bytes from the front of the buffer (all of them if ``n`` is negative)."""
        if not isinstance(n, int):
            raise TypeError("integer argument expected, got %s" % type(n).__name__)
        if n < 0 or n >= len(self._buf):
            data = bytes(self._buf)
            self._buf.clear()
            return data
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    def write(self, buf: Any, /) -> int:
        """Append the bytes of ``buf`` (any buffer-protocol object); returns their number."""
        view = memoryview(buf)  # TypeError for str and other non-buffers
        data = view.tobytes()
        if self._eof_written:
            raise SSLError("cannot write() after write_eof()")
        self._buf += data
        return len(data)

    def write_eof(self) -> None:
        """Mark the end of the data: no writes after this; ``eof`` turns true once drained."""
        self._eof_written = True

    def __repr__(self) -> str:
        return "<%s pending=%d eof=%s>" % (type(self).__name__, self.pending, self.eof)
