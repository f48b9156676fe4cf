"""A context's cipher list, key exchange curve and security level, as the ``ssl`` API reports them.

:class:`CipherMethods` is the part of ``SSLContext`` behind ``get_ciphers()``
(3.6), ``set_ecdh_curve()`` (3.3) and ``security_level`` (3.10).
Decisions, where the binding gives less than CPython's C code uses:

* ``get_ciphers()`` lists the ciphers a connection of the context would
  offer (``SSL_get_cipher_list``), in priority order.  Of each one OpenSSL
  itself gives the name, the protocol (``SSL_CIPHER_get_version``), the bits
  and the id (``0x0300`` and the two-byte IANA number, as OpenSSL counts:
  found by asking ``SSL_CIPHER_find`` once for every two-byte value).  The
  binding has no ``SSL_CIPHER_get_kx_nid`` and friends, so ``kea``, ``auth``,
  ``symmetric``, ``digest``, ``aead`` and ``description`` are read from the
  name, whose parts OpenSSL's naming fixes (``ECDHE-RSA-AES256-GCM-SHA384``:
  key exchange and authentication, then the cipher, then the MAC, which an
  AEAD cipher does not have); they are spelled as OpenSSL's object names and
  its ``SSL_CIPHER_description`` spell them.  A name of no family known here
  gives ``None`` for what it does not say.
* ``set_ecdh_curve(name)`` takes an OpenSSL short name (``prime256v1``,
  ``secp384r1``, ``X25519``), ``str`` or ``bytes`` as CPython does, and makes
  it the only group the context offers (``SSL_CTX_set1_curves_list``: what
  CPython does on OpenSSL 3).  An unknown name is a ``ValueError``; a known
  object that is no TLS group an ``SSLError`` (both as CPython).
* ``security_level`` has no getter in the binding, so it is measured:
  OpenSSL refuses a certificate whose key is weaker than the level allows
  (``SSL_CTX_use_certificate``, "ee key too small"), and self-signed probe
  certificates of 56, 96, 112, 128, 192 and 256 bits of security (RSA-512,
  then P-192 to P-521) find the level of a scratch context with the same
  cipher string -- so ``@SECLEVEL=n`` and OpenSSL's configured default both
  count.  Measured once per cipher string.
"""
from __future__ import annotations

import datetime
import functools
import os
import re
from typing import Any, Dict, List, Optional, Tuple

from OpenSSL import SSL as _SSL
from OpenSSL._util import ffi as _ffi, lib as _lib

from .errors import SSLError

__all__ = ["CipherMethods", "cipher_ids", "describe_cipher"]

#: key exchange and authentication of a TLS <= 1.2 name, by its prefix (longest first)
_KX_AUTH: Tuple[Tuple[str, str, str], ...] = (
    ("ECDHE-ECDSA-", "ecdhe", "ecdsa"), ("ECDHE-RSA-", "ecdhe", "rsa"), ("ECDHE-PSK-", "ecdhe-psk", "psk"),
    ("DHE-RSA-", "dhe", "rsa"), ("DHE-DSS-", "dhe", "dss"), ("DHE-PSK-", "dhe-psk", "psk"),
    ("EDH-RSA-", "dhe", "rsa"), ("EDH-DSS-", "dhe", "dss"), ("RSA-PSK-", "rsa-psk", "rsa"),
    ("SRP-RSA-", "srp", "rsa"), ("SRP-DSS-", "srp", "dss"), ("SRP-", "srp", "srp"), ("PSK-", "psk", "psk"),
    ("ADH-", "dhe", "null"), ("AECDH-", "ecdhe", "null"), ("ECDHE-", "ecdhe", "rsa"), ("DHE-", "dhe", "rsa"),
    ("", "rsa", "rsa"),
)
#: how ``SSL_CIPHER_description`` writes them
_KX_TEXT = {"rsa": "RSA", "ecdhe": "ECDH", "dhe": "DH", "psk": "PSK", "rsa-psk": "RSAPSK", "dhe-psk": "DHEPSK",
            "ecdhe-psk": "ECDHEPSK", "srp": "SRP", "any": "any"}
_AU_TEXT = {"rsa": "RSA", "ecdsa": "ECDSA", "dss": "DSS", "psk": "PSK", "srp": "SRP", "null": "None", "any": "any"}
#: cipher part -> (object name, description's Enc= text without the bits, AEAD?)
_BLOCK = re.compile(r"(AES|CAMELLIA|ARIA)-?(128|256)(?:-(GCM|CCM8|CCM|CBC))?")
_FAMILY = {"AES": ("aes", "AES"), "CAMELLIA": ("camellia", "Camellia"), "ARIA": ("aria", "ARIA")}
_MAC = {"SHA384": "sha384", "SHA256": "sha256", "SHA": "sha1", "MD5": "md5"}
_TLS13 = re.compile(r"TLS_(?:(AES)_(128|256)_(GCM|CCM_8|CCM)|(CHACHA20_POLY1305))_SHA(?:256|384)")


