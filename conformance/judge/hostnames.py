"""Hostname verification: whether a certificate is for a name, edition by edition.

The oracle of the ``hostname/`` cases.  A certificate says whom it is for in
its subjectAltName entries (``DNS:*.example.org``, ``IP:192.0.2.7``) and in
its subject's common names; the fixture manifest records both (``san``, and
``subject`` in RFC 4514 text).  Given those and a name, two checks decide:

* :func:`check_hostname` -- the handshake of a client whose context has
  ``check_hostname`` on and that passed ``server_hostname=name`` (3.4+);
* :func:`match_hostname` -- ``match_hostname(cert, hostname)`` (3.2 until
  its removal in 3.12).

Each returns a :class:`Verdict`: accepted or refused, and the *rule* that
decided (one of :data:`RULES`), from which the case tables derive a row's
basis.  Every rule is a line of a docstring below that says where it comes
from: ``docs:`` quotes ``ssl-current.rst``; ``CPython:`` names the code of the
release where the stored documentation is silent.  It is silent on much:
the base spec (``ssl-3.2.rst``) does not document ``match_hostname`` at all,
and the current documentation dropped its entry (with the wildcard and IP
address notes of 3.3.3, 3.5 and 3.7) when the function was removed in 3.12.
The rules of those releases are therefore CPython's ``Lib/ssl.py`` of each
(``tests/test_hostnames_oracle.py`` holds this module against the real
interpreters 3.6 ... 3.13 for every fixture and name).

Spans of editions with one set of rules (3.3's own change, RFC 6125's limit
of one wildcard, changes nothing for a certificate with at most one wildcard,
in its leftmost label, which is all the fixtures hold):

* ``match_hostname``: 3.2-3.4 (DNS names only), 3.5-3.6 (+ IP addresses),
  3.7-3.11 (no partial wildcards);
* the handshake: 3.4-3.6 (``match_hostname`` of the edition, after the
  handshake), 3.7+ (OpenSSL, during the handshake).

Standard library only; no I/O.
"""
from __future__ import annotations

import dataclasses
import ipaddress
from typing import Any, Mapping, Optional, Sequence, Tuple

from .editions import key

__all__ = ["Identity", "Verdict", "RULES", "ACCEPTING", "check_hostname", "match_hostname", "a_label",
           "u_label", "ip_address", "HANDSHAKE_SINCE", "MATCH_HOSTNAME_SPAN", "OPENSSL_MATCHES", "IP_SANS"]

#: ``check_hostname`` and the handshake's check: documented from 3.4
HANDSHAKE_SINCE = "3.4"
#: ``match_hostname``: 3.2 until its removal in 3.12
MATCH_HOSTNAME_SPAN = ("3.2", "3.12")
#: from 3.7 OpenSSL matches during the handshake
OPENSSL_MATCHES = "3.7"
#: from 3.5 match_hostname matches IP addresses
IP_SANS = "3.5"

#: Every rule a :class:`Verdict` can name; those in :data:`ACCEPTING` accept.
RULES = ("exact", "case", "wildcard", "partial-wildcard", "a-label", "ip-san", "ip-as-dns", "cn",
         "wildcard-one-label", "no-partial-wildcard", "ip-not-dns", "ip-unsupported", "u-label", "cn-ignored", "cn-off",
         "mismatch")
ACCEPTING = frozenset({"exact", "case", "wildcard", "partial-wildcard", "a-label", "ip-san",
                       "ip-as-dns", "cn"})


