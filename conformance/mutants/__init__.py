"""Deliberately broken variants of ``reference``: proof that the suite can fail.

A mutant is data: one exact piece of one file of ``reference/`` and what it
is replaced with, so that exactly one documented behaviour breaks.  Importing
``conformance.mutants.<name>`` loads a private copy of the whole ``reference``
package with that one edit applied (the real ``reference`` is untouched, and
nothing is written to disk), so ``--impl conformance.mutants.verify_mode_ignored``
works like any other implementation.  ``ssl-conformance selftest`` runs the
suite against every mutant and reports which cases caught it.

If the reference changes so that a mutant's text no longer occurs exactly
once, importing that mutant fails with a message naming it: a mutant is
never silently a copy of the unbroken reference.

Mutants need pyOpenSSL like ``reference`` itself; the suite never imports
this package unless a mutant is asked for.
"""
from __future__ import annotations

import dataclasses
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Dict, Optional, Sequence

from .. import ROOT_DIR

__all__ = ["Mutant", "MUTANTS", "REFERENCE_DIR"]

REFERENCE_DIR = ROOT_DIR / "reference"


@dataclasses.dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str  #: the documented behaviour it breaks, in one line
    file: str  #: a file of reference/, e.g. "context.py"
    old: str  #: text that must occur exactly once in that file
    new: str
    #: case-id pattern(s) that must catch it: ``selftest --focus`` runs only
    #: these (fast; what the tests use), plain ``selftest`` runs every case.
    focus: Sequence[str] = ("*",)
    #: the edition the selftest runs it at (``--edition``): one that documents what it breaks
    edition: str = "3.2"


_SET_VERIFY = "ctx.set_verify(_VERIFY_FLAGS[self._verify_mode])"
_SET_FLAGS = "ctx.get_cert_store().set_flags(self._verify_flags)"

