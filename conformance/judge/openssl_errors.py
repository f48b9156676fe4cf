"""What OpenSSL says when a connection fails: verification results, alerts, mnemonics.

The ``ssl`` documentation names the exceptions (``SSLCertVerificationError``,
``SSLEOFError`` ...) and says that ``verify_code``, ``verify_message``,
``library`` and ``reason`` come from OpenSSL ("The range of possible values
depends on the OpenSSL version").  Which values a given failure carries is
OpenSSL's business, and the cases that hold an implementation to CPython's
values ask this module -- one table, never an answer per case:

* :data:`X509_V_ERR`: the verification results the fixtures can meet, as
  OpenSSL's ``x509_vfy.h`` numbers them and ``X509_verify_cert_error_string``
  words them (OpenSSL 3.0 ... 3.5), with :data:`CHANGES` for the releases that
  number or word one differently; each with the TLS alert the verifying side
  sends for it (OpenSSL's table in ``ssl_x509err2alert``);
* :func:`verify_error`: the result a fixture's chain stops at, derived from
  its manifest verdict (``expired``, ``unknown-ca`` ...);
* :func:`alert_reason_suffix`: how the side that *receives* that alert names
  it in ``SSLError.reason`` (``SSLV3_ALERT_CERTIFICATE_EXPIRED`` in OpenSSL 3.0,
  ``TLS_ALERT_CERTIFICATE_EXPIRED`` in 4.0: only the suffix is common);
* the ``(library, reason)`` mnemonics of a verification failure, a private key
  that does not match its certificate, and an EOF without close_notify.

An OpenSSL version is the ``OPENSSL_VERSION_INFO`` tuple of the module under
test (its first two numbers are enough here).  Standard library only, and no
I/O: a pure function of its arguments.
"""
from __future__ import annotations

import dataclasses
from typing import Dict, Iterable, Optional, Sequence, Tuple

from .oracle import Chain

__all__ = ["VerifyError", "X509_V_ERR", "CHANGES", "VERDICT_ERRORS", "verify_error", "lookup",
           "alert_reason_suffix", "VERIFY_FAILED", "KEY_MISMATCH", "ragged_eof_mnemonics", "openssl_of"]

OpenSSL = Tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class VerifyError:
    """One ``X509_V_ERR_*`` result as one OpenSSL release reports it."""

    name: str     #: the suffix after ``X509_V_ERR_``
    code: int     #: ``SSLCertVerificationError.verify_code``
    message: str  #: ``verify_message``: ``X509_verify_cert_error_string(code)``
    alert: str    #: the TLS alert the verifying side sends (RFC 8446 spelling)


#: name -> (code, text, alert) as OpenSSL 3.0 to 3.5 have them
X509_V_ERR: Dict[str, Tuple[int, str, str]] = {
    "CERT_NOT_YET_VALID": (9, "certificate is not yet valid", "bad_certificate"),
    "CERT_HAS_EXPIRED": (10, "certificate has expired", "certificate_expired"),
    "DEPTH_ZERO_SELF_SIGNED_CERT": (18, "self-signed certificate", "unknown_ca"),
    "SELF_SIGNED_CERT_IN_CHAIN": (19, "self-signed certificate in certificate chain", "unknown_ca"),
    "UNABLE_TO_GET_ISSUER_CERT_LOCALLY": (20, "unable to get local issuer certificate", "unknown_ca"),
    "CERT_REVOKED": (23, "certificate revoked", "certificate_revoked"),
    "PATH_LENGTH_EXCEEDED": (25, "path length constraint exceeded", "unknown_ca"),
    "EE_KEY_TOO_SMALL": (66, "EE certificate key too weak", "bad_certificate"),
    "CA_MD_TOO_WEAK": (68, "CA signature digest algorithm too weak", "bad_certificate"),
    "INVALID_CA": (79, "invalid CA certificate", "unknown_ca"),
}

#: (name, first release, first release no longer, code, text): where a release differs
#: from :data:`X509_V_ERR` (``None`` keeps the table's value).
CHANGES: Tuple[Tuple[str, OpenSSL, Optional[OpenSSL], Optional[int], Optional[str]], ...] = (
    # 3.0 gave 24 to X509_V_ERR_NO_ISSUER_PUBLIC_KEY and moved INVALID_CA to 79
    ("INVALID_CA", (0,), (3, 0), 24, None),
    # 3.0 hyphenated "self-signed"
    ("DEPTH_ZERO_SELF_SIGNED_CERT", (0,), (3, 0), None, "self signed certificate"),
    ("SELF_SIGNED_CERT_IN_CHAIN", (0,), (3, 0), None, "self signed certificate in certificate chain"),
    # openssl/openssl#27141 (merged for 3.6) added the hint about the clock
    ("CERT_NOT_YET_VALID", (3, 6), None, None, "certificate is not yet valid or the system clock is incorrect"),
)

