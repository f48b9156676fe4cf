"""Decode an X.509 certificate into the dict ``SSLSocket.getpeercert()`` returns.

The ``ssl`` documentation shows the shape by example (``subject``, ``notAfter``
...); CPython builds it in ``_ssl.c`` from OpenSSL's own structures and
printing routines, so ``ssl._ssl._test_decode_cert`` is its de-facto
definition.  This module rebuilds the same dict from the certificate's DER.

Design: a small DER reader, not cryptography's ``x509`` objects
    ``getpeercert()`` is asked of certificates OpenSSL has already parsed and
    verified, and OpenSSL reads what real certificates carry: a wildcard
    common name in a PrintableString (``*`` is outside its alphabet), Latin-1
    bytes in a TeletexString, v2 certificates, x400Address and ediPartyName
    names, IP addresses of 8 bytes, BER booleans and explicitly encoded
    DEFAULTs in extensions.  cryptography parses strictly and refuses each of
    these (``ValueError: error parsing asn1 value``), so the documented method
    would fail on a certificate the handshake accepted.  OpenSSL's own decoding
    is out of reach: the binding the reference has (pyOpenSSL's cffi ``lib``)
    exposes neither ``X509_NAME_ENTRY_set`` (which RDN an attribute belongs
    to) nor ``X509_get_ext_d2i`` and ``GENERAL_NAME``.  So this module walks
    the DER itself, as leniently as OpenSSL reads it (it trusts OpenSSL to
    have refused what is not a certificate), and converts each value by
    OpenSSL's rules, written once below.  The one thing it asks OpenSSL is
    the *name* of an object identifier (``OBJ_txt2nid`` + ``OBJ_nid2ln``,
    what ``OBJ_obj2txt`` does for CPython), so every attribute type the
    linked OpenSSL knows is named as CPython names it.

The rules, one per key:

``subject`` / ``issuer``
    A tuple of RDNs in certificate order; each RDN a tuple of ``(name,
    value)`` pairs in the order of its DER SET.  The name is OpenSSL's long
    name of the attribute type (``commonName``, ``organizationalUnitName``
    ...), or the dotted OID when OpenSSL has none.  Values are text as
    ``ASN1_STRING_to_UTF8`` makes it: UTF8String as is; BMPString (UCS-2)
    and UniversalString (UCS-4) decoded; PrintableString, IA5String,
    NumericString and TeletexString one byte per character (Latin-1, whatever
    the type's alphabet says: ``'*'`` in a PrintableString is kept, a
    TeletexString is not read as T.61).  A BIT STRING value (only
    ``x500UniqueIdentifier`` has one) is ``bytes``.  A NUL byte is kept.
``version``
    The X.509 version as people count it: 1, 2 or 3.
``serialNumber``
    ``i2a_ASN1_INTEGER``: upper-case hex of the magnitude, two digits per
    byte, ``'-'`` first when negative (serial 10 is ``'0A'``, 0 is ``'00'``).
    OpenSSL breaks the line after 35 bytes with ``'\\\\\\n'`` and CPython
    keeps only the first line, so a longer serial is its first 35 bytes
    followed by a backslash and a newline.
``notBefore`` / ``notAfter``
    ``ASN1_TIME_print``: ``'Jan  5 09:34:43 2018 GMT'`` (day padded with a
    space).  UTCTime years below 50 are 20xx.  OpenSSL verifies only the two
    DER forms (``YYMMDDHHMMSSZ``, ``YYYYMMDDHHMMSSZ``), so only those are read.
``subjectAltName`` (when the extension is present, even empty)
    ``('DNS', name)``, ``('email', addr)``, ``('URI', uri)`` (the IA5String's
    bytes read as UTF-8); ``('IP Address', '127.0.0.1')``, IPv6 as eight
    upper-case hex groups never compressed (``'0:0:0:0:0:0:0:1'``), any other
    length ``'<invalid>'``; ``('DirName', <name as for subject>)``;
    ``('Registered ID', long name or dotted OID)``; otherName as OpenSSL 3's
    ``GENERAL_NAME_print`` shows it: ``('othername', 'UPN:user@example')``
    for the five types it knows (:data:`OTHERNAME_LABELS`, each with its
    string type) and ``('othername', '<unsupported>')`` for the rest;
    ``('X400Name', '<unsupported>')`` and ``('EdiPartyName', '<unsupported>')``.
``OCSP`` / ``caIssuers`` (only when there is at least one URI)
    Tuples of the URIs of the Authority Information Access extension with that
    access method; other locations (a directoryName) are left out.
``crlDistributionPoints`` (only when there is at least one URI)
    The URIs of the distribution points' full names, in order; a point
    without a distributionPoint is skipped (CVE-2019-5010).

Differences from CPython, by decision:

* SAN text that is not UTF-8 (an IA5String holding Latin-1 bytes): CPython's
  ``getpeercert()`` raises ``UnicodeDecodeError`` on such a verified
  certificate; the reference returns the text with the undecodable bytes as
  surrogate escapes (``'caf\\udce9.example'``), because the documented method
  returns a dict for every validated certificate.
* Version: the dict is CPython >= 3.10's on OpenSSL 3.  Older CPythons printed
  IPv6 with OpenSSL (a trailing newline on 1.1.1), and OpenSSL 1.1.1 shows
  every otherName as ``'<unsupported>'``.

This module never imports ``ssl`` or ``_ssl``.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, Iterator, List, Tuple

__all__ = ["OTHERNAME_LABELS", "oid_name", "format_time", "format_serial",
           "decode_der", "decode_certificate"]

Name = Tuple[Tuple[Tuple[str, Any], ...], ...]

# -- reading DER ---------------------------------------------------------------------

#: identifier octets (class, constructed bit and tag number in one byte) met below
BIT_STRING, UTC_TIME, UTF8, IA5 = 0x03, 0x17, 0x0C, 0x16
VERSION, EXTENSIONS = 0xA0, 0xA3  #: TBSCertificate's [0] and [3], both EXPLICIT
FULL_NAME, URI = 0xA0, 0x86  #: DistributionPointName's [0]; GeneralName's [6] IA5String


def _tlv(data: bytes, pos: int) -> Tuple[int, bytes, int]:
    """The element at ``data[pos:]``: (identifier octet, contents, position after it).

    Lengths are read as BER allows (long form even when short would do, and
    the indefinite form of a constructed element), since OpenSSL does.
    """
    if pos + 2 > len(data):
        raise ValueError("certificate DER ends inside an element header")
    ident, size, pos = data[pos], data[pos + 1], pos + 2
    if ident & 0x1F == 0x1F:
        raise ValueError("high tag numbers do not occur in certificates")
    if size == 0x80:  # indefinite: contents run to an end-of-contents (00 00)
        start = pos
        while data[pos:pos + 2] != b"\x00\x00":
            pos = _tlv(data, pos)[2]
        return ident, data[start:pos], pos + 2
    if size & 0x80:
        count = size & 0x7F
        size, pos = int.from_bytes(data[pos:pos + count], "big"), pos + count
    if pos + size > len(data):
        raise ValueError("certificate DER ends inside an element")
    return ident, data[pos:pos + size], pos + size


def _items(contents: bytes) -> Iterator[Tuple[int, bytes]]:
    """The elements inside a constructed element's contents."""
    pos = 0
    while pos < len(contents):
        ident, value, pos = _tlv(contents, pos)
        yield ident, value


