#!/usr/bin/env python3
"""Generate the certificate fixtures in ``fixtures/certs/`` and their manifest.

Every certificate the suite uses is made here, with trustme wherever trustme
can express it (CAs, ordinary leaves, expired / not-yet-valid / wrong-host /
untrusted leaves, the path-length chain) and with ``cryptography`` directly
only for what trustme cannot make: a self-signed leaf with SANs, an
intermediate with ``CA:FALSE``, an RSA-1024 key, a SHA-1 signature, and the
rich / NUL-containing names used to test ``getpeercert()`` decoding.  The
legacy and odd-but-verifiable shapes in ``shapes/`` (string types outside
their alphabet, rare attribute types, v1/v2 certificates, odd serials, BER in
extensions ...) are built by ``scripts/cert_shapes.py`` with pyasn1; their
expected ``getpeercert()`` is CPython's own decoding of each file.

Requirements: trustme, cryptography, pyasn1 and pyasn1-modules (all in the
``test`` extra: ``pip install -e '.[test]'``).

File names are fixed (see ``fixtures/certs/manifest.json``); keys and serial
numbers are fresh on each run, so regenerating changes the bytes but never the
set of files or what the manifest says a verifier must conclude.  Every valid
certificate lasts until 2125 (trustme's CAs until 3000).

    python scripts/gen_certs.py                  # refuses to replace a committed set
    python scripts/gen_certs.py --force          # regenerate fixtures/certs
    python scripts/gen_certs.py --out /tmp/x     # write elsewhere
    python scripts/gen_certs.py --check          # committed set still matches its manifest?

The set is written to a temporary directory beside ``--out`` and swapped in,
so a failed run never leaves a half-written fixture directory.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime
import hashlib
import ipaddress
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trustme  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec, rsa  # noqa: E402

from cryptography.x509.oid import (  # noqa: E402
    AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID)

from reference.certdecode import decode_certificate, format_serial  # noqa: E402

import cert_hosts  # noqa: E402  (beside this script)
import cert_shapes  # noqa: E402  (beside this script)

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "fixtures" / "certs"
MANIFEST = "manifest.json"
PASSWORD = "conformance"
MIN_YEARS_VALID = 50

ORGANIZATION = "ssl-conformance"
HOSTNAME = "localhost"
LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
CLIENT_EMAIL = "client@example.org"
NOT_BEFORE = datetime.datetime(2020, 1, 1)
NOT_AFTER = datetime.datetime(2125, 1, 1)
PAST = (datetime.datetime(2000, 1, 1), datetime.datetime(2001, 1, 1))
FUTURE = (datetime.datetime(2100, 1, 1), datetime.datetime(2125, 1, 1))


@dataclasses.dataclass
class Issued:
    """A certificate, its private key and its issuers (nearest first, root last)."""

    cert: x509.Certificate
    key: Any
    chain: List[x509.Certificate]
    ca: Optional[trustme.CA] = None  # set when trustme can issue below it


def _chain_above(parent: Optional[Issued]) -> List[x509.Certificate]:
    return [parent.cert, *parent.chain] if parent is not None else []


def from_trustme_ca(ca: trustme.CA, parent: Optional[Issued] = None) -> Issued:
    """Wrap a trustme CA, reading its certificate and key back from PEM."""
    return Issued(x509.load_pem_x509_certificate(ca.cert_pem.bytes()),
                  serialization.load_pem_private_key(ca.private_key_pem.bytes(), None),
                  _chain_above(parent), ca)


def issuer(parent: Issued) -> Callable[..., Issued]:
    """A function issuing trustme leaves below *parent*, named by their OU."""
    assert parent.ca is not None

    def issue(name: str, *identities: str, common_name: Optional[str] = None,
              key_type: trustme.KeyType = trustme.KeyType.ECDSA,
              not_before: datetime.datetime = NOT_BEFORE,
              not_after: datetime.datetime = NOT_AFTER) -> Issued:
        leaf = parent.ca.issue_cert(
            *identities, common_name=common_name, organization_name=ORGANIZATION,
            organization_unit_name=name, not_before=not_before, not_after=not_after,
            key_type=key_type)
        return Issued(x509.load_pem_x509_certificate(leaf.cert_chain_pems[0].bytes()),
                      serialization.load_pem_private_key(leaf.private_key_pem.bytes(), None),
                      _chain_above(parent))
    return issue


def _name(*rdns: Any) -> x509.Name:
    """``_name((OID, value), [(OID, value), (OID, value)], ...)``: a list is one RDN."""
    return x509.Name([x509.RelativeDistinguishedName(
        [x509.NameAttribute(*pair) for pair in (rdn if isinstance(rdn, list) else [rdn])])
        for rdn in rdns])


def _ou_name(unit: str, common_name: Optional[str] = None) -> x509.Name:
    pairs = [(NameOID.ORGANIZATION_NAME, ORGANIZATION), (NameOID.ORGANIZATIONAL_UNIT_NAME, unit)]
    if common_name is not None:
        pairs.append((NameOID.COMMON_NAME, common_name))
    return _name(*pairs)


def _local_sans() -> List[x509.GeneralName]:
    return [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1"))]


def build_cert(subject: x509.Name, key: Any, signer: Optional[Issued], *,
               sans: Optional[List[x509.GeneralName]] = None, ca: bool = False,
               path_length: Optional[int] = None, extensions: Tuple[Any, ...] = (),
               algorithm: hashes.HashAlgorithm = hashes.SHA256()) -> Issued:
    """A certificate made with cryptography, shaped like trustme's (SKI, AKI, KU, EKU).

    ``signer=None`` makes it self-signed.
    """
    public = key.public_key()
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(signer.cert.subject if signer else subject)
               .public_key(public)
               .serial_number(x509.random_serial_number())
               .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False))
    authority = signer.cert.public_key() if signer else public
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(authority), False)
    builder = builder.add_extension(x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=not ca,
        data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
        encipher_only=False, decipher_only=False), True)
    if not ca:
        builder = builder.add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]), False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), False)
    for extension in extensions:
        builder = builder.add_extension(extension, False)
    cert = builder.sign(signer.key if signer else key, algorithm)
    return Issued(cert, key, _chain_above(signer))


def _ec_key() -> Any:
    return ec.generate_private_key(ec.SECP256R1())


def selfsigned() -> Issued:
    """Like ``openssl req -x509 -nodes``: CA:TRUE, its own issuer, with SANs."""
    return build_cert(_ou_name("selfsigned", "localhost"), _ec_key(), None,
                      sans=_local_sans(), ca=True)


def custom_leaf(parent: Issued, name: str, key: Any) -> Issued:
    """A localhost leaf below *parent* with a key trustme cannot make."""
    return build_cert(_ou_name(name), key, parent, sans=_local_sans())


def _der_items(data: bytes) -> List[bytes]:
    """Split the contents of a DER constructed value into its encoded elements."""
    items, pos = [], 0
    while pos < len(data):
        size, head = data[pos + 1], 2
        if size & 0x80:
            count = size & 0x7F
            size, head = int.from_bytes(data[pos + 2:pos + 2 + count], "big"), 2 + count
        items.append(data[pos:pos + head + size])
        pos += head + size
    return items


def sha1_leaf(parent: Issued) -> Issued:
    """A localhost leaf whose ECDSA signature uses SHA-1.

    cryptography refuses to make SHA-1 signatures on certificates, so the
    certificate is built with SHA-256, then its to-be-signed part is given the
    ecdsa-with-SHA1 algorithm identifier and signed again by hand.
    """
    if not isinstance(parent.key, ec.EllipticCurvePrivateKey):
        raise TypeError("sha1_leaf needs an EC issuer")
    draft = custom_leaf(parent, "sha1", _ec_key())
    tbs_header = _der_items(draft.cert.tbs_certificate_bytes)[0]
    fields = _der_items(tbs_header[2 if tbs_header[1] < 0x80 else 2 + (tbs_header[1] & 0x7F):])
    algorithm = _der(0x30, _der_oid("1.2.840.10045.4.1"))  # ecdsa-with-SHA1
    tbs = _der(0x30, fields[0] + fields[1] + algorithm + b"".join(fields[3:]))
    signature = parent.key.sign(tbs, ec.ECDSA(hashes.SHA1()))
    der = _der(0x30, tbs + algorithm + _der(0x03, b"\x00" + signature))
    return Issued(x509.load_der_x509_certificate(der), draft.key, draft.chain)


def bad_intermediate_leaf(root: Issued) -> Issued:
    """A leaf below an "intermediate" whose basicConstraints say CA:FALSE."""
    not_ca = build_cert(_ou_name("Not-a-CA Intermediate"), _ec_key(), root)
    return custom_leaf(not_ca, "bad-intermediate", _ec_key())


def pathlen_leaf(root: Issued) -> Issued:
    """root -> CA with pathLenConstraint 0 -> sub-CA (the violation) -> leaf."""
    zero = trustme.CA(parent_cert=root.ca, path_length=0, organization_name=ORGANIZATION,
                      organization_unit_name="Path Length 0 CA")
    zero_issued = from_trustme_ca(zero, root)
    sub = trustme.CA(parent_cert=zero, path_length=0, organization_name=ORGANIZATION,
                     organization_unit_name="Sub-CA below Path Length 0")
    return issuer(from_trustme_ca(sub, zero_issued))("pathlen", *LOCAL_NAMES)


def rich_names_leaf(parent: Issued) -> Issued:
    """Every SAN type, AIA and CRL URIs, and a subject with many kinds of RDN."""
    subject = _name(
        (NameOID.DOMAIN_COMPONENT, "org"), (NameOID.DOMAIN_COMPONENT, "example"),
        (NameOID.COUNTRY_NAME, "NL"), (NameOID.STATE_OR_PROVINCE_NAME, "Noord-Holland"),
        (NameOID.LOCALITY_NAME, "Amsterdam"), (NameOID.ORGANIZATION_NAME, ORGANIZATION),
        [(NameOID.ORGANIZATIONAL_UNIT_NAME, "rich-names"), (NameOID.USER_ID, "rich")],
        (NameOID.COMMON_NAME, "Grüße aus Ærøskøbing ✓"),
        (NameOID.EMAIL_ADDRESS, "rich@example.org"), (NameOID.SERIAL_NUMBER, "4711"),
        (NameOID.GIVEN_NAME, "Zoë"), (NameOID.SURNAME, "Ñúñez"))
    sans = [
        x509.DNSName("rich.example"), x509.DNSName("*.rich.example"),
        x509.IPAddress(ipaddress.ip_address("192.0.2.1")),
        x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
        x509.RFC822Name("rich@example.org"),
        x509.UniformResourceIdentifier("https://rich.example/path?q=1"),
        x509.DirectoryName(_name((NameOID.COUNTRY_NAME, "NL"),
                                 (NameOID.ORGANIZATION_NAME, "Directory Org"),
                                 (NameOID.COMMON_NAME, "dir name"))),
        x509.OtherName(x509.ObjectIdentifier("1.3.6.1.4.1.55555.1"), b"\x0c\x05other"),
        x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4.5")),
    ]
    aia = x509.AuthorityInformationAccess([
        x509.AccessDescription(AuthorityInformationAccessOID.OCSP,
                               x509.UniformResourceIdentifier("http://ocsp.rich.example/")),
        x509.AccessDescription(AuthorityInformationAccessOID.CA_ISSUERS,
                               x509.UniformResourceIdentifier("http://ca.rich.example/ca.crt"))])
    cdp = x509.CRLDistributionPoints([x509.DistributionPoint(
        [x509.UniformResourceIdentifier("http://crl.rich.example/ca.crl")], None, None, None)])
    return build_cert(subject, _ec_key(), parent, sans=sans, extensions=(aia, cdp))


def nul_name_leaf(parent: Issued) -> Issued:
    """CN and DNS SAN ``localhost\\x00.evil.example``: must never match ``localhost``."""
    evil = "localhost\x00.evil.example"
    return build_cert(_ou_name("nul-name", evil), _ec_key(), parent, sans=[x509.DNSName(evil)])


def malformed(pem: bytes) -> List[Tuple[str, bytes, str]]:
    """PEM files a loader must reject: (name, contents, purpose)."""
    lines = pem.decode().splitlines(keepends=True)
    header, body, footer = lines[0], lines[1:-1], lines[-1]
    return [
        ("malformed-truncated", "".join([header] + body[:len(body) // 2]).encode(),
         "certificate PEM cut off half-way, no END line"),
        ("malformed-badbase64", (header + "This is *not* base64 data!\n" * 4 + footer).encode(),
         "CERTIFICATE armor around text that is not base64"),
        ("malformed-wrong-armor", "".join([header] + body + ["-----END PRIVATE KEY-----\n"])
         .encode(), "BEGIN CERTIFICATE closed by END PRIVATE KEY"),
        ("empty", b"", "an empty file"),
    ]


# -- OpenSSL's subject hash (the capath file names) ------------------------------

def _der(tag: int, body: bytes) -> bytes:
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + body


def _der_oid(dotted: str) -> bytes:
    arcs = [int(arc) for arc in dotted.split(".")]
    body = b""
    for arc in [40 * arcs[0] + arcs[1], *arcs[2:]]:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return _der(0x06, body)


def _canon_text(value: str) -> str:
    """OpenSSL's ``asn1_string_canon``: trim, fold ASCII whitespace runs, ASCII lower."""
    spaces = " \t\n\v\f\r"
    value = value.strip(spaces)
    out, in_space = [], False
    for char in value:
        if char in spaces:
            if not in_space:
                out.append(" ")
            in_space = True
            continue
        in_space = False
        out.append(char.lower() if "A" <= char <= "Z" else char)
    return "".join(out)


