"""TLS 1.3 post-handshake client authentication (Python 3.8):
``SSLContext.post_handshake_auth`` and ``SSLSocket.verify_client_post_handshake()``.

Off by default.  Each connection of a context with it on is set up as
CPython sets it up (``_ssl.c``, bpo-37428):

* a client calls ``SSL_set_post_handshake_auth``: its ClientHello says it
  will answer a CertificateRequest after the handshake;
* a server adds ``SSL_VERIFY_POST_HANDSHAKE`` to its verify flags, and only
  when it verifies at all (``verify_mode`` not ``CERT_NONE``): it then asks
  for no certificate in the initial TLS 1.3 handshake, but may later.

``verify_client_post_handshake()`` calls ``SSL_verify_client_post_handshake``:
the CertificateRequest leaves with the next write, the client answers it on
its next read, and the server sees the certificate on its next read.  Any
unmet condition (a client-side socket, TLS 1.2, a client that did not
enable it) is OpenSSL's error, raised as ``SSLError``; without a TLS
connection it is ``ValueError``, as CPython's "No SSL wrapper around".
"""
from __future__ import annotations

from typing import Any

from OpenSSL import SSL as _SSL
from OpenSSL._util import exception_from_error_queue as _raise_queue, ffi as _ffi, lib as _lib

from .errors import translate


def configure_connection(conn: _SSL.Connection, context: Any, server_side: bool) -> None:
    """Set up one new connection for post-handshake auth, if its context has it on."""
    if not context._post_handshake_auth:
        return
    if server_side:
        mode = _lib.SSL_get_verify_mode(conn._ssl)
        if mode & _lib.SSL_VERIFY_PEER:
            _lib.SSL_set_verify(conn._ssl, mode | _lib.SSL_VERIFY_POST_HANDSHAKE, _ffi.NULL)
    else:
        _lib.SSL_set_post_handshake_auth(conn._ssl, 1)


class PHAContext:
    """The ``SSLContext`` half (a base class of ``reference.context.SSLContext``)."""

    __slots__ = ()
    _post_handshake_auth: bool = False

    @property
    def post_handshake_auth(self) -> bool:
        """Whether TLS 1.3 post-handshake client authentication is on (default ``False``)."""
        return self._post_handshake_auth

    @post_handshake_auth.setter
    def post_handshake_auth(self, value: Any) -> None:
        self._post_handshake_auth = bool(value)


class PHASocket:
    """The ``SSLSocket`` half (a base class of ``reference.sslsocket.SSLSocket``)."""

    __slots__ = ()

    def verify_client_post_handshake(self) -> None:
        """Ask the TLS 1.3 client for its certificate (sent with the next write)."""
        if not self._tls:
            raise ValueError("No SSL wrapper around " + repr(self))
        if _lib.SSL_verify_client_post_handshake(self._conn._ssl) != 1:
            try:
                _raise_queue(_SSL.Error)
            except _SSL.Error as exc:
                raise translate(exc) from None


__all__ = ["PHAContext", "PHASocket", "configure_connection"]
