"""Decode an X.509 certificate into the dict ``SSLSocket.getpeercert()`` returns.

The ``ssl`` documentation shows the shape by example (``subject``, ``notAfter``
...); CPython builds it in ``_ssl.c`` from OpenSSL's own printing routines.  This
module rebuilds the same dict from a :class:`cryptography.x509.Certificate`, so
that the reference implementation and the fixture manifest never need
``_ssl`` to say what a certificate looks like.  The rules, one per key:

``subject`` / ``issuer``
    A tuple of RDNs in certificate order; each RDN is a tuple of
    ``(long_name, value)`` pairs (a multi-valued RDN has several pairs).  The
    name of an attribute type is OpenSSL's *long name* (``commonName``,
    ``organizationalUnitName``, ``domainComponent`` ...), see :data:`OID_NAMES`;
    an OID OpenSSL does not know is shown dotted.  Values are text; a NUL
    byte inside a value is kept (CPython does not cut at it).
``version``
    The X.509 version as people count it: 3 for a v3 certificate.
``serialNumber``
    Upper-case hex of the serial's magnitude, two digits per byte
    (OpenSSL's ``i2a_ASN1_INTEGER``): serial 10 is ``'0A'``.
``notBefore`` / ``notAfter``
    OpenSSL's ``ASN1_TIME_print`` form, ``'Jan  5 09:34:43 2018 GMT'`` (day
    padded with a space to two columns).
``subjectAltName`` (only when the extension is present)
    ``('DNS', name)``, ``('email', addr)``, ``('URI', uri)``,
    ``('IP Address', '127.0.0.1')`` or ``('IP Address', '0:0:0:0:0:0:0:1')``
    (IPv6 as eight upper-case hex groups, never compressed),
    ``('DirName', <name as for subject>)``, ``('Registered ID', long name or
    dotted OID)``, and ``('othername', '<unsupported>')`` for otherName.
``OCSP`` / ``caIssuers`` (only when there is at least one URI)
    Tuples of the URIs in the Authority Information Access extension.
``crlDistributionPoints`` (only when the extension is present)
    Tuple of the URIs found in the distribution points' full names.

Version differences worth knowing (the dict above is CPython >= 3.10 on any
OpenSSL, which is what the test-suite compares against):

* IPv6 addresses: CPython 3.10+ formats them itself as above.  Older CPythons
  used OpenSSL's ``GENERAL_NAME_print``, which gave the same eight groups plus
  a trailing newline on OpenSSL 1.1.1 (``'0:0:0:0:0:0:0:1\\n'``), and the
  same text without newline on OpenSSL 3.0.
* otherName: OpenSSL 3.0 prints a few well-known otherName types (UPN,
  SmtpUTF8Mailbox, SRVName, XmppAddr, NAIRealm) with their value; any other
  type is ``'<unsupported>'`` on all versions.  This module implements the
  ``'<unsupported>'`` form only, and the fixtures use a private otherName OID.

This module needs ``cryptography`` and never imports ``ssl``, ``_ssl`` or
pyOpenSSL.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Dict, List, Tuple

from cryptography import x509
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtensionOID

__all__ = ["OID_NAMES", "oid_name", "format_time", "format_serial",
           "decode_name", "decode_general_name", "decode_certificate", "decode_der"]

#: OpenSSL's long names (``OBJ_nid2ln``) for the OIDs met in certificate names,
#: SAN ``registeredID`` values and extended key usages.  A test checks every
#: row against the OpenSSL that the stdlib ``ssl`` module is linked with.
OID_NAMES: Dict[str, str] = {
    # X.520 / PKCS#9 attribute types
    "2.5.4.3": "commonName",
    "2.5.4.4": "surname",
    "2.5.4.5": "serialNumber",
    "2.5.4.6": "countryName",
    "2.5.4.7": "localityName",
    "2.5.4.8": "stateOrProvinceName",
    "2.5.4.9": "streetAddress",
    "2.5.4.10": "organizationName",
    "2.5.4.11": "organizationalUnitName",
    "2.5.4.12": "title",
    "2.5.4.13": "description",
    "2.5.4.15": "businessCategory",
    "2.5.4.17": "postalCode",
    "2.5.4.41": "name",
    "2.5.4.42": "givenName",
    "2.5.4.43": "initials",
    "2.5.4.44": "generationQualifier",
    "2.5.4.45": "x500UniqueIdentifier",
    "2.5.4.46": "dnQualifier",
    "2.5.4.65": "pseudonym",
    "2.5.4.97": "organizationIdentifier",
    "1.2.840.113549.1.9.1": "emailAddress",
    "1.2.840.113549.1.9.2": "unstructuredName",
    "0.9.2342.19200300.100.1.1": "userId",
    "0.9.2342.19200300.100.1.25": "domainComponent",
    "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionLocalityName",
    "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionStateOrProvinceName",
    "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionCountryName",
    # extended key usages (possible registeredID values)
    "1.3.6.1.5.5.7.3.1": "TLS Web Server Authentication",
    "1.3.6.1.5.5.7.3.2": "TLS Web Client Authentication",
    "1.3.6.1.5.5.7.3.3": "Code Signing",
    "1.3.6.1.5.5.7.3.4": "E-mail Protection",
    "1.3.6.1.5.5.7.3.8": "Time Stamping",
    "1.3.6.1.5.5.7.3.9": "OCSP Signing",
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

Name = Tuple[Tuple[Tuple[str, str], ...], ...]


def oid_name(oid: x509.ObjectIdentifier) -> str:
    """OpenSSL's long name for *oid*, or its dotted form when OpenSSL has none."""
    return OID_NAMES.get(oid.dotted_string, oid.dotted_string)


