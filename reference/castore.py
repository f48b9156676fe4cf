"""What a context trusts: CA certificates, CRLs, and the flags of the verification (3.4 on).

:class:`TrustStore` is the part of ``SSLContext`` that loads and reports the
trusted certificates and the certificate revocation lists, and holds
``verify_flags``.  Decisions:

* OpenSSL does the loading and the verifying: a ``cafile`` or ``capath`` goes
  to ``SSL_CTX_load_verify_locations`` (which takes the CRLs of a PEM file
  too), ``cadata`` certificates to the context's ``X509_STORE``, and
  ``verify_flags`` to that store, on every build of the pyOpenSSL context.
* The binding cannot list what an ``X509_STORE`` holds, so the context keeps
  its own record of what it loaded -- every certificate and CRL of each
  ``cafile`` and ``cadata``, once each, as the store keeps one copy of
  each -- and ``get_ca_certs`` / ``cert_store_stats`` read that record.
  Certificates of a ``capath`` are not in it, as the documentation says of
  ``get_ca_certs``; one that a connection looked up is not added either (the
  binding cannot see it happen), where CPython lists it from then on.
* A certificate counts as a CA (``x509_ca``, ``get_ca_certs``) as OpenSSL's
  ``X509_check_ca`` decides: basicConstraints ``CA:TRUE``; without
  basicConstraints, keyUsage ``keyCertSign``; or a self-signed version 1
  certificate.
* ``cadata`` is ASCII text holding one or more PEM certificates (text between
  them is ignored), or a bytes-like object of concatenated DER certificates.
  As CPython: ``TypeError`` for anything else (non-ASCII text too),
  ``ValueError`` for empty data, ``SSLError`` when no certificate is found or
  the DER does not parse.
* ``verify_flags`` starts as ``VERIFY_X509_TRUSTED_FIRST``, the flag "enabled
  by default"; OpenSSL's own default verification parameters carry it, so
  clearing it has no effect on the verification.
* ``set_default_verify_paths`` loads exactly the file and directory that
  ``get_default_verify_paths()`` names, read when it is called.
"""
from __future__ import annotations

import enum
import os
import re
import warnings
from typing import Any, Dict, List, Optional, Union

from cryptography import x509 as _x509
from cryptography.hazmat.primitives.serialization import Encoding as _Encoding
from OpenSSL import crypto as _crypto

from .certdecode import _tlv, decode_der
from .defaults import Purpose, _ASN1Object, get_default_verify_paths
from .errors import SSLError

__all__ = ["VerifyFlags", "VERIFY_DEFAULT", "VERIFY_CRL_CHECK_LEAF", "VERIFY_CRL_CHECK_CHAIN", "VERIFY_X509_STRICT",
           "VERIFY_ALLOW_PROXY_CERTS", "VERIFY_X509_TRUSTED_FIRST", "VERIFY_X509_PARTIAL_CHAIN", "TrustStore",
           "parse_cadata", "checked_path"]

_F = _crypto.X509StoreFlags


class VerifyFlags(enum.IntFlag):
    """The ``VERIFY_*`` flags of ``SSLContext.verify_flags``: OpenSSL's ``X509_V_FLAG_*`` bits."""

    VERIFY_DEFAULT = 0
    VERIFY_CRL_CHECK_LEAF = _F.CRL_CHECK
    VERIFY_CRL_CHECK_CHAIN = _F.CRL_CHECK | _F.CRL_CHECK_ALL
    VERIFY_X509_STRICT = _F.X509_STRICT
    VERIFY_ALLOW_PROXY_CERTS = _F.ALLOW_PROXY_CERTS
    VERIFY_X509_TRUSTED_FIRST = 0x8000  # X509_V_FLAG_TRUSTED_FIRST (the binding does not name it)
    VERIFY_X509_PARTIAL_CHAIN = _F.PARTIAL_CHAIN


