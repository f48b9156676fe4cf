"""TLS-PSK (Python 3.13): ``SSLContext.set_psk_client_callback`` and ``set_psk_server_callback``.

A pre-shared key replaces the certificate: the client names an identity and
both sides derive the session from the same secret.  The context keeps the
Python callbacks; every pyOpenSSL ``Context`` built from it gets OpenSSL's
legacy PSK callbacks (``SSL_CTX_set_psk_client_callback`` /
``SSL_CTX_set_psk_server_callback``, C functions made with cffi) that call
them (:func:`configure`).  OpenSSL uses the same callbacks for TLS 1.3,
where the key is tied to a SHA-256 suite and the server sends no hint.

The callbacks, as the documentation gives them:

* client: ``callback(hint: str | None) -> (identity: str | None, psk: bytes)``;
  the identity at most 256 octets in UTF-8 (what OpenSSL's buffer holds);
* server: ``callback(identity: str | None) -> bytes``, with an optional
  ``identity_hint`` sent to a TLS 1.2 client.

A zero-length key refuses the connection (the handshake fails).  So does a
callback that raises or returns something else: the error is printed to
``stderr`` (CPython reports it as an unraisable exception) and OpenSSL sees
"no key".  As in CPython, a ``PROTOCOL_TLS_SERVER`` context takes no client
callback and a ``PROTOCOL_TLS_CLIENT`` one no server callback (``SSLError``),
and a callback that is neither callable nor ``None`` is a ``TypeError``.
"""
from __future__ import annotations

import sys
import traceback
from typing import Any, Callable, Optional

from OpenSSL import SSL as _SSL
from OpenSSL._util import ffi as _ffi, lib as _lib

from . import defaults as _defaults
from .errors import SSLError

#: the identity (hint) an OpenSSL buffer holds: 256 octets and a NUL
MAX_IDENTITY = 256

_CLIENT_SIGNATURE = "unsigned int(SSL *, const char *, char *, unsigned int, unsigned char *, unsigned int)"
_SERVER_SIGNATURE = "unsigned int(SSL *, const char *, unsigned char *, unsigned int)"


def _text(ptr: Any) -> Optional[str]:
    return None if ptr == _ffi.NULL else _ffi.string(ptr).decode("utf-8", "surrogateescape")


def _report(role: str) -> None:
    """Print the callback's error the way an unraisable exception is shown; OpenSSL gets 0."""
    print(f"Exception ignored in the TLS-PSK {role} callback:", file=sys.stderr)
    traceback.print_exc()


def _key(value: Any, room: int) -> bytes:
    key = bytes(memoryview(value))
    if len(key) > room:
        raise ValueError(f"psk must be at most {room} bytes, not {len(key)}")
    return key


def _client_callback(callback: Callable[[Optional[str]], Any]) -> Any:
    def c_callback(ssl: Any, hint: Any, identity: Any, max_identity: int, psk: Any, max_psk: int) -> int:
        try:
            result = callback(_text(hint))
            if not (isinstance(result, tuple) and len(result) == 2):
                raise TypeError("the PSK client callback must return a tuple (identity, psk)")
            name, value = result
            if name is not None and not isinstance(name, str):
                raise TypeError(f"the identity must be a str or None, not {type(name).__name__}")
            encoded = (name or "").encode("utf-8")
            if len(encoded) + 1 > max_identity:
                raise ValueError(f"the identity is {len(encoded)} octets in UTF-8, over {max_identity - 1}")
            key = _key(value, max_psk)
        except Exception:
            _report("client")
            return 0
        _ffi.memmove(identity, encoded + b"\0", len(encoded) + 1)
        _ffi.memmove(psk, key, len(key))
        return len(key)
    return _ffi.callback(_CLIENT_SIGNATURE, c_callback, error=0)


def _server_callback(callback: Callable[[Optional[str]], Any]) -> Any:
    def c_callback(ssl: Any, identity: Any, psk: Any, max_psk: int) -> int:
        try:
            key = _key(callback(_text(identity)), max_psk)
        except Exception:
            _report("server")
            return 0
        _ffi.memmove(psk, key, len(key))
        return len(key)
    return _ffi.callback(_SERVER_SIGNATURE, c_callback, error=0)


def configure(ctx: _SSL.Context, owner: Any) -> None:
    """Give a fresh pyOpenSSL context the owner's PSK callbacks (kept alive on ``ctx``)."""
    keep = []
    if owner._psk_client is not None:
        keep.append(_client_callback(owner._psk_client))
        _lib.SSL_CTX_set_psk_client_callback(ctx._context, keep[-1])
    if owner._psk_server is not None:
        keep.append(_server_callback(owner._psk_server))
        _lib.SSL_CTX_set_psk_server_callback(ctx._context, keep[-1])
        if owner._psk_hint is not None and not _lib.SSL_CTX_use_psk_identity_hint(ctx._context, owner._psk_hint):
            raise SSLError("the PSK identity hint was refused")
    ctx._reference_psk = keep


def _checked(callback: Any) -> Any:
    if callback is not None and not callable(callback):
        raise TypeError("callback must be callable")
    return callback


class PSKContext:
    """The ``SSLContext`` half of TLS-PSK (a base class of ``reference.context.SSLContext``)."""

    __slots__ = ()
    _psk_client: Optional[Callable[[Optional[str]], Any]] = None
    _psk_server: Optional[Callable[[Optional[str]], Any]] = None
    _psk_hint: Optional[bytes] = None

    def set_psk_client_callback(self, callback: Optional[Callable[[Optional[str]], Any]]) -> None:
        """Answer a server's PSK request with ``callback(hint) -> (identity, psk)``; ``None`` removes it."""
        if self._protocol == _defaults.PROTOCOL_TLS_SERVER:
            raise SSLError("Cannot add PSK client callback to a PROTOCOL_TLS_SERVER context")
        self._psk_client = _checked(callback)
        self._built = None

    def set_psk_server_callback(self, callback: Optional[Callable[[Optional[str]], Any]],
                                identity_hint: Optional[str] = None) -> None:
        """Find a client's key with ``callback(identity) -> psk``; send ``identity_hint`` (TLS 1.2)."""
        if self._protocol == _defaults.PROTOCOL_TLS_CLIENT:
            raise SSLError("Cannot add PSK server callback to a PROTOCOL_TLS_CLIENT context")
        hint = None
        if identity_hint is not None:
            hint = identity_hint.encode("utf-8")
            if len(hint) > MAX_IDENTITY:
                raise ValueError(f"identity_hint is {len(hint)} octets in UTF-8, over {MAX_IDENTITY}")
        self._psk_server = _checked(callback)
        self._psk_hint = hint if callback is not None else None
        self._built = None


__all__ = ["PSKContext", "configure", "MAX_IDENTITY"]
