"""Fixtures for hostname verification and revocation (editions 3.4+ of the API).

Two families, made by ``gen_certs.py`` below the test intermediate CA:

* **Hostname rules.**  One leaf per rule of hostname matching that CPython's
  documentation states (``SSLContext.check_hostname``, ``match_hostname``'s
  history): an exact DNS name, a whole-label wildcard, a partial wildcard,
  IP-address SANs, an IDN A-label, and a name only in the subject's common
  name.  The manifest gives each leaf's SANs and CN; which names a verifier
  must accept is decided by the suite's oracle
  (``conformance.judge.hostnames``), never written here.
* **Revocation.**  A ``revoked`` leaf, and CRLs: the intermediate's, listing
  that leaf's serial (and nothing else), and the root's, listing nothing, so
  that ``VERIFY_CRL_CHECK_LEAF`` refuses the revoked leaf and accepts the
  ordinary ``server`` one, and ``VERIFY_CRL_CHECK_CHAIN`` has a CRL for every
  certificate of the chain.

Only cryptography and trustme (through ``gen_certs``); nothing here runs at
test time.
"""
from __future__ import annotations

import datetime
import ipaddress
from typing import Any, Callable, Dict, List, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

#: (fixture name, what it shows, SANs, common name): the SANs as
#: ``("DNS"|"IP", value)``; the common name is the only name when SANs are empty.
HOST_RULES: Tuple[Tuple[str, str, List[Tuple[str, str]], str], ...] = (
    ("host-exact", "DNS SANs www.example.org and example.org, no wildcard",
     [("DNS", "www.example.org"), ("DNS", "example.org")], ""),
    ("host-wildcard", "a whole-label wildcard SAN *.example.org",
     [("DNS", "*.example.org")], ""),
    ("host-partial-wildcard", "a partial wildcard SAN w*.example.org (no longer matched since 3.7)",
     [("DNS", "w*.example.org")], ""),
    ("host-ip", "IP-address SANs 192.0.2.7 and 2001:db8::7, and a DNS SAN spelling 192.0.2.8",
     [("IP", "192.0.2.7"), ("IP", "2001:db8::7"), ("DNS", "192.0.2.8")], ""),
    ("host-idn", "the IDN A-label xn--bcher-kva.example (buecher with u-umlaut)",
     [("DNS", "xn--bcher-kva.example")], ""),
    ("host-cn-only", "no SAN at all; www.example.org only in the subject's common name",
     [], "www.example.org"),
    ("host-cn-and-san", "DNS SAN other.example.org, common name www.example.org",
     [("DNS", "other.example.org")], "www.example.org"),
)

NEXT_UPDATE_YEARS = 100


def _general(kind: str, value: str) -> x509.GeneralName:
    if kind == "IP":
        return x509.IPAddress(ipaddress.ip_address(value))
    return x509.DNSName(value)


def host_leaves(build: Callable[..., Any], name_for: Callable[[str, str], x509.Name],
                key: Callable[[], Any], signer: Any) -> List[Tuple[str, str, Any]]:
    """``(name, purpose, Issued)`` of every :data:`HOST_RULES` leaf, signed by ``signer``.

    ``build``/``name_for``/``key`` are ``gen_certs``'s ``build_cert``,
    ``_ou_name`` and ``_ec_key``: one way of making certificates for the set.
    """
    out = []
    for name, purpose, sans, common_name in HOST_RULES:
        generals = [_general(kind, value) for kind, value in sans]
        leaf = build(name_for(name, common_name or None), key(), signer, sans=generals or None)
        out.append((name, purpose, leaf))
    return out


def crl(issuer: Any, revoked_serials: List[int], when: datetime.datetime) -> bytes:
    """A PEM CRL of ``issuer`` (an ``Issued`` CA) revoking ``revoked_serials``."""
    builder = (x509.CertificateRevocationListBuilder()
               .issuer_name(issuer.cert.subject)
               .last_update(when)
               .next_update(when.replace(year=when.year + NEXT_UPDATE_YEARS))
               .add_extension(x509.CRLNumber(1), False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer.cert.public_key()), False))
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), False).build())
    return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)


def crl_entry(write: Callable[[str, bytes], str], root: Any, inter: Any, revoked: Any,
              when: datetime.datetime) -> Dict[str, Any]:
    """Write the CRL files; the manifest entry ``crls`` that names them."""
    leaf_crl = crl(inter, [revoked.cert.serial_number], when)
    root_crl = crl(root, [], when)
    return {
        "name": "crls",
        "purpose": "CRLs: the intermediate's revokes the 'revoked' leaf; the root's revokes nothing",
        "kind": "crl",
        "files": {"leaf": write("intermediate-ca.crl.pem", leaf_crl),
                  "root": write("root-ca.crl.pem", root_crl),
                  "chain": write("crl-chain.pem", leaf_crl + root_crl)},
        "revoked_serials": ["%X" % revoked.cert.serial_number],
        "issuer": inter.cert.subject.rfc4514_string(),
    }


def common_name_of(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""
