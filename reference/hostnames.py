"""Hostnames: SNI, the client's hostname check, the server-name callback, ``match_hostname``.

What the client sends
    ``server_hostname`` goes out as SNI in its A-label form (3.7: "the
    A-label form (``"xn--pythn-mua.org"``)"), except an IP address, which
    RFC 6066 does not allow in SNI (CPython sends none for one either).

How the client checks the name (``SSLContext.check_hostname``)
    It depends on the edition the context follows (:func:`edition_of`):

    * 3.7 and later: OpenSSL matches during the handshake, as CPython has it
      do -- the connection's verification parameters get the A-label
      (``X509_VERIFY_PARAM_set1_host``) or the address
      (``X509_VERIFY_PARAM_set1_ip``), with ``X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS``,
      and ``X509_CHECK_FLAG_NEVER_CHECK_SUBJECT`` when
      ``hostname_checks_common_name`` is off.  A mismatch fails the
      certificate's verification (``SSLCertVerificationError``, verify code 62,
      or 64 for an address) and OpenSSL sends the alert.
    * 3.4 to 3.6: after the handshake, ``match_hostname`` of that edition on
      ``getpeercert()`` and ``server_hostname`` -- which is what those releases
      documented ("The handshake method also performs match_hostname"); 3.5
      and 3.6 kept the name as its U-label and matched that, so no IDN
      matched (bpo-28414, fixed by 3.7's A-labels).

``match_hostname`` (3.2 until 3.12)
    :func:`match_hostname_for` gives the function of an edition.  Its rules
    are those of CPython's ``Lib/ssl.py`` of the release (the base spec does
    not document the function): wildcards as RFC 6125 section 6.4.3 has them
    (one, in the leftmost label; ``*`` is one label); partial wildcards
    (``w*.example.org``) until 3.7; IP addresses matched against IP Address
    SANs from 3.5; the subject's commonName only without a DNS SAN (3.5+: nor
    an IP Address SAN).

The server-name callback (``sni_callback`` 3.7, ``set_servername_callback`` 3.4)
    is called with the server's ``SSLSocket``, the name the client sent (the
    A-label; ``set_servername_callback``'s callback gets the U-label) or None,
    and the context it was set on.  It may switch ``SSLSocket.context``; what
    it returns is ``None`` (go on), an ``ALERT_DESCRIPTION_*`` (abort with that
    alert); anything else aborts with ``internal_error``, an exception with
    ``handshake_failure``.  pyOpenSSL's own servername callback cannot send an
    alert, so the callback is installed through the binding directly.
"""
from __future__ import annotations

import ipaddress
import operator
import re
import sys
import weakref
from typing import Any, Callable, Optional, Tuple

from OpenSSL import SSL as _SSL

from .constants import ALERT_DESCRIPTION_HANDSHAKE_FAILURE, ALERT_DESCRIPTION_INTERNAL_ERROR, CERT_NONE, CERT_REQUIRED
from .errors import CertificateError, SSLError

__all__ = ["LATEST", "edition_of", "a_label", "prepare_client", "after_handshake", "match_hostname",
           "match_hostname_for", "install_servername_callback", "u_label_shim", "HostnameSettings"]

#: the edition a context follows unless its class says otherwise (``SSLContext._edition``,
#: which the class of an edition sets): the latest, since the base spec has no hostname check
LATEST = "3.13"


def edition_of(context: Any) -> Tuple[int, int]:
    """The edition ``context`` follows, as ``(3, 7)``: its ``_edition``, else :data:`LATEST`."""
    major, minor = str(getattr(context, "_edition", None) or LATEST).split(".")
    return int(major), int(minor)


def a_label(name: str) -> str:
    """The ASCII form of a host name (the ``idna`` codec, as CPython)."""
    return name.encode("idna").decode("ascii")


def _ip(text: str) -> Optional[Any]:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _lib() -> Any:
    from OpenSSL._util import lib

    return lib


# -- the context's settings --------------------------------------------------------------

