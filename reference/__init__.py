"""A reference implementation of the ``ssl`` module API (Python 3.2's documentation).

``import reference as ssl`` gives the documented functions, constants,
exceptions and classes, implemented on pyOpenSSL and cryptography -- never on
the interpreter's own ``ssl``/``_ssl`` -- so that comparing it with the stdlib
compares two implementations on two OpenSSL builds.

Where the 3.2 text is dated, the decisions are written down once, in the
module that owns them:

* which ``PROTOCOL_*`` exist (only what this OpenSSL can speak; no SSLv2/SSLv3)
  -- :mod:`reference.constants`;
* ``wrap_socket``'s default protocol, ``cert_time_to_seconds`` in UTC, the EGD
  client -- :mod:`reference.functions`;
* default options, clearing options, what ``CERT_OPTIONAL`` means for a
  client -- :mod:`reference.context`;
* timeouts, non-blocking mode, ragged EOFs, ``unwrap`` -- :mod:`reference.sslsocket`;
* ``MemoryBIO`` and ``SSLObject`` (3.5) on pyOpenSSL's memory BIOs -- :mod:`reference.memorybio`,
  :mod:`reference.sslobject`;
* the ``getpeercert()`` dictionary -- :mod:`reference.certdecode`;
* ``PROTOCOL_TLS_CLIENT``/``_SERVER``, ``Purpose``, ``create_default_context``
  -- :mod:`reference.defaults`; trusted CAs, CRLs, ``verify_flags`` --
  :mod:`reference.castore`; ``get_ciphers``, ``set_ecdh_curve``,
  ``security_level`` -- :mod:`reference.ciphers`;
* ALPN (the server's preference; no overlap is no ALPN) -- :mod:`reference.alpn`;
  sessions, ``session_stats()``, ``num_tickets`` -- :mod:`reference.sessions`;
  ``keylog_filename`` -- :mod:`reference.keylog`; post-handshake auth --
  :mod:`reference.pha`.

Editions.  Plain ``import reference`` behaves as the 3.2 text says, with
every later addition that does not contradict it.  Where a later release
documents something otherwise (``SSLContext()``'s protocol and default
options, ``cert_time_to_seconds``'s type, ``get_server_certificate``'s
default protocol, names removed), ``reference.for_edition("3.13")`` returns
a module that follows that release: :mod:`reference.editions` says what
differs, from when, and how the module is made.  ``for_edition(edition)`` is
a protocol, not a back door: any implementation may define it, and the
conformance suite asks every module under test for the module of the run's
``--edition`` through it.  It is not in ``__all__``: ``from reference import
*`` in a module of one's own does not make that module answer for_edition
with the reference's modules.
"""
from __future__ import annotations

import sys as _sys

from socket import error as socket_error  # noqa: F401 - the 3.2 module exported it

from .constants import *  # noqa: F401,F403 - PROTOCOL_*, CERT_*, OP_*, SSL_ERROR_*, OPENSSL_*
from .constants import (  # noqa: F401
    OPENSSL_VERSION,
    OPENSSL_VERSION_INFO,
    OPENSSL_VERSION_NUMBER,
)
from .castore import (  # noqa: F401 - 3.4's verify flags
    VERIFY_ALLOW_PROXY_CERTS,
    VERIFY_CRL_CHECK_CHAIN,
    VERIFY_CRL_CHECK_LEAF,
    VERIFY_DEFAULT,
    VERIFY_X509_PARTIAL_CHAIN,
    VERIFY_X509_STRICT,
    VERIFY_X509_TRUSTED_FIRST,
    VerifyFlags,
)
from .context import SSLContext
from .defaults import (  # noqa: F401 - the defaults the module chooses (3.4 on)
    PROTOCOL_TLS,
    PROTOCOL_TLS_CLIENT,
    PROTOCOL_TLS_SERVER,
    DefaultVerifyPaths,
    Purpose,
    create_default_context,
    get_default_verify_paths,
)
from .errors import (
    CertificateError,
    SSLCertVerificationError,
    SSLEOFError,
    SSLError,
    SSLSyscallError,
    SSLWantReadError,
    SSLWantWriteError,
    SSLZeroReturnError,
)
from .functions import (
    DER_cert_to_PEM_cert,
    PEM_FOOTER,
    PEM_HEADER,
    PEM_cert_to_DER_cert,
    RAND_add,
    RAND_bytes,
    RAND_egd,
    RAND_status,
    cert_time_to_seconds,
    get_server_certificate,
    wrap_socket,
)
from .hostnames import match_hostname
from .memorybio import MemoryBIO
from .sessions import SSLSession
from .sslobject import SSLObject
from .sslsocket import SSLSocket

#: what SSLContext.wrap_socket returns (3.7), as CPython's ssl.py sets it
SSLContext.sslsocket_class = SSLSocket
from .versions import TLSVersion
from .editions import for_edition

SSLContext.sslobject_class = SSLObject

#: SNI is always available on the OpenSSL builds pyOpenSSL supports.
HAS_SNI = True

#: Every public name but ``for_edition``: a module that does ``from reference import *`` and
#: changes something is not the reference, and must not hand the suite the reference's
#: edition modules in its own place (it is tested as it is, unless it defines its own).
__all__ = sorted(name for name, value in list(globals().items())
                 if not name.startswith("_") and name not in ("annotations", "for_edition")
                 and not isinstance(value, type(_sys)))
