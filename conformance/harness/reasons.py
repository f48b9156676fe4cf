"""Why a TLS operation failed, as one of a few categories.

Implementations word their errors differently ("[SSL: WRONG_VERSION_NUMBER]",
"unsupported protocol", "tlsv1 alert protocol version" all mean the peers
found no common protocol version).  A case that expects a verify failure must
not pass on a cipher mismatch, so every error is reduced to a category first,
and cases compare categories.

The table below is ordered: the first pattern found in the lowercased
message wins.  Patterns are OpenSSL reason strings (as OpenSSL 1.1 to 4.0,
LibreSSL and the TLS alerts word them), so the mapping works for any
implementation that passes OpenSSL's reason text through, as the spec's
``SSLError`` does.
"""
from __future__ import annotations

import errno
import socket
from typing import Optional, Tuple

__all__ = ["CATEGORIES", "classify"]

#: (category, substrings of the lowercased message)
_PATTERNS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("key-mismatch", ("key values mismatch", "key_values_mismatch", "private key does not match",
        "no certificate assigned")),
    ("certificate-required", (
        "peer did not return a certificate", "certificate required",
        "certificate_required", "no certificate returned")),
    ("certificate-verify-failed", ("certificate verify failed", "certificate_verify_failed")),
    ("peer-rejected-certificate", (
        "alert unknown ca", "alert bad certificate", "alert certificate expired",
        "alert certificate unknown", "alert unsupported certificate",
        "alert certificate revoked", "alert decrypt error", "alert access denied")),
    ("protocol-version", (
        "wrong version number", "wrong_version_number", "unsupported protocol",
        "unsupported_protocol", "no protocols available", "no_protocols_available",
        "alert protocol version", "protocol version", "version too low",
        "version too high", "unknown protocol", "wrong ssl version",
        "unsupported ssl version", "inappropriate fallback", "tlsv1 alert protocol")),
    ("no-shared-cipher", (
        "no shared cipher", "no_shared_cipher", "no ciphers available",
        "no_ciphers_available", "no cipher match", "no_cipher_match",
        "alert handshake failure", "sslv3 alert handshake failure",
        "no suitable signature algorithm", "no shared signature algorithms")),
    ("bad-certificate-file", (
        "no start line", "pem lib", "pem routines", "bad base64", "bad end line",
        "no such file", "asn1", "not enough data", "x509 lib", "system lib",
        "bad password", "bad decrypt", "unsupported private key", "is a directory")),
    ("unexpected-eof", (
        "eof occurred in violation of protocol", "unexpected eof",
        "unexpected_eof", "connection closed", "eof")),
    ("connection-reset", ("connection reset", "broken pipe", "connection aborted")),
    ("timeout", ("timed out", "timeout")),
    ("handshake-failure", ("handshake failure", "handshake_failure", "decode error", "record layer")),
)

#: Every category ``classify`` can return.
CATEGORIES: Tuple[str, ...] = tuple(c for c, _ in _PATTERNS) + ("other",)


def classify(exc: Optional[BaseException]) -> Optional[str]:
    """Map any exception an ssl implementation raised to a category.

    ``None`` maps to ``None``.  Timeouts and resets are recognised by type
    first (their text varies by platform), then the message decides.
    """
    if exc is None:
        return None
    if isinstance(exc, socket.timeout) or type(exc).__name__ in ("timeout", "TimeoutError"):
        return "timeout"
    if isinstance(exc, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
        return "connection-reset"
    if isinstance(exc, FileNotFoundError) or getattr(exc, "errno", None) in (errno.ENOENT, errno.EISDIR):
        return "bad-certificate-file"
    text = " ".join(str(a) for a in getattr(exc, "args", ()) if a is not None)
    text = (text + " " + str(exc) + " " + type(exc).__name__).lower()
    if type(exc).__name__ == "SSLEOFError" or "zero return" in text:
        return "unexpected-eof"
    for category, needles in _PATTERNS:
        if any(n in text for n in needles):
            return category
    return "other"
