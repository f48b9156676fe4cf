"""Legacy and odd-but-verifiable certificate shapes, for ``getpeercert()``.

Part of ``scripts/gen_certs.py`` (which calls :func:`write_shapes`).  Real
certificates carry things a strict parser refuses and OpenSSL verifies: a
wildcard common name in a PrintableString (``*`` is outside its alphabet),
TeletexString / BMPString / UniversalString values, attribute types few
libraries name, multi-valued RDNs, otherName and x400Address SAN entries, v1
and v2 certificates, zero / negative / 20-byte serial numbers, BER booleans and
explicitly encoded DEFAULTs in extensions.  ``cryptography`` will not build
most of these, so each shape starts as an ordinary leaf built with
cryptography, is decoded into the RFC 5280 structures of ``pyasn1-modules``,
changed there, encoded again by pyasn1 (never by hand; the pieces are in
``scripts/asn1_parts.py``), and signed with the fixture CA's key through
cryptography.

What OpenSSL will not even load cannot be served and is no shape: an
attribute value of VisibleString, GeneralString, GraphicString or any
non-string type, invalid UTF-8 in a UTF8String, an odd-length BMPString, an
extension present twice.

Requirements (beyond gen_certs' own): ``pyasn1`` and ``pyasn1-modules``
(``pip install pyasn1 pyasn1-modules``; both are in the ``test`` extra).

A shape's expected ``getpeercert()`` is what CPython's own decoder
(``ssl._ssl._test_decode_cert``) makes of the file at generation time; it is
recorded in the manifest under ``shapes``.  A shape OpenSSL will not verify
says so in its ``verdict`` and has no ``peercert``: it is a refusal case.
Serial numbers are derived from the shape's name, so everything but the keys
(and the signatures) is the same on every run.
"""
from __future__ import annotations

import dataclasses
import datetime
import hashlib
import ssl
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyasn1.codec.der import decoder as der_decoder, encoder as der_encoder
from pyasn1.type import char, univ
from pyasn1_modules import rfc5280

from asn1_parts import (  # beside this script
    C, CA_ISSUERS, CN, DC, EXT_AIA, EXT_BASIC_CONSTRAINTS, EXT_CDP, EXT_KEY_USAGE, EXT_SAN,
    local_sans, O, OCSP, OU, PRIVATE_OID, RDN, UID, UNIQUE_ID, Certificate, Ext,
    TBSWithEncodedExtensions, access, ber_indefinite, distribution_points, edi_party, general,
    general_names, ip, name, other_name, plain_basic_constraints, printable, raw, uri, utf8, x400)

__all__ = ["Shape", "SHAPES", "write_shapes"]

ORGANIZATION = "ssl-conformance"
NOT_BEFORE = datetime.datetime(2020, 1, 1)
NOT_AFTER = datetime.datetime(2125, 1, 1)

# -- the attribute types OpenSSL names ---------------------------------------------

#: The arcs whose direct children OpenSSL names as attribute types of a
#: distinguished name; the ``attrs-*`` shapes hold every one OpenSSL knows.
ATTRIBUTE_ARCS = {
    "x520": "2.5.4",                          # X.520 (commonName ... )
    "pkcs9": "1.2.840.113549.1.9",            # PKCS #9 (emailAddress ...)
    "pilot": "0.9.2342.19200300.100.1",       # RFC 4519 / COSINE (userId, domainComponent ...)
    "jurisdiction": "1.3.6.1.4.1.311.60.2.1",  # EV jurisdiction*
}


def named_attribute_types(arc: str) -> List[str]:
    """Every OID directly below *arc* that the stdlib's OpenSSL has a name for."""
    found = []
    for nid in range(1, 4096):
        try:
            oid = ssl._ssl.nid2obj(nid)[3]
        except ValueError:
            continue
        if oid and oid.startswith(arc + ".") and "." not in oid[len(arc) + 1:]:
            found.append(oid)
    return sorted(found, key=lambda oid: [int(a) for a in oid.split(".")])