globals().update(VerifyFlags.__members__)
VERIFY_DEFAULT: VerifyFlags
VERIFY_CRL_CHECK_LEAF: VerifyFlags
VERIFY_CRL_CHECK_CHAIN: VerifyFlags
VERIFY_X509_STRICT: VerifyFlags
VERIFY_ALLOW_PROXY_CERTS: VerifyFlags
VERIFY_X509_TRUSTED_FIRST: VerifyFlags
VERIFY_X509_PARTIAL_CHAIN: VerifyFlags

_PEM_BLOCK = re.compile(r"-----BEGIN (CERTIFICATE|X509 CRL)-----\s*(.*?)-----END \1-----", re.S)


def _is_ca(cert: _x509.Certificate) -> bool:
    """``X509_check_ca`` (see the module docstring)."""
    try:
        return bool(cert.extensions.get_extension_for_class(_x509.BasicConstraints).value.ca)
    except _x509.ExtensionNotFound:
        pass
    try:
        return bool(cert.extensions.get_extension_for_class(_x509.KeyUsage).value.key_cert_sign)
    except _x509.ExtensionNotFound:
        pass
    return cert.version == _x509.Version.v1 and cert.issuer == cert.subject


def _pem_blocks(text: str) -> Dict[str, List[bytes]]:
    """DER of each certificate and CRL block of PEM ``text`` that parses (others are skipped)."""
    import base64

    found: Dict[str, List[bytes]] = {"CERTIFICATE": [], "X509 CRL": []}
    for kind, body in _PEM_BLOCK.findall(text):
        try:
            found[kind].append(base64.b64decode("".join(body.split()), validate=True))
        except ValueError:
            continue
    return found


def parse_cadata(cadata: Any) -> List[_x509.Certificate]:
    """The certificates of ``cadata`` (rules and errors: the module docstring)."""
    if isinstance(cadata, str):
        if not cadata.isascii():
            raise TypeError("cadata should be an ASCII string or a bytes-like object")
        if not cadata:
            raise ValueError("Empty certificate data")
        ders = _pem_blocks(cadata)["CERTIFICATE"]
        if not ders:
            raise SSLError(1, "no start line: cadata does not contain a certificate")
    else:
        try:
            data = bytes(memoryview(cadata))
        except TypeError:
            raise TypeError("cadata should be an ASCII string or a bytes-like object") from None
        if not data:
            raise ValueError("Empty certificate data")
        ders, pos = [], 0
        while pos < len(data):
            try:
                end = _tlv(data, pos)[2] if data[pos] == 0x30 else -1  # a certificate is a SEQUENCE
            except (ValueError, IndexError):
                end = -1
            if end < 0:
                raise SSLError(1, "[ASN1: NOT_ENOUGH_DATA] not enough data" if ders else
                               "not enough data: cadata does not contain a certificate")
            ders.append(data[pos:end])
            pos = end
    try:
        return [_load_der(der) for der in ders]
    except ValueError as exc:
        raise SSLError(1, "[ASN1: BAD_OBJECT] cadata holds a certificate that does not parse: %s" % exc) from None


