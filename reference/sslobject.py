"""``SSLObject``: a TLS connection over two ``MemoryBIO`` buffers (documented since 3.5).

pyOpenSSL's ``Connection(ctx, None)`` has memory BIOs of its own:
``bio_write`` feeds it bytes from the peer, ``bio_read`` takes what it wants
sent, ``bio_shutdown`` marks the end of the peer's bytes.  An ``SSLObject``
wraps one with the two :class:`~reference.memorybio.MemoryBIO` objects of
``SSLContext.wrap_bio``: before every call it moves what *incoming* holds
into the connection (and, once *incoming* is at its end, marks the end),
after every call it moves what the connection wrote to *outgoing* -- also
when the call failed, so that an alert reaches the peer.

Every call is non-blocking, as documented: when OpenSSL needs more input
than *incoming* held, the call raises ``SSLWantReadError`` (nothing else of
the object changes; call again once more bytes came).  Errors are translated
by :mod:`reference.errors`, as for sockets.  The ends, as CPython has them:

* the peer's close_notify: ``read()`` returns ``b""`` (0 into a buffer)
  while only the peer has closed; once both sides have (after ``unwrap()``)
  a read raises ``SSLZeroReturnError``;
* *incoming* ends without close_notify: ``SSLEOFError`` -- there is no
  ``suppress_ragged_eofs``;
* ``unwrap()`` sends close_notify and returns ``None`` once the peer's came
  too, else raises ``SSLWantReadError`` (call it again when it arrives).

The information methods (``cipher``, ``version``, ``getpeercert``,
``pending``, ``shared_ciphers``, the chains) are ``SSLSocket``'s own
(:class:`~reference.socketinfo.ConnectionFacts`), which read only the
connection; hostname checking and SNI are :mod:`reference.hostnames`', sessions,
ALPN and post-handshake authentication the socket's mixins, as for a socket.
NPN is not implemented by this package (no binding): ``selected_npn_protocol``
exists, as documented, and says "nothing negotiated".
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Optional

from OpenSSL import SSL as _SSL

from . import hostnames as _hostnames
from .alpn import ALPNSocket as _ALPNSocket
from .pha import PHASocket as _PHASocket, configure_connection as _pha_setup
from .sessions import SessionSocket as _SessionSocket, apply_session as _apply_session, check_session as _check_session
from .connection import Connection as _Connection
from .errors import SSLZeroReturnError, translate
from .memorybio import MemoryBIO
from .socketinfo import ConnectionFacts, a_label, watch_client_hello
from .sslsocket import SSLSocket

__all__ = ["SSLObject"]

_Error = _SSL.Error
_CHUNK = 64 * 1024


class SSLObject(_ALPNSocket, _PHASocket, _SessionSocket, ConnectionFacts):
    """The TLS protocol of one connection, without network I/O; made by ``SSLContext.wrap_bio``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError("%s does not have a public constructor. Instances are returned by "
                        "SSLContext.wrap_bio()." % type(self).__name__)

    @classmethod
    def _create(cls, incoming: MemoryBIO, outgoing: MemoryBIO, context: Any, server_side: bool = False,
                server_hostname: Optional[str] = None, session: Any = None) -> "SSLObject":
        for name, bio in (("incoming", incoming), ("outgoing", outgoing)):
            if not isinstance(bio, MemoryBIO):
                raise TypeError("%s must be a MemoryBIO, not %s" % (name, type(bio).__name__))
        if server_side and server_hostname:
            raise ValueError("server_hostname can only be specified in client mode")
        if server_side and session is not None:
            raise ValueError("session can only be specified in client mode")
        if not server_side and context.check_hostname and not server_hostname:
            raise ValueError("check_hostname requires server_hostname")
        self = cls.__new__(cls)
        self._incoming, self._outgoing = incoming, outgoing
        self._context = context
        self.server_side = bool(server_side)
        self.server_hostname = a_label(server_hostname)
        self._eof_marked = False
        self._session = session
        self._tls = False
        if self.server_side:
            watch_client_hello(context._openssl_context())
        conn = _Connection(context._openssl_context(), None)
        conn.set_app_data(weakref.ref(self))  # the server-name callback gets this object
        if self.server_side:
            conn.set_accept_state()
        else:
            _hostnames.prepare_client(conn, context, self.server_hostname)
            conn.set_connect_state()
            if session is not None:
                _check_session(self, session)
                _apply_session(conn, session)
        conn._reference_server = self.server_side
        _pha_setup(conn, context, self.server_side)
        self._conn = conn
        self._tls = True  # what the borrowed SSLSocket methods look at
        return self

    @property
    def context(self) -> Any:
        """The ``SSLContext`` this object is tied to; a server-name callback may switch it."""
        return self._context

    @context.setter
    def context(self, context: Any) -> None:
        self._context = context
        self._conn.set_context(context._openssl_context())

    # -- moving bytes ------------------------------------------------------------------------
    def _feed(self) -> None:
        data = self._incoming.read()
        if data:
            self._conn.bio_write(data)
        if self._incoming.eof and not self._eof_marked:
            self._conn.bio_shutdown()
            self._eof_marked = True

    def _flush(self) -> None:
        while True:
            try:
                data = self._conn.bio_read(_CHUNK)
            except _SSL.WantReadError:
                return
            if not data:
                return
            self._outgoing.write(data)

    def _run(self, call: Callable[..., Any], *args: Any) -> Any:
        """``call(*args)`` (a nowait call of the connection) with the BIOs moved
        around it; ``SSLWantReadError`` when OpenSSL waits for input."""
        self._feed()
        try:
            result = call(*args)
        except _Error as exc:
            self._flush()
            raise self._error(exc) from None
        self._flush()
        if result is None:
            raise translate(_SSL.WantWriteError() if self._conn.wants_write else _SSL.WantReadError()) from None
        return result

    _error = SSLSocket._error

    # -- the protocol --------------------------------------------------------------------------
    def do_handshake(self) -> None:
        """Run (or continue) the handshake; ``SSLWantReadError`` until the peer's bytes came."""
        self._run(self._conn.do_handshake_nowait)
        if not self.server_side:
            _hostnames.after_handshake(self)

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        """Up to ``len`` decrypted bytes (into ``buffer``, returning the count, if given)."""
        try:
            if buffer is not None:
                size = memoryview(buffer).nbytes
                return self._run(self._conn.recv_into_nowait, buffer, len if 0 < len <= size else size)
            if len < 0:
                raise ValueError("size should not be negative")
            if len == 0:
                return b""
            return self._run(self._conn.recv_nowait, min(len, 1 << 20))
        except SSLZeroReturnError:
            if self._conn.get_shutdown() == _SSL.RECEIVED_SHUTDOWN:
                return b"" if buffer is None else 0
            raise

    def write(self, data: Any) -> int:
        """Encrypt ``data`` into *outgoing*; returns the number of bytes written."""
        return self._run(self._conn.send_nowait, data)

    def unwrap(self) -> None:
        """Send close_notify; ``None`` once the peer's came too, else ``SSLWantReadError``."""
        if self._run(self._conn.shutdown_nowait):
            return None
        if self._run(self._conn.shutdown_nowait):
            return None
        raise translate(_SSL.WantReadError())

    # -- information: ConnectionFacts, as SSLSocket (cipher, version, getpeercert, chains ...) --------
    def selected_npn_protocol(self) -> None:
        """The protocol NPN selected: none (this package offers no NPN)."""
        return None

    def __repr__(self) -> str:
        return "<%s server_side=%s>" % (type(self).__name__, self.server_side)