# -- the shapes ---------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Shape:
    """One certificate shape: a leaf below the fixture intermediate CA unless
    ``self_signed``, presented for ``localhost``.

    ``subject`` replaces the draft's ``O=ssl-conformance, OU=<name>``;
    ``sans`` replaces its localhost SAN (``None``: no SAN extension at all);
    ``extensions`` are added after the draft's (basicConstraints CA:FALSE,
    key identifiers, keyUsage, extendedKeyUsage), an :class:`Ext` with
    ``replace`` taking the place of the draft's of the same OID;
    ``version`` 1 or 2 and ``no_extensions`` drop the extensions field;
    ``validity`` is written as given (13 characters: UTCTime, else
    GeneralizedTime); ``serial`` defaults to one derived from the name.
    ``verdict`` is what a client trusting the anchor concludes: ``"ok"`` or
    why OpenSSL refuses the certificate.
    """

    name: str
    purpose: str
    subject: Optional[rfc5280.Name] = None
    sans: Optional[Sequence[rfc5280.GeneralName]] = dataclasses.field(default_factory=local_sans)
    extensions: Sequence[Ext] = ()
    version: int = 3
    no_extensions: bool = False
    validity: Optional[Tuple[str, str]] = None
    serial: Optional[int] = None
    self_signed: bool = False
    verdict: str = "ok"


def _ou(shape_name: str, *more: RDN) -> rfc5280.Name:
    return name((O, utf8(ORGANIZATION)), (OU, utf8(shape_name)), *more)


def _every_attribute_type(arc: str) -> rfc5280.Name:
    """One RDN per attribute type OpenSSL names below *arc*, value ``v<last arc>``."""
    rdns: List[RDN] = [(O, utf8(ORGANIZATION))]
    rdns += [(oid, utf8("v" + oid.rsplit(".", 1)[1])) for oid in named_attribute_types(arc)]
    rdns.append((PRIVATE_OID, utf8("no OpenSSL name")))
    return name(*rdns)


