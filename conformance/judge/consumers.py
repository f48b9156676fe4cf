"""What a stdlib consumer of TLS (asyncio, http.client, urllib.request, smtplib,
ftplib, http.server) must do with an implementation's context: one rule for all.

A client configured the documented way for a client (``create_default_context``
with a CA file: verification and hostname checking on) meets a server whose
certificate chains either to that CA or to another root, and names either the
host the client asked for or another one:

=============  ============  ==================================================================
trust          hostname      outcome
=============  ============  ==================================================================
``trusted``    ``match``     ``ok``: the exchange completes, the server's answer arrives intact
``trusted``    ``mismatch``  ``hostname-mismatch``: refused by the hostname check
``untrusted``  either        ``certificate-verify-failed``: refused by chain validation
=============  ============  ==================================================================

Chain validation comes first: OpenSSL checks the name as part of verifying
the chain (``X509_VERIFY_PARAM_set1_host``), so an unverifiable chain is
reported as that whatever the name.  Both refusals are
``SSLCertVerificationError`` (3.7+); a consumer may wrap it (``urllib``'s
``URLError`` keeps it as ``reason``).  Pure code: no sockets here.
"""
from __future__ import annotations

from typing import Tuple

__all__ = ["TRUST", "HOSTNAME", "OUTCOMES", "expected"]

TRUST: Tuple[str, ...] = ("trusted", "untrusted")
HOSTNAME: Tuple[str, ...] = ("match", "mismatch")
#: every outcome :func:`expected` can give
OUTCOMES: Tuple[str, ...] = ("ok", "hostname-mismatch", "certificate-verify-failed")


def expected(trust: str, hostname: str) -> str:
    """The outcome of a verifying, hostname-checking client (see the table above)."""
    if trust not in TRUST or hostname not in HOSTNAME:
        raise ValueError(f"unknown trust {trust!r} or hostname {hostname!r}")
    if trust == "untrusted":
        return "certificate-verify-failed"
    return "ok" if hostname == "match" else "hostname-mismatch"