MUTANTS: Dict[str, Mutant] = {m.name: m for m in (
    Mutant("verify_mode_ignored", "SSLContext.verify_mode is stored but never applied",
           "context.py", _SET_VERIFY, "ctx.set_verify(_VERIFY_FLAGS[_c.CERT_NONE])",
           focus=('verify/server-cert/TLSv1.3/*',)),
    Mutant("cert_optional_as_none", "CERT_OPTIONAL behaves as CERT_NONE",
           "context.py", _SET_VERIFY,
           "ctx.set_verify(_VERIFY_FLAGS[_c.CERT_NONE if self._verify_mode == _c.CERT_OPTIONAL "
           "else self._verify_mode])",
           focus=('verify/client-cert/TLSv1.3/OPTIONAL/*',)),
    Mutant("cert_required_as_optional", "CERT_REQUIRED does not insist on a client certificate",
           "context.py", _SET_VERIFY,
           "ctx.set_verify(_VERIFY_FLAGS[_c.CERT_OPTIONAL if self._verify_mode == _c.CERT_REQUIRED "
           "else self._verify_mode])",
           focus=('verify/client-cert/TLSv1.3/REQUIRED/*',)),
    Mutant("getpeercert_dict_unvalidated", "getpeercert() decodes a certificate that was not validated",
           "socketinfo.py", "if not self._conn.get_verify_mode() & _SSL.VERIFY_PEER:", "if False:",
           focus=('api/SSLSocket.getpeercert/*', 'decode/*')),
    Mutant("op_no_tlsv1_ignored", "OP_NO_TLSv1 is accepted but not applied",
           "context.py", "ctx.set_options(self._options)", "ctx.set_options(self._options & ~_c.OP_NO_TLSv1)",
           focus=('matrix/legacy/*+NO_TLSv1/*', 'matrix/legacy/*+NO_TLSv1')),
    Mutant("ragged_eofs_inverted", "suppress_ragged_eofs means the opposite",
           "sslsocket.py", "self.suppress_ragged_eofs = suppress_ragged_eofs",
           "self.suppress_ragged_eofs = not suppress_ragged_eofs",
           focus=('api/SSLContext.wrap_socket/*', 'api/wrap_socket/*')),
    Mutant("read_ignores_nbytes", "read(nbytes) may return more than nbytes",
           "sslsocket.py", "        return self.recv(len)\n", "        return self.recv(16384)\n",
           focus=('api/SSLSocket.read/*',)),
    Mutant("unwrap_without_close_notify", "unwrap() drops TLS without the close_notify exchange",
           "sslsocket.py", "for _ in range(2):  # send ours", "for _ in range(0):  # send ours",
           focus=('api/SSLSocket.unwrap/*',)),
    Mutant("cipher_wrong_protocol", "cipher()[1] names a protocol other than the negotiated one",
           "socketinfo.py", "return (name, self._conn.get_cipher_version(), self._conn.get_cipher_bits())",
           "return (name, 'TLSv1', self._conn.get_cipher_bits())",
           focus=('api/SSLSocket.cipher/*',)),
    Mutant("key_mismatch_accepted", "load_cert_chain accepts a key that does not match the certificate",
           "context.py", "            ctx.check_privatekey()\n", "            pass\n",
           focus=('api/SSLContext.load_cert_chain/*',)),
    Mutant("sslerror_not_oserror", "SSLError is not a subclass of socket.error / OSError",
           "errors.py", "class SSLError(OSError):", "class SSLError(Exception):",
           focus=('api/SSLError/*',)),
    Mutant("options_without_op_all", "a new SSLContext's options do not include OP_ALL",
           "context.py", "self._options = self._settable_only | _c.OP_ALL", "self._options = self._settable_only",
           focus=('api/SSLContext.options/*',)),
    Mutant("protocol_attribute_wrong", "SSLContext.protocol is not the protocol it was made with",
           "context.py", "        return self._protocol\n", "        return _c.PROTOCOL_SSLv23\n",
           focus=('api/SSLContext.protocol/*', 'api/SSLContext/protocol-*')),
    Mutant("cert_time_off_by_an_hour", "cert_time_to_seconds reads the time an hour off (local time)",
           "functions.py", "return calendar.timegm(", "return 3600 + calendar.timegm(",
           focus=('api/cert_time_to_seconds/*',)),
    Mutant("set_ciphers_never_fails", "set_ciphers accepts a string that selects no cipher",
           "context.py", "            self._ciphers = previous\n            raise\n",
           "            self._ciphers = previous\n",
           focus=('api/SSLContext.set_ciphers/*',)),
    Mutant("verify_locations_without_arguments", "load_verify_locations() with neither argument is no TypeError",
           "castore.py", "if cafile is None and capath is None and cadata is None:", "if False:",
           focus=('api/SSLContext.load_verify_locations/*',)),
    Mutant("handshake_not_on_connect", "do_handshake_on_connect=True does not handshake on wrap/connect",
           "sslsocket.py", "                if do_handshake_on_connect:\n", "                if False:\n",
           focus=('api/SSLContext.wrap_socket/*', 'api/wrap_socket/*')),
    Mutant("rand_status_int", "RAND_status() returns an int, not a bool",
           "functions.py", "return bool(_lib().RAND_status())", "return int(_lib().RAND_status())",
           focus=('api/RAND_status/*',)),
    Mutant("options_unbounded", "SSLContext.options takes an integer wider than 64 bits",
           "context.py", "if value < 0 or value >> 64:", "if value < 0:",
           focus=('badinput/SSLContext.options/*',)),
    # getpeercert()'s decoder (reference/certdecode.py), each caught by a certificate shape
    Mutant("decode_strictly", "getpeercert() fails on a verified certificate a strict ASN.1 parser refuses",
           "certdecode.py", "    _, certificate = _one(der)\n",
           "    __import__('cryptography.x509').x509.load_der_x509_certificate(der).extensions\n"
           "    _, certificate = _one(der)\n",
           focus=('decode/shape/printable-wildcard',)),
    Mutant("oid_names_from_a_table", "attribute types outside a short table are shown dotted, not by "
           "OpenSSL's name", "certdecode.py", 'nid = lib.OBJ_txt2nid(dotted.encode("ascii"))',
           'nid = lib.OBJ_txt2nid(dotted.encode("ascii")) if dotted in ("2.5.4.3", "2.5.4.10", '
           '"2.5.4.11") else lib.NID_undef',
           focus=('decode/shape/attrs-x520',)),
    Mutant("bitstring_value_as_text", "a BIT STRING attribute value (x500UniqueIdentifier) is text, not bytes",
           "certdecode.py", "return bytes(contents[1:])", "return bytes(contents[1:]).decode('latin-1')",
           focus=('decode/shape/bitstring-unique-identifier',)),
    Mutant("othername_always_unsupported", "every otherName is '<unsupported>', UPN and the like too",
           "certdecode.py", "label = OTHERNAME_LABELS.get(_dotted(oid))", "label = None",
           focus=('decode/shape/san-othername',)),
    Mutant("long_serial_not_cut",
           "a serial past 35 bytes is shown whole, not cut after 35 bytes where CPython reads it",
           "certdecode.py", "magnitude[:35].hex()", "magnitude.hex()",
           focus=('decode/shape/serial-40-bytes',)),
    Mutant("empty_crl_points_kept", "crlDistributionPoints is () when the extension has no URI, not absent",
           "certdecode.py", '        if uris:\n            result["crlDistributionPoints"] = uris',
           '        result["crlDistributionPoints"] = uris',
           focus=('decode/shape/cdp-no-uri',)),
    Mutant("path_check_leaks_fd", "loading a file leaves its descriptor open",
           "castore.py", '    with open(path, "rb"):\n        pass\n',
           '    checked_path.__dict__.setdefault("kept", []).append(open(path, "rb"))\n',
           focus=('badinput/SSLContext.load_cert_chain/*',)),
    Mutant("eof_not_sticky", "a read after the end of the connection asks OpenSSL again (a bare SSLError on 4.0)",
           "sslsocket.py",
           "        elif eof is not None or not isinstance(ended, _ZeroReturn):\n            exc = ended\n", "",
           focus=('stateful/after-eof/*', 'stateful/http10-response/*')),
    Mutant("datagram_always_refused", "sendto/recvfrom/recvfrom_into refuse even without TLS, unlike the socket's",
           "sslsocket.py", "        if self._tls:\n            raise ValueError(\"%s not allowed",
           "        if True:\n            raise ValueError(\"%s not allowed",
           focus=('stateful/datagram/*',)),
    Mutant("socket_reference_cycle", "an SSLSocket and its TLS connection refer to each other: only the cyclic "
           "collector closes a dropped one", "sslsocket.py",
           "_Connection(self._context._openssl_context(), self.fileno())",
           "_Connection(self._context._openssl_context(), self)",
           focus=('stateful/dropped-socket-closes/*',)),
    Mutant("options_cannot_clear", "assigning options refuses to clear the bits OpenSSL set by itself "
           "(ctx.options = OP_ALL | OP_NO_SSLv2 raises ValueError)",
           "context.py", "cleared = self._settable_only & _CANNOT_CLEAR & ~value",
           "cleared = self._settable_only & ~value",
           focus=('idioms/SSLContext.options/*',)),
    Mutant("cert_time_case_sensitive", "cert_time_to_seconds refuses 'gmt' and other case forms CPython reads",
           "functions.py", r'(\d\d\d\d)\s+GMT", re.IGNORECASE)', r'(\d\d\d\d)\s+GMT")',
           focus=('api/cert_time_to_seconds/grammar/*',)),
    Mutant("der_to_pem_blank_line", "DER_cert_to_PEM_cert(b'') puts a blank line between the armor lines",
           "functions.py", '"\\n".join([PEM_HEADER, *lines, PEM_FOOTER])',
           '"\\n".join([PEM_HEADER, "\\n".join(lines), PEM_FOOTER])',
           focus=('api/DER_cert_to_PEM_cert/*',)),
    Mutant("pem_header_anywhere", "PEM_cert_to_DER_cert accepts text before the header",
           "functions.py", "    if not pem_cert_string.startswith(PEM_HEADER):",
           "    if not text.startswith(PEM_HEADER):",
           focus=('api/PEM_cert_to_DER_cert/*',)),
    Mutant("rand_add_rejects_bool", "RAND_add refuses a bool entropy, which CPython takes as a number",
           "functions.py", "if isinstance(value, _STRINGS) or not",
           "if isinstance(value, _STRINGS + (bool,)) or not",
           focus=('api/RAND_add/*',)),
    Mutant("set_ciphers_ascii_only", "set_ciphers of non-ASCII text raises UnicodeEncodeError, not SSLError",
           "context.py", 'self._ciphers = ciphers.encode("utf-8")', 'self._ciphers = ciphers.encode("ascii")',
           focus=('api/SSLContext.set_ciphers/*',)),
    Mutant("read_only_buffer_buffererror", "a read into a read-only buffer raises BufferError, not TypeError",
           "sslsocket.py", "        except BufferError:  # cffi's word for a read-only buffer\n",
           "        except ZeroDivisionError:  # cffi's word for a read-only buffer\n",
           focus=('stateful/read-arguments/*',)),
    Mutant("read_size_unbounded", "read(2**31) asks OpenSSL for all of it, and SSL_read's int overflows",
           "sslsocket.py", "if flags or buflen <= 0 or buflen > _MOST_PER_READ:", "if flags or buflen <= 0:",
           focus=('stateful/read-arguments/*',)),
    Mutant("read_size_float", "read(0.0) returns b'' instead of refusing a float size",
           "sslsocket.py", "        buflen = operator.index(buflen)  # TypeError for 0.0, as for any float\n", "",
           focus=('stateful/read-arguments/*',)),
    Mutant("capath_nul_to_openssl", "a capath with an embedded NUL goes to OpenSSL (SSLError), not ValueError",
           "castore.py", '    if ("\\0" if isinstance(path, str) else b"\\0") in path:\n',
           "    if False:\n",
           focus=('api/SSLContext.load_verify_locations/*',)),
    # editions (reference/editions.py): each caught in a run of the edition whose text it breaks
    Mutant("cert_time_float_from_3_5", "cert_time_to_seconds returns a float where 3.5 on documents an int",
           "editions.py", "        return _functions.seconds_of_cert_time(cert_time)\n",
           "        return float(_functions.seconds_of_cert_time(cert_time))\n",
           focus=('api/cert_time_to_seconds/returns-*',), edition="3.13"),
    Mutant("protocol_optional_in_3_2", "SSLContext() makes a context where 3.2 says the protocol must be passed",
           "editions.py", '    if documents(edition, "3.6"):\n        attrs["__init__"]',
           '    if True:\n        attrs["__init__"]',
           focus=('api/SSLContext/protocol-*',)),
    Mutant("protocol_required_from_3_6", "SSLContext() without protocol is a TypeError where 3.6 on default it "
           "to PROTOCOL_TLS", "editions.py",
           '        attrs["__init__"] = _optional_protocol(deprecated=documents(edition, "3.10"))\n', "        pass\n",
           focus=('api/SSLContext/protocol-*',), edition="3.13"),
    Mutant("no_protocol_no_warning", "SSLContext() without protocol does not warn, which 3.10 deprecates",
           "editions.py", "            warnings.warn(", "            (lambda *args, **kwargs: None)(",
           focus=('api/SSLContext/no-protocol-*',), edition="3.13"),
    Mutant("secure_options_in_3_2", "a new context sets OP_NO_SSLv3 where 3.2 documents OP_ALL as the default",
           "editions.py", 'SECURE_DEFAULT_OPTIONS if documents(edition, "3.6") else 0,', "SECURE_DEFAULT_OPTIONS,",
           focus=('api/SSLContext.options/default-*',)),
    Mutant("no_secure_options_from_3_6", "a new context lacks the options 3.6 on set by default",
           "editions.py", 'SECURE_DEFAULT_OPTIONS if documents(edition, "3.6") else 0,', "0,",
           focus=('api/SSLContext.options/default-*',), edition="3.13"),
    Mutant("server_certificate_default_tlsv1", "get_server_certificate defaults to TLS 1.0 only, which a modern "
           "server refuses", "editions.py", 'default = names.get("PROTOCOL_TLS_CLIENT", _c.PROTOCOL_SSLv23)',
           "default = _c.PROTOCOL_TLSv1",
           focus=('api/get_server_certificate/default-*',), edition="3.13"),
    Mutant("server_certificate_timeout_ignored", "get_server_certificate(timeout=...) waits as long as the "
           "global default", "editions.py", "ssl_version, ca_certs, timeout)\n", "ssl_version, ca_certs, None)\n",
           focus=('api/get_server_certificate/timeout',), edition="3.13"),
    Mutant("edition_functions_make_plain_contexts", "the module-level wrap_socket of an edition makes contexts "
           "of the 3.2 class, not the edition's", "editions.py", "mine = dict(home, SSLContext=context_class)",
           "mine = dict(home)",
           focus=('api/SSLSocket.context/*',), edition="3.11"),
    Mutant("no_tls12_floor_from_3_10", "a flexible context starts without 3.10's TLS 1.2 minimum",
           "editions.py", 'int(_TLSVersion.TLSv1_2) if documents(edition, "3.10") else None', "None",
           focus=('api/SSLContext.minimum_version/default/SSLv23/*',), edition="3.13"),
    # -- verify_flags, CRLs, the trust store (reference/castore.py) --
    Mutant("crl_check_ignored", "VERIFY_CRL_CHECK_LEAF/_CHAIN are accepted but not given to OpenSSL",
           "castore.py", _SET_FLAGS, "ctx.get_cert_store().set_flags(self._verify_flags & ~0xC)",
           focus=('crl/*/VERIFY_CRL_CHECK_LEAF/*',), edition="3.13"),
    Mutant("crl_check_chain_as_leaf", "VERIFY_CRL_CHECK_CHAIN checks only the leaf's CRL",
           "castore.py", _SET_FLAGS, "ctx.get_cert_store().set_flags(self._verify_flags & ~0x8)",
           focus=('crl/*/VERIFY_CRL_CHECK_CHAIN/*',), edition="3.13"),
    Mutant("partial_chain_ignored", "VERIFY_X509_PARTIAL_CHAIN is accepted but not given to OpenSSL",
           "castore.py", _SET_FLAGS, "ctx.get_cert_store().set_flags(self._verify_flags & ~0x80000)",
           focus=('verify-flags/VERIFY_X509_PARTIAL_CHAIN/*',), edition="3.13"),
    Mutant("verify_flags_plain_int", "verify_flags returns a plain int, not VerifyFlags",
           "castore.py", "        return VerifyFlags(self._verify_flags)\n", "        return self._verify_flags\n",
           focus=('verify-flags/*',), edition="3.13"),
    Mutant("trusted_first_off", "a new context's verify_flags lack VERIFY_X509_TRUSTED_FIRST",
           "castore.py", "self._verify_flags = int(VERIFY_X509_TRUSTED_FIRST)", "self._verify_flags = 0",
           focus=('verify-flags/default-*',), edition="3.13"),
    Mutant("cadata_der_ignored", "DER cadata loads nothing (and raises nothing)",
           "castore.py", "            ders.append(data[pos:end])\n", "            pass\n",
           focus=('context/load_verify_locations/cadata-der-*',), edition="3.13"),
    Mutant("cadata_pem_first_only", "PEM cadata loads only its first certificate",
           "castore.py", 'ders = _pem_blocks(cadata)["CERTIFICATE"]', 'ders = _pem_blocks(cadata)["CERTIFICATE"][:1]',
           focus=('context/load_verify_locations/cadata-pem-several/*',), edition="3.13"),
    Mutant("cadata_empty_bytes_accepted", "empty DER cadata is accepted instead of ValueError",
           "castore.py", "        if not data:\n", "        if False:\n",
           focus=('context/load_verify_locations/cadata-bad-*',), edition="3.13"),
    Mutant("get_ca_certs_lists_leaves", "get_ca_certs() lists every loaded certificate, not only the CAs",
           "castore.py", "for der, cert in self._certs.items() if _is_ca(cert)]",
           "for der, cert in self._certs.items()]", focus=('context/get_ca_certs/*',), edition="3.13"),
    Mutant("cert_store_stats_no_crls", "cert_store_stats() counts no CRLs",
           "castore.py", '"crl": len(self._crls)', '"crl": 0', focus=('context/cert_store_stats/*',), edition="3.13"),
    Mutant("default_verify_paths_not_loaded", "set_default_verify_paths() (and load_default_certs) load nothing",
           "castore.py", "        if paths.cafile is None and paths.capath is None:\n", "        if True:\n",
           focus=('context/set_default_verify_paths/*', 'context/load_default_certs/*'), edition="3.13"),
    # -- PROTOCOL_TLS_CLIENT/SERVER, create_default_context (reference/defaults.py, context.py) --
    Mutant("tls_client_cert_optional", "PROTOCOL_TLS_CLIENT starts with CERT_OPTIONAL, not CERT_REQUIRED",
           "context.py", "            self._verify_mode = _c.CERT_REQUIRED\n", "            self._verify_mode = _c.CERT_OPTIONAL\n",
           focus=('context/PROTOCOL_TLS_CLIENT*',), edition="3.13"),
    Mutant("tls_client_no_check_hostname", "PROTOCOL_TLS_CLIENT starts with check_hostname off",
           "context.py", "self.check_hostname = protocol == _d.PROTOCOL_TLS_CLIENT", "self.check_hostname = False",
           focus=('context/PROTOCOL_TLS_CLIENT/*',), edition="3.13"),
    Mutant("role_protocols_any_side", "a PROTOCOL_TLS_CLIENT/_SERVER context wraps sockets of either role",
           "context.py", "if role is not None and role != (", "if False and role != (",
           focus=('context/PROTOCOL_*/no-*-sockets',), edition="3.13"),
    Mutant("default_context_not_verifying", "create_default_context() makes a context that verifies nothing",
           "defaults.py", "        context.verify_mode = _c.CERT_REQUIRED\n        context.check_hostname = True\n",
           "        context.check_hostname = False\n        context.verify_mode = _c.CERT_NONE\n",
           focus=('context/create_default_context/*',), edition="3.13"),
    Mutant("default_context_ignores_cafile", "create_default_context(cafile=...) does not trust the cafile",
           "defaults.py", "context.load_verify_locations(cafile, capath, cadata)",
           "context.load_verify_locations(None, capath, cadata)",
           focus=('context/create_default_context/*/trusts-*',), edition="3.13"),
    Mutant("default_context_no_default_certs", "create_default_context() without CAs loads no default CAs",
           "defaults.py", "        context.load_default_certs(purpose)\n", "        pass\n",
           focus=('context/create_default_context/*',), edition="3.13"),
    Mutant("default_context_3_12_flags", "create_default_context() lacks 3.13's PARTIAL_CHAIN and STRICT flags",
           "defaults.py", "verify_flags=VERIFY_X509_PARTIAL_CHAIN | VERIFY_X509_STRICT)", "verify_flags=0)",
           focus=('context/create_default_context/*',), edition="3.13"),
    Mutant("default_context_generic_protocol", "create_default_context() uses PROTOCOL_TLS (as before 3.10)",
           "defaults.py", "context = SSLContext(PROTOCOL_TLS_CLIENT if role_protocols else PROTOCOL_TLS)",
           "context = SSLContext(PROTOCOL_TLS)", focus=('context/create_default_context/SERVER_AUTH/*',), edition="3.13"),
    Mutant("default_verify_paths_ignore_environment", "get_default_verify_paths() ignores SSL_CERT_FILE/_DIR",
           "defaults.py", "env_file, env_dir = os.environ.get(_CAFILE_ENV), os.environ.get(_CAPATH_ENV)",
           "env_file, env_dir = None, None", focus=('context/get_default_verify_paths/*',), edition="3.13"),
    # -- get_ciphers, set_ecdh_curve, security_level (reference/ciphers.py) --
    Mutant("cipher_id_without_prefix", "get_ciphers() ids lack OpenSSL's 0x03000000",
           "ciphers.py", "0x03000000 | number", "number", focus=('context/get_ciphers/*',), edition="3.13"),
    Mutant("ciphers_sorted_by_name", "get_ciphers() is sorted by name, not in priority order",
           "ciphers.py", "for name in conn.get_cipher_list()]", "for name in sorted(conn.get_cipher_list())]",
           focus=('context/get_ciphers/*',), edition="3.13"),
    Mutant("ecdh_curve_unchecked", "set_ecdh_curve() takes any name (OpenSSL's SSLError, not ValueError)",
           "ciphers.py", "if nid == 0 or _ffi.string(", "if False and _ffi.string(",
           focus=('context/set_ecdh_curve/*',), edition="3.13"),
    Mutant("ecdh_curve_wrong_group", "set_ecdh_curve() restricts the server to a finite-field group",
           "ciphers.py", "SSL_CTX_set1_curves_list(ctx._context, self._curve)",
           'SSL_CTX_set1_curves_list(ctx._context, b"ffdhe2048")', focus=('context/set_ecdh_curve/*',), edition="3.13"),
    Mutant("security_level_constant", "security_level is always 2, whatever the cipher string says",
           "ciphers.py", "return _measured_level(self._method, self._ciphers)", "return 2",
           focus=('context/security_level/*',), edition="3.13"),
    Mutant("eof_error_not_sslerror", "SSLEOFError is an OSError but not a subclass of SSLError",
           "errors.py", "class SSLEOFError(SSLError):", "class SSLEOFError(OSError):",
           focus=('errors/hierarchy/*',), edition="3.13"),
    Mutant("cert_verification_not_valueerror", "SSLCertVerificationError is not a ValueError, as CPython's is",
           "errors.py", "class SSLCertVerificationError(SSLError, ValueError):",
           "class SSLCertVerificationError(SSLError):",
           focus=('errors/hierarchy/*',), edition="3.13"),
    Mutant("certificate_error_not_alias", "CertificateError is a subclass of SSLCertVerificationError, not its alias",
           "errors.py", "CertificateError = SSLCertVerificationError",
           "CertificateError = type('CertificateError', (SSLCertVerificationError,), {})",
           focus=('errors/hierarchy/*',), edition="3.13"),
    Mutant("want_read_plain_sslerror", "a non-blocking operation that must read raises a plain SSLError",
           "errors.py", "return SSLWantReadError(SSL_ERROR_WANT_READ,", "return SSLError(SSL_ERROR_WANT_READ,",
           focus=('errors/SSLWantReadError/*',), edition="3.13"),
    Mutant("want_write_as_want_read", "a non-blocking write into a full buffer raises SSLWantReadError",
           "errors.py", "return SSLWantWriteError(SSL_ERROR_WANT_WRITE,", "return SSLWantReadError(SSL_ERROR_WANT_READ,",
           focus=('errors/SSLWantWriteError/*',), edition="3.13"),
    Mutant("ragged_eof_plain_sslerror", "an EOF without close_notify raises a plain SSLError, not SSLEOFError",
           "errors.py", 'err = SSLEOFError(SSL_ERROR_EOF, "[SSL: UNEXPECTED_EOF_WHILE_READING]',
           'err = SSLError(SSL_ERROR_SSL, "[SSL: UNEXPECTED_EOF_WHILE_READING]',
           focus=('errors/SSLEOFError/*',), edition="3.13"),
    Mutant("ragged_eof_unnamed", "the SSLEOFError of a ragged EOF names no library or reason (OpenSSL 1.1's form)",
           "errors.py", '    err.library, err.reason = "SSL", "UNEXPECTED_EOF_WHILE_READING"\n', "",
           focus=('errors/SSLError.reason/ragged-eof/*',), edition="3.13"),
    Mutant("completed_shutdown_reads_empty", "a read after the close_notify exchange this side began returns b'', "
           "not SSLZeroReturnError", "sslsocket.py",
           "(isinstance(exc, _ZeroReturn) and not self._conn.get_shutdown() & _SENT_SHUTDOWN)",
           "isinstance(exc, _ZeroReturn)",
           focus=('errors/SSLZeroReturnError/*',), edition="3.13"),
    Mutant("close_notify_raises", "a read at the peer's close_notify raises SSLZeroReturnError instead of b''",
           "sslsocket.py", "(isinstance(exc, _ZeroReturn) and not self._conn.get_shutdown() & _SENT_SHUTDOWN)",
           "False", focus=('errors/close-notify/*',), edition="3.13"),
    Mutant("verify_failure_plain_sslerror", "a failed certificate verification raises a plain SSLError",
           "errors.py", "        cls = SSLCertVerificationError\n", "        cls = SSLError\n",
           focus=('errors/SSLCertVerificationError/*',), edition="3.13"),
    Mutant("verify_code_off_by_one", "verify_code is not OpenSSL's X509_V_ERR result",
           "errors.py", "        err.verify_code = verify_code\n", "        err.verify_code = verify_code + 1\n",
           focus=('errors/SSLCertVerificationError.verify_code/*',), edition="3.13"),
    Mutant("library_spelled_out", "SSLError.library is OpenSSL's long library name, not the mnemonic",
           "errors.py", "    err.library = library\n", "    err.library = library_name\n",
           focus=('errors/SSLError.library/*',), edition="3.13"),
    Mutant("reason_spelled_out", "SSLError.reason is OpenSSL's reason text, not the mnemonic",
           "errors.py", "    reason = _mnemonic_reason(reason_text)\n", "    reason = reason_text\n",
           focus=('errors/SSLError.reason/*',), edition="3.13"),
    Mutant("version_always_tls12", "SSLSocket.version() says TLSv1.2 whatever was negotiated",
           "socketinfo.py", "return self._conn.get_protocol_version_name()", 'return "TLSv1.2"',
           focus=('api/SSLSocket.version/*',), edition="3.13"),
    Mutant("shared_ciphers_server_list", "SSLSocket.shared_ciphers() lists the server's ciphers, offered or not",
           "socketinfo.py", "return [named[name] for name in self._conn.get_cipher_list() if name in named]",
           "return [named.get(name, (name, 'TLSv1.2', 128)) for name in self._conn.get_cipher_list()]",
           focus=('api/SSLSocket.shared_ciphers/*',), edition="3.13"),
    Mutant("pending_always_zero", "SSLSocket.pending() is always 0",
           "socketinfo.py", "return self._conn.pending() if self._tls else 0", "return 0",
           focus=('api/SSLSocket.pending/*',), edition="3.13"),
    Mutant("server_side_int", "SSLSocket.server_side is an int, not a boolean",
           "sslsocket.py", "self.server_side = bool(server_side)", "self.server_side = int(server_side)",
           focus=('api/SSLSocket.server_side/*',), edition="3.13"),
    Mutant("server_hostname_u_label", "SSLSocket.server_hostname keeps an IDN as given, not as its A-label",
           "socketinfo.py", '        return hostname.encode("idna").decode("ascii")\n', "        return hostname\n",
           focus=('api/SSLSocket.server_hostname/*',), edition="3.13"),
    Mutant("verified_chain_as_sent", "get_verified_chain() returns the chain as sent, without the trusted root",
           "socketinfo.py", "for c in self._conn.get_verified_chain() or ()]", "for c in self._conn.get_peer_cert_chain() or ()]",
           focus=('api/SSLSocket.get_verified_chain/*',), edition="3.13"),
    Mutant("unverified_chain_without_client_leaf", "a server's get_unverified_chain() leaves out the client's own "
           "certificate (as OpenSSL's SSL_get_peer_cert_chain does)",
           "socketinfo.py", "                chain.insert(0, _der(leaf))\n", "                pass\n",
           focus=('api/SSLSocket.get_unverified_chain/*',), edition="3.13"),
    Mutant("verify_mode_member_alias", "the VerifyMode enum gives CERT_OPTIONAL the value of CERT_REQUIRED",
           "constants.py", "    CERT_OPTIONAL = 1\n", "    CERT_OPTIONAL = 2\n",
           focus=('api/CERT_OPTIONAL/*',)),
    Mutant("options_member_alias", "the Options enum gives OP_NO_TLSv1 the bit of OP_NO_SSLv3",
           "constants.py", '("OP_NO_TLSv1", _SSL.OP_NO_TLSv1),', '("OP_NO_TLSv1", _SSL.OP_NO_SSLv3),',
           focus=('api/OP_NO_TLSv1/*',)),
    Mutant("minimum_version_ignored", "minimum_version is stored and read back but never given to OpenSSL",
           "context.py", "            ctx.set_min_proto_version(self._min_version)\n", "            pass\n",
           focus=('matrix/*/client=SSLv23+min=TLSv1_3/server=TLSv1_2',), edition="3.13"),
    Mutant("maximum_version_ignored", "maximum_version is stored and read back but never given to OpenSSL",
           "context.py", "            ctx.set_max_proto_version(self._max_version)\n", "            pass\n",
           focus=('matrix/*/client=SSLv23+max=TLSv1_2/server=SSLv23',), edition="3.13"),
    Mutant("magic_bounds_unbounded", "minimum_version = MAXIMUM_SUPPORTED (and maximum_version = MINIMUM_SUPPORTED) "
           "mean no bound, not the highest (lowest) version", "versions.py",
           "    if member == _OWN_SIDE[which]:\n",
           "    if member in (TLSVersion.MINIMUM_SUPPORTED, TLSVersion.MAXIMUM_SUPPORTED):\n",
           focus=('matrix/*/client=SSLv23+min=MAXIMUM_SUPPORTED/server=SSLv23+max=TLSv1_2',
                  'api/SSLContext.minimum_version/round-trip/MAXIMUM_SUPPORTED'), edition="3.13"),
    Mutant("maximum_supported_is_tls12", "MAXIMUM_SUPPORTED as a minimum stands for TLS 1.2, not the highest "
           "version the library has", "versions.py",
           'HIGHEST = TLSVersion.TLSv1_3 if hasattr(_SSL, "TLS1_3_VERSION") else TLSVersion.TLSv1_2',
           "HIGHEST = TLSVersion.TLSv1_2",
           focus=('matrix/*/client=SSLv23+min=MAXIMUM_SUPPORTED/server=SSLv23+max=TLSv1_2',), edition="3.13"),
    Mutant("version_bound_reads_int", "minimum_version/maximum_version read back a bare int, not a TLSVersion member",
           "versions.py", "return _OWN_SIDE[which] if bound is None else TLSVersion(bound)",
           "return _OWN_SIDE[which] if bound is None else bound",
           focus=('api/SSLContext.*/round-trip/TLSv1_2',), edition="3.13"),
    Mutant("version_bounds_writable_everywhere", "a version-specific context takes minimum_version/maximum_version",
           "context.py", "        if self._method not in _FLEXIBLE_METHODS:\n", "        if False:\n",
           focus=('api/SSLContext.*/read-only/*',), edition="3.13"),
    Mutant("crossed_bounds_refused", "setting a minimum above the maximum raises, though nothing is documented to "
           "prevent it", "context.py", "        setattr(self, attr, bound)\n",
           "        setattr(self, attr, bound)\n"
           "        if None not in (self._min_version, self._max_version) and self._min_version > self._max_version:\n"
           "            raise ValueError('the minimum is above the maximum')\n",
           focus=('api/SSLContext.maximum_version/below-minimum/*',
                  'matrix/*/client=SSLv23+min=TLSv1_3+max=TLSv1_2/*'), edition="3.13"),
    Mutant("maximum_version_default_tls13", "a new context's maximum_version reads TLSv1_3, not MAXIMUM_SUPPORTED",
           "versions.py", '_OWN_SIDE = {"minimum": TLSVersion.MINIMUM_SUPPORTED, "maximum": TLSVersion.MAXIMUM_SUPPORTED}',
           '_OWN_SIDE = {"minimum": TLSVersion.MINIMUM_SUPPORTED, "maximum": TLSVersion.TLSv1_3}',
           focus=('api/SSLContext.maximum_version/default/SSLv23/*',), edition="3.13"),
    Mutant("tlsversion_magic_aliases_tls13", "TLSVersion.MAXIMUM_SUPPORTED is an alias of TLSv1_3, not a magic value",
           "versions.py", "    MAXIMUM_SUPPORTED = -1\n", "    MAXIMUM_SUPPORTED = 0x0304\n",
           focus=('api/TLSVersion*',), edition="3.13"),
    Mutant("partial_wildcard_accepted", "the handshake (3.7+) lets a partial wildcard w*.example.org match",
           "hostnames.py", "flags = lib.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS\n", "flags = 0\n",
           focus=("hostname/check_hostname/host-partial-wildcard/*",), edition="3.13"),
    Mutant("wildcard_spans_labels", "match_hostname's '*' stands for any run of labels (a.b.example.org)",
           "hostnames.py", 'first = "[^.]+"', 'first = ".+"',
           focus=("hostname/match_hostname/host-wildcard/*",)),
    Mutant("common_name_always", "the handshake checks the subject's CN even beside a SAN",
           "hostnames.py", "flags = lib.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS\n",
           "flags = lib.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | lib.X509_CHECK_FLAG_ALWAYS_CHECK_SUBJECT\n",
           focus=("hostname/*/host-cn-and-san/*",), edition="3.13"),
    Mutant("common_name_never_off", "hostname_checks_common_name = False is stored but not applied",
           "hostnames.py", "    if not context.hostname_checks_common_name:\n        flags |= lib.X509_CHECK_FLAG_NEVER_CHECK_SUBJECT\n",
           "", focus=("hostname/hostname_checks_common_name=off/*",), edition="3.13"),
    Mutant("ip_san_ignored", "an IP address is matched as a DNS name, never against the IP Address SANs",
           "hostnames.py", "    address = _ip(server_hostname)\n", "    address = None\n",
           focus=("hostname/check_hostname/host-ip/*",), edition="3.13"),
    Mutant("idn_u_label_matched", "the handshake (3.7+) matches the U-label, not the A-label, of an IDN",
           "hostnames.py", "    name = None if address is not None else a_label(server_hostname).encode(\"ascii\")\n",
           "    name = None if address is not None else a_label(server_hostname).encode(\"ascii\").decode(\"idna\")"
           ".encode(\"utf-8\")\n",
           focus=("hostname/check_hostname/host-idn/*",), edition="3.13"),
    Mutant("sni_not_sent", "the client never sends server_hostname as SNI",
           "hostnames.py", "        conn.set_tlsext_host_name(name)\n", "        pass\n",
           focus=("sni/*",), edition="3.13"),
    Mutant("sni_callback_not_called", "a server-name callback is stored but never installed",
           "context.py", "            _hostnames.install_servername_callback(ctx, self)\n", "            pass\n",
           focus=("sni/*",), edition="3.13"),
    Mutant("context_switch_ignored", "switching SSLSocket.context in the callback keeps the old certificate",
           "sslsocket.py", "            self._conn.set_context(context._openssl_context())\n", "            pass\n",
           focus=("sni/*/switch",), edition="3.13"),
    Mutant("sni_alert_ignored", "a server-name callback's ALERT_DESCRIPTION_* lets the handshake go on",
           "hostnames.py", "        if result is None:\n            return 0\n", "        if True:\n            return 0\n",
           focus=("sni/*/alert-*", "sni/*/other-return"), edition="3.13"),
    Mutant("check_hostname_off", "check_hostname is stored but no name is ever checked",
           "hostnames.py", "    if not context.check_hostname or edition_of(context) < (3, 7):\n",
           "    if True:\n", focus=("hostname/check_hostname/*",), edition="3.13"),
    Mutant("check_hostname_cert_none_kept", "enabling check_hostname leaves verify_mode at CERT_NONE",
           "hostnames.py", "            self._verify_mode = CERT_REQUIRED\n", "            pass\n",
           focus=("hostname/check_hostname/enabling-*",), edition="3.13"),
    # the stdlib's own consumers (cases/consumers*.py), each given the broken context
    Mutant("consumer_server_leaf_only", "a server's load_cert_chain sends the leaf without its intermediate",
           "context.py", "ctx.use_certificate_chain_file(cert_path)", "ctx.use_certificate_file(cert_path)",
           focus=('consumer/http.client/*/trust=trusted/hostname=match',), edition="3.13"),
    Mutant("consumer_accept_as_client", "SSLSocket.accept on a wrapped listening socket wraps the connection as a "
           "client", "sslsocket.py", "                newsock, server_side=True,",
           "                newsock, server_side=False,",
           focus=('consumer/urllib/*/trust=trusted/hostname=match',
                  'consumer/http.server/*/trust=trusted/hostname=match'), edition="3.13"),
    Mutant("consumer_client_verify_ignored", "a client context's verify_mode is not applied: smtplib's STARTTLS "
           "goes on with an untrusted server", "context.py", _SET_VERIFY,
           "ctx.set_verify(_VERIFY_FLAGS[_c.CERT_NONE])",
           focus=('consumer/smtplib/*/trust=untrusted/*',), edition="3.13"),
    Mutant("consumer_recv_into_end_raises", "recv_into raises at the end of a connection instead of returning 0 "
           "(ftplib reads its TLS data channel to the end through makefile)", "sslsocket.py",
           "return self._ended(exc, 0)", "raise self._error(exc) from None",
           focus=('consumer/ftplib/*/trust=trusted/hostname=match',), edition="3.13"),
    Mutant("consumer_hostname_not_checked", "a client's check_hostname is not applied: urllib and ftplib go on with "
           "a server named otherwise", "hostnames.py",
           "    if not context.check_hostname or edition_of(context) < (3, 7):\n", "    if True:\n",
           focus=('consumer/urllib/*/hostname=mismatch', 'consumer/ftplib/*/hostname=mismatch'), edition="3.13"),
    Mutant("alpn_client_preference", "the ALPN server picks by the client's preference order, not its own",
           "alpn.py", "    for protocol in ours:\n        if protocol in offered:\n",
           "    for protocol in offered:\n        if protocol in ours:\n",
           focus=('alpn/agreed/server-preference*',), edition="3.13"),
    Mutant("alpn_selected_own_first", "selected_alpn_protocol() reports the socket's own first protocol, "
           "agreed or not", "alpn.py", 'return chosen.decode("ascii") if chosen else None',
           'return self._context._alpn[0].decode("ascii") if self._context._alpn else None',
           focus=('alpn/agreed/no-overlap/*', 'alpn/agreed/client-only/*'), edition="3.13"),
    Mutant("alpn_lengths_unchecked", "set_alpn_protocols takes an empty protocol name",
           "alpn.py", "if len(b) == 0 or len(b) > 255:", "if len(b) > 255:",
           focus=('alpn/invalid/*',), edition="3.13"),
    Mutant("session_not_reused", "wrap_socket(session=...) and SSLSocket.session never offer the session",
           "sessions.py", "        if not _lib.SSL_set_session(conn._ssl, session._session):\n",
           "        if False:\n", focus=('session/resumed/*',), edition="3.13"),
    Mutant("bio_session_not_offered", "wrap_bio(session=...) drops the session: an SSLObject never resumes",
           "sslobject.py", "                _apply_session(conn, session)\n", "                pass\n",
           focus=('bio/session/resumed/*',), edition="3.13"),
    Mutant("session_reused_lies", "SSLSocket.session_reused says True of every connection",
           "sessions.py", "return bool(_lib.SSL_session_reused(self._conn._ssl))", "return True",
           focus=('session/resumed/*',), edition="3.13"),
    Mutant("num_tickets_ignored", "num_tickets = 0 is stored but the server still sends resumable tickets",
           "sessions.py", "    if owner._num_tickets == 0:\n", "    if False:\n",
           focus=('session/num_tickets-0/TLSv1.3',), edition="3.13"),
    Mutant("session_hits_not_counted", "session_stats() never counts a resumed handshake as a hit",
           "sessions.py", '                owner._count("hits")\n', "                pass\n",
           focus=('session/session_stats/*',), edition="3.13"),
    Mutant("session_misses_not_counted", "session_stats() counts no miss when an offered session is not resumed",
           "sessions.py", '                owner._count("misses")', "                pass",
           focus=('session/session_stats/other-server/*',), edition="3.13"),
    Mutant("keylog_exporter_missing", "the key log lacks the TLS 1.3 EXPORTER_SECRET lines",
           "keylog.py", '            f.write(line + b"\\n")\n',
           '            f.write(b"" if line.startswith(b"EXPORTER_SECRET") else line + b"\\n")\n',
           focus=('keylog/labels/*/TLSv1.3',), edition="3.13"),
    Mutant("keylog_truncates", "assigning keylog_filename truncates the file instead of appending to it",
           "keylog.py", 'with _lock_for(name), open(name, "ab") as f:', 'with _lock_for(name), open(name, "wb") as f:',
           focus=('keylog/appended/*',), edition="3.13"),
    Mutant("pha_not_requested", "verify_client_post_handshake() returns without asking for a certificate",
           "pha.py", "if _lib.SSL_verify_client_post_handshake(self._conn._ssl) != 1:", "if False:",
           focus=('pha/tls13/certificate-after-request',), edition="3.13"),
    Mutant("bio_pha_not_set_up", "an SSLObject's connection is not set up for post-handshake auth",
           "sslobject.py", "        _pha_setup(conn, context, self.server_side)\n", "        pass\n",
           focus=('bio/pha/*',), edition="3.13"),
    Mutant("pha_client_not_signalled", "a client's post_handshake_auth is stored but never told to OpenSSL",
           "pha.py", "        _lib.SSL_set_post_handshake_auth(conn._ssl, 1)\n", "        pass\n",
           focus=('pha/tls13/certificate-after-request',), edition="3.13"),
    # -- MemoryBIO and SSLObject (3.5) --
    Mutant("bio_want_read_not_raised", "an SSLObject call that needs more input returns None instead of raising "
           "SSLWantReadError", "sslobject.py", "        if result is None:\n            raise translate(",
           "        if result is None and False:\n            raise translate(",
           focus=('bio/SSLObject/want-read/*',), edition="3.13"),
    Mutant("bio_want_read_as_want_write", "an SSLObject waiting for input raises SSLWantWriteError",
           "sslobject.py", "_SSL.WantWriteError() if self._conn.wants_write else _SSL.WantReadError()",
           "_SSL.WantWriteError()", focus=('bio/SSLObject/want-read/*',), edition="3.13"),
    Mutant("bio_zero_return_swallowed", "a read after both close_notify alerts returns b'' instead of raising "
           "SSLZeroReturnError", "sslobject.py", "if self._conn.get_shutdown() == _SSL.RECEIVED_SHUTDOWN:",
           "if True:", focus=('bio/SSLObject/close/*',), edition="3.13"),
    Mutant("bio_eof_not_marked", "incoming's end is never passed to TLS: a truncated stream waits for input "
           "instead of raising SSLEOFError", "sslobject.py", "            self._conn.bio_shutdown()\n",
           "            pass\n", focus=('bio/SSLObject/eof/*',), edition="3.13"),
    Mutant("memorybio_pending_wrong", "MemoryBIO.pending counts half the buffer", "memorybio.py",
           "        return len(self._buf)\n", "        return len(self._buf) // 2\n",
           focus=('bio/MemoryBIO.*',), edition="3.13"),
    Mutant("memorybio_write_eof_ignored", "MemoryBIO.write_eof() marks nothing", "memorybio.py",
           "        self._eof_written = True\n", "        pass\n",
           focus=('bio/MemoryBIO.*', 'bio/SSLObject/eof/*'), edition="3.13"),
    Mutant("memorybio_read_ignores_n", "MemoryBIO.read(n) returns everything whatever n", "memorybio.py",
           "if n < 0 or n >= len(self._buf):", "if True:", focus=('bio/MemoryBIO.read/*',), edition="3.13"),
    Mutant("bio_unwrap_without_peer", "SSLObject.unwrap() returns before the peer's close_notify came",
           "sslobject.py", "        if self._run(self._conn.shutdown_nowait):\n            return None\n        raise translate(",
           "        return None\n        raise translate(",
           focus=('bio/SSLObject/unwrap/*', 'bio/SSLObject/close/*'), edition="3.13"),
    Mutant("bio_verification_skipped", "an SSLObject never verifies its peer, whatever verify_mode says",
           "sslobject.py", "        conn = _Connection(context._openssl_context(), None)\n",
           "        conn = _Connection(context._openssl_context(), None)\n        conn.set_verify(_SSL.VERIFY_NONE)\n",
           focus=('bio/verify/*', 'bio/negative/*'), edition="3.13"),
    Mutant("bio_read_ignores_len", "SSLObject.read(len) may return more than len bytes", "sslobject.py",
           "min(len, 1 << 20)", "1 << 20", focus=('bio/SSLObject/sizes/*',), edition="3.13"),
    Mutant("bio_handshake_on_wrap", "wrap_bio starts the handshake itself", "sslobject.py",
           "        return self\n", "        try:\n            self.do_handshake()\n        except Exception:\n"
           "            pass\n        return self\n", focus=('bio/SSLObject/no-handshake-on-wrap',), edition="3.13"),
    Mutant("bio_hostname_unchecked", "an SSLObject neither sends SNI nor checks the server's name",
           "sslobject.py", "_hostnames.prepare_client(conn, context, self.server_hostname)",
           "_hostnames.prepare_client(conn, context, None)", focus=('bio/hostname/*',), edition="3.13"),
    Mutant("sslobject_class_ignored", "wrap_bio always returns SSLObject, whatever sslobject_class says",
           "context.py", "return self.sslobject_class._create(", "return type(self).sslobject_class._create(",
           focus=('bio/SSLContext.sslobject_class/*',), edition="3.13"),
)}


