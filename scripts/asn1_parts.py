"""The ASN.1 pieces of a certificate, made with pyasn1 and pyasn1-modules' RFC 5280 types.

``scripts/cert_shapes.py`` puts them together: names of any string type (and
bytes a type's alphabet does not allow), every kind of GeneralName, Authority
Information Access and CRL distribution points, extensions encoded as DER, as
BER or with their DEFAULTs written out, and a Certificate whose signed part
is kept as the exact bytes that were signed.  Every encoding here is pyasn1's;
no DER is written by hand.

Requirements: ``pyasn1`` and ``pyasn1-modules`` (in the ``test`` extra).
"""
from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from pyasn1.codec.ber import encoder as ber_encoder
from pyasn1.codec.der import encoder as der_encoder
from pyasn1.type import char, namedtype, tag, univ
from pyasn1_modules import rfc5280

Value = Any  #: a pyasn1 value (a string type, a BIT STRING ...) to put in a name
RDN = Union[Tuple[str, Value], List[Tuple[str, Value]]]  #: one pair, or a list: one RDN

CN, O, OU, C = "2.5.4.3", "2.5.4.10", "2.5.4.11", "2.5.4.6"
UID, DC, UNIQUE_ID = "0.9.2342.19200300.100.1.1", "0.9.2342.19200300.100.1.25", "2.5.4.45"
EXT_SAN, EXT_AIA, EXT_CDP = "2.5.29.17", "1.3.6.1.5.5.7.1.1", "2.5.29.31"
EXT_BASIC_CONSTRAINTS, EXT_KEY_USAGE = "2.5.29.19", "2.5.29.15"
OCSP, CA_ISSUERS = "1.3.6.1.5.5.7.48.1", "1.3.6.1.5.5.7.48.2"
PRIVATE_OID = "1.3.6.1.4.1.55555.7"  #: an OID no OpenSSL names


def utf8(text: str) -> Value:
    return char.UTF8String(text)


def printable(text: str) -> Value:
    """A PrintableString holding *text* as is, whatever its alphabet says."""
    return char.PrintableString(text)


def raw(kind: Any, octets: bytes) -> Value:
    """A value of string type *kind* holding *octets* as they are (pyasn1's own
    string types would refuse bytes outside their character set)."""
    return univ.OctetString(octets).clone(tagSet=kind.tagSet)


def name(*rdns: RDN) -> rfc5280.Name:
    """``name((OID, value), [(OID, value), (OID, value)], ...)``: a list is one RDN."""
    sequence = rfc5280.RDNSequence()
    for rdn in rdns:
        item = rfc5280.RelativeDistinguishedName()
        for oid, value in (rdn if isinstance(rdn, list) else [rdn]):
            atv = rfc5280.AttributeTypeAndValue()
            atv["type"] = oid
            atv["value"] = der_encoder.encode(value)
            item.append(atv)
        sequence.append(item)
    result = rfc5280.Name()
    result["rdnSequence"] = sequence
    return result


def general(kind: str, value: Any) -> rfc5280.GeneralName:
    """One GeneralName: ``general("dNSName", "a.example")``, ``general("iPAddress", b"...")``."""
    item = rfc5280.GeneralName()
    if kind == "directoryName":
        item["directoryName"]["rdnSequence"] = value["rdnSequence"]
    elif isinstance(value, bytes) and kind != "iPAddress":  # text outside IA5's alphabet
        item.setComponentByName(kind, raw(item.componentType[kind].asn1Object, value), matchTags=False,
                                matchConstraints=False)
    else:
        item[kind] = value
    return item


def ip(text: str) -> rfc5280.GeneralName:
    return general("iPAddress", ipaddress.ip_address(text).packed)


def other_name(type_id: str, value: Value) -> rfc5280.GeneralName:
    item = rfc5280.GeneralName()
    item["otherName"]["type-id"] = type_id
    item["otherName"]["value"] = der_encoder.encode(value)
    return item


def edi_party(party: str, assigner: Optional[str] = None) -> rfc5280.GeneralName:
    item = rfc5280.GeneralName()
    if assigner is not None:
        item["ediPartyName"]["nameAssigner"]["utf8String"] = assigner
    item["ediPartyName"]["partyName"]["utf8String"] = party
    return item


def x400(organization: str) -> rfc5280.GeneralName:
    item = rfc5280.GeneralName()
    item["x400Address"]["built-in-standard-attributes"]["organization-name"] = organization
    return item


def local_sans() -> List[rfc5280.GeneralName]:
    """localhost, 127.0.0.1 and ::1: the names every shape is served for."""
    return [general("dNSName", "localhost"), ip("127.0.0.1"), ip("::1")]


