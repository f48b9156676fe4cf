"""The TLS connection under an ``SSLSocket``: pyOpenSSL's ``Connection`` with thin I/O.

Performance lives here.  pyOpenSSL reads into a temporary buffer and copies,
and re-checks its callback helpers after every call; :class:`Connection`
decrypts straight into the caller's buffer and encrypts straight from the
caller's bytes, and runs pyOpenSSL's error machinery only when OpenSSL reports
a problem -- what CPython's ``_ssl`` does.  On pyOpenSSL releases without the
internals this needs, the inherited methods are used.

:func:`wait` is the one place that blocks on the descriptor (poll, or select
where poll is missing).
"""
from __future__ import annotations

import select
from typing import Any, Optional

from OpenSSL import SSL as _SSL

_HAS_POLL = hasattr(select, "poll")


def wait(fd: int, for_write: bool, timeout: Optional[float]) -> bool:
    """Wait until ``fd`` is readable (or writable); False when ``timeout`` passed first."""
    if _HAS_POLL:
        poller = select.poll()
        poller.register(fd, select.POLLOUT if for_write else select.POLLIN)
        return bool(poller.poll(None if timeout is None else max(0.0, timeout) * 1000.0))
    if for_write:
        ready = select.select([], [fd], [fd], timeout)
    else:
        ready = select.select([fd], [], [fd], timeout)
    return any(ready)


class Connection(_SSL.Connection):
    """pyOpenSSL's ``Connection`` with zero-copy ``recv_into``/``send``/``sendall``.

    ``nbytes`` 0 means "the whole buffer".  With partial writes turned off (see
    ``reference.context``) one ``send`` writes everything.
    """

    # The C buffers are released by ``with`` before any exception is raised: a
    # traceback must never keep a buffer export alive (it can end in a garbage
    # cycle, where releasing it late crashes).
    def recv_into(self, buffer: Any, nbytes: int = 0, flags: Any = None) -> int:
        result = 0
        with _from_buffer("char[]", buffer, require_writable=True) as cbuf:
            size = len(cbuf)
            if not nbytes:
                nbytes = size
            elif nbytes > size:
                nbytes = -1
            if nbytes > 0:
                result = _SSL_read(self._ssl, cbuf, nbytes)
        if nbytes <= 0:
            if nbytes < 0:
                raise ValueError("nbytes is greater than the length of the buffer")
            return 0
        if result <= 0:
            self._raise_ssl_error(self._ssl, result)
        return result

    def send(self, buf: Any, flags: Any = None) -> int:
        with _from_buffer("char[]", buf) as data:
            size = len(data)
            result = _SSL_write(self._ssl, data, size)
        if result <= 0:
            if not size:
                return 0
            self._raise_ssl_error(self._ssl, result)
        return result

    def sendall(self, buf: Any, flags: Any = None) -> int:
        total = self.send(buf)  # without partial writes this is everything
        if type(buf) is not bytes or total < len(buf):
            view = memoryview(buf).cast("B")
            while total < len(view):
                total += self.send(view[total:])
        return total


try:
    from OpenSSL._util import ffi as _ffi, lib as _lib

    _from_buffer = _ffi.from_buffer
    _SSL_read = _lib.SSL_read
    _SSL_write = _lib.SSL_write
    if not hasattr(_SSL.Connection, "_raise_ssl_error"):
        raise AttributeError("_raise_ssl_error")
except (ImportError, AttributeError):  # another pyOpenSSL layout: keep its own methods

    class Connection(_SSL.Connection):  # type: ignore[no-redef]
        def recv_into(self, buffer: Any, nbytes: int = 0, flags: Any = None) -> int:
            return _SSL.Connection.recv_into(self, buffer, nbytes or None)


__all__ = ["Connection", "wait"]
