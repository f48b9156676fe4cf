"""ALPN (Python 3.5): ``SSLContext.set_alpn_protocols`` and ``SSLSocket.selected_alpn_protocol``.

The context keeps the protocols as a tuple of ``bytes``; every pyOpenSSL
``Context`` built from it gets them (:func:`configure`):

* a client offers them, in the given order (``set_alpn_protos``);
* a server chooses among the client's offer by **its own** preference order:
  the first of its protocols that the client offered -- CPython's choice
  (``SSL_select_next_proto`` with the server's list first), which RFC 7301
  leaves to the server.  No protocol in common is no ALPN at all
  (``SSL_TLSEXT_ERR_NOACK``): the handshake completes and
  ``selected_alpn_protocol()`` is ``None`` on both sides, as the
  documentation says ("if this socket does not support any of the client's
  proposed protocols").

Each protocol is an ASCII ``str`` of 1 to 255 bytes, checked as CPython's
``ssl.py`` checks it: ``bytes(protocol, "ascii")`` (so ``UnicodeEncodeError``
for anything else), then ``SSLError("ALPN protocols must be 1 to 255 in
length")``.  An empty list turns ALPN off again.
"""
from __future__ import annotations

from typing import Any, Iterable, List, Optional, Tuple

from OpenSSL import SSL as _SSL

from .errors import SSLError


def encode_protocols(alpn_protocols: Iterable[str]) -> Tuple[bytes, ...]:
    """The protocols as bytes, refused as CPython refuses them."""
    out = []
    for protocol in alpn_protocols:
        b = bytes(protocol, "ascii")
        if len(b) == 0 or len(b) > 255:
            raise SSLError("ALPN protocols must be 1 to 255 in length")
        out.append(b)
    return tuple(out)


def server_choice(ours: Tuple[bytes, ...], offered: List[bytes]) -> Any:
    """The first of ``ours`` (the server's preference order) that the client offered."""
    for protocol in ours:
        if protocol in offered:
            return protocol
    return _SSL.NO_OVERLAPPING_PROTOCOLS


def configure(ctx: _SSL.Context, protocols: Tuple[bytes, ...]) -> None:
    """Give a fresh pyOpenSSL context the ALPN settings (both roles: one context may do either)."""
    if not protocols:
        return
    ctx.set_alpn_protos(list(protocols))
    ctx.set_alpn_select_callback(lambda conn, offered: server_choice(protocols, offered))


class ALPNContext:
    """The ``SSLContext`` half of ALPN (a base class of ``reference.context.SSLContext``)."""

    __slots__ = ()
    _alpn: Tuple[bytes, ...] = ()

    def set_alpn_protocols(self, alpn_protocols: Iterable[str]) -> None:
        """Advertise ``alpn_protocols`` (ASCII strings, by preference) in the handshake."""
        self._alpn = encode_protocols(alpn_protocols)
        self._built = None


class ALPNSocket:
    """The ``SSLSocket`` half of ALPN (a base class of ``reference.sslsocket.SSLSocket``)."""

    __slots__ = ()

    def selected_alpn_protocol(self) -> Optional[str]:
        """The protocol the handshake agreed on, or ``None`` (none agreed, no handshake yet)."""
        if not self._tls:
            return None
        chosen = self._conn.get_alpn_proto_negotiated()
        return chosen.decode("ascii") if chosen else None


__all__ = ["ALPNContext", "ALPNSocket", "configure", "encode_protocols", "server_choice"]
