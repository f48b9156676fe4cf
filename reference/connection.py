"""The TLS connection under an ``SSLSocket``: pyOpenSSL's ``Connection`` with thin I/O.

Performance lives here.  Every I/O call comes in a *nowait* form that returns
``None`` when OpenSSL has to wait for the socket (``wants_write`` then says
which way) instead of raising ``WantReadError``/``WantWriteError``: on a
socket with a timeout a read that finds no data yet is the common case, and
building, raising and catching an exception for it costs more than the read.
Errors that are errors (``ZeroReturnError``, ``SysCallError``, ``Error``) are
still raised, by pyOpenSSL's own machinery.

Beyond that, pyOpenSSL reads into a temporary buffer and copies, and re-checks
its callback helpers after every call; :class:`Connection` decrypts straight
into the caller's buffer (``recv`` into a buffer the connection keeps, copied
once into the bytes it returns), encrypts straight from the caller's bytes, and
asks OpenSSL what went wrong only when a call returns <= 0 -- what CPython's
``_ssl`` does.  On pyOpenSSL releases without the internals this needs, the
nowait forms are built on the inherited methods.

:func:`wait` is the one place that blocks on the descriptor (poll, or select
where poll is missing).
"""
from __future__ import annotations

import select
from typing import Any, Callable, Optional, TypeVar

from OpenSSL import SSL as _SSL

__all__ = ["Connection", "wait"]

_HAS_POLL = hasattr(select, "poll")
T = TypeVar("T")


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


class _PortableConnection(_SSL.Connection):
    """The nowait forms on pyOpenSSL's public methods (any pyOpenSSL release)."""

    wants_write = False  #: after a nowait call returned None: True = wait to write

    def _nowait(self, call: Callable[..., T], *args: Any) -> Optional[T]:
        try:
            return call(*args)
        except _SSL.WantReadError:
            self.wants_write = False
        except _SSL.WantWriteError:
            self.wants_write = True
        return None

    def recv_nowait(self, bufsiz: int) -> Optional[bytes]:
        return self._nowait(self.recv, bufsiz)

    def recv_into_nowait(self, buffer: Any, nbytes: int = 0) -> Optional[int]:
        return self._nowait(self.recv_into, buffer, nbytes or None)

    def send_nowait(self, buf: Any) -> Optional[int]:
        return self._nowait(self.send, buf)

    def do_handshake_nowait(self) -> Optional[bool]:
        return self._nowait(lambda: self.do_handshake() or True)

    def shutdown_nowait(self) -> Optional[bool]:
        return self._nowait(self.shutdown)


try:
    from OpenSSL._util import ffi as _ffi, lib as _lib

    _from_buffer = _ffi.from_buffer
    _new_uninitialised = _ffi.new_allocator(should_clear_after_alloc=False)
    _unpack = _ffi.unpack
    _KEPT_READ_BUFFER = 64 * 1024  # reads up to this size reuse one buffer; larger ones get their own
    _SSL_read, _SSL_write, _SSL_get_error = _lib.SSL_read, _lib.SSL_write, _lib.SSL_get_error
    _SSL_do_handshake, _SSL_shutdown = _lib.SSL_do_handshake, _lib.SSL_shutdown
    _WANT_READ, _WANT_WRITE = _lib.SSL_ERROR_WANT_READ, _lib.SSL_ERROR_WANT_WRITE
    if not hasattr(_SSL.Connection, "_raise_ssl_error"):
        raise AttributeError("_raise_ssl_error")
except (ImportError, AttributeError):  # another pyOpenSSL layout: the portable forms
    Connection = _PortableConnection
else:

    class Connection(_PortableConnection):  # type: ignore[no-redef]
        """The nowait forms straight on OpenSSL; ``nbytes`` 0 means "the whole buffer".

        With partial writes turned off (see ``reference.context``) one ``send``
        writes everything.
        """

        def _blocked(self, result: int) -> bool:
            """After a call returned ``result`` <= 0: True when OpenSSL waits for
            the socket (``wants_write`` says which way); otherwise raise the error."""
            error = _SSL_get_error(self._ssl, result)
            if error == _WANT_READ or error == _WANT_WRITE:
                self.wants_write = error == _WANT_WRITE
                return True
            self._raise_ssl_error(self._ssl, result)
            return False

        _rbuf: Any = None  #: the connection's own read buffer (up to _KEPT_READ_BUFFER bytes)

        def recv_nowait(self, bufsiz: int) -> Optional[bytes]:
            buf = self._rbuf
            if buf is None or len(buf) < bufsiz:
                buf = _new_uninitialised("char[]", bufsiz)
                if bufsiz <= _KEPT_READ_BUFFER:
                    self._rbuf = buf
            result = _SSL_read(self._ssl, buf, bufsiz)
            if result <= 0 and self._blocked(result):
                return None
            return _unpack(buf, result) if result > 0 else b""

        # The C buffers are released by ``with`` before any exception is raised: a
        # traceback must never keep a buffer export alive (it can end in a garbage
        # cycle, where releasing it late crashes).
        def recv_into_nowait(self, buffer: Any, nbytes: int = 0) -> Optional[int]:
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
            if result <= 0 and self._blocked(result):
                return None
            return result

        def send_nowait(self, buf: Any) -> Optional[int]:
            if type(buf) is bytes:  # OpenSSL reads the bytes object's own storage
                size = len(buf)
                result = _SSL_write(self._ssl, buf, size)
            else:
                with _from_buffer("char[]", buf) as data:
                    size = len(data)
                    result = _SSL_write(self._ssl, data, size)
            if result <= 0:
                if not size:
                    return 0
                if self._blocked(result):
                    return None
            return result

        def do_handshake_nowait(self) -> Optional[bool]:
            result = _SSL_do_handshake(self._ssl)
            if result <= 0 and self._blocked(result):
                return None
            return True

        def shutdown_nowait(self) -> Optional[bool]:
            result = _SSL_shutdown(self._ssl)
            if result < 0 and self._blocked(result):
                return None
            return result > 0
