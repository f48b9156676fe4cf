"""``TLSVersion`` and the version bounds of a context (additions of Python 3.7).

``TLSVersion`` is an ``IntEnum``; its values are CPython's: the wire version
numbers (``0x0300`` ... ``0x0304``), and two magic values,
``MINIMUM_SUPPORTED = -2`` and ``MAXIMUM_SUPPORTED = -1``, that no version
has.

``SSLContext.minimum_version`` / ``maximum_version`` (:mod:`reference.context`)
turn a member into the bound given to OpenSSL (``SSL_CTX_set_min_proto_version``
/ ``..._max_...`` through pyOpenSSL) with :func:`to_bound`, and read a bound
back as a member with :func:`from_bound`.  Decisions, each CPython's:

* the bound of an attribute's own side set to its magic member is no bound
  (OpenSSL's 0): ``minimum_version = MINIMUM_SUPPORTED``,
  ``maximum_version = MAXIMUM_SUPPORTED``, and they read back as set;
* the crossed magic members name real versions: ``minimum_version =
  MAXIMUM_SUPPORTED`` is the highest version this OpenSSL has (TLS 1.3),
  ``maximum_version = MINIMUM_SUPPORTED`` its lowest (SSLv3 where it is
  still there, else TLS 1.0), and they read back as that version;
* an integer that is no member is a ``ValueError`` ("Unsupported TLS/SSL
  version"), anything but an integer a ``TypeError``; a member this
  OpenSSL cannot bound to (SSLv3 on OpenSSL >= 4) is a ``ValueError`` too
  ("Unsupported protocol version"), raised by the context;
* nothing checks the two bounds against each other or against the
  ``OP_NO_*`` options (the documentation: "the implementation does not
  prevent invalid combination"): a context whose minimum is above its
  maximum is made, and fails its handshakes with "no protocols available".
"""
from __future__ import annotations

import enum
import operator
from typing import Optional

from OpenSSL import SSL as _SSL

from . import constants as _c

__all__ = ["TLSVersion", "to_bound", "from_bound", "LOWEST", "HIGHEST"]


class TLSVersion(enum.IntEnum):
    MINIMUM_SUPPORTED = -2
    SSLv3 = 0x0300
    TLSv1 = 0x0301
    TLSv1_1 = 0x0302
    TLSv1_2 = 0x0303
    TLSv1_3 = 0x0304
    MAXIMUM_SUPPORTED = -1


#: The lowest and highest version this OpenSSL has: what the crossed magic members stand for.
LOWEST = TLSVersion.SSLv3 if "SSLv3" in _c.PROTOCOL_NAMES.values() else TLSVersion.TLSv1
HIGHEST = TLSVersion.TLSv1_3 if hasattr(_SSL, "TLS1_3_VERSION") else TLSVersion.TLSv1_2

_OWN_SIDE = {"minimum": TLSVersion.MINIMUM_SUPPORTED, "maximum": TLSVersion.MAXIMUM_SUPPORTED}
_CROSSED = {"minimum": (TLSVersion.MAXIMUM_SUPPORTED, HIGHEST), "maximum": (TLSVersion.MINIMUM_SUPPORTED, LOWEST)}


def to_bound(value: object, which: str) -> Optional[int]:
    """The wire version ``<which>_version = value`` bounds OpenSSL to (None: no bound).

    ``which`` is ``"minimum"`` or ``"maximum"``.
    """
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TypeError("'%s' object cannot be interpreted as an integer" % type(value).__name__) from None
    try:
        member = TLSVersion(number)
    except ValueError:
        raise ValueError("Unsupported TLS/SSL version 0x%x" % (number & 0xFFFFFFFF)) from None
    if member == _OWN_SIDE[which]:
        return None
    magic, version = _CROSSED[which]
    return int(version if member == magic else member)


def from_bound(bound: Optional[int], which: str) -> TLSVersion:
    """The member ``<which>_version`` reads for OpenSSL's bound ``bound`` (None: no bound)."""
    return _OWN_SIDE[which] if bound is None else TLSVersion(bound)
