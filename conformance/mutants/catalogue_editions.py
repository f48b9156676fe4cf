"""Mutants of the editions' differences (reference/editions.py) and of the trust store:
verify_flags, CRLs, cadata, the CA certificates (reference/castore.py).
"""
from __future__ import annotations

from typing import Tuple

from .mutant import SET_FLAGS, Mutant

ENTRIES: Tuple[Mutant, ...] = (
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
           "castore.py", SET_FLAGS, "ctx.get_cert_store().set_flags(self._verify_flags & ~0xC)",
           focus=('crl/*/VERIFY_CRL_CHECK_LEAF/*',), edition="3.13"),
    Mutant("crl_check_chain_as_leaf", "VERIFY_CRL_CHECK_CHAIN checks only the leaf's CRL",
           "castore.py", SET_FLAGS, "ctx.get_cert_store().set_flags(self._verify_flags & ~0x8)",
           focus=('crl/*/VERIFY_CRL_CHECK_CHAIN/*',), edition="3.13"),
    Mutant("partial_chain_ignored", "VERIFY_X509_PARTIAL_CHAIN is accepted but not given to OpenSSL",
           "castore.py", SET_FLAGS, "ctx.get_cert_store().set_flags(self._verify_flags & ~0x80000)",
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
    Mutant("default_ciphers_not_narrowed", "a new context of the 3.10+ editions keeps 3.6's cipher list "
           "(suites without forward secrecy)", "editions.py",
           '        "_DEFAULT_CIPHERS": (DEFAULT_CIPHERS_3_10 if documents(edition, "3.10")',
           '        "_DEFAULT_CIPHERS": (DEFAULT_CIPHERS_3_6 if documents(edition, "3.10")',
           focus=('context/SSLContext/default-ciphers/*',), edition="3.13"),
)