class HostnameSettings:
    """``SSLContext``'s hostname attributes (a base class of ``reference.context.SSLContext``,
    which keeps ``_verify_mode`` and refuses ``CERT_NONE`` while ``check_hostname`` is on)."""

    _verify_mode: int
    _built: Any
    _check_hostname = False
    _hostname_checks_common_name = True
    _sni_callback: Optional[Callable[..., Any]] = None

    @property
    def check_hostname(self) -> bool:
        """Whether a client's handshake matches the server's certificate against
        ``server_hostname``.  Turning it on sets ``CERT_NONE`` to ``CERT_REQUIRED``
        (3.7; before, a ``ValueError``); ``verify_mode`` cannot become ``CERT_NONE``
        while it is on."""
        return self._check_hostname

    @check_hostname.setter
    def check_hostname(self, value: Any) -> None:
        value = bool(value)
        if value and self._verify_mode == CERT_NONE:
            if edition_of(self) < (3, 7):
                raise ValueError("check_hostname needs a SSL context with either CERT_OPTIONAL or CERT_REQUIRED")
            self._verify_mode = CERT_REQUIRED
        self._check_hostname = value
        self._built = None

    @property
    def hostname_checks_common_name(self) -> bool:
        """Whether the hostname check falls back on the subject's common name of a
        certificate without a subjectAltName (default true)."""
        return self._hostname_checks_common_name

    @hostname_checks_common_name.setter
    def hostname_checks_common_name(self, value: Any) -> None:
        self._hostname_checks_common_name = bool(value)

    @property
    def sni_callback(self) -> Optional[Callable[..., Any]]:
        """Called as ``callback(sslsocket, server_name, context)`` when a ClientHello arrives;
        None disables it."""
        return self._sni_callback

    @sni_callback.setter
    def sni_callback(self, callback: Optional[Callable[..., Any]]) -> None:
        if callback is not None and not callable(callback):
            raise TypeError("not a callable object")
        self._sni_callback = callback
        self._built = None

    def set_servername_callback(self, server_name_callback: Optional[Callable[..., Any]]) -> None:
        """The legacy form of ``sni_callback``: the callback gets the name as a U-label."""
        if server_name_callback is not None and not callable(server_name_callback):
            raise TypeError("not a callable object")
        self.sni_callback = None if server_name_callback is None else u_label_shim(server_name_callback)


# -- the client ------------------------------------------------------------------------

def prepare_client(conn: _SSL.Connection, context: Any, server_hostname: Optional[str]) -> None:
    """Before a client handshake: SNI, and (3.7+) OpenSSL's hostname check."""
    if not server_hostname:
        return
    address = _ip(server_hostname)
    name = None if address is not None else a_label(server_hostname).encode("ascii")
    if name is not None:
        conn.set_tlsext_host_name(name)
    if not context.check_hostname or edition_of(context) < (3, 7):
        return
    lib = _lib()
    param = lib.SSL_get0_param(conn._ssl)
    flags = lib.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS
    if not context.hostname_checks_common_name:
        flags |= lib.X509_CHECK_FLAG_NEVER_CHECK_SUBJECT
    lib.X509_VERIFY_PARAM_set_hostflags(param, flags)
    if name is not None:
        done = lib.X509_VERIFY_PARAM_set1_host(param, name, len(name))
    else:
        packed = address.packed
        done = lib.X509_VERIFY_PARAM_set1_ip(param, packed, len(packed))
    if done != 1:
        raise SSLError(1, "cannot check the peer's certificate for %r" % (server_hostname,))


def after_handshake(sock: Any) -> None:
    """After a client handshake (3.4-3.6): ``match_hostname`` when ``check_hostname`` is on."""
    context = sock.context
    edition = edition_of(context)
    if context.check_hostname and edition < (3, 7):
        name = sock.server_hostname
        if edition >= (3, 5):  # 3.5-3.6 kept the name as its U-label, and matched that (bpo-28414)
            name = name.encode("idna").decode("idna")
        match_hostname_for("%d.%d" % edition)(sock.getpeercert(), name)


# -- match_hostname ----------------------------------------------------------------------

def _dnsname_match_rfc6125(dn: str, hostname: str) -> bool:
    """3.2-3.6: one wildcard, in the leftmost label; ``*`` is one label, ``w*`` a label
    starting with w (no wildcard fragment in an IDN A-label)."""
    if not dn:
        return False
    leftmost, *remainder = dn.split(".")
    wildcards = leftmost.count("*")
    if wildcards > 1:
        raise CertificateError("too many wildcards in certificate DNS name: %r" % (dn,))
    if not wildcards:
        return dn.lower() == hostname.lower()
    if leftmost == "*":
        first = "[^.]+"
    elif leftmost.startswith("xn--") or hostname.startswith("xn--"):
        first = re.escape(leftmost)
    else:
        first = re.escape(leftmost).replace(r"\*", "[^.]*")
    pattern = r"\A" + r"\.".join([first] + [re.escape(frag) for frag in remainder]) + r"\Z"
    return re.match(pattern, hostname, re.IGNORECASE) is not None


def _dnsname_match_whole_label(dn: str, hostname: str) -> bool:
    """3.7-3.11: a wildcard only as the whole leftmost label, standing for one label;
    any other wildcard is a ``CertificateError``."""
    if not dn:
        return False
    if "*" not in dn:
        return dn.lower() == hostname.lower()
    if dn.count("*") > 1:
        raise CertificateError("too many wildcards in certificate DNS name: %r." % (dn,))
    dn_leftmost, sep, dn_remainder = dn.partition(".")
    if "*" in dn_remainder:
        raise CertificateError("wildcard can only be present in the leftmost label: %r." % (dn,))
    if not sep:
        raise CertificateError("sole wildcard without additional labels are not support: %r." % (dn,))
    if dn_leftmost != "*":
        raise CertificateError("partial wildcards in leftmost label are not supported: %r." % (dn,))
    host_leftmost, sep, host_remainder = hostname.partition(".")
    if not host_leftmost or not sep:
        return False
    return dn_remainder.lower() == host_remainder.lower()