def _load_der(der: bytes) -> _x509.Certificate:
    """A certificate, parsed as OpenSSL would take it (cryptography's warnings about
    what RFC 5280 forbids but OpenSSL accepts, e.g. a negative serial, are silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cert = _x509.load_der_x509_certificate(der)
        cert.extensions  # parsed now, under the same silence
    return cert


class TrustStore:
    """Trusted CAs, CRLs and ``verify_flags`` of an ``SSLContext`` (mixed into it)."""

    def _init_store(self) -> None:
        self._verify_flags = int(VERIFY_X509_TRUSTED_FIRST)
        #: what was loaded, in order, each once: DER -> certificate / CRL
        self._certs: Dict[bytes, _x509.Certificate] = {}
        self._crls: Dict[bytes, Any] = {}

    def _build_store(self, ctx: Any) -> None:
        """Give a freshly built pyOpenSSL context the verification flags."""
        if self._verify_flags:
            ctx.get_cert_store().set_flags(self._verify_flags)

    # -- verify_flags ------------------------------------------------------------------
    @property
    def verify_flags(self) -> VerifyFlags:
        """The ``VERIFY_*`` flags of certificate verification (CRL checks, strictness ...)."""
        return VerifyFlags(self._verify_flags)

    @verify_flags.setter
    def verify_flags(self, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError("argument must be int, not %s" % type(value).__name__)
        if value < 0 or value >> 32:
            raise ValueError("verify_flags must be a combination of VERIFY_* flags, not %#x" % value)
        self._verify_flags = int(value)
        self._built = None

    # -- loading ---------------------------------------------------------------------------
    def load_verify_locations(self, cafile: Any = None, capath: Any = None, cadata: Any = None) -> None:
        """Trust the CAs (and take the CRLs) of ``cafile`` (PEM), ``capath`` (hashed dir) and/or ``cadata``."""
        if cafile is None and capath is None and cadata is None:
            raise TypeError("cafile, capath and cadata cannot be all omitted")
        ca_file = None if cafile is None else checked_path(cafile, "cafile")
        ca_path = None if capath is None else _dir_path(capath)
        certs = [] if cadata is None else parse_cadata(cadata)
        objects = [_crypto.X509.from_cryptography(c) for c in certs]  # what X509Store.add_cert takes

        def load(ctx: Any) -> None:
            if ca_file is not None or ca_path is not None:
                ctx.load_verify_locations(ca_file, ca_path)
            store = ctx.get_cert_store()
            for obj in objects:
                store.add_cert(obj)

        self._apply(load)
        if ca_file is not None:
            self._record_file(ca_file)
        for cert in certs:
            self._certs.setdefault(cert.public_bytes(_Encoding.DER), cert)

    def _record_file(self, path: Union[str, bytes]) -> None:
        with open(path, "rb") as f:
            found = _pem_blocks(f.read().decode("latin-1"))
        for der in found["CERTIFICATE"]:
            if der not in self._certs:
                try:
                    self._certs[der] = _load_der(der)
                except ValueError:
                    continue
        for der in found["X509 CRL"]:
            self._crls.setdefault(der, True)

    def set_default_verify_paths(self) -> None:
        """Trust the default CA file and directory (``get_default_verify_paths()``)."""
        paths = get_default_verify_paths()
        if paths.cafile is None and paths.capath is None:
            return  # as OpenSSL: nothing there is no error
        self.load_verify_locations(paths.cafile, paths.capath)

    def load_default_certs(self, purpose: Any = Purpose.SERVER_AUTH) -> None:
        """Trust the default CAs for ``purpose``: off Windows, :meth:`set_default_verify_paths`."""
        if not isinstance(purpose, _ASN1Object):
            raise TypeError(purpose)
        self.set_default_verify_paths()

    # -- what was loaded ---------------------------------------------------------------------
    def get_ca_certs(self, binary_form: bool = False) -> List[Any]:
        """The loaded CA certificates: ``getpeercert()`` dicts, or DER with ``binary_form``."""
        ders = [der for der, cert in self._certs.items() if _is_ca(cert)]
        return ders if binary_form else [decode_der(der) for der in ders]

    def cert_store_stats(self) -> Dict[str, int]:
        """How many certificates, CA certificates and CRLs were loaded."""
        return {"x509": len(self._certs), "crl": len(self._crls),
                "x509_ca": sum(1 for cert in self._certs.values() if _is_ca(cert))}


def checked_path(value: Any, what: str) -> Union[str, bytes]:
    """A str/bytes path that exists and is readable, or the error ``open`` gives."""
    try:
        path = os.fspath(value)
    except TypeError:
        raise TypeError("%s should be a valid filesystem path, not %s" % (what, type(value).__name__)) from None
    with open(path, "rb"):
        pass
    return path


def _dir_path(value: Any) -> Optional[Union[str, bytes]]:
    try:
        path = os.fspath(value)
    except TypeError:
        raise TypeError("capath should be a valid filesystem path, not %s" % type(value).__name__) from None
    if ("\0" if isinstance(path, str) else b"\0") in path:
        raise ValueError("capath has an embedded null character")  # as open() says of a file
    return path