#: a leaf's manifest verdict -> the result its verification stops at (``unknown-ca``
#: depends on what the peer sends: see :func:`verify_error`)
VERDICT_ERRORS: Dict[str, str] = {
    "expired": "CERT_HAS_EXPIRED",
    "not-yet-valid": "CERT_NOT_YET_VALID",
    "self-signed": "DEPTH_ZERO_SELF_SIGNED_CERT",
    "invalid-ca": "INVALID_CA",
    "path-length": "PATH_LENGTH_EXCEEDED",
    "weak-key": "EE_KEY_TOO_SMALL",
    "weak-signature": "CA_MD_TOO_WEAK",
}


def _within(version: OpenSSL, first: OpenSSL, before: Optional[OpenSSL]) -> bool:
    head = tuple(version[:2])
    return tuple(first) <= head and (before is None or head < tuple(before))


def lookup(name: str, openssl: Sequence[int]) -> VerifyError:
    """``X509_V_ERR_<name>`` as the OpenSSL release ``openssl`` reports it."""
    code, text, alert = X509_V_ERR[name]
    version = tuple(openssl)
    for changed, first, before, new_code, new_text in CHANGES:
        if changed == name and _within(version, first, before):
            code = code if new_code is None else new_code
            text = text if new_text is None else new_text
    return VerifyError(name=name, code=code, message=text, alert=alert)


def verify_error(verdict: str, chain: Chain, trusts: Iterable[str], openssl: Sequence[int]) -> Optional[VerifyError]:
    """The result a verifier trusting ``trusts`` reaches for a leaf of manifest
    ``verdict`` presented as ``chain`` (``judging.chain_of``); None when it verifies.

    A leaf that does not reach a trusted root (verdict ``unknown-ca``, or an
    ``ok`` leaf under the wrong trust) stops where OpenSSL's chain building
    stops: at the sent root that is not trusted (``SELF_SIGNED_CERT_IN_CHAIN``),
    else at the first issuer it cannot find (``UNABLE_TO_GET_ISSUER_CERT_LOCALLY``).
    """
    if verdict in VERDICT_ERRORS:
        return lookup(VERDICT_ERRORS[verdict], openssl)
    trusted = set(trusts)
    if chain.issuers and chain.issuers[-1] in trusted:
        return None
    if chain.issuers and chain.issuers[-1] in chain.sent:
        return lookup("SELF_SIGNED_CERT_IN_CHAIN", openssl)
    return lookup("UNABLE_TO_GET_ISSUER_CERT_LOCALLY", openssl)


def alert_reason_suffix(alert: str) -> str:
    """The end of ``SSLError.reason`` on the side that received ``alert``:
    ``"unknown_ca"`` -> ``"ALERT_UNKNOWN_CA"`` (OpenSSL prefixes it ``SSLV3_``,
    ``TLSV1_`` or ``TLS_`` depending on the alert and the release)."""
    return "ALERT_" + alert.upper()


#: (library, reason) of a handshake that failed verification, on the verifying side
VERIFY_FAILED = ("SSL", "CERTIFICATE_VERIFY_FAILED")
#: (library, reason) of ``load_cert_chain`` with a key that does not match (OpenSSL 1.1 ... 4.0)
KEY_MISMATCH = ("X509", "KEY_VALUES_MISMATCH")


def ragged_eof_mnemonics(openssl: Sequence[int]) -> Tuple[Optional[str], Optional[str]]:
    """(library, reason) of the ``SSLEOFError`` of an EOF without close_notify:
    from OpenSSL 3.0 an error of its own (``SSL_R_UNEXPECTED_EOF_WHILE_READING``);
    before, a bare ``SSL_ERROR_SYSCALL`` with nothing on the error queue."""
    if _within(tuple(openssl), (3, 0), None):
        return "SSL", "UNEXPECTED_EOF_WHILE_READING"
    return None, None


def openssl_of(module: object) -> OpenSSL:
    """The module's ``OPENSSL_VERSION_INFO`` (``(0,)`` when it has none)."""
    info = getattr(module, "OPENSSL_VERSION_INFO", None)
    return tuple(int(x) for x in info) if isinstance(info, tuple) and info else (0,)