@dataclasses.dataclass(frozen=True)
class Identity:
    """Whom a certificate is for: its DNS and IP Address SANs and its subject's CNs."""

    dns: Tuple[str, ...] = ()
    ips: Tuple[str, ...] = ()
    common_names: Tuple[str, ...] = ()

    @property
    def has_san(self) -> bool:
        return bool(self.dns or self.ips)

    @classmethod
    def from_manifest(cls, entry: Mapping[str, Any]) -> "Identity":
        """From a fixture's manifest entry: ``san`` (``["DNS:x", "IP:y"]``) and ``subject``."""
        dns = tuple(v[4:] for v in entry.get("san", ()) if v.startswith("DNS:"))
        ips = tuple(v[3:] for v in entry.get("san", ()) if v.startswith("IP:"))
        cns = tuple(value for attr, value in rfc4514(entry.get("subject", "")) if attr.upper() == "CN")
        return cls(dns=dns, ips=ips, common_names=cns)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Accepted or refused, and by which rule (one of :data:`RULES`)."""

    rule: str

    @property
    def accepts(self) -> bool:
        return self.rule in ACCEPTING


def rfc4514(text: str) -> Tuple[Tuple[str, str], ...]:
    """``"CN=a\\,b,O=x"`` -> ``(("CN", "a,b"), ("O", "x"))`` (backslash escapes honoured)."""
    parts, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",+":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    if current:
        parts.append("".join(current))
    return tuple((p.split("=", 1)[0].strip(), p.split("=", 1)[1]) for p in parts if "=" in p)


def ip_address(text: str) -> Optional[Any]:
    """The address ``text`` spells (``ipaddress``), or None when it is a host name."""
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def a_label(name: str) -> str:
    """docs (3.7, SSLSocket.server_hostname): an IDN "stores the A-label form
    (``"xn--pythn-mua.org"``), rather than the U-label form"; CPython encodes
    with the ``idna`` codec."""
    try:
        return name.encode("idna").decode("ascii")
    except UnicodeError:
        return name


def _lower(name: str) -> str:
    """ASCII case folding: DNS names compare case-insensitively (RFC 4343)."""
    return name.translate(_ASCII_LOWER)


_ASCII_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def _wildcard(pattern: str, name: str, partial: bool) -> Optional[str]:
    """How the DNS SAN ``pattern`` with a wildcard matches ``name``: ``"wildcard"``,
    ``"partial-wildcard"``, or a near miss ``"wildcard-one-label"`` / ``"no-partial-wildcard"``
    (refused), or None.

    CPython (``_dnsname_match``, 3.3.3-3.11; OpenSSL's ``X509_check_host`` from 3.7):
    the wildcard may only be in the leftmost label, and it stands for exactly
    one label -- never for a dot, never for nothing (``*.example.org`` is not
    ``example.org`` nor ``a.b.example.org``).  A *partial* wildcard
    (``w*.example.org``) matches a leftmost label that starts and ends as the
    pattern does, with at least the pattern's fixed characters, before 3.7
    (``_dnsname_match`` turned ``w*`` into ``w[^.]*``); from 3.7 it matches
    nothing (``X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS``; CPython 3.7's
    ``_dnsname_match``: "Partial wildcards like 'www*.example.org' ... are not
    supported").
    """
    left, _, rest = _lower(pattern).partition(".")
    if "*" in rest or left.count("*") != 1 or not rest:
        return None
    host_left, dot, host_rest = _lower(name).partition(".")
    if host_rest != rest:
        lowered = _lower(name)
        return "wildcard-one-label" if left == "*" and (lowered.endswith("." + rest) or lowered == rest) else None
    if not dot or not host_left:
        return None
    if left == "*":
        return "wildcard"
    head, tail = left.split("*")
    fits = host_left.startswith(head) and host_left.endswith(tail) and len(host_left) >= len(head) + len(tail)
    if not fits or host_left.startswith("xn--") or left.startswith("xn--"):
        return None
    return "partial-wildcard" if partial else "no-partial-wildcard"


def _dns(pattern: str, name: str, partial: bool) -> Optional[str]:
    """The rule by which the DNS name ``pattern`` (a SAN or a CN) takes ``name``.

    ``exact``: the same text.  ``case``: CPython compares DNS names ignoring
    ASCII case (``dn.lower() == hostname.lower()`` in ``match_hostname``;
    OpenSSL's ``X509_check_host``).  Wildcards: :func:`_wildcard`.
    """
    if pattern == name:
        return "exact"
    if "*" in pattern:
        return _wildcard(pattern, name, partial)
    if _lower(pattern) == _lower(name):
        return "case"
    return None


def _best(found: Sequence[Optional[str]]) -> Optional[str]:
    """The accepting rule among ``found`` if any, else the first near miss."""
    accepting = [r for r in found if r in ACCEPTING]
    if accepting:
        return accepting[0]
    near = [r for r in found if r]
    return near[0] if near else None


def _names_rule(names: Sequence[str], name: str, partial: bool) -> Optional[str]:
    return _best([_dns(p, name, partial) for p in names])


def match_hostname(identity: Identity, hostname: str, edition: str) -> Verdict:
    """``match_hostname(cert, hostname)`` of ``edition`` (3.2-3.11).

    CPython (``Lib/ssl.py`` of the release; the stored docs are silent):

    * the name is compared as given: no IDNA encoding, so a U-label never
      matches the A-label a SAN holds (``u-label``);
    * 3.2-3.4: IP addresses are not supported (its 3.2-3.4 docstring:
      "IP addresses are not accepted for *hostname*"): an address is
      compared with the DNS SANs as text (``ip-as-dns``), never with an IP
      Address SAN (``ip-unsupported``);
    * 3.5+: an address (``ipaddress``; 3.7+ ``_inet_paton``) matches only IP
      Address SANs (``ip-san``), never DNS SAN text (``ip-not-dns``);
    * DNS SANs by :func:`_dns`; partial wildcards until 3.7;
    * the subject's commonName is tried only when there is no DNS SAN
      (3.5+: nor IP Address SAN) -- otherwise it is ignored (``cn-ignored``).
    """
    partial = key(edition) < key(OPENSSL_MATCHES)
    ip = ip_address(hostname) if key(edition) >= key(IP_SANS) else None
    if ip is not None:
        if any(ip_address(v) == ip for v in identity.ips):
            return Verdict("ip-san")
        if any(v == hostname for v in identity.dns):
            return Verdict("ip-not-dns")
        rule = None
    else:
        rule = _names_rule(identity.dns, hostname, partial)
        if rule in ACCEPTING:
            return Verdict("ip-as-dns" if ip_address(hostname) is not None else rule)
        if ip_address(hostname) is not None and any(ip_address(v) == ip_address(hostname) for v in identity.ips):
            return Verdict("ip-unsupported")
    blocked = identity.dns or (identity.ips and key(edition) >= key(IP_SANS))
    cn_rule = _names_rule(identity.common_names, hostname, partial)
    if cn_rule in ACCEPTING:
        return Verdict("cn-ignored" if blocked else "cn")
    if rule is None and any(a_label(hostname) == _lower(v) for v in identity.dns) and a_label(hostname) != hostname:
        return Verdict("u-label")
    return Verdict(rule or cn_rule or "mismatch")


def u_label(name: str) -> str:
    """The Unicode form of a host name (the ``idna`` codec); ASCII labels stay as they are."""
    try:
        return name.encode("idna").decode("idna")
    except UnicodeError:
        return name


def _handshake_name(server_hostname: str, edition: str) -> str:
    """The name the handshake of 3.4-3.6 hands to ``match_hostname``.

    CPython 3.4: ``server_hostname`` as given.  CPython 3.5-3.6: the socket's
    ``server_hostname`` attribute, which its SSLObject holds as the U-label of
    the name (bpo-28414; docs, 3.7: the attribute "now stores the A-label form
    ..., rather than the U-label form"), so an IDN never matches the A-label a
    certificate holds -- neither when given as a U-label nor as an A-label.
    """
    return server_hostname if key(edition) < key(IP_SANS) else u_label(server_hostname)


def check_hostname(identity: Identity, server_hostname: str, edition: str,
                   checks_common_name: bool = True) -> Verdict:
    """The verdict of a handshake with ``check_hostname`` on and ``server_hostname`` (3.4+).

    * 3.4-3.6 -- docs (3.4, SSLSocket.do_handshake): "The handshake method
      also performs :func:`!match_hostname` when the
      :attr:`~SSLContext.check_hostname` attribute of the socket's
      :attr:`~SSLSocket.context` is true": :func:`match_hostname` of the
      edition, with the name :func:`_handshake_name` says.
    * 3.7+ -- docs (3.7): "Hostname or IP address is matched by OpenSSL during
      handshake."  An address matches the IP Address SANs (``ip-san``); CPython
      hands it to OpenSSL as an address, so DNS SAN text never matches it
      (``ip-not-dns``).  A name is first made an A-label (:func:`a_label`), then
      matched against the DNS SANs (:func:`_dns`, no partial wildcards).
    * 3.7+ -- docs (SSLContext.hostname_checks_common_name): "Whether
      :attr:`~SSLContext.check_hostname` falls back to verify the cert's subject
      common name in the absence of a subject alternative name extension
      (default: true)": with any SAN the CN is ignored (``cn-ignored``);
      without, it is tried unless ``checks_common_name`` is false (``cn-off``).
    """
    if key(edition) < key(HANDSHAKE_SINCE):
        raise ValueError(f"check_hostname is not documented in edition {edition}")
    if key(edition) < key(OPENSSL_MATCHES):
        return match_hostname(identity, _handshake_name(server_hostname, edition), edition)
    ip = ip_address(server_hostname)
    if ip is not None:
        if any(ip_address(v) == ip for v in identity.ips):
            return Verdict("ip-san")
        return Verdict("ip-not-dns" if server_hostname in identity.dns else "mismatch")
    name = a_label(server_hostname)
    rule = _names_rule(identity.dns, name, partial=False)
    if rule in ACCEPTING:
        return Verdict("a-label" if name != server_hostname and rule == "exact" else rule)
    cn_rule = _names_rule(identity.common_names, name, partial=False)
    if cn_rule in ACCEPTING:
        if identity.has_san:
            return Verdict("cn-ignored")
        return Verdict("cn" if checks_common_name else "cn-off")
    return Verdict(rule or "mismatch")
