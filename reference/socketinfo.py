"""What an ``SSLSocket`` tells about its connection, beyond ``cipher()`` and
``getpeercert()``: ``version()``, ``shared_ciphers()``, ``pending()`` and the
peer's chains, as :class:`ConnectionFacts`, a base of ``SSLSocket``.

``shared_ciphers()``
    CPython lists the server's ciphers that the client offered, in the
    server's order (``SSL_get_ciphers`` filtered by ``SSL_get_client_ciphers``),
    and ``None`` on a client or before the handshake.  pyOpenSSL binds neither
    ``SSL_get_client_ciphers`` nor ``SSL_get_shared_ciphers``, so a server
    connection keeps the cipher suites of the ClientHello it received, seen
    through OpenSSL's message callback (``SSL_CTX_set_msg_callback``, which the
    binding has): :func:`watch_client_hello` installs it on a server context,
    ``SSL_CIPHER_find`` names each suite, and pyOpenSSL's ``get_cipher_list()``
    is the server's own list.  The callback sees every record of a server
    connection, so it returns at once for anything but a handshake message.

``get_verified_chain()`` / ``get_unverified_chain()`` (3.13)
    Lists of DER ``bytes``, leaf first, ``[]`` where OpenSSL has none (before
    the handshake, a client that sent no certificate).  The unverified chain
    is what the peer sent; OpenSSL leaves the peer's own certificate out of it
    on a server (``SSL_get_peer_cert_chain``), so it is put back, as CPython
    does.  The verified chain is OpenSSL's (``SSL_get0_verified_chain``): with
    verification off it is the chain OpenSSL built anyway, which is what was
    sent.
"""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

from OpenSSL import SSL as _SSL
from OpenSSL.crypto import FILETYPE_ASN1, dump_certificate

from .constants import CHANNEL_BINDING_TYPES

__all__ = ["ConnectionFacts", "watch_client_hello", "a_label"]

_HANDSHAKE, _CLIENT_HELLO = 22, 1

try:
    from OpenSSL._util import ffi as _ffi, lib as _lib

    _set_msg_callback = _lib.SSL_CTX_set_msg_callback
    _find_cipher = _lib.SSL_CIPHER_find
except (ImportError, AttributeError):  # another pyOpenSSL layout: no shared ciphers
    _ffi = _lib = _set_msg_callback = _find_cipher = None  # type: ignore[assignment]


def offered_suites(message: bytes) -> List[bytes]:
    """The two-byte cipher suite ids of a ClientHello handshake message (RFC 8446 4.1.2:
    type, length, legacy_version, random, legacy_session_id, cipher_suites ...)."""
    body = message[4:]
    pos = 2 + 32
    pos += 1 + body[pos]
    count = int.from_bytes(body[pos:pos + 2], "big")
    suites = body[pos + 2:pos + 2 + count]
    return [suites[i:i + 2] for i in range(0, len(suites) - 1, 2)]


def _on_message(write_p: int, version: int, content_type: int, buf: Any, length: int, ssl: Any,
                arg: Any) -> None:
    if write_p or content_type != _HANDSHAKE or length < 4:
        return
    message = _ffi.buffer(_ffi.cast("unsigned char *", buf), length)[:]
    if message[0] != _CLIENT_HELLO:
        return
    conn = _SSL.Connection._reverse_mapping.get(ssl)
    if conn is not None:
        try:
            conn.offered_suites = offered_suites(message)
        except (IndexError, ValueError):  # a hello OpenSSL itself will refuse
            conn.offered_suites = []


_CALLBACK = None if _ffi is None else _ffi.callback(
    "void(int, int, int, void *, size_t, SSL *, void *)", _on_message)


def watch_client_hello(ctx: _SSL.Context) -> None:
    """Have server connections made from ``ctx`` keep their ClientHello's cipher suites."""
    if _CALLBACK is not None:
        _set_msg_callback(ctx._context, _CALLBACK)


def a_label(hostname: Any) -> Optional[str]:
    """``server_hostname`` as the attribute keeps it (3.7): ASCII text, an IDN in its
    A-label form (``"bücher.example"`` -> ``"xn--bcher-kva.example"``), as CPython encodes it."""
    if hostname is None:
        return None
    if isinstance(hostname, str):
        return hostname.encode("idna").decode("ascii")
    return bytes(hostname).decode("ascii")


