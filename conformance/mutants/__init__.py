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
           "sslsocket.py", "if not self._conn.get_verify_mode() & _SSL.VERIFY_PEER:", "if False:",
           focus=('api/SSLSocket.getpeercert/*', 'decode/*')),
    Mutant("op_no_tlsv1_ignored", "OP_NO_TLSv1 is accepted but not applied",
           "context.py", "ctx.set_options(self._options)", "ctx.set_options(self._options & ~_c.OP_NO_TLSv1)",
           focus=('matrix/legacy/*+NO_TLSv1/*', 'matrix/legacy/*+NO_TLSv1')),
    Mutant("ragged_eofs_inverted", "suppress_ragged_eofs means the opposite",
           "sslsocket.py", "self.suppress_ragged_eofs = suppress_ragged_eofs",
           "self.suppress_ragged_eofs = not suppress_ragged_eofs",
           focus=('api/SSLContext.wrap_socket/*', 'api/wrap_socket/*')),
    Mutant("read_ignores_nbytes", "read(nbytes) may return more than nbytes",
           "sslsocket.py", "        return self.recv(nbytes)\n", "        return self.recv(16384)\n",
           focus=('api/SSLSocket.read/*',)),
    Mutant("unwrap_without_close_notify", "unwrap() drops TLS without the close_notify exchange",
           "sslsocket.py", "for _ in range(2):  # send ours", "for _ in range(0):  # send ours",
           focus=('api/SSLSocket.unwrap/*',)),
    Mutant("cipher_wrong_protocol", "cipher()[1] names a protocol other than the negotiated one",
           "sslsocket.py", "return (name, self._conn.get_cipher_version(), self._conn.get_cipher_bits())",
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
           "functions.py", "return float(calendar.timegm(", "return 3600.0 + float(calendar.timegm(",
           focus=('api/cert_time_to_seconds/*',)),
    Mutant("set_ciphers_never_fails", "set_ciphers accepts a string that selects no cipher",
           "context.py", "            self._ciphers = previous\n            raise\n",
           "            self._ciphers = previous\n",
           focus=('api/SSLContext.set_ciphers/*',)),
    Mutant("verify_locations_without_arguments", "load_verify_locations() with neither argument is no TypeError",
           "context.py", "if cafile is None and capath is None:", "if False:",
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
           "context.py", '    with open(path, "rb"):\n        pass\n',
           '    _checked_path.__dict__.setdefault("kept", []).append(open(path, "rb"))\n',
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
           "context.py", '            if ("\\0" if isinstance(ca_path, str) else b"\\0") in ca_path:\n',
           "            if False:\n",
           focus=('api/SSLContext.load_verify_locations/*',)),
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
