"""``SSLSocket``: a ``socket.socket`` whose bytes travel through TLS.

The socket owns the file descriptor (taken over from the wrapped socket, which
is detached) and drives an ``OpenSSL.SSL.Connection`` directly on it.

Blocking, timeouts and non-blocking mode
    pyOpenSSL knows nothing of Python socket timeouts: on a socket with a
    timeout the descriptor is non-blocking and OpenSSL answers "want read" /
    "want write" at once.  Every operation therefore first tries the call
    (the fast path: one call into OpenSSL, nothing else), and only when OpenSSL
    wants I/O it waits in :meth:`SSLSocket._io` -- forever on a blocking
    socket, up to the timeout (one deadline per operation, then
    ``socket.timeout``), or not at all on a non-blocking socket, where the
    caller gets ``SSLError`` with ``args[0]`` ``SSL_ERROR_WANT_READ`` /
    ``SSL_ERROR_WANT_WRITE``, exactly what the spec's handshake loop expects.

End of file
    A clean TLS close (close_notify) reads as ``b""``; once this side has sent
    its own close_notify too (a non-blocking ``unwrap()`` that could not wait
    for the answer), the connection is closed cleanly and a read raises
    ``SSLZeroReturnError``, as CPython's does.  A connection that
    ends without close_notify (a "ragged" EOF) also reads as ``b""`` when
    ``suppress_ragged_eofs`` is true, and raises ``SSLEOFError``
    (``args[0] == SSL_ERROR_EOF``) when it is false.  The end is sticky: every
    later read meets the same end again (``b""``, 0, or ``SSLEOFError``), and a
    write after a ragged EOF raises ``SSLEOFError``, as the stdlib does; so does
    every later call after any error that ended the connection (a reset, a
    broken pipe).  OpenSSL itself does not promise that: after a ragged EOF,
    OpenSSL 3.0 reports the next ``SSL_read`` as ``SSL_ERROR_SYSCALL`` (which
    reads as an EOF again), 4.0 as ``SSL_ERROR_SSL`` with an empty error queue
    (which would read as a bare "unknown error" and break ``makefile().read()``
    against an HTTP/1.0-style server); so the socket remembers how its
    connection ended.

Arguments
    Wrapping what is not a ``socket.socket`` is a ``TypeError`` (CPython
    duck-types it and mostly fails with ``AttributeError``).  Read sizes are
    checked as CPython's C conversion checks them (``OverflowError`` beyond
    ``sys.maxsize``, ``TypeError`` for a float); one read asks OpenSSL for at
    most 1 MiB, since it never returns more than one TLS record anyway.

Before ``connect()`` (client side) and after ``close()`` there is no TLS
connection: the methods then behave as the plain socket does (``ENOTCONN``,
``EBADF``), the datagram methods (``sendto``, ``recvfrom``,
``recvfrom_into``) included; with TLS those three raise ``ValueError``.
``close()`` does not send close_notify (as CPython); ``unwrap()`` does, and
hands back a plain socket on the same descriptor.
"""
from __future__ import annotations

import errno
import operator
import socket
import sys
import time
import weakref
from typing import Any, Optional, Tuple

from OpenSSL import SSL as _SSL

from .alpn import ALPNSocket as _ALPNSocket
from .pha import PHASocket as _PHASocket, configure_connection as _pha_setup
from .sessions import SessionSocket as _SessionSocket, apply_session as _apply_session, check_session as _check_session
from . import hostnames as _hostnames
from .connection import Connection as _Connection, wait as _wait
from .errors import is_eof, translate
from .socketinfo import ConnectionFacts, a_label, watch_client_hello

_Error = _SSL.Error
_WantRead = _SSL.WantReadError
_WantWrite = _SSL.WantWriteError
_ZeroReturn = _SSL.ZeroReturnError
_SENT_SHUTDOWN = _SSL.SENT_SHUTDOWN
_plain = socket.socket
#: the most one read asks OpenSSL for: a call returns at most one TLS record (16 KiB)
#: anyway, so ``read(10**9)`` need not allocate a gigabyte (nor overflow SSL_read's int)
_MOST_PER_READ = 1 << 20


class _NoTLS:
    """Stands in for the TLS connection while there is none: plain socket behaviour."""

    __slots__ = ("_sock",)

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def recv_nowait(self, n: int) -> bytes:
        return _plain.recv(self._sock, n)

    def recv_into_nowait(self, buffer: Any, nbytes: int) -> int:
        return _plain.recv_into(self._sock, buffer, nbytes)

    def send_nowait(self, data: Any) -> int:
        return _plain.send(self._sock, data)

    def do_handshake_nowait(self) -> None:
        _plain.getpeername(self._sock)  # EBADF when closed, ENOTCONN when unconnected
        raise OSError(errno.ENOTCONN, "Socket is not connected")


