"""``reference.certdecode`` builds exactly the dict CPython's decoder builds.

The judge is the interpreter's own ``ssl._ssl._test_decode_cert`` (the code
behind ``getpeercert()``), run on every fixture certificate, every shape of
``fixtures/certs/shapes/`` and on small certificates made here to reach the
corners: serial numbers of every length, day-of-month padding, UTCTime and
GeneralizedTime, and each SAN type.  The differences the decoder's docstring
decides on are tested here, each exactly.
"""
from __future__ import annotations

import datetime
import ipaddress
import json
import ssl
from pathlib import Path
from typing import Any, Dict, List

import pytest

pytest.importorskip("cryptography")

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from reference.certdecode import decode_certificate, decode_der, oid_name  # noqa: E402

CERTS = Path(__file__).resolve().parent.parent / "fixtures" / "certs"
MANIFEST = json.loads((CERTS / "manifest.json").read_text())
WITH_CERT = [pytest.param(e, id=e["name"]) for e in MANIFEST["fixtures"] if e["peercert"]]
SHAPES = [pytest.param(e, id=e["name"]) for e in MANIFEST["shapes"] if e["verdict"] == "ok"]
KEY = ec.generate_private_key(ec.SECP256R1())


def load(entry: Dict[str, Any]) -> x509.Certificate:
    return x509.load_pem_x509_certificate((CERTS / entry["files"]["cert"]).read_bytes())


@pytest.mark.parametrize("entry", WITH_CERT)
def test_fixture_decodes_like_cpython(entry: Dict[str, Any]) -> None:
    path = CERTS / entry["files"]["cert"]
    assert decode_certificate(load(entry)) == ssl._ssl._test_decode_cert(str(path))


def test_decode_der() -> None:
    der = (CERTS / "server.der").read_bytes()
    assert decode_der(der) == ssl._ssl._test_decode_cert(str(CERTS / "server.pem"))


def fixture(name: str) -> Dict[str, Any]:
    return next(e for e in MANIFEST["fixtures"] if e["name"] == name)


def test_rich_names_reach_every_shape() -> None:
    """The rich-names fixture really exercises what it is for (else the test above is weak)."""
    decoded = decode_certificate(load(fixture("rich-names")))
    assert {kind for kind, _ in decoded["subjectAltName"]} == {
        "DNS", "IP Address", "email", "URI", "DirName", "othername", "Registered ID"}
    assert any(len(rdn) > 1 for rdn in decoded["subject"])
    assert any(not value.isascii() for rdn in decoded["subject"] for _, value in rdn)
    assert {"OCSP", "caIssuers", "crlDistributionPoints"} <= set(decoded)
    ipv6 = [v for k, v in decoded["subjectAltName"] if k == "IP Address" and ":" in v]
    assert ipv6 and all(len(v.split(":")) == 8 and v == v.upper() for v in ipv6)


def test_nul_name_keeps_the_nul() -> None:
    decoded = decode_certificate(load(fixture("nul-name")))
    common = [v for rdn in decoded["subject"] for k, v in rdn if k == "commonName"]
    dns = [v for k, v in decoded["subjectAltName"] if k == "DNS"]
    assert common and "\x00" in common[0] and dns and "\x00" in dns[0]


@pytest.mark.parametrize("entry", SHAPES)
def test_shape_decodes_like_cpython(entry: Dict[str, Any]) -> None:
    """Shapes cryptography refuses to parse included: the reference reads the DER itself."""
    path = CERTS / entry["files"]["cert"]
    assert decode_der(ssl.PEM_cert_to_DER_cert(path.read_text())) == \
        ssl._ssl._test_decode_cert(str(path))


def test_time_forms_openssl_does_not_verify() -> None:
    """CPython prints a fractional GeneralizedTime; OpenSSL refuses to verify it, so
    getpeercert() never meets one and the reference says it does not read it."""
    entry = next(e for e in MANIFEST["shapes"] if e["name"] == "generalized-time-fraction")
    assert entry["verdict"] == "bad-not-before"
    path = CERTS / entry["files"]["cert"]
    assert ssl._ssl._test_decode_cert(str(path))["notBefore"] == "Jan  1 00:00:00.5 2020 GMT"
    with pytest.raises(ValueError, match="20200101000000.5Z"):
        decode_der(ssl.PEM_cert_to_DER_cert(path.read_text()))


#: Objects the OpenSSL of the reference names otherwise than the stdlib's
#: OpenSSL 3.0 does (the reference shows its own OpenSSL's name, as CPython
#: linked with that OpenSSL would): OID -> (stdlib's name, reference's name).
OPENSSL_RENAMED = {"1.3.6.1.5.5.7.1.4": ("ac-auditEntity", "X509v3 Audit Identity")}