def subject_hash(name: x509.Name) -> str:
    """``openssl x509 -subject_hash`` of *name* (``X509_NAME_hash_ex``), as 8 hex digits.

    SHA-1 over the canonical encoding: each RDN as a DER SET of
    (type, UTF8String(canonical text)), concatenated with no outer SEQUENCE;
    the first four digest bytes read little-endian.
    """
    canon = b""
    for rdn in name.rdns:
        atvs = sorted(_der(0x30, _der_oid(attr.oid.dotted_string)
                           + _der(0x0C, _canon_text(str(attr.value)).encode()))
                      for attr in rdn)
        canon += _der(0x31, b"".join(atvs))
    return "%08x" % int.from_bytes(hashlib.sha1(canon).digest()[:4], "little")


# -- what the manifest says about a certificate -------------------------------------

def _san_text(general: x509.GeneralName) -> str:
    if isinstance(general, x509.IPAddress):
        return "IP:%s" % general.value
    if isinstance(general, x509.DirectoryName):
        return "DirName:" + general.value.rfc4514_string()
    if isinstance(general, (x509.OtherName, x509.RegisteredID)):
        oid = general.type_id if isinstance(general, x509.OtherName) else general.value
        return "%s:%s" % ("othername" if isinstance(general, x509.OtherName) else "RID",
                          oid.dotted_string)
    kind = {x509.DNSName: "DNS", x509.RFC822Name: "email",
            x509.UniformResourceIdentifier: "URI"}[type(general)]
    return "%s:%s" % (kind, general.value)