def general_names(names: Sequence[rfc5280.GeneralName]) -> bytes:
    """GeneralNames, without RFC 5280's SIZE (1..MAX): the empty SAN shape has none."""
    sequence = univ.SequenceOf(componentType=rfc5280.GeneralName())
    for item in names:
        sequence.append(item)
    return der_encoder.encode(sequence)


def ber_indefinite(value: Any) -> bytes:
    """BER with the indefinite length form for every constructed element."""
    return ber_encoder.encode(value, defMode=False)


def access(*pairs: Tuple[str, rfc5280.GeneralName],
           encoding: Callable[[Any], bytes] = der_encoder.encode) -> bytes:
    """An AuthorityInfoAccess value: ``access((OCSP, general("uniformResourceIdentifier", u)), ...)``."""
    info = rfc5280.AuthorityInfoAccessSyntax()
    for method, location in pairs:
        desc = rfc5280.AccessDescription()
        desc["accessMethod"] = method
        desc["accessLocation"] = location
        info.append(desc)
    return encoding(info)


def distribution_points(*points: Dict[str, Any]) -> bytes:
    """A CRLDistributionPoints value; each point ``{"full": [GeneralName...], "issuer": [...]}``."""
    syntax = rfc5280.CRLDistributionPoints()
    for spec in points:
        point = rfc5280.DistributionPoint()
        if "full" in spec:
            full = point["distributionPoint"]["fullName"]
            for item in spec["full"]:
                full.append(item)
        if "issuer" in spec:
            for item in spec["issuer"]:
                point["cRLIssuer"].append(item)
        syntax.append(point)
    return der_encoder.encode(syntax)


def uri(text: str) -> rfc5280.GeneralName:
    return general("uniformResourceIdentifier", text)


class _PlainExtension(univ.Sequence):
    """RFC 5280's Extension with ``critical`` an ordinary field, so that an encoder
    writes it out even when it is FALSE (DER forbids encoding a DEFAULT)."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("extnID", univ.ObjectIdentifier()),
        namedtype.NamedType("critical", univ.Boolean()),
        namedtype.NamedType("extnValue", univ.OctetString()))


class _PlainBasicConstraints(univ.Sequence):
    """BasicConstraints with ``cA`` an ordinary field (its DEFAULT FALSE written out)."""

    componentType = namedtype.NamedTypes(namedtype.NamedType("cA", univ.Boolean()))


def plain_basic_constraints() -> bytes:
    value = _PlainBasicConstraints()
    value["cA"] = False
    return der_encoder.encode(value)


@dataclasses.dataclass(frozen=True)
class Ext:
    """An extension to add to (or, with the same OID, replace in) the draft.

    ``value`` is the DER of the extension's contents; ``form`` says how the
    Extension itself is encoded: ``"der"``, ``"explicit-default"`` (critical
    FALSE written out) or ``"ber-boolean"`` (critical TRUE as 0x01, which
    BER allows and DER does not).
    """

    oid: str
    value: bytes
    critical: bool = False
    form: str = "der"
    replace: bool = True

    def encode(self) -> bytes:
        if self.form == "explicit-default":
            ext = _PlainExtension()
            ext["extnID"], ext["critical"], ext["extnValue"] = self.oid, self.critical, self.value
            return der_encoder.encode(ext)
        ext = rfc5280.Extension()
        ext["extnID"], ext["critical"], ext["extnValue"] = self.oid, self.critical, self.value
        return (ber_encoder if self.form == "ber-boolean" else der_encoder).encode(ext)


class Certificate(univ.Sequence):
    """Certificate with the to-be-signed part kept as the exact bytes that were signed."""

    componentType = namedtype.NamedTypes(
        namedtype.NamedType("tbsCertificate", univ.Any()),
        namedtype.NamedType("signatureAlgorithm", rfc5280.AlgorithmIdentifier()),
        namedtype.NamedType("signature", univ.BitString()))


class TBSWithEncodedExtensions(univ.Sequence):
    """RFC 5280's TBSCertificate whose extensions are already-encoded Extension
    values, so that a BER or explicit-DEFAULT encoding survives untouched."""

    componentType = namedtype.NamedTypes(
        *[field for field in rfc5280.TBSCertificate.componentType.namedTypes
          if field.name != "extensions"],
        namedtype.OptionalNamedType("extensions", univ.SequenceOf(componentType=univ.Any()).subtype(
            explicitTag=tag.Tag(tag.tagClassContext, tag.tagFormatSimple, 3))))
