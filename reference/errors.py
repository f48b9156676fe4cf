"""``SSLError`` and its family, and the translation from pyOpenSSL's exceptions.

``SSLError`` is an ``OSError`` (the 3.2 text says ``socket.error``, itself an
``IOError``; both are ``OSError`` today).  ``args[0]`` is one of the
``SSL_ERROR_*`` codes and ``args[1]`` is a message that names the OpenSSL
reason the way CPython prints it::

    [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired

``library`` and ``reason`` carry the two mnemonics separately.  The subclasses
(``SSLWantReadError`` ...) are later additions to the ``ssl`` API; they are
provided so that code written against newer Pythons can catch precisely.

pyOpenSSL reports an OpenSSL failure as ``OpenSSL.SSL.Error`` holding the error
queue as ``(library, function, reason)`` strings; :func:`translate` turns that
(and ``WantReadError``, ``ZeroReturnError``, ``SysCallError``) into the
exception the ``ssl`` API promises.
"""
from __future__ import annotations

import os
from typing import Optional

from OpenSSL import SSL as _SSL

from .constants import (
    SSL_ERROR_EOF,
    SSL_ERROR_SSL,
    SSL_ERROR_SYSCALL,
    SSL_ERROR_WANT_READ,
    SSL_ERROR_WANT_WRITE,
    SSL_ERROR_ZERO_RETURN,
)


class SSLError(OSError):
    """An error from the TLS layer: ``args == (code, message)``."""

    library: Optional[str] = None
    reason: Optional[str] = None

    def __str__(self) -> str:
        if len(self.args) >= 2 and isinstance(self.args[1], str):
            return self.args[1]
        return super().__str__()


class SSLZeroReturnError(SSLError):
    """The peer closed the TLS connection cleanly (close_notify received)."""


class SSLWantReadError(SSLError):
    """A non-blocking operation needs the socket to become readable first."""


class SSLWantWriteError(SSLError):
    """A non-blocking operation needs the socket to become writable first."""


class SSLSyscallError(SSLError):
    """The operating system reported an error under the TLS layer."""


class SSLEOFError(SSLError):
    """The connection ended without a TLS close_notify (a "ragged" EOF)."""


class SSLCertVerificationError(SSLError, ValueError):
    """The peer's certificate failed verification; see ``verify_code``/``verify_message``."""

    verify_code: Optional[int] = None
    verify_message: Optional[str] = None


#: What ``match_hostname`` raises: an alias of ``SSLCertVerificationError`` (as from 3.7),
#: so a hostname refused by the handshake or by ``match_hostname`` is caught alike.
CertificateError = SSLCertVerificationError


#: OpenSSL's human library names -> the mnemonics CPython prints in brackets.
_LIBRARY_MNEMONICS = {
    "system library": "SYS",
    "bignum routines": "BN",
    "rsa routines": "RSA",
    "diffie-hellman routines": "DH",
    "digital envelope routines": "EVP",
    "memory buffer routines": "BUF",
    "object identifier routines": "OBJ",
    "pem routines": "PEM",
    "x509 certificate routines": "X509",
    "asn1 encoding routines": "ASN1",
    "configuration file routines": "CONF",
    "common libcrypto routines": "CRYPTO",
    "elliptic curve routines": "EC",
    "ssl routines": "SSL",
    "bio routines": "BIO",
    "pkcs7 routines": "PKCS7",
    "x509 v3 routines": "X509V3",
    "pkcs12 routines": "PKCS12",
    "random number generator": "RAND",
    "store routines": "OSSL_STORE",
    "provider routines": "PROV",
    "decoder routines": "OSSL_DECODER",
    "encoder routines": "OSSL_ENCODER",
}

#: reasons CPython reports as an EOF rather than a protocol error
_EOF_REASONS = {"unexpected eof while reading"}

try:  # OpenSSL >= 3.0 reports an EOF without close_notify as an error with a reason
    from OpenSSL._util import lib as _lib

    _OPENSSL_NAMES_EOF = bool(getattr(_lib, "Cryptography_HAS_UNEXPECTED_EOF_WHILE_READING", 0))
except ImportError:  # another pyOpenSSL layout
    _OPENSSL_NAMES_EOF = False


def _mnemonic_library(name: str) -> str:
    known = _LIBRARY_MNEMONICS.get(name.lower())
    if known:
        return known
    return name.split(" ")[0].upper() if name else "SSL"


def _mnemonic_reason(text: str) -> str:
    return text.upper().replace(" ", "_").replace("-", "_")


