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

Decisions of the later editions (plain data; what an edition documents is
chosen by ``for_edition``):

* ``CERT_*``, ``OP_*``, ``ALERT_DESCRIPTION_*`` and ``SSL_ERROR_*`` are the
  members of the enums 3.6 documents (``VerifyMode``, ``Options``,
  ``AlertDescription``, ``SSLErrorNumber``), as in CPython: each is still an
  ``int`` of the same value, so code of the 3.2 API sees no difference.
* ``OP_ENABLE_MIDDLEBOX_COMPAT`` and ``OP_ENABLE_KTLS`` are not exposed by the
  binding: their values are OpenSSL's ``ssl.h`` bits (``SSL_OP_BIT(20)`` and
  ``SSL_OP_BIT(3)``, unchanged since OpenSSL 1.1.1 and 3.0).
* ``ALERT_DESCRIPTION_*`` are the TLS alert numbers of the IANA registry (RFC
  5246 and later), the same list CPython defines.
* ``HAS_*`` say what *this package* supports, not only what its OpenSSL
  could: NPN is not implemented here, so that flag is False (a writable
  ``hostname_checks_common_name`` is, in :mod:`reference.hostnames`; ALPN
  is, in :mod:`reference.alpn`; TLS-PSK, in :mod:`reference.psk`); ``CHANNEL_BINDING_TYPES``
  is ``["tls-unique"]``, what :mod:`reference.socketinfo` can give.