#: ciphers named by a fixed word: name part -> (object name, Enc= text, AEAD?)
_FIXED = (("CHACHA20-POLY1305", "chacha20-poly1305", "CHACHA20/POLY1305(256)", True),
          ("NULL", None, "None", False), ("SEED", "seed-cbc", "SEED(128)", False),
          ("IDEA-CBC", "idea-cbc", "IDEA(128)", False), ("DES-CBC3", "des-ede3-cbc", "3DES(168)", False),
          ("RC4", "rc4", "RC4(128)", False))


def _symmetric(part: str) -> Tuple[Optional[str], str, bool, str]:
    """(object name, Enc= text, AEAD?, what follows) of the cipher at the start of ``part``."""
    for word, name, text, aead in _FIXED:
        if part.startswith(word):
            return name, text, aead, part[len(word):]
    m = _BLOCK.match(part)
    if m is None:
        return None, "unknown", False, part
    family, bits, mode = m.groups()
    name, text = _FAMILY[family]
    if mode in ("GCM", "CCM", "CCM8"):
        suffix = "gcm" if mode == "GCM" else "ccm"
        return f"{name}-{bits}-{suffix}", f"{text}{mode}({bits})", True, part[m.end():]
    return f"{name}-{bits}-cbc", f"{text}({bits})", False, part[m.end():]


def _fields_of(name: str) -> Dict[str, Any]:
    """kea, auth, symmetric, digest, aead and the description's Kx/Au/Enc/Mac texts, from the name."""
    m = _TLS13.fullmatch(name)
    if m is not None:
        aes, bits, mode, chacha = m.groups()
        if chacha:
            symmetric, enc = "chacha20-poly1305", "CHACHA20/POLY1305(256)"
        else:
            symmetric = f"aes-{bits}-{'gcm' if mode == 'GCM' else 'ccm'}"
            enc = f"AES{mode.replace('_', '')}({bits})"
        return {"kea": "kx-any", "auth": "auth-any", "symmetric": symmetric, "digest": None, "aead": True,
                "texts": ("any", "any", enc, "AEAD")}
    prefix, kea, auth = next(entry for entry in _KX_AUTH if name.startswith(entry[0]))
    symmetric, enc, aead, rest = _symmetric(name[len(prefix):])
    mac = rest.lstrip("-").split("-")[-1] if rest else ""
    digest = None if aead else _MAC.get(mac)
    return {"kea": "kx-" + kea, "auth": "auth-" + auth, "symmetric": symmetric, "digest": digest, "aead": aead,
            "texts": (_KX_TEXT[kea], _AU_TEXT[auth], enc, "AEAD" if aead else (digest or mac).upper())}


@functools.lru_cache(maxsize=None)
def cipher_ids() -> Dict[str, int]:
    """Every cipher this OpenSSL knows, by name: its two-byte number (asked of ``SSL_CIPHER_find``)."""
    conn = _SSL.Connection(_SSL.Context(_SSL.TLS_METHOD), None)
    found: Dict[str, int] = {}
    buf = _ffi.new("unsigned char[2]")
    for number in range(0x10000):
        buf[0], buf[1] = number >> 8, number & 0xFF
        cipher = _lib.SSL_CIPHER_find(conn._ssl, buf)
        if cipher != _ffi.NULL:
            found.setdefault(_ffi.string(_lib.SSL_CIPHER_get_name(cipher)).decode("ascii"), number)
    return found


def describe_cipher(conn: Any, name: str) -> Dict[str, Any]:
    """The ``get_ciphers()`` dict of cipher ``name`` (``conn``: a pyOpenSSL connection to look it up on)."""
    number = cipher_ids().get(name)
    protocol, alg_bits, strength_bits = None, None, None
    if number is not None:
        buf = _ffi.new("unsigned char[2]", [number >> 8, number & 0xFF])
        cipher = _lib.SSL_CIPHER_find(conn._ssl, buf)
        bits = _ffi.new("int *")
        strength_bits = _lib.SSL_CIPHER_get_bits(cipher, bits)
        alg_bits = bits[0]
        protocol = _ffi.string(_lib.SSL_CIPHER_get_version(cipher)).decode("ascii")
    fields = _fields_of(name)
    kx, au, enc, mac = fields.pop("texts")
    shown = "TLSv1" if protocol == "TLSv1.0" else str(protocol)
    description = "%-30s %-7s Kx=%-8s Au=%-5s Enc=%-22s Mac=%-4s" % (name, shown, kx, au, enc, mac)
    return {"id": None if number is None else 0x03000000 | number, "name": name, "protocol": protocol,
            "description": description, "strength_bits": strength_bits, "alg_bits": alg_bits, **fields}