def verify_error_string(code: int) -> str:
    """OpenSSL's text for an X509 verification result code."""
    try:
        from OpenSSL._util import ffi, lib

        return ffi.string(lib.X509_verify_cert_error_string(code)).decode("ascii", "replace")
    except Exception:  # the binding may not expose it on some releases
        return "verification error %d" % code


def from_openssl_error(exc: "_SSL.Error", verify_code: int = 0) -> SSLError:
    """Build the ``SSLError`` for a pyOpenSSL ``Error`` carrying OpenSSL's error queue.

    ``verify_code`` is the X509 verification result of the connection, used to
    complete "certificate verify failed" with the reason as CPython does.
    """
    queue = exc.args[0] if exc.args and isinstance(exc.args[0], list) else []
    entry = None
    for item in reversed(queue):  # the last queued error is the most specific one
        if isinstance(item, tuple) and len(item) == 3 and item[2]:
            entry = item
            break
    if entry is None:
        text = str(exc.args[0]) if exc.args and not isinstance(exc.args[0], list) else "unknown error"
        err = SSLError(SSL_ERROR_SSL, text)
        return err
    library_name, _function, reason_text = entry
    library = _mnemonic_library(library_name)
    reason = _mnemonic_reason(reason_text)
    message = "[%s: %s] %s" % (library, reason, reason_text)
    cls = SSLError
    code = SSL_ERROR_SSL
    if reason_text in _EOF_REASONS:
        cls, code = SSLEOFError, SSL_ERROR_EOF
        message = "[%s: %s] EOF occurred in violation of protocol" % (library, reason)
    elif reason == "CERTIFICATE_VERIFY_FAILED":
        cls = SSLCertVerificationError
        if verify_code:
            message += ": " + verify_error_string(verify_code)
    err = cls(code, message)
    err.library = library
    err.reason = reason
    if cls is SSLCertVerificationError:
        err.verify_code = verify_code
        err.verify_message = verify_error_string(verify_code) if verify_code else None
    return err


def ragged_eof_error() -> SSLEOFError:
    """The ``SSLEOFError`` of an EOF without close_notify.

    OpenSSL 3 reports that EOF as an error of its own,
    ``SSL_R_UNEXPECTED_EOF_WHILE_READING``, which CPython names in ``library``
    and ``reason``; pyOpenSSL turns it back into ``SysCallError(-1, "Unexpected
    EOF")``, the form older OpenSSL releases gave it (a bare
    ``SSL_ERROR_SYSCALL``, no reason at all), so the binding says which it was.
    """
    if not _OPENSSL_NAMES_EOF:
        return SSLEOFError(SSL_ERROR_EOF, "EOF occurred in violation of protocol")
    err = SSLEOFError(SSL_ERROR_EOF, "[SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol")
    err.library, err.reason = "SSL", "UNEXPECTED_EOF_WHILE_READING"
    return err


def translate(exc: BaseException, verify_code: int = 0) -> OSError:
    """Map any pyOpenSSL exception to the exception the ``ssl`` API raises."""
    if isinstance(exc, _SSL.WantReadError):
        return SSLWantReadError(SSL_ERROR_WANT_READ, "The operation did not complete (read)")
    if isinstance(exc, _SSL.WantWriteError):
        return SSLWantWriteError(SSL_ERROR_WANT_WRITE, "The operation did not complete (write)")
    if isinstance(exc, _SSL.ZeroReturnError):
        return SSLZeroReturnError(SSL_ERROR_ZERO_RETURN, "TLS/SSL connection has been closed (EOF)")
    if isinstance(exc, _SSL.SysCallError):
        code = exc.args[0] if exc.args else -1
        if isinstance(code, int) and code > 0:
            return OSError(code, os.strerror(code))
        if code == -1 or code == 0:
            return ragged_eof_error()
        return SSLSyscallError(SSL_ERROR_SYSCALL, "Some I/O error occurred")
    if isinstance(exc, _SSL.Error):
        return from_openssl_error(exc, verify_code)
    if isinstance(exc, OSError):
        return exc
    return SSLError(SSL_ERROR_SSL, str(exc))


def is_eof(exc: BaseException) -> bool:
    """True when a pyOpenSSL exception means the peer went away without close_notify."""
    if isinstance(exc, _SSL.SysCallError):
        code = exc.args[0] if exc.args else -1
        return code in (-1, 0)
    if isinstance(exc, _SSL.Error) and exc.args and isinstance(exc.args[0], list):
        return any(isinstance(i, tuple) and len(i) == 3 and i[2] in _EOF_REASONS for i in exc.args[0])
    return False