def _datagram(name: str) -> Any:
    """``socket.socket.<name>`` while there is no TLS (before ``connect()``, after
    ``unwrap()``/``close()``: exactly the plain socket's answer); refused with TLS."""
    plain = getattr(_plain, name)

    def method(self: "SSLSocket", *args: Any) -> Any:
        if self._tls:
            raise ValueError("%s not allowed on instances of %s" % (name, type(self).__name__))
        return plain(self, *args)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = plain.__doc__
    return method


class SSLSocket(_ALPNSocket, _PHASocket, _SessionSocket, socket.socket, ConnectionFacts):
    """A socket with TLS on top; made by ``wrap_socket`` or ``SSLContext.wrap_socket``
    (what it tells of its connection: :class:`reference.socketinfo.ConnectionFacts`)."""

    __slots__ = ("_conn", "_tls", "_ended_by", "_context", "server_side", "server_hostname",
                 "do_handshake_on_connect", "suppress_ragged_eofs", "_session")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("%s does not have a public constructor; use wrap_socket()" % type(self).__name__)

    @classmethod
    def _create(cls, sock: socket.socket, context: Any, server_side: bool = False,
                do_handshake_on_connect: bool = True, suppress_ragged_eofs: bool = True,
                server_hostname: Optional[str] = None, session: Any = None) -> "SSLSocket":
        if not isinstance(sock, socket.socket):
            raise TypeError("wrap_socket() needs a socket.socket, not %s" % type(sock).__name__)
        if sock.type != socket.SOCK_STREAM:
            raise NotImplementedError("only stream sockets are supported")
        if server_side and server_hostname:
            raise ValueError("server_hostname can only be specified in client mode")
        if server_side and session is not None:
            raise ValueError("session can only be specified in client mode")
        if not server_side and context.check_hostname and not server_hostname:
            raise ValueError("check_hostname requires server_hostname")
        timeout = sock.gettimeout()
        try:
            sock.getpeername()
            connected = True
        except OSError as exc:
            if exc.errno != errno.ENOTCONN:
                raise
            connected = False
        self = cls.__new__(cls)
        _plain.__init__(self, sock.family, sock.type, sock.proto, fileno=sock.fileno())
        sock.detach()
        self.settimeout(timeout)
        self._context = context
        self.server_side = bool(server_side)
        self.server_hostname = a_label(server_hostname)
        self.do_handshake_on_connect = do_handshake_on_connect
        self.suppress_ragged_eofs = suppress_ragged_eofs
        self._conn = _NoTLS(self)
        self._tls = False
        self._ended_by: Optional[BaseException] = None
        self._session = session
        if connected:
            try:
                self._start_tls()
                if do_handshake_on_connect:
                    if timeout == 0.0:
                        raise ValueError("do_handshake_on_connect should not be specified for non-blocking sockets")
                    self.do_handshake()
            except BaseException:
                self.close()
                raise
        return self

    def _start_tls(self) -> None:
        """Attach a fresh TLS connection (from the context's current settings) to the socket."""
        # Given the descriptor, not the socket: no reference cycle, so a dropped
        # socket is freed (and its descriptor closed) at once, as a plain one is.
        if self.server_side:
            watch_client_hello(self._context._openssl_context())
        conn = _Connection(self._context._openssl_context(), self.fileno())
        conn.set_app_data(weakref.ref(self))  # the server-name callback's way back to this socket
        if self.server_side:
            conn.set_accept_state()
        else:
            _hostnames.prepare_client(conn, self._context, self.server_hostname)
            conn.set_connect_state()
            if self._session is not None:
                _check_session(self, self._session)
                _apply_session(conn, self._session)
        conn._reference_server = self.server_side
        _pha_setup(conn, self._context, self.server_side)
        self._conn = conn
        self._tls = True
        self._ended_by = None

    @property
    def context(self) -> Any:
        """The ``SSLContext`` this socket is tied to; a server-name callback may switch it
        (the connection then goes on with the new context's certificate)."""
        return self._context

    @context.setter
    def context(self, context: Any) -> None:
        self._context = context
        if self._tls:
            self._conn.set_context(context._openssl_context())

    # -- the slow path: waiting for I/O, timeouts, error translation -----------------------
    def _error(self, exc: BaseException) -> OSError:
        verify_code = 0
        if self._tls and type(exc) is _Error:
            try:
                from OpenSSL._util import lib

                verify_code = lib.SSL_get_verify_result(self._conn._ssl)
            except Exception:
                verify_code = 0
        return translate(exc, verify_code)

    def _io(self, call: Any, args: Tuple[Any, ...], what: str, eof: Any = None, tried: bool = False) -> Any:
        """``call(*args)`` (a nowait call of the connection), waiting for the
        socket while OpenSSL wants it, as the timeout allows.

        For reads ``eof`` is the value that reports end of file (``b""`` or 0).
        ``tried``: the caller's own first call just found OpenSSL waiting.
        """
        deadline = None
        while True:
            if not tried:
                try:
                    result = call(*args)
                except _Error as exc:
                    return self._ended(exc, eof)
                if result is not None:
                    return result
            tried = False
            for_write = self._conn.wants_write
            timeout = self.gettimeout()
            if timeout == 0.0:
                raise self._error(_WantWrite() if for_write else _WantRead()) from None
            remaining = None
            if timeout is not None:
                now = time.monotonic()
                if deadline is None:
                    deadline = now + timeout
                remaining = deadline - now
            if (remaining is not None and remaining <= 0) or not _wait(self.fileno(), for_write, remaining):
                raise socket.timeout("The %s operation timed out" % what)

    def _ended(self, exc: BaseException, eof: Any) -> Any:
        """``eof`` when ``exc`` ends a read at end of file; otherwise raise its ``SSLError``.

        The first error that ends the connection (close_notify, a ragged EOF,
        a reset, a failed handshake) is kept: whatever OpenSSL says of a later
        call, the call meets that same end (see "End of file" above).  Only a
        write after a clean close reports its own error: the peer's
        close_notify ends its direction, not ours.
        """
        ended = self._ended_by
        if ended is None:
            self._ended_by = exc
        elif eof is not None or not isinstance(ended, _ZeroReturn):
            exc = ended
        if eof is not None and ((isinstance(exc, _ZeroReturn) and not self._conn.get_shutdown() & _SENT_SHUTDOWN)
                                or (self.suppress_ragged_eofs and is_eof(exc))):
            return eof
        raise self._error(exc) from None

    # -- handshake --------------------------------------------------------------------------
    def do_handshake(self, block: bool = False) -> None:
        """Run the TLS handshake (on a non-blocking socket: may raise WANT_READ/WANT_WRITE);
        ``block=True`` waits for it however the socket's timeout is set (3.3)."""
        timeout = self.gettimeout()
        if block and timeout is not None:
            self.settimeout(None)
        try:
            self._io(self._conn.do_handshake_nowait, (), "handshake")
        finally:
            if block and timeout is not None:
                self.settimeout(timeout)
        if not self.server_side:
            _hostnames.after_handshake(self)

    # -- reading ------------------------------------------------------------------------------
    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        if flags or buflen <= 0 or buflen > _MOST_PER_READ:
            return self._recv_special(buflen, flags)
        conn = self._conn
        try:  # the fast path, inline: one call into OpenSSL
            data = conn.recv_nowait(buflen)
        except _Error as exc:
            return self._ended(exc, b"")
        return self._io(conn.recv_nowait, (buflen,), "read", b"", tried=True) if data is None else data

    def _recv_special(self, buflen: int, flags: int) -> bytes:
        if flags and self._tls:
            raise ValueError("non-zero flags not allowed in calls to recv() on %s" % type(self).__name__)
        buflen = operator.index(buflen)  # TypeError for 0.0, as for any float
        if not -sys.maxsize - 1 <= buflen <= sys.maxsize:  # as CPython's C conversion
            raise OverflowError("Python int too large to convert to C ssize_t")
        if buflen < 0:
            raise ValueError("negative buffersize in recv")
        if buflen > _MOST_PER_READ:
            return self.recv(_MOST_PER_READ, flags)  # "up to": one call never returns more
        if not self._tls:
            return _plain.recv(self, buflen, flags)
        return b""

    def recv_into(self, buffer: Any, nbytes: int = 0, flags: int = 0) -> int:
        if flags and self._tls:
            raise ValueError("non-zero flags not allowed in calls to recv_into() on %s" % type(self).__name__)
        conn = self._conn
        try:  # the fast path, inline: one call into OpenSSL
            n = conn.recv_into_nowait(buffer, nbytes)
        except _Error as exc:
            return self._ended(exc, 0)
        except BufferError:  # cffi's word for a read-only buffer
            raise TypeError("recv_into() needs a read-write bytes-like object, not %s" % type(buffer).__name__) \
                from None
        return self._io(conn.recv_into_nowait, (buffer, nbytes), "read", 0, tried=True) if n is None else n

    def read(self, len: int = 1024, buffer: Any = None) -> Any:  # noqa: A002 - the documented name (3.3+)
        """Read up to ``len`` decrypted bytes; into ``buffer`` (returning the count) if given.
        (Python 3.2's documentation called it ``nbytes``: see reference.editions.)"""
        if not self._tls:
            raise ValueError("Read on closed or unwrapped SSL socket.")
        if buffer is not None:
            size = memoryview(buffer).nbytes
            return self.recv_into(buffer, min(size, len) if len else size)
        return self.recv(len)

    # -- writing ------------------------------------------------------------------------------
    def send(self, data: Any, flags: int = 0) -> int:
        if flags and self._tls:
            raise ValueError("non-zero flags not allowed in calls to send() on %s" % type(self).__name__)
        conn = self._conn
        try:  # the fast path, inline: one call into OpenSSL
            sent = conn.send_nowait(data)
        except _Error as exc:
            return self._ended(exc, None)
        return self._io(conn.send_nowait, (data,), "write", tried=True) if sent is None else sent

    def sendall(self, data: Any, flags: int = 0) -> None:
        if flags and self._tls:
            raise ValueError("non-zero flags not allowed in calls to sendall() on %s" % type(self).__name__)
        total = self.send(data)  # without partial writes: everything
        if type(data) is not bytes or total < len(data):
            view = memoryview(data).cast("B")
            while total < len(view):
                total += self.send(view[total:])

    def write(self, data: Any) -> int:
        """Encrypt and send ``data``; returns the number of bytes written."""
        if not self._tls:
            raise ValueError("Write on closed or unwrapped SSL socket.")
        return self.send(data)

    # -- connection management -----------------------------------------------------------
    def connect(self, address: Any) -> None:
        self._connect(address, False)

    def connect_ex(self, address: Any) -> int:
        return self._connect(address, True)

    def _connect(self, address: Any, return_errno: bool) -> int:
        if self.server_side:
            raise ValueError("can't connect in server-side mode")
        if self._tls:
            raise ValueError("attempt to connect already-connected SSLSocket!")
        if return_errno:
            rc = _plain.connect_ex(self, address)
            if rc:
                return rc
        else:
            _plain.connect(self, address)
        self._start_tls()
        try:
            if self.do_handshake_on_connect:
                self.do_handshake()
        except BaseException:
            self._conn = _NoTLS(self)
            self._tls = False
            raise
        return 0

    def accept(self) -> Tuple["SSLSocket", Any]:
        """Accept a connection on a wrapped listening socket; the new socket is wrapped too."""
        newsock, addr = _plain.accept(self)
        try:
            wrapped = self._context.wrap_socket(
                newsock, server_side=True,
                do_handshake_on_connect=self.do_handshake_on_connect,
                suppress_ragged_eofs=self.suppress_ragged_eofs)
        except BaseException:
            newsock.close()
            raise
        return wrapped, addr

    def unwrap(self) -> socket.socket:
        """Run the TLS shutdown (close_notify both ways) and return the plain socket."""
        if not self._tls:
            raise ValueError("No SSL wrapper around %r" % self)
        conn = self._conn
        for _ in range(2):  # send ours, then wait for the peer's
            done = self._io(conn.shutdown_nowait, (), "shutdown")
            if done:
                break
        timeout = self.gettimeout()
        self._conn = _NoTLS(self)
        self._tls = False
        plain = socket.socket(self.family, self.type, self.proto, fileno=self.detach())
        plain.settimeout(timeout)
        return plain

    def shutdown(self, how: int) -> None:
        self._conn = _NoTLS(self)
        self._tls = False
        _plain.shutdown(self, how)

    def _real_close(self, *args: Any, **kwargs: Any) -> None:
        self._conn = _NoTLS(self)
        self._tls = False
        _plain._real_close(self, *args, **kwargs)

    def dup(self) -> "SSLSocket":
        raise NotImplementedError("Can't dup() %s instances" % type(self).__name__)

    sendto = _datagram("sendto")
    recvfrom = _datagram("recvfrom")
    recvfrom_into = _datagram("recvfrom_into")

    def __repr__(self) -> str:
        return "<%s fd=%d server_side=%s tls=%s>" % (type(self).__name__, self.fileno(), self.server_side, self._tls)


__all__ = ["SSLSocket"]