SHAPES: Tuple[Shape, ...] = (
    # string types
    Shape("printable-wildcard", "wildcard common name as a PrintableString ('*' is outside its "
          "alphabet), as many public certificates have it",
          subject=_ou("printable-wildcard", (CN, printable("*.localhost")))),
    Shape("printable-outside-alphabet", "PrintableStrings holding '@', '&', '_', '!', '#' and ';'",
          subject=name((O, printable("AT&T @ Home_Co; #1!")), (OU, printable("printable_outside")),
                       (CN, printable("user@localhost")))),
    Shape("teletex", "TeletexString (T61String) values with bytes above 0x7F, read as Latin-1",
          subject=_ou("teletex", (C, char.TeletexString("DE")),
                      (CN, char.TeletexString("Gr\u00fc\u00dfe aus K\u00f6ln")))),
    Shape("bmpstring", "BMPString (UCS-2) values, outside and inside Latin-1",
          subject=_ou("bmpstring", (CN, char.BMPString("\u00c6r\u00f8sk\u00f8bing \u2713 \u6771\u4eac")))),
    Shape("universalstring", "UniversalString (UCS-4) values, one outside the BMP",
          subject=_ou("universalstring", (CN, char.UniversalString("clef \U0001d11e ok")))),
    Shape("ascii-string-types", "NumericString and IA5String values",
          subject=_ou("ascii-string-types", ("2.5.4.5", char.NumericString("0123 4567")),
                      (CN, char.IA5String("ia5.localhost")))),
    Shape("high-bytes-in-ascii-types", "PrintableString and IA5String values with a byte above "
          "0x7F (OpenSSL reads each byte as one Latin-1 character)",
          subject=_ou("high-bytes-in-ascii-types", (O, raw(char.PrintableString, b"Caf\xe9")),
                      (CN, raw(char.IA5String, b"na\xefve.localhost")))),
    Shape("bitstring-unique-identifier", "x500UniqueIdentifier, the one attribute whose value is a BIT STRING",
          subject=_ou("bitstring-unique-identifier", (UNIQUE_ID, univ.BitString(hexValue="00ff10")))),
    Shape("empty-values", "attribute values of length zero",
          subject=_ou("empty-values", (CN, utf8("")), ("2.5.4.12", printable("")))),
    Shape("utf8-where-printable-is-due", "countryName and domainComponent as UTF8String, "
          "a three-letter country",
          subject=_ou("utf8-where-printable-is-due", (C, utf8("NLD")), (DC, utf8("localhost")))),
    # attribute types
    *(Shape("attrs-" + key, "every attribute type OpenSSL names below %s, and one it does not" % arc,
            subject=_every_attribute_type(arc)) for key, arc in ATTRIBUTE_ARCS.items()),
    # RDN structure
    Shape("multi-valued-rdn", "RDNs of three and of two values, one with two values of one type",
          subject=name((O, utf8(ORGANIZATION)),
                       [(OU, utf8("multi-valued-rdn")), (CN, utf8("localhost")), (UID, utf8("m1"))],
                       [(OU, utf8("b")), (OU, utf8("a"))])),
    Shape("repeated-attributes", "two common names and three organisational units",
          subject=name((OU, utf8("repeated-attributes")), (OU, utf8("two")), (OU, utf8("three")),
                       (CN, utf8("first")), (CN, utf8("localhost")))),
    Shape("reversed-rdn-order", "most specific RDN first, as LDAP writes names",
          subject=name((CN, utf8("localhost")), (OU, utf8("reversed-rdn-order")), (O, utf8(ORGANIZATION)),
                       (C, printable("NL")))),
    Shape("empty-subject", "an empty subject, the name only in a critical subjectAltName",
          subject=name(), extensions=(Ext(EXT_SAN, general_names(local_sans()), critical=True),)),
    Shape("many-rdns", "a subject of 64 RDNs and a common name of 1024 characters",
          subject=name((O, utf8(ORGANIZATION)), *[(OU, utf8("unit %02d" % i)) for i in range(62)],
                       (CN, utf8("x" * 1024)))),
    # subjectAltName
    Shape("san-ip-forms", "IPv4 and IPv6 addresses at the edges, and an IPv4-mapped IPv6",
          sans=[general("dNSName", "localhost"), ip("127.0.0.1"), ip("0.0.0.0"), ip("255.255.255.255"),
                ip("::"), ip("::1"), ip("::ffff:192.0.2.1"), ip("fe80::1"), ip("2001:db8:0:0:1:0:0:1"),
                ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")]),
    Shape("san-ip-odd-lengths", "iPAddress of 8, 32 and 0 bytes (address and mask, as in name "
          "constraints; and nothing)",
          sans=[*local_sans(), general("iPAddress", bytes([10, 0, 0, 0, 255, 0, 0, 0])),
                general("iPAddress", bytes(range(32))), general("iPAddress", b"")]),
    Shape("san-long", "a 253-character DNS name, a 4000-character URI, 100 DNS entries",
          sans=[*local_sans(), general("dNSName", ".".join(["a" * 63] * 3 + ["b" * 61])),
                uri("https://localhost/" + "p" * 3982),
                *[general("dNSName", "host%03d.localhost" % i) for i in range(100)]]),
    Shape("san-text-forms", "DNS names with a trailing dot, upper case, an underscore and a bare "
          "'*'; email and URI forms",
          sans=[*local_sans(), general("dNSName", "localhost."), general("dNSName", "UPPER.Localhost"),
                general("dNSName", "_srv._tcp.localhost"), general("dNSName", "*"),
                general("dNSName", "xn--bcher-kva.example"),
                general("rfc822Name", "first.last+tag@localhost"), general("rfc822Name", "localhost"),
                uri("urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6"), uri("http://[::1]:8443/x?y#z"),
                uri("ldap://ldap.localhost/cn=a,dc=b?certificate")]),
    Shape("san-utf8-in-ia5", "a dNSName whose IA5String holds UTF-8 bytes (CPython reads SAN "
          "text as UTF-8)",
          sans=[*local_sans(), general("dNSName", "b\u00fccher.localhost".encode())]),
    Shape("san-othername", "otherName forms: UPN, SRVName, XmppAddr, SmtpUTF8Mailbox, NAIRealm, "
          "a UPN of the wrong string type and an OID OpenSSL does not know",
          sans=[*local_sans(), other_name("1.3.6.1.4.1.311.20.2.3", utf8("user@localhost")),
                other_name("1.3.6.1.5.5.7.8.7", char.IA5String("_https.localhost")),
                other_name("1.3.6.1.5.5.7.8.5", utf8("xmpp@localhost")),
                other_name("1.3.6.1.5.5.7.8.9", utf8("j\u00f6rg@localhost")),
                other_name("1.3.6.1.5.5.7.8.8", utf8("realm.localhost")),
                other_name("1.3.6.1.4.1.311.20.2.3", char.IA5String("wrong-type@localhost")),
                other_name(PRIVATE_OID, utf8("private"))]),
    Shape("san-registered-id", "registeredID values OpenSSL names and one it does not",
          sans=[*local_sans(), general("registeredID", "1.3.6.1.5.5.7.3.1"),
                general("registeredID", "1.3.6.1.4.1.311.20.2.3"), general("registeredID", "2.5.4.3"),
                general("registeredID", PRIVATE_OID)]),
    Shape("san-dirname", "directoryName entries: multi-valued RDN, BMPString, an empty name",
          sans=[*local_sans(), general("directoryName", name(
                    (C, printable("NL")), [(O, utf8("Dir Org")), (OU, char.BMPString("\u00e9quipe"))],
                    (CN, utf8("dir name")))),
                general("directoryName", name())]),
    Shape("san-x400-edi", "x400Address and ediPartyName entries (rare; cryptography refuses them)",
          sans=[*local_sans(), x400("x400 org"), edi_party("party", "assigner"), edi_party("party only")]),
    Shape("san-empty", "a subjectAltName extension with no names at all", sans=[]),
    Shape("no-san", "no subjectAltName extension", sans=None),
    # versions and serial numbers
    Shape("v1", "an X.509 v1 certificate: no version field, no extensions", version=1),
    Shape("v2-unique-ids", "an X.509 v2 certificate with issuer and subject unique identifiers",
          version=2),
    Shape("v3-no-extensions", "a v3 certificate with no extensions field", no_extensions=True),
    Shape("serial-zero", "serial number 0", serial=0),
    Shape("serial-negative", "a negative serial number", serial=-0x1234),
    Shape("serial-20-bytes", "the longest serial RFC 5280 allows: 20 bytes", serial=(1 << 159) - 0x1234),
    Shape("serial-40-bytes", "a 40-byte serial number (OpenSSL prints it on two lines)", serial=int.from_bytes(bytes(range(1, 41)), "big")),
    # validity encodings
    Shape("generalized-time-before-2050", "validity as GeneralizedTime before 2050 (RFC 5280 "
          "wants UTCTime there)", validity=("20200101000000Z", "20491231235959Z")),
    Shape("utctime-edges", "UTCTime at both ends of its range: 1950 and 2049",
          validity=("500101000000Z", "491231235959Z")),
    Shape("generalized-time-fraction", "GeneralizedTime with fractional seconds (DER forbids a "
          "trailing zero, not a fraction); OpenSSL will not verify it",
          validity=("20200101000000.5Z", "21250101000000.25Z"), verdict="bad-not-before"),
    # extensions a strict parser refuses
    Shape("ext-explicit-defaults", "critical FALSE and basicConstraints cA FALSE written out "
          "(DER forbids encoding a DEFAULT)",
          extensions=(Ext(EXT_BASIC_CONSTRAINTS, plain_basic_constraints(),
                          critical=False, form="explicit-default"),)),
    Shape("ext-ber-boolean", "critical TRUE encoded as 0x01 (BER; DER wants 0xFF)",
          extensions=(Ext(EXT_KEY_USAGE, der_encoder.encode(univ.BitString("'1'B")), critical=True,
                          form="ber-boolean"),)),
    Shape("ext-ber-indefinite-length", "Authority Information Access encoded in BER with "
          "indefinite lengths",
          extensions=(Ext(EXT_AIA, access((OCSP, uri("http://ocsp.localhost/")), encoding=ber_indefinite)),)),
    Shape("ext-unknown-noncritical", "an unknown non-critical extension whose contents are not DER",
          extensions=(Ext(PRIVATE_OID, b"\xff\x00\xfe not der"),)),
    # AIA and CRL distribution points
    Shape("aia-ocsp-only", "Authority Information Access with one OCSP URI",
          extensions=(Ext(EXT_AIA, access((OCSP, uri("http://ocsp.localhost/")))),)),
    Shape("aia-ca-issuers-only", "Authority Information Access with one caIssuers URI",
          extensions=(Ext(EXT_AIA, access((CA_ISSUERS, uri("http://ca.localhost/ca.crt")))),)),
    Shape("aia-mixed", "two OCSP and two caIssuers URIs, a caIssuers directoryName and an "
          "unknown access method",
          extensions=(Ext(EXT_AIA, access(
              (OCSP, uri("http://ocsp1.localhost/")), (CA_ISSUERS, uri("http://ca1.localhost/ca.crt")),
              (CA_ISSUERS, general("directoryName", name((CN, utf8("a directory"))))),
              (PRIVATE_OID, uri("http://other.localhost/")), (OCSP, uri("http://ocsp2.localhost/")),
              (CA_ISSUERS, uri("ldap://ca2.localhost/cn=ca")))),)),
    Shape("aia-no-uri", "Authority Information Access whose only entry is a directoryName",
          extensions=(Ext(EXT_AIA, access((OCSP, general("directoryName", name((CN, utf8("x"))))))),)),
    Shape("cdp-many", "CRL distribution points: two points, several URIs, a directoryName among them",
          extensions=(Ext(EXT_CDP, distribution_points(
              {"full": [uri("http://crl1.localhost/a.crl"), uri("ldap://crl1.localhost/cn=crl")]},
              {"full": [general("directoryName", name((CN, utf8("crl dir")))),
                        uri("http://crl2.localhost/b.crl")]})),)),
    Shape("cdp-no-uri", "CRL distribution points without a URI: a directoryName, and a point "
          "with only a cRLIssuer",
          extensions=(Ext(EXT_CDP, distribution_points(
              {"full": [general("directoryName", name((CN, utf8("crl dir"))))]},
              {"issuer": [general("directoryName", name((CN, utf8("crl issuer"))))]})),)),
    # trust
    Shape("pinned-selfsigned", "a self-signed CA:FALSE server certificate, pinned as the "
          "client's cafile", self_signed=True),
    # what OpenSSL itself refuses
    Shape("critical-unknown-extension", "an unknown extension marked critical",
          extensions=(Ext(PRIVATE_OID, der_encoder.encode(univ.Null()), critical=True),),
          verdict="unhandled-critical-extension"),
)


# -- making one shape ---------------------------------------------------------------

def derived_serial(shape_name: str) -> int:
    """A positive 127-bit serial fixed by the shape's name."""
    return int.from_bytes(hashlib.sha256(shape_name.encode()).digest()[:16], "big") >> 1


def _draft(key: Any, signer_cert: Optional[x509.Certificate], signer_key: Any) -> x509.Certificate:
    """An ordinary localhost leaf (trustme's extensions), the start of every shape."""
    public = key.public_key()
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION)])
    authority = signer_cert.public_key() if signer_cert is not None else public
    return (x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(signer_cert.subject if signer_cert is not None else subject)
            .public_key(public).serial_number(1)
            .not_valid_before(NOT_BEFORE).not_valid_after(NOT_AFTER)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(authority), False)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False), True)
            .add_extension(x509.ExtendedKeyUsage(
                [x509.oid.ExtendedKeyUsageOID.SERVER_AUTH, x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH]),
                False)
            .sign(signer_key, hashes.SHA256()))


