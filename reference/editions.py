"""Editions: the reference as the ``ssl`` module of one Python release.

``import reference`` is the ``ssl`` module of the base spec, Python 3.2's
documentation, plus every later addition that does not contradict it
(``TLSVersion``, ``SSLEOFError``, ``get_server_certificate``'s ``timeout``...).
Where two releases document one thing differently, :func:`for_edition` gives
the module that follows the release asked for::

    >>> import reference
    >>> ssl = reference.for_edition("3.13")
    >>> ssl.cert_time_to_seconds("May  9 00:00:00 2007 GMT")
    1178668800

What differs, and from which release on (the ``versionchanged`` markers of
CPython's current documentation; What's New for the names it removed):

* ``SSLContext(protocol)``: required until 3.5 ("You must pass *protocol*");
  from 3.6 optional, defaulting to ``PROTOCOL_TLS`` (``PROTOCOL_SSLv23``'s
  value, in the signature); from 3.10 the default is ``None``, which means
  ``PROTOCOL_TLS`` and warns (``DeprecationWarning``: "SSLContext without
  protocol argument is deprecated").
* a flexible context's ``minimum_version``: ``MINIMUM_SUPPORTED`` until 3.9;
  TLS 1.2 from 3.10 ("PROTOCOL_TLS, PROTOCOL_TLS_CLIENT, and
  PROTOCOL_TLS_SERVER use TLS 1.2 as minimum TLS version";
  ``SSLContext._FLEXIBLE_MINIMUM``, see :mod:`reference.versions`).
* a new context's ``options``: ``OP_ALL`` (plus what OpenSSL sets by itself,
  see :mod:`reference.context`) until 3.5; from 3.6 also ``OP_NO_SSLv2``,
  ``OP_NO_SSLv3``, ``OP_NO_COMPRESSION``, ``OP_CIPHER_SERVER_PREFERENCE``,
  ``OP_SINGLE_DH_USE`` and ``OP_SINGLE_ECDH_USE`` ("The context is created
  with secure default values").  (Not ``OP_NO_SSLv3`` for ``PROTOCOL_SSLv3``,
  says 3.6; no OpenSSL under pyOpenSSL can make such a context.)
* a new context's cipher list: OpenSSL's default until 3.5; from 3.6 "only
  ``HIGH`` ciphers, no ``NULL`` ciphers and no ``MD5`` ciphers"; from 3.10
  "only secure AES and ChaCha20 ciphers with forward secrecy and security
  level 2" (:data:`DEFAULT_CIPHERS_3_6`, :data:`DEFAULT_CIPHERS_3_10`).
* ``cert_time_to_seconds``: a float until 3.4, an int from 3.5.  Both read
  the time as UTC: 3.5 says local time was used before, but the 3.2 text
  promises seconds for a time string that says "GMT", and the reference
  keeps that promise in every edition (:mod:`reference.functions`).
* ``get_server_certificate``: its ``ssl_version`` defaults to
  ``PROTOCOL_SSLv3`` until 3.4 (which no OpenSSL here has: ``PROTOCOL_SSLv23``
  stands in, the default being ``None``), ``PROTOCOL_TLS`` from 3.5,
  ``PROTOCOL_TLS_CLIENT`` from 3.10 (``PROTOCOL_SSLv23`` while the module has
  no such constant); the ``timeout`` parameter exists from 3.10.  In every
  edition the server is verified only against ``ca_certs``, when given.
* ``create_default_context``: ``PROTOCOL_TLS`` until 3.9, the role-bound
  ``PROTOCOL_TLS_CLIENT`` / ``_SERVER`` from 3.10, ``VERIFY_X509_PARTIAL_CHAIN``
  and ``VERIFY_X509_STRICT`` from 3.13 (:func:`reference.defaults.default_context`
  with the edition's choices and its ``SSLContext``; 3.2 and 3.3, which do not
  document it, have the plain module's); a context's hostname check and
  ``match_hostname`` follow the edition too (from 3.4 the class carries
  ``_edition``; :mod:`reference.hostnames`).
* names gone: ``RAND_egd`` from 3.10 (PEP 644's OpenSSL 1.1.1 has no EGD
  client, and the documentation dropped it); ``wrap_socket``,
  ``match_hostname`` and ``RAND_pseudo_bytes`` from 3.12.

The mechanism is one any implementation can offer -- nothing here is known
to the conformance suite beyond the name: a module that defines
``for_edition(edition: str)`` is asked once, with the run's ``--edition``
(``"3.2"`` ... ``"3.13"``), for the module to test, and the suite tests what
it returns.  A module without it is tested as it is.

How an edition's module is made: a new module object with every public name
of ``reference``; then ``SSLContext`` is the edition's subclass (its
``__init__``, ``_DEFAULT_OPTIONS`` and ``_FLEXIBLE_MINIMUM``), ``cert_time_to_seconds`` and
``get_server_certificate`` are the edition's, and the removed names are
dropped.  A function of the reference that makes contexts names
``SSLContext`` as a global of its module (``from .context import
SSLContext``); such a module's functions are copied with a copy of its
globals in which ``SSLContext`` is the edition's class, so that
``for_edition("3.11").wrap_socket`` makes 3.11's contexts, and any such
function written later follows without a change here.  (The copies share
everything else with the originals; a module whose functions rebind their
own globals at run time would need more than this.)
"""
from __future__ import annotations