class _MutantLoader(importlib.abc.Loader):
    """Executes one file of ``reference/``, edited if it is the mutant's file."""

    def __init__(self, path: Path, mutant: Mutant):
        self.path, self.mutant = path, mutant

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return None

    def exec_module(self, module: ModuleType) -> None:
        source = self.path.read_text(encoding="utf-8")
        if self.path.name == self.mutant.file:
            count = source.count(self.mutant.old)
            if count != 1:
                raise ImportError(f"mutant {self.mutant.name}: its text occurs {count} times in "
                                  f"reference/{self.mutant.file} (must be once); update the mutant")
            source = source.replace(self.mutant.old, self.mutant.new)
        # compiled from memory: no bytecode cache may ever hold the edit
        exec(compile(source, str(self.path), "exec"), module.__dict__)


class _MutantFinder(importlib.abc.MetaPathFinder):
    """``conformance.mutants.<name>[.<submodule>]`` -> a copy of ``reference[.<submodule>]``."""

    prefix = __name__ + "."

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Optional[ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        if not fullname.startswith(self.prefix):
            return None
        parts = fullname[len(self.prefix):].split(".")
        mutant = MUTANTS.get(parts[0])
        if mutant is None or len(parts) > 2:
            return None
        file = REFERENCE_DIR / ("__init__.py" if len(parts) == 1 else parts[1] + ".py")
        if not file.exists():
            return None
        return importlib.util.spec_from_file_location(
            fullname, file, loader=_MutantLoader(file, mutant),
            submodule_search_locations=[str(REFERENCE_DIR)] if len(parts) == 1 else None)


if not any(isinstance(f, _MutantFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _MutantFinder())