def _extensions(shape: Shape, draft_tbs: Any) -> List[bytes]:
    """The encoded Extension values of the shape, in certificate order."""
    encoded: List[Tuple[str, bytes]] = [(str(ext["extnID"]), der_encoder.encode(ext))
                                        for ext in draft_tbs["extensions"]]
    added = list(shape.extensions)
    if shape.sans is not None:
        added.insert(0, Ext(EXT_SAN, general_names(shape.sans)))
    for ext in added:
        if ext.replace:
            encoded = [(oid, der) for oid, der in encoded if oid != ext.oid]
        encoded.append((ext.oid, ext.encode()))
    return [der for _, der in encoded]


def build(shape: Shape, key: Any, signer_cert: Optional[x509.Certificate], signer_key: Any) -> bytes:
    """The DER of *shape*, signed by *signer_key* (its own *key* when self-signed)."""
    draft = _draft(key, signer_cert, signer_key)
    tbs, _ = der_decoder.decode(draft.tbs_certificate_bytes, asn1Spec=rfc5280.TBSCertificate())
    subject = shape.subject if shape.subject is not None else _ou(shape.name)
    out = TBSWithEncodedExtensions()
    for field in ("version", "serialNumber", "signature", "issuer", "validity", "subject",
                  "subjectPublicKeyInfo"):
        out[field] = tbs[field]
    out["version"] = shape.version - 1  # v1 is the DEFAULT: DER leaves it out
    out["serialNumber"] = derived_serial(shape.name) if shape.serial is None else shape.serial
    out["subject"] = subject
    if shape.self_signed:
        out["issuer"] = subject
    if shape.validity is not None:
        for field, text in zip(("notBefore", "notAfter"), shape.validity):
            time = rfc5280.Time()
            time["utcTime" if len(text) == 13 else "generalTime"] = text
            out["validity"][field] = time
    if shape.version == 2:
        for field, hex_value in (("issuerUniqueID", "0102"), ("subjectUniqueID", "a0b0c0")):
            out[field] = out.componentType[field].asn1Object.clone(hexValue=hex_value)
    if shape.version == 3 and not shape.no_extensions:
        for der in _extensions(shape, tbs):
            out["extensions"].append(univ.Any(der))
    tbs_der = der_encoder.encode(out)
    cert = Certificate()
    cert["tbsCertificate"] = univ.Any(tbs_der)
    cert["signatureAlgorithm"] = tbs["signature"]
    cert["signature"] = univ.BitString.fromOctetString(signer_key.sign(tbs_der, ec.ECDSA(hashes.SHA256())))
    return der_encoder.encode(cert)


