"""The protocol of today's contexts and the defaults the ``ssl`` module chooses (3.4 on).

* ``PROTOCOL_TLS`` (3.6) is the flexible protocol, the same value as the 3.2
  text's ``PROTOCOL_SSLv23``.  ``PROTOCOL_TLS_CLIENT`` and
  ``PROTOCOL_TLS_SERVER`` (3.6) are the same negotiation bound to one role:
  OpenSSL's ``TLS_client_method`` / ``TLS_server_method``.  A context of one
  role refuses to make a socket of the other (``SSLError``, as CPython
  words it).  ``PROTOCOL_TLS_CLIENT`` starts with ``CERT_REQUIRED`` and
  ``check_hostname`` on, as documented; every other protocol with
  ``CERT_NONE`` and ``check_hostname`` off.  CPython's numbers (2, 16, 17)
  are kept, so stored values mean the same to both.
* ``Purpose.SERVER_AUTH`` / ``Purpose.CLIENT_AUTH`` are, as in CPython, the
  extended-key-usage objects ``(nid, shortname, longname, oid)`` of
  ``1.3.6.1.5.5.7.3.1`` and ``.2``, read from this OpenSSL's object table.
* ``create_default_context`` follows the latest edition's text: a
  ``PROTOCOL_TLS_CLIENT`` context for ``SERVER_AUTH`` (``CERT_REQUIRED``,
  ``check_hostname``), a ``PROTOCOL_TLS_SERVER`` one for ``CLIENT_AUTH``;
  ``OP_NO_SSLv2 | OP_NO_SSLv3``; ``HIGH`` ciphers without RC4, MD5 and the
  unauthenticated suites; 3.13's ``VERIFY_X509_PARTIAL_CHAIN`` and
  ``VERIFY_X509_STRICT``; the given CAs, else -- for a context that verifies
  -- the default ones (:meth:`SSLContext.load_default_certs`).  An older
  edition gets its own settings by calling :func:`default_context` with them.
  The reference has no ``keylog_filename``, so ``SSLKEYLOGFILE`` is not read.
* ``get_default_verify_paths`` names the files :meth:`SSLContext.set_default_verify_paths`
  really loads.  cryptography's wheels carry an OpenSSL whose built-in
  paths (``/opt/pyca/cryptography/openssl/...``) exist on no system, so
  pyOpenSSL falls back to the distribution's bundle; ``cafile``/``capath``
  here follow the same rules (the environment keys first, then the built-in
  path, then that fallback), so the tuple says what is trusted.
"""
from __future__ import annotations

import collections
import enum
import os
from typing import Any, Optional

from OpenSSL import SSL as _SSL
from OpenSSL._util import ffi as _ffi, lib as _lib

from . import constants as _c

__all__ = ["PROTOCOL_TLS", "PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER", "ROLE_METHODS", "ROLES",
           "Purpose", "DefaultVerifyPaths", "get_default_verify_paths", "create_default_context",
           "default_context", "CONTEXT_CIPHERS"]

PROTOCOL_TLS: int = _c.PROTOCOL_SSLv23
PROTOCOL_TLS_CLIENT = 16
PROTOCOL_TLS_SERVER = 17

#: role-bound protocol -> the pyOpenSSL method behind it
ROLE_METHODS = {PROTOCOL_TLS_CLIENT: _SSL.TLS_CLIENT_METHOD, PROTOCOL_TLS_SERVER: _SSL.TLS_SERVER_METHOD}
#: role-bound protocol -> the one kind of socket it makes
ROLES = {PROTOCOL_TLS_CLIENT: "client", PROTOCOL_TLS_SERVER: "server"}


class _ASN1Object(collections.namedtuple("_ASN1Object", "nid shortname longname oid")):
    """An OpenSSL object (an OID and its names), as CPython's ``ssl`` models one."""

    __slots__ = ()

    def __new__(cls, oid: str) -> "_ASN1Object":
        nid = _lib.OBJ_txt2nid(oid.encode("ascii"))
        if nid == 0:
            raise ValueError("unknown object %r" % (oid,))
        names = (_ffi.string(_lib.OBJ_nid2sn(nid)).decode("ascii"), _ffi.string(_lib.OBJ_nid2ln(nid)).decode("ascii"))
        return super().__new__(cls, nid, names[0], names[1], oid)


