"""``SSLContext``: the settings shared by many TLS connections.

The context keeps its settings as plain Python data and builds the pyOpenSSL
``Context`` from them on demand, caching it until the next change.  This is
needed because pyOpenSSL (>= 26.2) freezes a ``Context`` once a ``Connection``
has been made from it, while the ``ssl`` API lets a program change an
``SSLContext`` at any time; sockets wrapped after a change see the change.

Every loading method is checked at call time (the files are read and loaded
into a scratch build) so errors surface where the spec says they do: a missing
file is an ``OSError`` naming the path, a key that does not match its
certificate is an ``SSLError``.

Decisions:

* ``options`` starts as ``OP_ALL`` plus the options OpenSSL itself turns on in
  every new context (``OP_NO_COMPRESSION``, and 0x100000, OpenSSL's TLS 1.3
  "middlebox compatibility").  Any 64-bit value can be assigned and ``options``
  reads back what was assigned, so the spec's own idiom
  ``ctx.options = OP_ALL | OP_NO_SSLv2`` works (it clears both; the spec allows
  a ``ValueError`` there only before OpenSSL 0.9.8m).  The binding has no
  ``SSL_CTX_clear_options``, and ``SSL_CTX_new`` sets those two bits in every
  context it makes, so inside OpenSSL they stay on.  That changes nothing the
  ``ssl`` API shows: without zlib (cryptography's OpenSSL has none) there is no
  compression for ``OP_NO_COMPRESSION`` to turn off, and middlebox
  compatibility only changes the bytes of a TLS 1.3 handshake (a dummy
  ChangeCipherSpec, a legacy session id) -- which the suite does look at, and
  reports as a deviation
  (``idioms/SSLContext.options/assignment-clears-openssl-defaults``).  On an OpenSSL built with zlib,
  clearing ``OP_NO_COMPRESSION`` would be a promise the binding cannot keep:
  there it raises ``ValueError``, as the spec documents for OpenSSL builds that
  can only set options.
* ``verify_mode`` maps to OpenSSL as CPython does: ``CERT_OPTIONAL`` is
  ``VERIFY_PEER``; ``CERT_REQUIRED`` adds ``VERIFY_FAIL_IF_NO_PEER_CERT``.  In
  client mode both therefore verify the server and fail without a certificate,
  which is the spec's note (anonymous ciphers are off by default).
* A private key is never prompted for on the terminal: without a password an
  encrypted key fails with ``SSLError``.
* ``SSLContext(protocol)`` needs one of the ``PROTOCOL_*`` integers, as the 3.2
  text says ("You must pass *protocol*"): ``SSLContext(None)`` is a
  ``TypeError``, where CPython >= 3.10 takes ``None`` for its later default
  (``PROTOCOL_TLS``, deprecated on arrival).  The class of an edition that
  documents the default (3.6 on) takes it: see :mod:`reference.editions`,
  which also sets :attr:`SSLContext._DEFAULT_OPTIONS` per edition.
* An integer of the right type but out of range is a ``ValueError``: a protocol
  or verify mode the module does not know, options that do not fit OpenSSL's
  64 bits without sign.  CPython first converts to a C integer and raises
  ``OverflowError`` beyond it (2**31 for a protocol or verify mode; options are
  a signed C long, so it takes -1 and refuses bit 63); the reference does not
  let the width of a C type decide the kind.
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Callable, List, Optional, Union

from OpenSSL import SSL as _SSL

from . import alpn as _alpn, keylog as _keylog, pha as _pha, psk as _psk, sessions as _sessions
from . import constants as _c
from . import defaults as _d
from .castore import TrustStore, checked_path as _checked_path
from .ciphers import CipherMethods
from . import hostnames as _hostnames
from . import versions as _versions
from .errors import SSLError, translate

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]

#: the methods whose versions minimum_version/maximum_version may bound (PROTOCOL_SSLv23 and
#: the later PROTOCOL_TLS* names of the same flexible protocol)
_FLEXIBLE_METHODS = frozenset(getattr(_SSL, name) for name in
                              ("TLS_METHOD", "TLS_CLIENT_METHOD", "TLS_SERVER_METHOD", "SSLv23_METHOD")
                              if hasattr(_SSL, name))

_VERIFY_FLAGS = {
    _c.CERT_NONE: _SSL.VERIFY_NONE,
    _c.CERT_OPTIONAL: _SSL.VERIFY_PEER,
    _c.CERT_REQUIRED: _SSL.VERIFY_PEER | _SSL.VERIFY_FAIL_IF_NO_PEER_CERT,
}


def _password_callback(password: Any) -> Callable[..., bytes]:
    """A pyOpenSSL passphrase callback for ``password`` (str, bytes, callable or None)."""

    def callback(maxlen: int, verify: bool, userdata: Any) -> bytes:
        value = password() if callable(password) else password
        if value is None:
            return b""
        if isinstance(value, str):
            value = value.encode("utf-8")
        if not isinstance(value, (bytes, bytearray)):
            raise TypeError("password callback must return a string")
        if len(value) > maxlen:
            raise ValueError("password cannot be longer than %d bytes" % maxlen)
        return bytes(value)

    return callback


def _binding_cannot_clear() -> int:
    """The option bits whose clearing this binding could not carry out, though it matters.

    OpenSSL turns ``OP_NO_COMPRESSION`` on in every context; the binding cannot
    turn it off.  Only where OpenSSL has compression at all (built with zlib,
    ``-DZLIB`` among its compiler flags) does that make a difference.
    """
    flags = _SSL.OpenSSL_version(_SSL.OPENSSL_CFLAGS)
    return _c.OP_NO_COMPRESSION if b"-DZLIB" in flags else 0


_CANNOT_CLEAR = _binding_cannot_clear()


def _whole_writes(ctx: _SSL.Context) -> None:
    """Turn off pyOpenSSL's partial writes: one ``SSL_write`` sends the whole buffer.

    This is CPython's behaviour (``write``/``send`` either send everything or,
    non-blocking, ask to be retried with the same data) and it lets OpenSSL
    write many records in one call, which bulk transfers need.
    """
    try:
        from OpenSSL._util import lib

        lib.SSL_CTX_clear_mode(ctx._context, lib.SSL_MODE_ENABLE_PARTIAL_WRITE)
    except (ImportError, AttributeError):
        pass


class SSLContext(TrustStore, CipherMethods, _hostnames.HostnameSettings, _alpn.ALPNContext,
                 _keylog.KeylogContext, _pha.PHAContext, _psk.PSKContext, _sessions.SessionContext):
    """Settings, certificates and keys for the TLS connections it wraps.

    What it trusts and how it verifies (``load_verify_locations``,
    ``verify_flags``, ``get_ca_certs`` ...) is :class:`reference.castore.TrustStore`;
    its cipher list, curve and security level :class:`reference.ciphers.CipherMethods`;
    hostname checking and the server-name callbacks :class:`reference.hostnames.HostnameSettings`;
    ALPN, key logging, post-handshake auth, TLS-PSK and sessions :mod:`reference.alpn`, :mod:`reference.keylog`,
    :mod:`reference.pha`, :mod:`reference.psk`, :mod:`reference.sessions`.
    """

    #: Options every new context sets beyond ``OP_ALL`` and OpenSSL's own: none in the
    #: 3.2 text ("The default value is OP_ALL"); 3.6's secure defaults in the class of
    #: an edition from 3.6 on (``reference.editions``).
    _DEFAULT_OPTIONS: int = 0
    #: The cipher string of a new context: OpenSSL's own in the 3.2 text (which names none);
    #: 3.6's and 3.10's documented lists in an edition's class (``reference.editions``).
    _DEFAULT_CIPHERS: Optional[bytes] = None

    def __init__(self, protocol: int) -> None:
        if not isinstance(protocol, int):
            raise TypeError("protocol must be an integer PROTOCOL_* constant, not %s" % type(protocol).__name__)
        method = _c.PROTOCOL_METHODS.get(protocol, _d.ROLE_METHODS.get(protocol))
        if method is None:
            raise ValueError("invalid or unsupported protocol version %r" % (protocol,))
        self._protocol = protocol
        self._method = method
        self._settable_only = _SSL.Context(method).set_options(0)
        self._options = self._settable_only | _c.OP_ALL | self._DEFAULT_OPTIONS
        self._verify_mode = _c.CERT_NONE
        self._ciphers: Optional[bytes] = self._DEFAULT_CIPHERS
        self._min_version: Optional[int] = self._FLEXIBLE_MINIMUM if method in _FLEXIBLE_METHODS else None
        self._max_version: Optional[int] = None
        self._loads: List[Callable[[_SSL.Context], None]] = []
        self._built: Optional[_SSL.Context] = None
        self._init_store()
        if protocol == _d.PROTOCOL_TLS_CLIENT:  # documented defaults of the client protocol (3.6)
            self._verify_mode = _c.CERT_REQUIRED
        self.check_hostname = protocol == _d.PROTOCOL_TLS_CLIENT

    # -- the pyOpenSSL context behind it -------------------------------------------
    def _build(self) -> _SSL.Context:
        ctx = _SSL.Context(self._method)
        ctx.set_options(self._options)
        ctx.set_verify(_VERIFY_FLAGS[self._verify_mode])
        _whole_writes(ctx)
        if self._ciphers is not None:
            ctx.set_cipher_list(self._ciphers)
        if self._min_version is not None:
            ctx.set_min_proto_version(self._min_version)
        if self._max_version is not None:
            ctx.set_max_proto_version(self._max_version)
        for load in self._loads:
            load(ctx)
        self._build_store(ctx)
        self._build_ciphers(ctx)
        if self._sni_callback is not None:
            _hostnames.install_servername_callback(ctx, self)
        _alpn.configure(ctx, self._alpn)
        _keylog.configure(ctx, self._keylog)
        _sessions.configure(ctx, self)
        _psk.configure(ctx, self)
        return ctx

    def _openssl_context(self) -> _SSL.Context:
        """The pyOpenSSL ``Context`` for the current settings (cached)."""
        ctx = self._built
        if ctx is None:
            ctx = self._built = self._build()
        return ctx

    def _apply(self, load: Optional[Callable[[_SSL.Context], None]] = None) -> None:
        """Add ``load`` (if any), rebuild now, and undo the change if OpenSSL refuses it."""
        if load is not None:
            self._loads.append(load)
        try:
            self._built = self._build()
        except _SSL.Error as exc:
            if load is not None:
                self._loads.pop()
            self._built = None
            raise translate(exc) from None
        except BaseException:
            if load is not None:
                self._loads.pop()
            self._built = None
            raise

    # -- attributes --------------------------------------------------------------------
    @property
    def protocol(self) -> int:
        """The ``PROTOCOL_*`` value given to the constructor (read-only)."""
        return self._protocol

    @property
    def options(self) -> int:
        """The OpenSSL option bits for new connections (default includes ``OP_ALL``)."""
        return self._options

    @options.setter
    def options(self, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError("options must be an integer, not %s" % type(value).__name__)
        if value < 0 or value >> 64:
            raise ValueError("options must fit in 64 bits without sign, not %#x" % value)
        cleared = self._settable_only & _CANNOT_CLEAR & ~value
        if cleared:
            raise ValueError("can't clear options %#x: this OpenSSL binding can only set them" % cleared)
        self._options = value
        self._built = None

    @property
    def verify_mode(self) -> int:
        """``CERT_NONE``, ``CERT_OPTIONAL`` or ``CERT_REQUIRED``."""
        return self._verify_mode

    @verify_mode.setter
    def verify_mode(self, value: int) -> None:
        if not isinstance(value, int):
            raise TypeError("verify_mode must be an integer, not %s" % type(value).__name__)
        if value not in _VERIFY_FLAGS:
            raise ValueError("invalid value for verify_mode: %r" % (value,))
        if value == _c.CERT_NONE and self._check_hostname:
            raise ValueError("Cannot set verify_mode to CERT_NONE when check_hostname is enabled.")
        self._verify_mode = int(value)
        self._built = None

    # -- loading -----------------------------------------------------------------------
    def load_cert_chain(self, certfile: StrPath, keyfile: Optional[StrPath] = None, password: Any = None) -> None:
        """Load our certificate (then its chain) from ``certfile`` and the key from ``keyfile``.

        Without ``keyfile`` the key is read from ``certfile`` (key first, then the
        chain).  ``password`` (str, bytes or a callable returning one) decrypts an
        encrypted key.  A key that does not match the certificate is an ``SSLError``.
        """
        cert_path = _checked_path(certfile, "certfile")
        key_path = cert_path if keyfile is None else _checked_path(keyfile, "keyfile")
        if password is not None and not callable(password) and not isinstance(password, (str, bytes, bytearray)):
            raise TypeError("password should be a string or callable")
        passwd_cb = _password_callback(password)

        def load(ctx: _SSL.Context) -> None:
            ctx.use_certificate_chain_file(cert_path)
            with warnings.catch_warnings():
                # Deprecated in pyOpenSSL, but it is what lets OpenSSL read the key
                # exactly as CPython does -- and without it OpenSSL would prompt
                # on the terminal for an encrypted key.
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.set_passwd_cb(passwd_cb)
            ctx.use_privatekey_file(key_path)
            ctx.check_privatekey()

        self._apply(load)

    def set_ciphers(self, ciphers: str) -> None:
        """Select ciphers with an OpenSSL cipher string; nothing selectable is an ``SSLError``."""
        if not isinstance(ciphers, str):
            raise TypeError("ciphers must be a str, not %s" % type(ciphers).__name__)
        if "\0" in ciphers:
            raise ValueError("embedded null character in the cipher string")
        previous = self._ciphers
        self._ciphers = ciphers.encode("utf-8")  # as CPython: OpenSSL judges what it selects
        try:
            self._apply()
        except BaseException:
            self._ciphers = previous
            raise

    # -- protocol version bounds (Python 3.7; the decisions are reference.versions') -------
    #: The ``minimum_version`` a flexible context starts with, as a wire version: none in
    #: 3.7 (``MINIMUM_SUPPORTED``); 3.10 makes it TLS 1.2 ("PROTOCOL_TLS, PROTOCOL_TLS_CLIENT,
    #: and PROTOCOL_TLS_SERVER use TLS 1.2 as minimum TLS version"), for the class of that
    #: edition on (``reference.editions``).
    _FLEXIBLE_MINIMUM: Optional[int] = None

    @property
    def minimum_version(self) -> _versions.TLSVersion:
        """The lowest version allowed, a ``TLSVersion`` (``MINIMUM_SUPPORTED``: no bound)."""
        return _versions.from_bound(self._min_version, "minimum")

    @minimum_version.setter
    def minimum_version(self, value: int) -> None:
        self._set_bound("_min_version", value, "minimum")

    @property
    def maximum_version(self) -> _versions.TLSVersion:
        """The highest version allowed, a ``TLSVersion`` (``MAXIMUM_SUPPORTED``: no bound)."""
        return _versions.from_bound(self._max_version, "maximum")

    @maximum_version.setter
    def maximum_version(self, value: int) -> None:
        self._set_bound("_max_version", value, "maximum")

    def _set_bound(self, attr: str, value: int, which: str) -> None:
        """Bound the versions as ``<which>_version = value`` asks; OpenSSL refusing is a ``ValueError``."""
        bound = _versions.to_bound(value, which)
        if self._method not in _FLEXIBLE_METHODS:
            raise ValueError("The context's protocol doesn't support modification of highest and lowest version.")
        previous = getattr(self, attr)
        setattr(self, attr, bound)
        try:
            self._apply()
        except SSLError:
            setattr(self, attr, previous)
            self._built = None
            raise ValueError("Unsupported protocol version 0x%x" % (bound or 0)) from None

    # -- wrapping ------------------------------------------------------------------------
    def wrap_socket(
        self,
        sock: Any,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: Optional[str] = None,
        session: Any = None,
    ) -> Any:
        """Wrap the socket ``sock`` in an ``SSLSocket`` tied to this context (``session``: one to resume);
        the class is :attr:`sslsocket_class` (set by the package, as CPython's ssl.py does)."""
        role = _d.ROLES.get(self._protocol)
        if role is not None and role != ("server" if server_side else "client"):
            raise SSLError(_c.SSL_ERROR_SSL, "Cannot create a %s socket with a PROTOCOL_TLS_%s context"
                           % ("server" if server_side else "client", role.upper()))
        return self.sslsocket_class._create(
            sock,
            self,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            suppress_ragged_eofs=suppress_ragged_eofs,
            server_hostname=server_hostname,
            session=session,
        )

    #: the class ``wrap_bio`` instantiates (3.7); a subclass of ``SSLObject`` may replace it
    sslobject_class: Any = None  # set below, once reference.sslobject is importable

    def wrap_bio(self, incoming: Any, outgoing: Any, server_side: bool = False,
                 server_hostname: Optional[str] = None, session: Any = None) -> Any:
        """An ``sslobject_class`` instance reading *incoming* and writing *outgoing* (memory BIOs)."""
        return self.sslobject_class._create(incoming, outgoing, self, server_side=server_side,
                                            server_hostname=server_hostname, session=session)

    def __repr__(self) -> str:
        name = _c.PROTOCOL_NAMES.get(self._protocol) or "TLS_" + _d.ROLES.get(self._protocol, "?").upper()
        return "<%s.%s protocol=PROTOCOL_%s>" % (type(self).__module__, type(self).__name__, name)


__all__ = ["SSLContext", "SSLError"]