def _key_type(cert: x509.Certificate) -> str:
    public = cert.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        return "RSA-%d" % public.key_size
    if isinstance(public, ec.EllipticCurvePublicKey):
        return "EC %s" % {"secp256r1": "P-256", "secp384r1": "P-384"}.get(
            public.curve.name, public.curve.name)
    return type(public).__name__


def describe(cert: x509.Certificate) -> Dict[str, Any]:
    """The manifest's descriptive fields for *cert*."""
    try:
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        sans = []
    return {
        "subject": cert.subject.rfc4514_string(),
        "issuer": cert.issuer.rfc4514_string(),
        "san": [_san_text(general) for general in sans],
        "not_before": cert.not_valid_before_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "not_after": cert.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "serial_number": format_serial(cert.serial_number),
        "key_type": _key_type(cert),
        "signature_hash": cert.signature_hash_algorithm.name,
    }


def describe_none() -> Dict[str, Any]:
    """The descriptive fields of an entry that is not one certificate."""
    return dict.fromkeys(("subject", "issuer", "san", "not_before", "not_after",
                          "serial_number", "key_type", "signature_hash"))


def jsonable(value: Any) -> Any:
    """Tuples to lists, recursively: the JSON form of a ``getpeercert()`` dict."""
    if isinstance(value, (tuple, list)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    return value



def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: Any, password: Optional[str] = None, traditional: bool = False) -> bytes:
    fmt = (serialization.PrivateFormat.TraditionalOpenSSL if traditional
           else serialization.PrivateFormat.PKCS8)
    enc = (serialization.BestAvailableEncryption(password.encode()) if password
           else serialization.NoEncryption())
    return key.private_bytes(serialization.Encoding.PEM, fmt, enc)


