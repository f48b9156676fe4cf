"""What the ``VERIFY_*`` flags change in a verification: CRL checks and partial chains.

**CRLs.**  The documentation (3.4 on) gives three settings of ``SSLContext.verify_flags``:

* ``VERIFY_DEFAULT`` -- "certificate revocation lists (CRLs) are not
  checked": a loaded CRL changes nothing, a revoked certificate verifies;
* ``VERIFY_CRL_CHECK_LEAF`` -- "only the peer cert is checked": it needs "a
  valid CRL that is signed by the peer cert's issuer"; without one
  "validation will fail";
* ``VERIFY_CRL_CHECK_CHAIN`` -- "CRLs of all certificates in the peer cert
  chain are checked".

As OpenSSL does it (``X509_V_FLAG_CRL_CHECK``, ``..._CRL_CHECK_ALL``): each
certificate checked needs a CRL from its issuer -- the root, which issues
itself, needs its own -- and the chain is checked from the leaf up, the first
problem deciding: no CRL of the issuer is verify error 3, "unable to get
certificate CRL"; the certificate's serial on that CRL is error 23,
"certificate revoked".  The error is what ``SSLCertVerificationError``
(3.7) carries as ``verify_code`` / ``verify_message``.

:func:`check` is that rule, a pure function of names and serials: the chain
as (name, serial, issuer) from the leaf up, and the CRLs loaded as
issuer -> revoked serials.

**Partial chains.**  ``VERIFY_X509_PARTIAL_CHAIN`` (3.10) lets "intermediate
CAs in the trust store ... be treated as trust-anchors": :func:`anchored`
cuts a chain at the first CA above the leaf that the verifier trusts, and
``oracle.verifies`` judges what is left as for any chain.

Standard library only.
"""
from __future__ import annotations

import dataclasses
from typing import FrozenSet, Iterable, Mapping, Optional, Sequence, Tuple

from .oracle import Chain

__all__ = ["CHECKS", "Cert", "Outcome", "UNABLE_TO_GET_CRL", "REVOKED", "check", "anchored"]

#: verify_flags setting -> how many certificates of the chain are checked (None: all)
CHECKS: Mapping[str, Optional[int]] = {"VERIFY_DEFAULT": 0, "VERIFY_CRL_CHECK_LEAF": 1,
                                       "VERIFY_CRL_CHECK_CHAIN": None}

#: OpenSSL's verify errors (``X509_V_ERR_UNABLE_TO_GET_CRL``, ``X509_V_ERR_CERT_REVOKED``) and their text
UNABLE_TO_GET_CRL: Tuple[int, str] = (3, "unable to get certificate CRL")
REVOKED: Tuple[int, str] = (23, "certificate revoked")


@dataclasses.dataclass(frozen=True)
class Cert:
    """One certificate of a chain: its name (a fixture's), serial number and issuer's name."""

    name: str
    serial: str
    issuer: str


@dataclasses.dataclass(frozen=True)
class Outcome:
    """What the CRL checks decide: ``ok``, else the verify error (``code``, ``message``) and why."""

    ok: bool
    code: int = 0
    message: str = ""
    why: str = ""


def check(flags: str, chain: Sequence[Cert], crls: Mapping[str, FrozenSet[str]]) -> Outcome:
    """The CRL verdict for ``chain`` (leaf first, up to the root) under ``flags`` (a key of
    :data:`CHECKS`) with ``crls`` loaded (issuer name -> the serials its CRL revokes)."""
    if flags not in CHECKS:
        raise ValueError(f"unknown CRL setting {flags!r}: expected one of {', '.join(CHECKS)}")
    count = CHECKS[flags]
    checked = list(chain) if count is None else list(chain)[:count]
    if not checked:
        return Outcome(True, why="CRLs are not checked")
    for depth, cert in enumerate(checked):
        revoked = crls.get(cert.issuer)
        if revoked is None:
            return Outcome(False, *UNABLE_TO_GET_CRL,
                           why=f"no CRL of {cert.issuer}, the issuer of {cert.name} (depth {depth}), is loaded")
        if cert.serial.upper() in {s.upper() for s in revoked}:
            return Outcome(False, *REVOKED, why=f"{cert.issuer}'s CRL lists {cert.name} (depth {depth})")
    names = ", ".join(c.name for c in checked)
    return Outcome(True, why=f"the CRLs of every issuer checked are loaded and list none of {names}")


def anchored(chain: Chain, trusts: Iterable[str]) -> Chain:
    """``chain`` as a verifier with ``VERIFY_X509_PARTIAL_CHAIN`` sees it: it ends at the
    first CA above the leaf that the verifier trusts (unchanged when it trusts none)."""
    trusted = set(trusts)
    for depth, ca in enumerate(chain.issuers):
        if ca in trusted:
            return dataclasses.replace(chain, issuers=chain.issuers[:depth + 1],
                                       sent=frozenset(c for c in chain.sent if c in chain.issuers[:depth + 1]))
    return chain