def _matcher(dns_match: Callable[[str, str], bool], ip_sans: bool) -> Callable[[Any, str], None]:
    def match_hostname(cert: Any, hostname: str) -> None:
        """Raise ``CertificateError`` unless ``cert`` (``getpeercert()``'s dict) is for ``hostname``."""
        if not cert:
            raise ValueError("empty or no certificate, match_hostname needs a SSL socket or SSL context "
                             "with either CERT_OPTIONAL or CERT_REQUIRED")
        host_ip = _ip(hostname) if ip_sans else None
        names = []
        for kind, value in cert.get("subjectAltName", ()):
            if kind == "DNS":
                if host_ip is None and dns_match(value, hostname):
                    return
                names.append(value)
            elif kind == "IP Address" and ip_sans:
                if host_ip is not None and _ip(value.rstrip()) == host_ip:
                    return
                names.append(value)
        if not names:
            for rdn in cert.get("subject", ()):
                for attribute, value in rdn:
                    if attribute == "commonName":
                        if dns_match(value, hostname):
                            return
                        names.append(value)
        if len(names) > 1:
            raise CertificateError("hostname %r doesn't match either of %s"
                                   % (hostname, ", ".join(map(repr, names))))
        if names:
            raise CertificateError("hostname %r doesn't match %r" % (hostname, names[0]))
        raise CertificateError("no appropriate commonName or subjectAltName fields were found")

    return match_hostname


_MATCHERS = {
    "3.2": _matcher(_dnsname_match_rfc6125, ip_sans=False),
    "3.5": _matcher(_dnsname_match_rfc6125, ip_sans=True),
    "3.7": _matcher(_dnsname_match_whole_label, ip_sans=True),
}


def match_hostname_for(edition: str) -> Callable[[Any, str], None]:
    """``match_hostname`` as edition ``edition`` documents it (3.2-3.11)."""
    major, minor = (int(p) for p in edition.split("."))
    span = "3.7" if (major, minor) >= (3, 7) else "3.5" if (major, minor) >= (3, 5) else "3.2"
    return _MATCHERS[span]


#: Plain ``reference`` is the base edition's module (``reference.editions``): the
#: rules of 3.2 (the function of an edition is :func:`match_hostname_for`'s; gone from 3.12).
match_hostname = _MATCHERS["3.2"]


# -- the server --------------------------------------------------------------------------

def u_label_shim(callback: Callable[..., Any]) -> Callable[..., Any]:
    """``set_servername_callback``'s callback as an ``sni_callback``: it gets the U-label,
    and a name that does not decode aborts with ``internal_error``."""

    def shim(sock: Any, server_name: Optional[str], context: Any) -> Any:
        if server_name is not None:
            try:
                server_name = server_name.encode("ascii").decode("idna")
            except UnicodeError:
                return ALERT_DESCRIPTION_INTERNAL_ERROR
        return callback(sock, server_name, context)

    shim.__wrapped__ = callback  # type: ignore[attr-defined]
    return shim


def install_servername_callback(ctx: _SSL.Context, context: Any) -> None:
    """Have OpenSSL call ``context.sni_callback`` on each ClientHello of ``ctx``."""
    from OpenSSL._util import ffi

    lib = _lib()
    owner = weakref.ref(context)
    fatal = lib.SSL_TLSEXT_ERR_ALERT_FATAL

    def servername(ssl: Any, alert: Any, arg: Any) -> int:
        try:
            original = owner()
            callback = original.sni_callback if original is not None else None
            if callback is None:
                return 0
            conn = _SSL.Connection._reverse_mapping.get(ssl)
            ref = conn.get_app_data() if conn is not None else None
            sock = ref() if callable(ref) else None
            name = conn.get_servername() if conn is not None else None
            result = callback(sock, None if name is None else name.decode("ascii"), original)
        except BaseException:
            sys.excepthook(*sys.exc_info())
            alert[0] = ALERT_DESCRIPTION_HANDSHAKE_FAILURE
            return fatal
        if result is None:
            return 0
        try:
            alert[0] = operator.index(result)
        except (TypeError, OverflowError):
            alert[0] = ALERT_DESCRIPTION_INTERNAL_ERROR
        return fatal

    handle = ffi.callback("int (*)(SSL *, int *, void *)", servername)
    ctx._tlsext_servername_callback = handle  # kept alive with the context, as pyOpenSSL keeps its own
    lib.SSL_CTX_set_tlsext_servername_callback(ctx._context, handle)