def format_time(when: Any) -> str:
    """``ASN1_TIME_print`` form of a UTC datetime: ``'Jan  5 09:34:43 2018 GMT'``."""
    return "%s %2d %02d:%02d:%02d %d GMT" % (
        _MONTHS[when.month - 1], when.day, when.hour, when.minute, when.second, when.year)


def format_serial(serial: int) -> str:
    """Upper-case hex, two digits per byte, ``'-'`` first for a negative serial."""
    digits = "%X" % abs(serial)
    if len(digits) % 2:
        digits = "0" + digits
    return ("-" if serial < 0 else "") + digits


def _text(value: Any) -> str:
    """A name attribute's value as text (bit strings and the like as Latin-1)."""
    if isinstance(value, str):
        return value
    return bytes(value).decode("latin-1")


def decode_name(name: x509.Name) -> Name:
    """A distinguished name as a tuple of RDNs of ``(long_name, value)`` pairs."""
    return tuple(
        tuple((oid_name(attr.oid), _text(attr.value)) for attr in rdn)
        for rdn in name.rdns
    )


def _ip_text(address: Any) -> str:
    if isinstance(address, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        # a SAN only holds networks in name constraints; show the address part
        address = address.network_address
    packed = address.packed
    if len(packed) == 4:
        return "%d.%d.%d.%d" % tuple(packed)
    groups = [packed[i] << 8 | packed[i + 1] for i in range(0, 16, 2)]
    return ":".join("%X" % group for group in groups)


def decode_general_name(general: x509.GeneralName) -> Tuple[str, Any]:
    """One subjectAltName entry as the ``(type, value)`` pair CPython builds."""
    if isinstance(general, x509.DNSName):
        return ("DNS", general.value)
    if isinstance(general, x509.RFC822Name):
        return ("email", general.value)
    if isinstance(general, x509.UniformResourceIdentifier):
        return ("URI", general.value)
    if isinstance(general, x509.IPAddress):
        return ("IP Address", _ip_text(general.value))
    if isinstance(general, x509.DirectoryName):
        return ("DirName", decode_name(general.value))
    if isinstance(general, x509.RegisteredID):
        return ("Registered ID", oid_name(general.value))
    if isinstance(general, x509.OtherName):
        return ("othername", "<unsupported>")
    raise ValueError("unsupported general name type: %r" % (general,))


def _extension(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> Any:
    try:
        return cert.extensions.get_extension_for_oid(oid).value
    except x509.ExtensionNotFound:
        return None


def _aia_uris(aia: Any, method: x509.ObjectIdentifier) -> Tuple[str, ...]:
    if aia is None:
        return ()
    return tuple(
        desc.access_location.value for desc in aia
        if desc.access_method == method
        and isinstance(desc.access_location, x509.UniformResourceIdentifier)
    )


def _validity(cert: x509.Certificate, which: str) -> Any:
    """``not_valid_before``/``after`` in UTC: the ``*_utc`` properties where
    cryptography has them (42+), else the older naive-UTC ones."""
    return getattr(cert, which + "_utc", None) or getattr(cert, which)


def decode_certificate(cert: x509.Certificate) -> Dict[str, Any]:
    """The ``getpeercert()`` dict of *cert* (see the module docstring for the rules)."""
    result: Dict[str, Any] = {
        "subject": decode_name(cert.subject),
        "issuer": decode_name(cert.issuer),
        "version": cert.version.value + 1,
        "serialNumber": format_serial(cert.serial_number),
        "notBefore": format_time(_validity(cert, "not_valid_before")),
        "notAfter": format_time(_validity(cert, "not_valid_after")),
    }
    san = _extension(cert, ExtensionOID.SUBJECT_ALTERNATIVE_NAME)
    if san is not None:
        result["subjectAltName"] = tuple(decode_general_name(g) for g in san)
    aia = _extension(cert, ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
    for key, method in (("OCSP", AuthorityInformationAccessOID.OCSP),
                        ("caIssuers", AuthorityInformationAccessOID.CA_ISSUERS)):
        uris = _aia_uris(aia, method)
        if uris:
            result[key] = uris
    cdp = _extension(cert, ExtensionOID.CRL_DISTRIBUTION_POINTS)
    if cdp is not None:
        uris: List[str] = []
        for point in cdp:
            for general in point.full_name or ():
                if isinstance(general, x509.UniformResourceIdentifier):
                    uris.append(general.value)
        result["crlDistributionPoints"] = tuple(uris)
    return result


def decode_der(der: bytes) -> Dict[str, Any]:
    """:func:`decode_certificate` for a DER-encoded certificate."""
    return decode_certificate(x509.load_der_x509_certificate(der))
