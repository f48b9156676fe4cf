"""Which protocol ALPN agrees on (Python 3.5+: ``SSLContext.set_alpn_protocols``).

RFC 7301 lets the server choose among the client's offer.  CPython's server
callback asks ``SSL_select_next_proto`` with the server's list first, so the
choice is the **server's** most preferred protocol that the client offered;
with no protocol in common (or no ALPN on either side) nothing is agreed and
the handshake still completes: ``selected_alpn_protocol()`` is ``None`` on both
sides -- the documented outcome ("if this socket does not support any of the
client's proposed protocols ... ``None`` is returned").

A protocol is 1 to 255 bytes of ASCII (the ALPN wire format's one-byte
length); CPython refuses others in ``set_alpn_protocols``.
"""
from __future__ import annotations

from typing import Optional, Sequence

__all__ = ["agreed", "valid_protocol"]


def agreed(client: Optional[Sequence[str]], server: Optional[Sequence[str]]) -> Optional[str]:
    """The protocol both sides report after the handshake (``None``: none agreed)."""
    if not client or not server:
        return None
    offered = set(client)
    return next((p for p in server if p in offered), None)


def valid_protocol(protocol: str) -> bool:
    """Whether ``set_alpn_protocols`` takes ``protocol`` (ASCII, 1 to 255 bytes)."""
    try:
        encoded = protocol.encode("ascii")
    except UnicodeEncodeError:
        return False
    return 1 <= len(encoded) <= 255