import functools
import sys
import types
import warnings
from typing import Any, Callable, Dict, Optional, Tuple

from . import constants as _c
from . import defaults as _defaults
from . import functions as _functions
from . import hostnames as _hostnames
from .context import SSLContext as _BaseContext
from .sslsocket import SSLSocket as _BaseSocket
from .versions import TLSVersion as _TLSVersion

__all__ = ["EDITIONS", "REMOVED", "SECURE_DEFAULT_OPTIONS", "for_edition", "documents"]

#: every edition the reference implements, oldest first
EDITIONS: Tuple[str, ...] = tuple(f"3.{minor}" for minor in range(2, 14))

#: the release whose documentation no longer has these names (What's New)
REMOVED: Dict[str, Tuple[str, ...]] = {
    "3.10": ("RAND_egd",),
    "3.12": ("wrap_socket", "match_hostname", "RAND_pseudo_bytes"),
}

#: what 3.6 sets in every new context beyond ``OP_ALL``
SECURE_DEFAULT_OPTIONS: int = (_c.OP_NO_SSLv2 | _c.OP_NO_SSLv3 | _c.OP_NO_COMPRESSION
                               | _c.OP_CIPHER_SERVER_PREFERENCE | _c.OP_SINGLE_DH_USE | _c.OP_SINGLE_ECDH_USE)

#: a new context's cipher list from 3.6: "only HIGH ciphers, no NULL ciphers and no MD5 ciphers"
#: (and none of the PSK or SRP suites, which need a callback the context does not have yet)
DEFAULT_CIPHERS_3_6: bytes = b"HIGH:!aNULL:!eNULL:!MD5:!PSK:!SRP"
#: from 3.10: "only secure AES and ChaCha20 ciphers with forward secrecy and security level 2"
DEFAULT_CIPHERS_3_10: bytes = (b"@SECLEVEL=2:ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:ECDHE+AES:DHE+AES"
                               b":!aNULL:!eNULL:!PSK:!SRP")

_MODULES: Dict[str, types.ModuleType] = {}


def _key(edition: str) -> Tuple[int, int]:
    major, minor = edition.split(".")
    return int(major), int(minor)


def documents(edition: str, since: str) -> bool:
    """Does ``edition`` have what the documentation says from release ``since`` on?"""
    return _key(edition) >= _key(since)


def for_edition(edition: str) -> types.ModuleType:
    """The reference as the ``ssl`` module documented for Python ``edition`` (``"3.2"`` ... ``"3.13"``).

    Made once per edition; ``ValueError`` for an edition the reference does not know.
    """
    if edition not in EDITIONS:
        raise ValueError(f"edition {edition!r}: the reference implements {', '.join(EDITIONS)}")
    module = _MODULES.get(edition)
    if module is None:
        module = _MODULES[edition] = _build(edition)
    return module


