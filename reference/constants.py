"""Constants of the ``ssl`` API, describing the OpenSSL this package really uses.

The reference runs on the OpenSSL that pyOpenSSL/cryptography link (cryptography
bundles its own build), so every value here is read from that library, never from
the interpreter's ``ssl`` module.

Decisions where the 3.2 documentation is dated:

* ``PROTOCOL_*`` -- a constant exists only when the OpenSSL underneath can still
  speak that protocol, as CPython does: the binding must expose the method and
  OpenSSL must accept a context for it.  ``PROTOCOL_SSLv2`` and ``PROTOCOL_SSLv3``
  are therefore absent on every modern OpenSSL (both are compiled out).  The
  numeric values are CPython's, so code that stores them keeps working.
  ``PROTOCOL_SSLv23`` means "any version both sides allow" (OpenSSL's
  ``TLS_method``); TLS 1.3 is only reachable through it.
  ``PROTOCOL_TLSv1_1`` and ``PROTOCOL_TLSv1_2`` are provided beyond the 3.2 text.
* ``OP_*`` are OpenSSL's own bit values; ``OP_NO_SSLv2`` is 0 on OpenSSL >= 1.1.0
  because SSLv2 no longer exists there.
* ``SSL_ERROR_*`` are the codes CPython puts in ``SSLError.args[0]``.
"""
from __future__ import annotations

from OpenSSL import SSL as _SSL

# -- verification modes ---------------------------------------------------------
CERT_NONE = 0
CERT_OPTIONAL = 1
CERT_REQUIRED = 2

# -- protocols: CPython's numbering; pyOpenSSL method behind each -------------------
#: name suffix -> (CPython value, pyOpenSSL method attribute name)
_PROTOCOL_TABLE = {
    "SSLv2": (0, "SSLv2_METHOD"),
    "SSLv3": (1, "SSLv3_METHOD"),
    "SSLv23": (2, "TLS_METHOD"),
    "TLSv1": (3, "TLSv1_METHOD"),
    "TLSv1_1": (4, "TLSv1_1_METHOD"),
    "TLSv1_2": (5, "TLSv1_2_METHOD"),
}


def _method_available(attr: str) -> "int | None":
    """Return the pyOpenSSL method constant if this OpenSSL can make a context for it."""
    method = getattr(_SSL, attr, None)
    if method is None and attr == "TLS_METHOD":
        method = getattr(_SSL, "SSLv23_METHOD", None)
    if method is None:
        return None
    try:
        _SSL.Context(method)
    except (ValueError, _SSL.Error):
        return None
    return method


#: CPython protocol value -> pyOpenSSL method, for the protocols this OpenSSL has.
PROTOCOL_METHODS: "dict[int, int]" = {}
#: CPython protocol value -> suffix ("SSLv23", "TLSv1", ...).
PROTOCOL_NAMES: "dict[int, str]" = {}
for _name, (_value, _attr) in _PROTOCOL_TABLE.items():
    _method = _method_available(_attr)
    if _method is not None:
        PROTOCOL_METHODS[_value] = _method
        PROTOCOL_NAMES[_value] = _name
        globals()["PROTOCOL_" + _name] = _value
del _name, _value, _attr, _method

# -- options: OpenSSL's bits -------------------------------------------------------
OP_ALL: int = _SSL.OP_ALL
OP_NO_SSLv2: int = getattr(_SSL, "OP_NO_SSLv2", 0)
OP_NO_SSLv3: int = _SSL.OP_NO_SSLv3
OP_NO_TLSv1: int = _SSL.OP_NO_TLSv1
OP_NO_TLSv1_1: int = _SSL.OP_NO_TLSv1_1
OP_NO_TLSv1_2: int = _SSL.OP_NO_TLSv1_2
OP_NO_TLSv1_3: int = getattr(_SSL, "OP_NO_TLSv1_3", 0)
OP_NO_COMPRESSION: int = getattr(_SSL, "OP_NO_COMPRESSION", 0)
OP_CIPHER_SERVER_PREFERENCE: int = _SSL.OP_CIPHER_SERVER_PREFERENCE
OP_SINGLE_DH_USE: int = _SSL.OP_SINGLE_DH_USE
OP_SINGLE_ECDH_USE: int = getattr(_SSL, "OP_SINGLE_ECDH_USE", 0)
OP_NO_TICKET: int = getattr(_SSL, "OP_NO_TICKET", 0)

# -- error codes in SSLError.args[0] (CPython's numbering) ------------------------------
SSL_ERROR_SSL = 1
SSL_ERROR_WANT_READ = 2
SSL_ERROR_WANT_WRITE = 3
SSL_ERROR_WANT_X509_LOOKUP = 4
SSL_ERROR_SYSCALL = 5
SSL_ERROR_ZERO_RETURN = 6
SSL_ERROR_WANT_CONNECT = 7
SSL_ERROR_EOF = 8
SSL_ERROR_INVALID_ERROR_CODE = 10


# -- the OpenSSL library in use -------------------------------------------------------
def _openssl_version_string() -> str:
    version_fn = getattr(_SSL, "OpenSSL_version", None) or getattr(_SSL, "SSLeay_version")
    kind = getattr(_SSL, "OPENSSL_VERSION", None)
    if kind is None:
        kind = getattr(_SSL, "SSLEAY_VERSION")
    raw = version_fn(kind)
    return raw.decode("ascii") if isinstance(raw, bytes) else raw


def _parse_version_number(number: int) -> "tuple[int, int, int, int, int]":
    """Split OpenSSL's 0xMNNFFPPS number the way CPython's ``ssl`` does."""
    status = number & 0xF
    number >>= 4
    patch = number & 0xFF
    number >>= 8
    fix = number & 0xFF
    number >>= 8
    minor = number & 0xFF
    number >>= 8
    major = number
    return (major, minor, fix, patch, status)


OPENSSL_VERSION_NUMBER: int = _SSL.OPENSSL_VERSION_NUMBER
OPENSSL_VERSION_INFO: "tuple[int, int, int, int, int]" = _parse_version_number(OPENSSL_VERSION_NUMBER)
OPENSSL_VERSION: str = _openssl_version_string()


__all__ = sorted(
    [name for name in globals() if name.startswith(("PROTOCOL_", "CERT_", "OP_", "SSL_ERROR_", "OPENSSL_"))
     and name not in ("PROTOCOL_METHODS", "PROTOCOL_NAMES")]
)