class Purpose(_ASN1Object, enum.Enum):
    """What a default context is for: authenticating servers (a client's context) or clients."""

    SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
    CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"


DefaultVerifyPaths = collections.namedtuple(
    "DefaultVerifyPaths", "cafile capath openssl_cafile_env openssl_cafile openssl_capath_env openssl_capath")

#: OpenSSL's environment keys (``X509_get_default_cert_file_env``; fixed in every OpenSSL)
_CAFILE_ENV, _CAPATH_ENV = "SSL_CERT_FILE", "SSL_CERT_DIR"


def get_default_verify_paths() -> DefaultVerifyPaths:
    """The CA file and directory :meth:`SSLContext.set_default_verify_paths` loads (see the module docstring)."""
    built_file = _ffi.string(_lib.X509_get_default_cert_file()).decode("utf-8", "surrogateescape")
    built_dir = _ffi.string(_lib.X509_get_default_cert_dir()).decode("utf-8", "surrogateescape")
    env_file, env_dir = os.environ.get(_CAFILE_ENV), os.environ.get(_CAPATH_ENV)
    cafile: Optional[str] = env_file if env_file is not None else built_file
    capath: Optional[str] = env_dir if env_dir is not None else built_dir
    if env_file is None and env_dir is None and not (os.path.isfile(built_file) or os.path.isdir(built_dir)):
        # pyOpenSSL's fallback for cryptography's wheels (SSL.Context.set_default_verify_paths)
        cafile = next((f for f in getattr(_SSL, "_CERTIFICATE_FILE_LOCATIONS", ()) if os.path.isfile(f)), None)
        capath = next((d for d in getattr(_SSL, "_CERTIFICATE_PATH_LOCATIONS", ()) if os.path.isdir(d)), None)
    return DefaultVerifyPaths(cafile if cafile and os.path.isfile(cafile) else None,
                              capath if capath and os.path.isdir(capath) else None,
                              _CAFILE_ENV, built_file, _CAPATH_ENV, built_dir)


#: "high encryption cipher suites without RC4 and without unauthenticated cipher suites"
CONTEXT_CIPHERS = "HIGH:!aNULL:!eNULL:!RC4:!MD5"


def default_context(purpose: Any, cafile: Any, capath: Any, cadata: Any, *, role_protocols: bool,
                    verify_flags: int, context_class: Any = None) -> Any:
    """``create_default_context`` with an edition's choices: whether it uses the
    role-bound protocols (3.10), which verify flags it adds (3.13), and the
    edition's ``SSLContext`` (``context_class``; the plain one by default)."""
    from .context import SSLContext as _plain  # the context module imports this one

    SSLContext = _plain if context_class is None else context_class

    if not isinstance(purpose, _ASN1Object):
        raise TypeError(purpose)
    if purpose == Purpose.SERVER_AUTH:
        context = SSLContext(PROTOCOL_TLS_CLIENT if role_protocols else PROTOCOL_TLS)
        context.verify_mode = _c.CERT_REQUIRED
        context.check_hostname = True
    elif purpose == Purpose.CLIENT_AUTH:
        context = SSLContext(PROTOCOL_TLS_SERVER if role_protocols else PROTOCOL_TLS)
    else:
        raise ValueError(purpose)
    context.options |= _c.OP_NO_SSLv2 | _c.OP_NO_SSLv3
    context.set_ciphers(CONTEXT_CIPHERS)
    context.verify_flags |= verify_flags
    if cafile is not None or capath is not None or cadata is not None:
        context.load_verify_locations(cafile, capath, cadata)
    elif context.verify_mode != _c.CERT_NONE:
        context.load_default_certs(purpose)
    return context


def create_default_context(purpose: Any = Purpose.SERVER_AUTH, *, cafile: Any = None, capath: Any = None,
                           cadata: Any = None) -> Any:
    """A new ``SSLContext`` with the module's choice of settings for ``purpose`` (module docstring)."""
    from .castore import VERIFY_X509_PARTIAL_CHAIN, VERIFY_X509_STRICT

    return default_context(purpose, cafile, capath, cadata, role_protocols=True,
                           verify_flags=VERIFY_X509_PARTIAL_CHAIN | VERIFY_X509_STRICT)