def cpython_peercert(der: bytes) -> Any:
    """What the interpreter's own decoder (``_ssl._test_decode_cert``) makes of *der*."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "shape.pem"
        path.write_text(ssl.DER_cert_to_PEM_cert(der))
        return ssl._ssl._test_decode_cert(str(path))


def _jsonable(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, bytes):  # x500UniqueIdentifier: JSON has no bytes
        return {"bytes": value.hex()}
    return value


def _pem(der: bytes) -> bytes:
    return ssl.DER_cert_to_PEM_cert(der).encode()


def write_shapes(write: Callable[[str, bytes], str], signer_cert: x509.Certificate, signer_key: Any,
                 chain_above: Sequence[x509.Certificate], anchor: str) -> List[Dict[str, Any]]:
    """Write every shape under ``shapes/`` through *write* and return their manifest entries.

    *chain_above* are the signer's certificate and its issuers, *anchor* the
    fixture file a client trusts for them.
    """
    entries = []
    above = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain_above)
    for shape in SHAPES:
        key = ec.generate_private_key(ec.SECP256R1())
        der = (build(shape, key, None, key) if shape.self_signed
               else build(shape, key, signer_cert, signer_key))
        stem = "shapes/" + shape.name
        files = {
            "cert": write(stem + ".pem", _pem(der)),
            "key": write(stem + ".key", key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption())),
        }
        if not shape.self_signed:
            files["chain"] = write(stem + "-chain.pem", _pem(der) + above)
        entries.append({
            "name": shape.name,
            "purpose": shape.purpose,
            "files": files,
            "anchor": files["cert"] if shape.self_signed else anchor,
            "verdict": shape.verdict,
            "peercert": _jsonable(cpython_peercert(der)) if shape.verdict == "ok" else None,
        })
    return entries


def check_entry(out: Path, entry: Dict[str, Any]) -> List[str]:
    """Problems of one shape's manifest entry against the files at *out*."""
    name, files = entry["name"], entry["files"]
    missing = [f for f in files.values() if not (out / f).exists()]
    if missing:
        return ["shape %s: missing %s" % (name, ", ".join(missing))]
    problems = []
    leaf = (out / files["cert"]).read_text()
    if "chain" in files and not (out / files["chain"]).read_text().startswith(leaf):
        problems.append("shape %s: chain does not start with the leaf" % name)
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(str(out / files["cert"]),
                                                                str(out / files["key"]))
    except ssl.SSLError as exc:
        problems.append("shape %s: certificate and key do not load together (%s)" % (name, exc))
    if entry["peercert"] is not None:
        decoded = _jsonable(cpython_peercert(ssl.PEM_cert_to_DER_cert(leaf)))
        if decoded != entry["peercert"]:
            problems.append("shape %s: peercert is not the interpreter's decoding" % name)
    return problems