"""
from __future__ import annotations

import enum as _enum

from OpenSSL import SSL as _SSL

# -- verification modes ---------------------------------------------------------


class VerifyMode(_enum.IntEnum):
    """The ``CERT_*`` constants (3.6)."""

    CERT_NONE = 0
    CERT_OPTIONAL = 1
    CERT_REQUIRED = 2


CERT_NONE = VerifyMode.CERT_NONE
CERT_OPTIONAL = VerifyMode.CERT_OPTIONAL
CERT_REQUIRED = VerifyMode.CERT_REQUIRED

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
#: OpenSSL's ssl.h bits the binding does not expose
_SSL_OP_ENABLE_KTLS = 1 << 3
_SSL_OP_ENABLE_MIDDLEBOX_COMPAT = 1 << 20

Options = _enum.IntFlag("Options", [
    ("OP_ALL", _SSL.OP_ALL),
    ("OP_NO_SSLv2", getattr(_SSL, "OP_NO_SSLv2", 0)),
    ("OP_NO_SSLv3", _SSL.OP_NO_SSLv3),
    ("OP_NO_TLSv1", _SSL.OP_NO_TLSv1),
    ("OP_NO_TLSv1_1", _SSL.OP_NO_TLSv1_1),
    ("OP_NO_TLSv1_2", _SSL.OP_NO_TLSv1_2),
    ("OP_NO_TLSv1_3", getattr(_SSL, "OP_NO_TLSv1_3", 0)),
    ("OP_NO_COMPRESSION", getattr(_SSL, "OP_NO_COMPRESSION", 0)),
    ("OP_CIPHER_SERVER_PREFERENCE", _SSL.OP_CIPHER_SERVER_PREFERENCE),
    ("OP_SINGLE_DH_USE", _SSL.OP_SINGLE_DH_USE),
    ("OP_SINGLE_ECDH_USE", getattr(_SSL, "OP_SINGLE_ECDH_USE", 0)),
    ("OP_NO_TICKET", getattr(_SSL, "OP_NO_TICKET", 0)),
    ("OP_NO_RENEGOTIATION", getattr(_SSL, "OP_NO_RENEGOTIATION", 0)),
    ("OP_ENABLE_MIDDLEBOX_COMPAT", _SSL_OP_ENABLE_MIDDLEBOX_COMPAT),
    ("OP_IGNORE_UNEXPECTED_EOF", getattr(_SSL, "OP_IGNORE_UNEXPECTED_EOF", 0)),
    ("OP_ENABLE_KTLS", _SSL_OP_ENABLE_KTLS),
    ("OP_LEGACY_SERVER_CONNECT", getattr(_SSL, "OP_LEGACY_SERVER_CONNECT", 0)),
], module=__name__)
Options.__doc__ = "The ``OP_*`` option bits (3.6)."
#: the module-level names are the members, aliases included (OP_SINGLE_DH_USE is 0, as OP_NO_SSLv2)
globals().update({name: Options[name] for name in Options.__members__})

# -- error codes in SSLError.args[0] (CPython's numbering) ------------------------------


class SSLErrorNumber(_enum.IntEnum):
    """The ``SSL_ERROR_*`` codes (3.6)."""

    SSL_ERROR_SSL = 1
    SSL_ERROR_WANT_READ = 2
    SSL_ERROR_WANT_WRITE = 3
    SSL_ERROR_WANT_X509_LOOKUP = 4
    SSL_ERROR_SYSCALL = 5
    SSL_ERROR_ZERO_RETURN = 6
    SSL_ERROR_WANT_CONNECT = 7
    SSL_ERROR_EOF = 8
    SSL_ERROR_INVALID_ERROR_CODE = 10


globals().update(SSLErrorNumber.__members__)

# -- TLS alert descriptions (the IANA registry's numbers) ---------------------------------


class AlertDescription(_enum.IntEnum):
    """The ``ALERT_DESCRIPTION_*`` constants (3.4; the enum 3.6)."""

    ALERT_DESCRIPTION_CLOSE_NOTIFY = 0
    ALERT_DESCRIPTION_UNEXPECTED_MESSAGE = 10
    ALERT_DESCRIPTION_BAD_RECORD_MAC = 20
    ALERT_DESCRIPTION_RECORD_OVERFLOW = 22
    ALERT_DESCRIPTION_DECOMPRESSION_FAILURE = 30
    ALERT_DESCRIPTION_HANDSHAKE_FAILURE = 40
    ALERT_DESCRIPTION_BAD_CERTIFICATE = 42
    ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE = 43
    ALERT_DESCRIPTION_CERTIFICATE_REVOKED = 44
    ALERT_DESCRIPTION_CERTIFICATE_EXPIRED = 45
    ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN = 46
    ALERT_DESCRIPTION_ILLEGAL_PARAMETER = 47
    ALERT_DESCRIPTION_UNKNOWN_CA = 48
    ALERT_DESCRIPTION_ACCESS_DENIED = 49
    ALERT_DESCRIPTION_DECODE_ERROR = 50
    ALERT_DESCRIPTION_DECRYPT_ERROR = 51
    ALERT_DESCRIPTION_PROTOCOL_VERSION = 70
    ALERT_DESCRIPTION_INSUFFICIENT_SECURITY = 71
    ALERT_DESCRIPTION_INTERNAL_ERROR = 80
    ALERT_DESCRIPTION_USER_CANCELLED = 90
    ALERT_DESCRIPTION_NO_RENEGOTIATION = 100
    ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION = 110
    ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE = 111
    ALERT_DESCRIPTION_UNRECOGNIZED_NAME = 112
    ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE = 113
    ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE = 114
    ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY = 115


globals().update(AlertDescription.__members__)

# -- what this package supports ------------------------------------------------------------
HAS_SSLv2: bool = "SSLv2" in PROTOCOL_NAMES.values()
HAS_SSLv3: bool = "SSLv3" in PROTOCOL_NAMES.values()
HAS_TLSv1: bool = "TLSv1" in PROTOCOL_NAMES.values()
HAS_TLSv1_1: bool = "TLSv1_1" in PROTOCOL_NAMES.values()
HAS_TLSv1_2: bool = "TLSv1_2" in PROTOCOL_NAMES.values()
HAS_TLSv1_3: bool = getattr(_SSL, "TLS1_3_VERSION", None) is not None
#: ECDHE key exchange is on in every context OpenSSL makes
HAS_ECDH = True
#: ALPN: reference.alpn
HAS_ALPN = True
#: not implemented by this package yet (see the module docstring)
HAS_NPN = False
#: TLS-PSK through OpenSSL's PSK callbacks (reference.psk)
HAS_PSK = True
#: X509_CHECK_FLAG_NEVER_CHECK_SUBJECT: hostname_checks_common_name can be turned off (reference.hostnames)
HAS_NEVER_CHECK_COMMON_NAME = True
#: tls-unique (RFC 5929): SSLSocket.get_channel_binding (reference.socketinfo)
CHANNEL_BINDING_TYPES: "list[str]" = ["tls-unique"]


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
    [name for name in globals()
     if name.startswith(("PROTOCOL_", "CERT_", "OP_", "SSL_ERROR_", "OPENSSL_", "ALERT_DESCRIPTION_", "HAS_"))
     and name not in ("PROTOCOL_METHODS", "PROTOCOL_NAMES")]
    + ["CHANNEL_BINDING_TYPES", "VerifyMode", "Options", "AlertDescription", "SSLErrorNumber"]
)