def _der(cert: Any) -> bytes:
    return dump_certificate(FILETYPE_ASN1, cert)


class ConnectionFacts:
    """The facts of the TLS connection under ``self._conn`` (``self._tls`` when there is one)."""

    __slots__ = ()
    _conn: Any
    _tls: bool
    server_side: bool

    def _handshake_done(self) -> bool:
        return self._tls and self._conn.get_cipher_name() is not None

    def getpeercert(self, binary_form: bool = False) -> Any:
        """The peer's certificate: None, ``{}`` if not validated, the decoded dict, or DER."""
        if not self._tls:
            self.getpeername()  # the error a plain socket gives (ENOTCONN / EBADF)
            raise ValueError("No SSL wrapper around %r" % self)
        if not self._handshake_done():
            raise ValueError("handshake not done yet")
        cert = self._conn.get_peer_certificate()
        if cert is None:
            return None
        der = _der(cert)  # the DER as OpenSSL holds it: no strict parser between the peer and the caller
        if binary_form:
            return der
        if not self._conn.get_verify_mode() & _SSL.VERIFY_PEER:
            return {}
        from .certdecode import decode_der

        return decode_der(der)

    def compression(self) -> Optional[str]:
        """The compression algorithm in use: always None, as the OpenSSL under the
        reference is built without compression (``OP_NO_COMPRESSION`` is always set)."""
        return None

    def get_channel_binding(self, cb_type: str = "tls-unique") -> Optional[bytes]:
        """Channel binding data of the connection (RFC 5929), None before the handshake.

        ``tls-unique`` is the first Finished message of the handshake: the
        client's own in a full handshake, the server's in a resumed one; each
        side reads it as it saw it (its own, or its peer's).
        """
        if cb_type not in CHANNEL_BINDING_TYPES:
            raise ValueError("Unsupported channel binding type %r" % (cb_type,))
        if not self._handshake_done():
            return None
        resumed = bool(_lib.SSL_session_reused(self._conn._ssl))
        own_first = resumed == bool(self.server_side)  # the side that sent the first Finished
        return self._conn.get_finished() if own_first else self._conn.get_peer_finished()

    def cipher(self) -> Optional[Tuple[str, str, int]]:
        """``(name, protocol, secret bits)`` of the negotiated cipher, or None before the handshake."""
        if not self._tls:
            return None
        name = self._conn.get_cipher_name()
        if name is None:
            return None
        return (name, self._conn.get_cipher_version(), self._conn.get_cipher_bits())

    def version(self) -> Optional[str]:
        """The negotiated protocol ("TLSv1.3" ...), or None before the handshake."""
        if not self._handshake_done():
            return None
        return self._conn.get_protocol_version_name()

    def pending(self) -> int:
        """Decrypted bytes already buffered and readable without touching the socket."""
        return self._conn.pending() if self._tls else 0

    def shared_ciphers(self) -> Optional[List[Tuple[str, str, int]]]:
        """The server's ciphers the client offered, as ``(name, protocol, bits)``; None on
        a client socket or before the handshake."""
        if not self.server_side or not self._handshake_done() or _find_cipher is None:
            return None
        offered = getattr(self._conn, "offered_suites", None)
        if offered is None:
            return None
        ssl = self._conn._ssl
        named = {}
        for suite in offered:
            cipher = _find_cipher(ssl, suite)
            if cipher != _ffi.NULL:
                name = _ffi.string(_lib.SSL_CIPHER_get_name(cipher)).decode("ascii")
                named[name] = (name, _ffi.string(_lib.SSL_CIPHER_get_version(cipher)).decode("ascii"),
                               int(_lib.SSL_CIPHER_get_bits(cipher, _ffi.NULL)))
        return [named[name] for name in self._conn.get_cipher_list() if name in named]

    def get_unverified_chain(self) -> List[bytes]:
        """The certificates the peer sent, as DER, its own first."""
        if not self._tls:
            return []
        chain = [_der(c) for c in self._conn.get_peer_cert_chain() or ()]
        if self.server_side:
            leaf = self._conn.get_peer_certificate()
            if leaf is not None:
                chain.insert(0, _der(leaf))
        return chain

    def get_verified_chain(self) -> List[bytes]:
        """The chain verification built from the peer's certificate to a trusted root, as DER."""
        if not self._tls:
            return []
        return [_der(c) for c in self._conn.get_verified_chain() or ()]