def test_oid_names_are_openssls() -> None:
    """Every object the stdlib's OpenSSL names gets that name from the reference,
    except the renamings listed above, and those only as listed.  (An OID is
    looked up as a decoder meets it, by ``txt2obj``: a few OIDs have two NIDs.)"""
    differences = {}
    for nid in range(1, 4096):
        try:
            oid = ssl._ssl.nid2obj(nid)[3]
        except ValueError:
            continue
        if oid and oid_name(oid) != ssl._ssl.txt2obj(oid)[2]:
            differences[oid] = (ssl._ssl.txt2obj(oid)[2], oid_name(oid))
    assert len(differences) <= len(OPENSSL_RENAMED)
    assert all(OPENSSL_RENAMED.get(oid) == names for oid, names in differences.items()), differences
    assert oid_name("1.3.6.1.4.1.55555.7") == "1.3.6.1.4.1.55555.7"  # unknown: dotted


def _made(tmp_path: Path, *, serial: int = 1, not_before: datetime.datetime,
          not_after: datetime.datetime, sans: List[x509.GeneralName]) -> Path:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "corner case")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(KEY.public_key()).serial_number(serial)
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.SubjectAlternativeName(sans), False)
            .sign(KEY, hashes.SHA256()))
    path = tmp_path / "made.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


SERIALS = [1, 10, 0xFF, 0x100, 0x7F, 0x80, 2 ** 63, 2 ** 159 - 1]
DATES = [(datetime.datetime(1999, 3, 5, 1, 2, 3), datetime.datetime(2049, 12, 31, 23, 59, 59)),
         (datetime.datetime(1950, 1, 1), datetime.datetime(2050, 1, 25, 10, 0, 0)),
         (datetime.datetime(2024, 2, 29, 12, 0, 0), datetime.datetime(9999, 12, 31, 23, 59, 59))]
SANS = [
    [x509.IPAddress(ipaddress.ip_address(a)) for a in
     ("0.0.0.0", "255.255.255.255", "::", "fe80::1:abcd", "2001:db8:0:0:1::ff")],
    [x509.RegisteredID(x509.ObjectIdentifier(o)) for o in ("1.3.6.1.5.5.7.3.1", "1.2.3")],
    [x509.DNSName("*.example"), x509.RFC822Name("a@b.example"),
     x509.UniformResourceIdentifier("ldap://x.example/cn=a,dc=b")],
]


@pytest.mark.parametrize("serial", SERIALS)
def test_serial_numbers(serial: int, tmp_path: Path) -> None:
    path = _made(tmp_path, serial=serial, not_before=DATES[0][0], not_after=DATES[0][1],
                 sans=SANS[2])
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    assert decode_certificate(cert) == ssl._ssl._test_decode_cert(str(path))


@pytest.mark.parametrize("dates", DATES, ids=lambda d: "%s..%s" % (d[0].year, d[1].year))
def test_times(dates: Any, tmp_path: Path) -> None:
    path = _made(tmp_path, not_before=dates[0], not_after=dates[1], sans=SANS[2])
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    assert decode_certificate(cert) == ssl._ssl._test_decode_cert(str(path))


@pytest.mark.parametrize("sans", SANS, ids=["ip", "rid", "text"])
def test_san_corners(sans: List[x509.GeneralName], tmp_path: Path) -> None:
    path = _made(tmp_path, not_before=DATES[0][0], not_after=DATES[0][1], sans=sans)
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    assert decode_certificate(cert) == ssl._ssl._test_decode_cert(str(path))


def test_san_text_that_is_not_utf8(tmp_path: Path) -> None:
    """The one documented difference: CPython's getpeercert() raises on a dNSName
    holding a Latin-1 byte; the reference keeps the byte as a surrogate escape."""
    cert_shapes = _cert_shapes()
    shape = cert_shapes.Shape("latin1-dns", "a dNSName with byte 0xE9", sans=[
        cert_shapes.general("dNSName", b"caf\xe9.localhost")], self_signed=True)
    der = cert_shapes.build(shape, KEY, None, KEY)
    path = tmp_path / "latin1-dns.pem"
    path.write_text(ssl.DER_cert_to_PEM_cert(der))
    with pytest.raises(UnicodeDecodeError):
        ssl._ssl._test_decode_cert(str(path))
    assert decode_der(der)["subjectAltName"] == (("DNS", "caf\udce9.localhost"),)


def _cert_shapes() -> Any:
    """``scripts/cert_shapes.py`` (needs pyasn1), the builder of the shapes."""
    pytest.importorskip("pyasn1_modules")
    import importlib
    import sys

    scripts = str(Path(__file__).resolve().parent.parent / "scripts")
    if scripts not in sys.path:
        sys.path.insert(0, scripts)
    return importlib.import_module("cert_shapes")
