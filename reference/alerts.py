"""``ALERT_DESCRIPTION_*`` and ``AlertDescription`` (3.4; the enum 3.6): TLS alert numbers.

The values are the IANA TLS Alert Registry's (RFC 5246, RFC 6066 and later);
a server-name callback returns one to abort the handshake with that alert
(``reference.hostnames``).
"""
from __future__ import annotations

import enum

_ALERTS = (
    ("CLOSE_NOTIFY", 0), ("UNEXPECTED_MESSAGE", 10), ("BAD_RECORD_MAC", 20), ("RECORD_OVERFLOW", 22),
    ("DECOMPRESSION_FAILURE", 30), ("HANDSHAKE_FAILURE", 40), ("BAD_CERTIFICATE", 42),
    ("UNSUPPORTED_CERTIFICATE", 43), ("CERTIFICATE_REVOKED", 44), ("CERTIFICATE_EXPIRED", 45),
    ("CERTIFICATE_UNKNOWN", 46), ("ILLEGAL_PARAMETER", 47), ("UNKNOWN_CA", 48), ("ACCESS_DENIED", 49),
    ("DECODE_ERROR", 50), ("DECRYPT_ERROR", 51), ("PROTOCOL_VERSION", 70), ("INSUFFICIENT_SECURITY", 71),
    ("INTERNAL_ERROR", 80), ("USER_CANCELLED", 90), ("NO_RENEGOTIATION", 100),
    ("UNSUPPORTED_EXTENSION", 110), ("CERTIFICATE_UNOBTAINABLE", 111), ("UNRECOGNIZED_NAME", 112),
    ("BAD_CERTIFICATE_STATUS_RESPONSE", 113), ("BAD_CERTIFICATE_HASH_VALUE", 114),
    ("UNKNOWN_PSK_IDENTITY", 115),
)

AlertDescription = enum.IntEnum("AlertDescription", [("ALERT_DESCRIPTION_" + n, v) for n, v in _ALERTS],
                                module=__name__)
globals().update(AlertDescription.__members__)

__all__ = ["AlertDescription"] + sorted(AlertDescription.__members__)