def _one(data: bytes) -> Tuple[int, bytes]:
    return _tlv(data, 0)[:2]


def _dotted(contents: bytes) -> str:
    arcs, value = [], 0
    for octet in contents:
        value = value << 7 | octet & 0x7F
        if not octet & 0x80:
            arcs.append(value)
            value = 0
    first = min(arcs[0] // 40, 2)
    return ".".join(map(str, [first, arcs[0] - 40 * first, *arcs[1:]]))


# -- OpenSSL's names and printing rules ----------------------------------------------

@functools.lru_cache(maxsize=None)
def oid_name(dotted: str) -> str:
    """``OBJ_obj2txt(no_name=0)``: OpenSSL's long name (else short name) of an OID, or the OID."""
    from OpenSSL._util import ffi, lib

    nid = lib.OBJ_txt2nid(dotted.encode("ascii"))
    if nid == lib.NID_undef:
        return dotted
    name = lib.OBJ_nid2ln(nid)
    if name == ffi.NULL:
        name = lib.OBJ_nid2sn(nid)
    return ffi.string(name).decode("ascii") if name != ffi.NULL else dotted


#: ASN1_STRING_to_UTF8: how each string type's bytes become text
_STRING_CODECS = {
    UTF8: "utf-8",
    0x1E: "utf-16-be",  # BMPString, UCS-2
    0x1C: "utf-32-be",  # UniversalString, UCS-4
    # NumericString, PrintableString, TeletexString, IA5String: a byte a character
    0x12: "latin-1", 0x13: "latin-1", 0x14: "latin-1", IA5: "latin-1",
}

#: otherName types OpenSSL 3's GENERAL_NAME_print shows with their value:
#: type OID -> (label, the string type the value must have)
OTHERNAME_LABELS = {
    "1.3.6.1.4.1.311.20.2.3": ("UPN", UTF8),
    "1.3.6.1.5.5.7.8.9": ("SmtpUTF8Mailbox", UTF8),
    "1.3.6.1.5.5.7.8.5": ("XmppAddr", UTF8),
    "1.3.6.1.5.5.7.8.7": ("SRVName", IA5),
    "1.3.6.1.5.5.7.8.8": ("NAIRealm", UTF8),
}

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_time(ident: int, text: str) -> str:
    """``ASN1_TIME_print`` of a UTCTime or GeneralizedTime: ``'Jan  5 09:34:43 2018 GMT'``."""
    digits = text[:-1]
    if not text.endswith("Z") or not digits.isdigit() or len(digits) != (12 if ident == UTC_TIME else 14):
        raise ValueError("time %r is not in the DER form OpenSSL verifies" % text)
    if ident == UTC_TIME:
        year = int(digits[:2])
        digits = ("20" if year < 50 else "19") + digits
    year, month, day, hour, minute, second = (int(digits[i:j]) for i, j in (
        (0, 4), (4, 6), (6, 8), (8, 10), (10, 12), (12, 14)))
    return "%s %2d %02d:%02d:%02d %d GMT" % (_MONTHS[month - 1], day, hour, minute, second, year)


def format_serial(serial: int) -> str:
    """``i2a_ASN1_INTEGER`` as CPython reads it: hex magnitude, ``'-'`` if negative,
    cut after 35 bytes by OpenSSL's line break (see the module docstring)."""
    magnitude = abs(serial).to_bytes(max(1, (abs(serial).bit_length() + 7) // 8), "big")
    digits = magnitude[:35].hex().upper() + ("\\\n" if len(magnitude) > 35 else "")
    return ("-" if serial < 0 else "") + digits


def _text(ident: int, contents: bytes) -> Any:
    """A name attribute's value (see ``subject`` in the module docstring)."""
    if ident == BIT_STRING:
        return bytes(contents[1:])  # after the unused-bits octet
    codec = _STRING_CODECS.get(ident)
    if codec is None:
        raise ValueError("attribute value of ASN.1 tag 0x%02X is not a string OpenSSL reads" % ident)
    return contents.decode(codec)


def decode_name(contents: bytes) -> Name:
    """A Name's contents (its RDNs) as a tuple of RDNs of ``(name, value)`` pairs."""
    rdns = []
    for _, rdn in _items(contents):
        pairs = []
        for _, atv in _items(rdn):
            (_, oid), (ident, value) = _items(atv)
            pairs.append((oid_name(_dotted(oid)), _text(ident, value)))
        if pairs:
            rdns.append(tuple(pairs))
    return tuple(rdns)


def _ia5(contents: bytes) -> str:
    """SAN text as CPython reads it (UTF-8), see the module docstring for non-UTF-8."""
    return contents.decode("utf-8", "surrogateescape")


def _ip_text(packed: bytes) -> str:
    if len(packed) == 4:
        return "%d.%d.%d.%d" % tuple(packed)
    if len(packed) == 16:
        return ":".join("%X" % (packed[i] << 8 | packed[i + 1]) for i in range(0, 16, 2))
    return "<invalid>"


def _other_name(contents: bytes) -> str:
    (_, oid), (_, explicit) = _items(contents)
    label = OTHERNAME_LABELS.get(_dotted(oid))
    ident, value = _one(explicit)
    if label is None or ident != label[1]:
        return "<unsupported>"
    return "%s:%s" % (label[0], _ia5(value).split("\n", 1)[0])


#: GeneralName context tag -> how CPython shows that kind of name
_GENERAL_NAMES = {
    0: lambda c: ("othername", _other_name(c)),
    1: lambda c: ("email", _ia5(c)),
    2: lambda c: ("DNS", _ia5(c)),
    3: lambda c: ("X400Name", "<unsupported>"),
    4: lambda c: ("DirName", decode_name(_one(c)[1])),
    5: lambda c: ("EdiPartyName", "<unsupported>"),
    6: lambda c: ("URI", _ia5(c)),
    7: lambda c: ("IP Address", _ip_text(c)),
    8: lambda c: ("Registered ID", oid_name(_dotted(c))),
}


def decode_general_name(ident: int, contents: bytes) -> Tuple[str, Any]:
    """One GeneralName (its identifier octet and contents) as CPython's ``(type, value)``."""
    return _GENERAL_NAMES[ident & 0x1F](contents)


def _uris(general_names: bytes) -> List[str]:
    return [_ia5(value) for ident, value in _items(general_names) if ident == URI]


def _access_uris(contents: bytes, method: str) -> Tuple[str, ...]:
    """Authority Information Access: the URIs of one access method."""
    found = []
    for _, description in _items(contents):
        (_, oid), (ident, value) = _items(description)
        if _dotted(oid) == method and ident == URI:
            found.append(_ia5(value))
    return tuple(found)


def _crl_uris(contents: bytes) -> Tuple[str, ...]:
    found: List[str] = []
    for _, point in _items(contents):
        for ident, value in _items(point):
            if ident == 0xA0:  # [0] distributionPoint (EXPLICIT: a CHOICE)
                name_ident, names = _one(value)
                if name_ident == FULL_NAME:  # nameRelativeToCRLIssuer has no URI
                    found += _uris(names)
    return tuple(found)


_SAN, _AIA, _CDP = "2.5.29.17", "1.3.6.1.5.5.7.1.1", "2.5.29.31"
_OCSP, _CA_ISSUERS = "1.3.6.1.5.5.7.48.1", "1.3.6.1.5.5.7.48.2"


def _extensions(contents: bytes) -> Iterator[Tuple[str, bytes]]:
    """(OID, extnValue contents) of each extension, in certificate order."""
    for _, extension in _items(contents):
        fields = list(_items(extension))
        yield _dotted(fields[0][1]), fields[-1][1]


def decode_der(der: bytes) -> Dict[str, Any]:
    """The ``getpeercert()`` dict of a DER-encoded certificate (rules: module docstring)."""
    _, certificate = _one(der)
    _, tbs = _one(certificate)
    fields = list(_items(tbs))
    version = 0
    if fields[0][0] == VERSION:  # absent for v1
        version = int.from_bytes(_one(fields.pop(0)[1])[1], "big")
    serial, _algorithm, issuer, validity, subject = (value for _, value in fields[:5])
    (before_ident, before), (after_ident, after) = _items(validity)
    result: Dict[str, Any] = {
        "subject": decode_name(subject),
        "issuer": decode_name(issuer),
        "version": version + 1,
        "serialNumber": format_serial(int.from_bytes(serial, "big", signed=True)),
        "notBefore": format_time(before_ident, before.decode("ascii")),
        "notAfter": format_time(after_ident, after.decode("ascii")),
    }
    extensions = [value for ident, value in fields[6:] if ident == EXTENSIONS]
    found: Dict[str, bytes] = {}  # OpenSSL refuses a certificate with an extension twice
    for oid, value in _extensions(_one(extensions[0])[1]) if extensions else ():
        found.setdefault(oid, value)
    if _SAN in found:
        result["subjectAltName"] = tuple(decode_general_name(ident, contents)
                                         for ident, contents in _items(_one(found[_SAN])[1]))
    if _AIA in found:
        for key, method in (("OCSP", _OCSP), ("caIssuers", _CA_ISSUERS)):
            uris = _access_uris(_one(found[_AIA])[1], method)
            if uris:
                result[key] = uris
    if _CDP in found:
        uris = _crl_uris(_one(found[_CDP])[1])
        if uris:
            result["crlDistributionPoints"] = uris
    return result


def decode_certificate(cert: Any) -> Dict[str, Any]:
    """:func:`decode_der` of a ``cryptography`` certificate (what the fixture generator holds)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    return decode_der(cert.public_bytes(Encoding.DER))