# -- security level probes ------------------------------------------------------------------
#: a self-signed RSA-512 certificate: 56 bits of security, refused from level 1 on
_RSA_512 = b"""-----BEGIN CERTIFICATE-----
MIIBlTCCAT+gAwIBAgIUHmBTZ3NKPCTrRXFLzIjxqk+L+6UwDQYJKoZIhvcNAQEL
BQAwHzEdMBsGA1UEAwwUc2VjdXJpdHkgbGV2ZWwgcHJvYmUwHhcNMjYxMjAyMDQx
NjQyWhcNMjYxMjAzMDQxNjQyWjAfMR0wGwYDVQQDDBRzZWN1cml0eSBsZXZlbCBw
cm9iZTBcMA0GCSqGSIb3DQEBAQUAA0sAMEgCQQCkkG5PXLTgzZPZ9KFRrgFJWmUy
nbzOB8xFtAD8lyv0aFaRtnO92456NzEX+V3V2IyxBtKuanvynNoGOUL8K2LFAgMB
AAGjUzBRMB0GA1UdDgQWBBRrp9JMEWsQ4S0pddHobbayV8JpGjAfBgNVHSMEGDAW
gBRrp9JMEWsQ4S0pddHobbayV8JpGjAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3
DQEBCwUAA0EAnu7w1L3GhxEhm6Hkj9EIcvH4dDUSYHE8ffwpUu6UkvvyeKryBbaI
wZNCJERnkSZtFvoiOQy1qyp5XpObizqhmA==
-----END CERTIFICATE-----
"""


@functools.lru_cache(maxsize=None)
def _probes() -> Tuple[Any, ...]:
    """Self-signed certificates of increasing strength: levels 0 .. 5 each accept one fewer."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "security level probe")])
    when = datetime.datetime(2000, 1, 1)
    probes = [x509.load_pem_x509_certificate(_RSA_512)]
    for curve in (ec.SECP192R1, ec.SECP224R1, ec.SECP256R1, ec.SECP384R1, ec.SECP521R1):
        key = ec.generate_private_key(curve())
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                .serial_number(1).not_valid_before(when).not_valid_after(when).sign(key, hashes.SHA512()))
        probes.append(cert)
    return tuple(probes)


@functools.lru_cache(maxsize=64)
def _measured_level(method: int, ciphers: Optional[bytes]) -> int:
    accepted = 0
    for probe in _probes():
        ctx = _SSL.Context(method)
        if ciphers is not None:
            ctx.set_cipher_list(ciphers)
        try:
            ctx.use_certificate(probe)
        except _SSL.Error:
            continue
        accepted += 1
    return len(_probes()) - accepted


class CipherMethods:
    """``get_ciphers``, ``set_ecdh_curve`` and ``security_level`` of an ``SSLContext`` (mixed into it)."""

    _curve: Optional[bytes] = None

    def _build_ciphers(self, ctx: Any) -> None:
        """Give a freshly built pyOpenSSL context the ECDH curve, if one was set."""
        if self._curve is not None and not _lib.SSL_CTX_set1_curves_list(ctx._context, self._curve):
            raise _SSL.Error([("SSL routines", "", "unsupported elliptic curve %s" % self._curve.decode())])

    def get_ciphers(self) -> List[Dict[str, Any]]:
        """The enabled ciphers, in priority order, as dicts (``name``, ``protocol``, ``id`` ...)."""
        conn = _SSL.Connection(self._openssl_context(), None)
        return [describe_cipher(conn, name) for name in conn.get_cipher_list()]

    def set_ecdh_curve(self, curve_name: Any) -> None:
        """Use the curve of OpenSSL short name ``curve_name`` for ECDH key exchange."""
        name = os.fsencode(curve_name)
        nid = _lib.OBJ_txt2nid(name)
        if nid == 0 or _ffi.string(_lib.OBJ_nid2sn(nid)) != name:
            raise ValueError("unknown elliptic curve name %r" % (curve_name,))
        previous, self._curve = self._curve, name
        try:
            self._apply()
        except SSLError:
            self._curve = previous
            self._apply()
            raise

    def load_dh_params(self, dhfile: Any) -> None:
        """Load the Diffie-Hellman parameters for DHE key exchange from the PEM file ``dhfile``.

        A missing file raises the OSError of opening it; bad contents raise
        SSLError now rather than at the first connection."""
        path = os.fsencode(dhfile)
        with open(path, "rb"):
            pass

        def load(ctx: Any) -> None:
            ctx.load_tmp_dh(path)

        try:
            load(_SSL.Context(self._method))
        except _SSL.Error as exc:
            raise SSLError(1, "[SSL] cannot load DH parameters from %r: %s" % (dhfile, exc)) from None
        self._loads.append(load)
        self._built = None

    @property
    def security_level(self) -> int:
        """The context's OpenSSL security level (read-only; measured, see the module docstring)."""
        return _measured_level(self._method, self._ciphers)