class FixtureSet:
    """Collects files and manifest entries while the certificates are made."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.entries: List[Dict[str, Any]] = []

    def write(self, filename: str, data: bytes) -> str:
        path = self.out / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return filename

    def add(self, name: str, purpose: str, files: Dict[str, str], *,
            cert: Optional[x509.Certificate] = None, verdict: Optional[str] = None,
            hostname_ok: Optional[bool] = None, **extra: Any) -> None:
        entry: Dict[str, Any] = {"name": name, "purpose": purpose, "files": files}
        entry.update(describe(cert) if cert is not None else describe_none())
        entry["verdict"] = verdict
        if hostname_ok is not None:
            entry["hostname"] = HOSTNAME
            entry["hostname_ok"] = hostname_ok
        entry["peercert"] = (jsonable(decode_certificate(cert))
                             if cert is not None else None)
        entry.update(extra)
        self.entries.append(entry)

    def add_ca(self, name: str, purpose: str, ca: Issued, verdict: str) -> None:
        files = {"cert": self.write(name + ".pem", _pem(ca.cert)),
                 "key": self.write(name + ".key", _key_pem(ca.key))}
        self.add(name, purpose, files, cert=ca.cert, verdict=verdict, kind="ca")

    def add_leaf(self, name: str, purpose: str, leaf: Issued, verdict: str,
                 hostname_ok: Optional[bool] = None, password: Optional[str] = None,
                 kind: str = "leaf") -> Dict[str, str]:
        key = _key_pem(leaf.key, password)
        chain = b"".join(_pem(c) for c in [leaf.cert, *leaf.chain])
        files = {
            "cert": self.write(name + ".pem", _pem(leaf.cert)),
            "key": self.write(name + ".key", key),
            "chain": self.write(name + "-chain.pem", chain),
            "combined": self.write(name + "-combined.pem", key + chain),
        }
        if verdict != "ok":
            hostname_ok = None  # only meaningful once the chain verifies
        self.add(name, purpose, files, cert=leaf.cert, verdict=verdict,
                 hostname_ok=hostname_ok, kind=kind,
                 chain_subjects=[c.subject.rfc4514_string() for c in leaf.chain])
        return files


def generate(out: Path) -> Dict[str, Any]:
    """Write the whole fixture set into the (empty) directory *out*; returns the manifest."""
    fs = FixtureSet(out)
    org = ORGANIZATION
    root = from_trustme_ca(trustme.CA(organization_name=org,
                                         organization_unit_name="Test Root CA"))
    inter_ca = trustme.CA(parent_cert=root.ca, organization_name=org,
                          organization_unit_name="Test Intermediate CA")
    inter = from_trustme_ca(inter_ca, root)
    untrusted = from_trustme_ca(trustme.CA(organization_name=org,
                                              organization_unit_name="Untrusted Root CA"))
    other = from_trustme_ca(trustme.CA(organization_name=org,
                                          organization_unit_name="Other Root CA"))
    fs.add_ca("root-ca", "the test root every verifier trusts", root, "ok")
    fs.add_ca("intermediate-ca", "intermediate CA signed by the test root", inter, "ok")
    fs.add_ca("untrusted-root-ca", "an unrelated root nobody trusts", untrusted,
              "self-signed")

    local = LOCAL_NAMES
    issue = issuer(inter)
    rsa_key = trustme.KeyType.RSA
    server = issue("server", *local)
    files = fs.add_leaf("server", "EC P-256 server certificate for localhost",
                        server, "ok", True)
    files["der"] = fs.write("server.der", server.cert.public_bytes(
        serialization.Encoding.DER))
    srv_rsa = issue("server-rsa", *local, key_type=rsa_key)
    files = fs.add_leaf("server-rsa", "RSA-2048 server certificate for localhost",
                        srv_rsa, "ok", True)
    trad = _key_pem(srv_rsa.key, traditional=True)
    files["traditional-key"] = fs.write("server-rsa.traditional.key", trad)
    files["traditional-combined"] = fs.write(
        "server-rsa-traditional-combined.pem", trad + fs.out.joinpath(files["chain"]).read_bytes())
    fs.add_leaf("client", "EC P-256 client certificate (clientAuth)",
                issue("client", CLIENT_EMAIL, common_name="client"), "ok", False,
                kind="client")
    fs.add_leaf("client-rsa", "RSA-2048 client certificate (clientAuth)",
                issue("client-rsa", CLIENT_EMAIL, common_name="client", key_type=rsa_key),
                "ok", False, kind="client")
    fs.add_leaf("selfsigned", "self-signed server certificate, its own root",
                selfsigned(), "self-signed")
    fs.add_leaf("expired", "leaf whose validity ended in 2001",
                issue("expired", *local, not_before=PAST[0], not_after=PAST[1]),
                "expired")
    fs.add_leaf("not-yet-valid", "leaf valid only from 2100",
                issue("not-yet-valid", *local, not_before=FUTURE[0],
                      not_after=FUTURE[1]), "not-yet-valid")
    fs.add_leaf("wrong-host", "valid leaf for another host name",
                issue("wrong-host", "wrong.host.example"), "ok", False)
    fs.add_leaf("untrusted-leaf", "leaf issued by the untrusted root",
                issuer(untrusted)("untrusted-leaf", *local), "unknown-ca")
    fs.add_leaf("bad-intermediate", "leaf under an intermediate with CA:FALSE",
                bad_intermediate_leaf(root), "invalid-ca")
    fs.add_leaf("pathlen", "leaf under a sub-CA of a pathLenConstraint=0 CA",
                pathlen_leaf(root), "path-length")
    fs.add_leaf("weak-key", "RSA-1024 leaf", custom_leaf(
        inter, "weak-key", rsa.generate_private_key(65537, 1024)), "weak-key")
    fs.add_leaf("sha1", "leaf signed with SHA-1", sha1_leaf(inter), "weak-signature")
    fs.add_leaf("rich-names", "every SAN type and a many-RDN subject, for getpeercert",
                rich_names_leaf(inter), "ok", False)
    fs.add_leaf("nul-name", "CN and DNS SAN with an embedded NUL (CVE-2013-4238)",
                nul_name_leaf(inter), "ok", False)
    fs.add_leaf("encrypted", "server certificate whose key is encrypted (password "
                "in the manifest)", issue("encrypted", *local), "ok", True,
                password=PASSWORD)
    revoked = issue("revoked", *local)
    fs.add_leaf("revoked", "localhost leaf that the intermediate's CRL revokes (verifies "
                "unless CRLs are checked)", revoked, "ok", True)
    crls = cert_hosts.crl_entry(fs.write, root, inter, revoked, NOT_BEFORE)
    fs.add(crls.pop("name"), crls.pop("purpose"), crls.pop("files"), **crls)
    for name, purpose, leaf in cert_hosts.host_leaves(build_cert, _ou_name, _ec_key, inter):
        fs.add_leaf(name, purpose, leaf, "ok", kind="hostname")

    other_key = issue("key-mismatch-other", *local).key
    mismatch = issue("key-mismatch", *local)
    fs.add("key-mismatch", "a certificate and a private key that do not match",
           {"cert": fs.write("key-mismatch.pem", _pem(mismatch.cert)),
            "key": fs.write("key-mismatch.key", _key_pem(other_key))},
           cert=mismatch.cert, verdict="key-mismatch", kind="mismatch")

    bundle = [untrusted.cert, other.cert, root.cert]
    fs.add("ca-bundle", "several roots concatenated, the test root last",
           {"cert": fs.write("ca-bundle.pem", b"".join(_pem(c) for c in bundle))},
           kind="bundle", subjects=[c.subject.rfc4514_string() for c in bundle])
    for name, ca, verdict in (("capath", root, "ok"), ("capath-untrusted", untrusted,
                                                       "unknown-ca")):
        hashed = "%s/%s.0" % (name, subject_hash(ca.cert.subject))
        fs.add(name, "OpenSSL hashed directory holding " + ca.cert.subject.rfc4514_string(),
               {"dir": name, "cert": fs.write(hashed, _pem(ca.cert))}, kind="capath",
               verdict=verdict)
    for name, data, what in malformed(_pem(server.cert)):
        fs.add(name, what, {"cert": fs.write(name + ".pem", data)}, kind="malformed",
               verdict="malformed")
    shapes = cert_shapes.write_shapes(fs.write, inter.cert, inter.key, [inter.cert, root.cert],
                                      "root-ca.pem")
    manifest = {"format": 1, "password": PASSWORD, "fixtures": fs.entries, "shapes": shapes}
    fs.write(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=True).encode() + b"\n")
    return manifest


def _public_der(key_or_cert: Any) -> bytes:
    return key_or_cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _check_entry(out: Path, entry: Dict[str, Any], password: bytes,
                 horizon: datetime.datetime) -> List[str]:
    name, files = entry["name"], entry["files"]
    missing = [f for f in files.values() if not (out / f).exists()]
    if missing:
        return ["%s: missing %s" % (name, ", ".join(missing))]
    problems: List[str] = []
    if entry["peercert"] is None:
        if entry.get("kind") == "capath":
            cert = x509.load_pem_x509_certificate((out / files["cert"]).read_bytes())
            if Path(files["cert"]).name != subject_hash(cert.subject) + ".0":
                problems.append("%s: %s is not named by its subject hash" % (name, files["cert"]))
        return problems
    cert = x509.load_pem_x509_certificate((out / files["cert"]).read_bytes())
    for field, value in describe(cert).items():
        if entry[field] != value:
            problems.append("%s: %s is %r, manifest says %r" % (name, field, value, entry[field]))
    if jsonable(decode_certificate(cert)) != entry["peercert"]:
        problems.append("%s: peercert differs from the certificate" % name)
    chain = [cert]
    if "chain" in files:
        chain = x509.load_pem_x509_certificates((out / files["chain"]).read_bytes())
        if chain[0] != cert:
            problems.append("%s: chain does not start with the leaf" % name)
        for child, parent in zip(chain, chain[1:]):
            try:
                child.verify_directly_issued_by(parent)
            except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
                if entry["verdict"] != "weak-signature":
                    problems.append("%s: chain is not leaf -> ... -> root" % name)
        combined = (out / files["combined"]).read_bytes()
        if not (combined.startswith(b"-----BEGIN") and b"PRIVATE KEY-----" in
                combined.split(b"\n", 1)[0]):
            problems.append("%s: combined file does not start with the key" % name)
    key = serialization.load_pem_private_key(
        (out / files["key"]).read_bytes(), password if name == "encrypted" else None)
    if (_public_der(key) == _public_der(cert)) != (entry["verdict"] != "key-mismatch"):
        problems.append("%s: key and certificate %s" % (
            name, "match" if entry["verdict"] == "key-mismatch" else "do not match"))
    if entry["verdict"] not in ("expired", "not-yet-valid"):
        for member in chain:
            if member.not_valid_after_utc < horizon:
                problems.append("%s: %s expires %s, within %d years" % (
                    name, member.subject.rfc4514_string(), member.not_valid_after_utc,
                    MIN_YEARS_VALID))
    return problems


def check(out: Path) -> List[str]:
    """Problems found in the fixture set at *out* (empty list: all is well)."""
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError) as exc:
        return ["cannot read %s: %s" % (out / MANIFEST, exc)]
    if manifest.get("format") != 1:
        return ["%s: unknown format %r" % (MANIFEST, manifest.get("format"))]
    now = datetime.datetime.now(datetime.timezone.utc)
    horizon = now.replace(year=now.year + MIN_YEARS_VALID)
    problems: List[str] = []
    for entry in manifest["fixtures"]:
        problems += _check_entry(out, entry, manifest["password"].encode(), horizon)
    for entry in manifest.get("shapes", []):
        problems += cert_shapes.check_entry(out, entry)
    return problems


def write_set(out: Path, force: bool) -> Dict[str, Any]:
    """Generate into a fresh temporary directory, then swap it in at *out*."""
    if out.exists() and any(out.iterdir()) and not force:
        raise SystemExit("error: %s already holds fixtures; pass --force to replace "
                         "them (or --out DIR for somewhere else)" % out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".certs-new-", dir=out.parent))
    try:
        manifest = generate(tmp)
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=".certs-old-", dir=out.parent))
            os.rename(out, old / "certs")
            os.rename(tmp, out)
            shutil.rmtree(old)
        else:
            os.rename(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory to write (default: %(default)s)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing fixture set at --out")
    parser.add_argument("--check", action="store_true",
                        help="verify the set at --out against its manifest; write nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = check(args.out)
        for problem in problems:
            print("FAIL:", problem)
        print("%s: %s" % (args.out, "%d problem(s)" % len(problems) if problems else "ok"))
        return 1 if problems else 0
    started = datetime.datetime.now()
    manifest = write_set(args.out, args.force)
    for entry in manifest["fixtures"] + manifest["shapes"]:
        print("%-22s %-14s %s" % (entry["name"], entry["verdict"] or "-",
                                  " ".join(sorted(set(entry["files"].values())))))
    seconds = (datetime.datetime.now() - started).total_seconds()
    print("wrote %d fixtures and %d shapes to %s in %.2fs" % (
        len(manifest["fixtures"]), len(manifest["shapes"]), args.out, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