def _build(edition: str) -> types.ModuleType:
    base = sys.modules[__package__]  # the whole package, imported by the time anyone asks
    context_class = _context_class(edition)
    names = {name: value for name, value in vars(base).items()
             if not name.startswith("_") and name != "annotations" and not isinstance(value, types.ModuleType)}
    copies = _functions_making(context_class, names.values())
    names = {name: copies.get(id(value), value) for name, value in names.items()}
    names["SSLContext"] = context_class
    names["SSLSocket"] = context_class.sslsocket_class
    names["cert_time_to_seconds"] = _cert_time_to_seconds(edition)
    fetch = copies.get(id(_functions.fetch_server_certificate), _functions.fetch_server_certificate)
    names["get_server_certificate"] = _get_server_certificate(edition, fetch, names)
    names["create_default_context"] = _create_default_context(edition, context_class)
    names["match_hostname"] = _hostnames.match_hostname_for(edition)  # gone from 3.12: REMOVED
    for since, gone in REMOVED.items():
        if documents(edition, since):
            for name in gone:
                names.pop(name, None)
    module = types.ModuleType(f"{__package__}@{edition}", f"The ssl module of Python {edition}'s documentation, "
                              f"from {__package__} (see {__name__}).")
    module.__dict__.update(names)
    module.__file__ = base.__file__
    module.__all__ = sorted(name for name in getattr(base, "__all__", names) if name in names)
    return module


# -- SSLContext ------------------------------------------------------------------------------------
def _context_class(edition: str) -> type:
    """``SSLContext`` as ``edition`` documents it: a subclass of the reference's."""
    attrs: Dict[str, Any] = {
        "__module__": __package__, "__qualname__": "SSLContext",
        "__doc__": f"SSLContext as Python {edition}'s documentation describes it (reference.editions).",
        "_DEFAULT_OPTIONS": SECURE_DEFAULT_OPTIONS if documents(edition, "3.6") else 0,
        "_FLEXIBLE_MINIMUM": int(_TLSVersion.TLSv1_2) if documents(edition, "3.10") else None,
        "_DEFAULT_CIPHERS": (DEFAULT_CIPHERS_3_10 if documents(edition, "3.10")
                             else DEFAULT_CIPHERS_3_6 if documents(edition, "3.6") else None),
    }
    if documents(edition, "3.4"):  # check_hostname's edition (reference.hostnames); before 3.4, the plain one's
        attrs["_edition"] = edition
    attrs["sslsocket_class"] = _socket_class(edition)
    if documents(edition, "3.6"):
        attrs["__init__"] = _optional_protocol(deprecated=documents(edition, "3.10"))
    return type("SSLContext", (_BaseContext,), attrs)


def _socket_class(edition: str) -> type:
    """``SSLSocket`` as ``edition`` documents it: 3.2 names ``read``'s first parameter ``nbytes``,
    3.3 onwards ``len`` (the reference's own)."""
    if documents(edition, "3.3"):
        return _BaseSocket

    def read(self: Any, nbytes: int = 1024, buffer: Any = None) -> Any:
        return _BaseSocket.read(self, nbytes, buffer)

    read.__doc__ = _BaseSocket.read.__doc__
    return type("SSLSocket", (_BaseSocket,), {"__module__": __package__, "__qualname__": "SSLSocket",
                                              "read": read, "__doc__": _BaseSocket.__doc__})


def _optional_protocol(deprecated: bool) -> Callable[..., None]:
    """3.6's ``__init__``: ``protocol`` defaults to ``PROTOCOL_TLS``; 3.10's (``deprecated``): to ``None``,
    which warns and means ``PROTOCOL_TLS``."""
    if not deprecated:
        def __init__(self: Any, protocol: int = _c.PROTOCOL_SSLv23) -> None:
            _BaseContext.__init__(self, protocol)
        return __init__

    def __init__(self: Any, protocol: Optional[int] = None) -> None:  # type: ignore[misc]
        if protocol is None:
            warnings.warn("ssl.SSLContext() without protocol argument is deprecated.",
                          DeprecationWarning, stacklevel=2)
            protocol = _c.PROTOCOL_SSLv23
        _BaseContext.__init__(self, protocol)

    return __init__


def _functions_making(context_class: type, values: Any) -> Dict[int, types.FunctionType]:
    """``id(function) -> copy`` for every function among ``values`` whose module names ``SSLContext``:
    the copies read the module's globals with ``SSLContext`` as ``context_class`` (and call each
    other's copies)."""
    copies: Dict[int, types.FunctionType] = {}
    done = set()
    for value in values:
        if not isinstance(value, types.FunctionType):
            continue
        home = value.__globals__
        if id(home) in done or home.get("SSLContext") is not _BaseContext:
            continue
        done.add(id(home))
        mine = dict(home, SSLContext=context_class)
        for name, func in home.items():
            if isinstance(func, types.FunctionType) and func.__globals__ is home:
                mine[name] = copies[id(func)] = _copy(func, mine)
    return copies


def _copy(func: types.FunctionType, globals_: Dict[str, Any]) -> types.FunctionType:
    """``func`` reading ``globals_``: same code, name, defaults, annotations and documentation."""
    new = types.FunctionType(func.__code__, globals_, func.__name__, func.__defaults__, func.__closure__)
    new.__kwdefaults__ = func.__kwdefaults__
    new.__qualname__, new.__doc__, new.__module__ = func.__qualname__, func.__doc__, func.__module__
    new.__annotations__ = dict(func.__annotations__)
    new.__dict__.update(func.__dict__)
    return new


# -- the module functions that differ ---------------------------------------------------------------
def _cert_time_to_seconds(edition: str) -> Callable[[str], Any]:
    if not documents(edition, "3.5"):
        return _functions.cert_time_to_seconds

    def cert_time_to_seconds(cert_time: str) -> int:
        """Seconds since the epoch for a certificate time like ``"Jan  5 09:34:43 2018 GMT"``, read as
        UTC, as an int (3.5 on: no fractions of a second in the input format)."""
        return _functions.seconds_of_cert_time(cert_time)

    return cert_time_to_seconds


def _create_default_context(edition: str, context_class: type) -> Callable[..., Any]:
    """``create_default_context`` with ``edition``'s protocols (role-bound from 3.10) and verify flags
    (3.13's two), making ``context_class``'s contexts.

    An edition whose choices are the plain module's -- the latest text's: 3.13, and 3.2 and 3.3, which do
    not document the function -- gets a copy of the plain function whose ``default_context`` makes the
    edition's class, so that the two cannot drift apart.
    """
    if documents(edition, "3.13") or not documents(edition, "3.4"):
        make = functools.partial(_defaults.default_context, context_class=context_class)
        return _copy(_defaults.create_default_context, dict(vars(_defaults), default_context=make))
    role_protocols = documents(edition, "3.10")

    def create_default_context(purpose: Any = _defaults.Purpose.SERVER_AUTH, *, cafile: Any = None,
                               capath: Any = None, cadata: Any = None) -> Any:
        """A new ``SSLContext`` with the module's choice of settings for ``purpose``, as this edition has them
        (no verify flags of its own before 3.13)."""
        return _defaults.default_context(purpose, cafile, capath, cadata, role_protocols=role_protocols,
                                         verify_flags=0, context_class=context_class)

    return create_default_context


def _get_server_certificate(edition: str, fetch: Callable[..., str], names: Dict[str, Any]) -> Callable[..., str]:
    """``get_server_certificate`` with ``edition``'s default ``ssl_version`` (and ``timeout`` from 3.10)."""
    if not documents(edition, "3.5"):
        default: Optional[int] = None  # PROTOCOL_SSLv3, which no OpenSSL here has: SSLv23 stands in
    elif not documents(edition, "3.10"):
        default = _c.PROTOCOL_SSLv23  # PROTOCOL_TLS: the same protocol
    else:
        default = names.get("PROTOCOL_TLS_CLIENT", _c.PROTOCOL_SSLv23)

    if documents(edition, "3.10"):
        def get_server_certificate(addr: Tuple[str, int], ssl_version: Optional[int] = default,
                                   ca_certs: Any = None, timeout: Optional[float] = None) -> str:
            """The PEM certificate of the server at ``addr`` (verified against ``ca_certs`` if given);
            ``timeout`` bounds every socket operation (the global default if None)."""
            return fetch(addr, _c.PROTOCOL_SSLv23 if ssl_version is None else ssl_version, ca_certs, timeout)
    else:
        def get_server_certificate(addr: Tuple[str, int], ssl_version: Optional[int] = default,  # type: ignore[misc]
                                   ca_certs: Any = None) -> str:
            """The PEM certificate of the server at ``addr`` (verified against ``ca_certs`` if given)."""
            return fetch(addr, _c.PROTOCOL_SSLv23 if ssl_version is None else ssl_version, ca_certs, None)
    return get_server_certificate
