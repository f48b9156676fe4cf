"""Hostname verification: each fixture's certificate against the names of one table.

:data:`NAMES` is chosen once: for each hostname fixture, the names that try
its rules (the exact name and a case-different one, a subdomain too deep, the
bare parent of a wildcard, a partial wildcard's near names, addresses as text
and an address spelt as a DNS SAN, the U-label and the A-label ...).  Every
(fixture, name) is a case of each check, and the oracle
(``conformance.judge.hostnames``) says, from the fixture manifest's SANs and
subject, whether the name is accepted:

``hostname/check_hostname/{fixture}/{label}``
    a client with ``check_hostname`` on and ``server_hostname=name``
    handshakes over loopback with a server presenting the fixture (pair
    cases: every client implementation with every server one).  Accepted:
    both sides complete and echo.  Refused: the client's handshake raises
    ``SSLCertVerificationError`` (3.7+; ``CertificateError`` before), and from
    3.7 the server's handshake fails too -- OpenSSL aborts it with an alert.
``hostname/hostname_checks_common_name={on,off}/...`` (3.7)
    the same, for the two fixtures with a common name, the attribute set.
``hostname/match_hostname/{fixture}/{label}`` (3.2-3.11)
    ``match_hostname(cert, name)`` on the fixture's ``getpeercert()`` dict
    (from the manifest): returns, or raises ``CertificateError`` (the listing
    entry these cells name: ``match_hostname`` has none).

Where editions disagree on a cell -- or document it differently -- the cell
is one row per span (``.../editions=3.4-3.6``, ``.../editions=3.7+``),
derived from the oracle, never listed by hand.  A row's basis follows from
the rule that decided it (:func:`basis_of`): the handshake rules that
``ssl-current.rst`` states are ``spec``; the rest (wildcards, case, every
rule of ``match_hostname``, which no stored document describes) ``cpython``.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..harness.env import Certs
from ..harness.loopback import tls_pair
from ..harness.pump import TRANSPORTS, tls_connect
from ..harness.registry import CaseFailure, Unsupported, case, expect_equal, table
from ..judge import hostnames as oracle
from ..judge.editions import EDITIONS, key, span_text
from .decode import as_peercert

__all__ = ["NAMES", "FIXTURES", "identity", "basis_of", "rows"]

#: fixture -> ((label, name), ...): the names tried on it
NAMES: Dict[str, Tuple[Tuple[str, str], ...]] = {
    "host-exact": (("exact", "www.example.org"), ("case-different", "WWW.Example.ORG"),
                   ("second-san", "example.org"), ("subdomain", "a.www.example.org"),
                   ("other", "foo.example.org")),
    "host-wildcard": (("one-label", "www.example.org"), ("case-different", "WWW.Example.ORG"),
                      ("two-labels", "a.b.example.org"), ("bare-parent", "example.org")),
    "host-partial-wildcard": (("prefix", "wx.example.org"), ("prefix-alone", "w.example.org"),
                              ("no-prefix", "xw.example.org")),
    "host-ip": (("ipv4", "192.0.2.7"), ("ipv6", "2001:db8::7"), ("ipv6-long-form", "2001:DB8:0:0::7"),
                ("ipv4-as-dns-san", "192.0.2.8"), ("other-ipv4", "192.0.2.9")),
    "host-idn": (("a-label", "xn--bcher-kva.example"), ("u-label", "b\u00fccher.example"),
                 ("other", "buecher.example")),
    "host-cn-only": (("cn", "www.example.org"), ("other", "other.example.org")),
    "host-cn-and-san": (("san", "other.example.org"), ("cn", "www.example.org")),
}
FIXTURES = tuple(NAMES)

# -- what documents a rule -----------------------------------------------------------------

_MATCH = "Whether to match the peer cert's hostname in :meth:`SSLSocket.do_handshake`."
_ABORTED = ("In case OpenSSL refuses a hostname or IP address, the handshake is aborted early and a TLS "
            "alert message is sent to the peer.")
_FALLBACK = ("Whether :attr:`~SSLContext.check_hostname` falls back to verify the cert's subject common "
             "name in the absence of a subject alternative name extension (default: true).")
#: rule -> the sentence of ssl-current.rst stating it for the handshake from 3.7
DOCUMENTED_FROM_3_7 = {
    "exact": _MATCH,
    "mismatch": _ABORTED,
    "ip-san": "Hostname or IP address is matched by OpenSSL during handshake.",
    "a-label": ("When ``server_hostname`` is an internationalized domain name (IDN), this attribute now "
                "stores the A-label form (``\"xn--pythn-mua.org\"``), rather than the U-label form "
                "(``\"pyth\u00f6n.org\"``)."),
    "cn": _FALLBACK, "cn-ignored": _FALLBACK, "cn-off": _FALLBACK,
}
_WILDCARD = "CPython lets a '*' that is the whole leftmost label of a DNS SAN stand for exactly one label"
_CN = ("CPython's match_hostname tries the subject's commonName only when the certificate has no DNS SAN "
       "(3.5+: nor IP Address SAN)")
_NO_IP = "CPython before 3.5 has no IP address matching: match_hostname compares an address with DNS SANs as text"
#: rule -> what CPython does, where no stored document says it
CPYTHON = {
    "exact": "CPython's match_hostname (3.2-3.11) returns None for a name that a SAN (or, without SANs, the CN) is",
    "mismatch": ("CPython's match_hostname raises CertificateError for a name nothing in the certificate matches; "
                 "before 3.7 do_handshake raises it"),
    "case": "CPython compares DNS names ignoring ASCII case (match_hostname's lower(); OpenSSL from 3.7)",
    "wildcard": _WILDCARD, "wildcard-one-label": _WILDCARD,
    "partial-wildcard": ("CPython before 3.7 (match_hostname, RFC 6125 6.4.3) lets w*.example.org match any "
                         "leftmost label that starts with w"),
    "no-partial-wildcard": ("CPython 3.7+ matches no partial wildcard (w*.example.org): match_hostname refuses "
                            "it, the handshake sets X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS"),
    "ip-san": "CPython 3.5+ matches an IP address against the certificate's IP Address SANs",
    "ip-not-dns": "CPython 3.5+ matches an IP address only against IP Address SANs, never a DNS SAN spelling it",
    "ip-unsupported": _NO_IP, "ip-as-dns": _NO_IP,
    "u-label": ("CPython's match_hostname compares the name as given, and the handshake of 3.5-3.6 gives it the "
                "U-label (bpo-28414): a U-label never equals a SAN's A-label"),
    "a-label": "CPython 3.7+ encodes server_hostname to its A-label (idna codec) before OpenSSL matches it",
    "cn": _CN, "cn-ignored": _CN, "cn-off": "CPython 3.7+ sets X509_CHECK_FLAG_NEVER_CHECK_SUBJECT then",
}


def basis_of(check: str, rule: str, edition: str) -> Tuple[str, str]:
    """(basis, cite) of a cell of ``check`` decided by ``rule`` at ``edition``.

    The handshake's name check (3.4+) is documented as such (an accepted
    exact name is ``spec`` from 3.4), and from 3.7 the rules of
    :data:`DOCUMENTED_FROM_3_7`; everything else is what CPython does.
    """
    if check == "handshake":
        if key(edition) >= key(oracle.OPENSSL_MATCHES) and rule in DOCUMENTED_FROM_3_7:
            return "spec", DOCUMENTED_FROM_3_7[rule]
        if rule == "exact":
            return "spec", _MATCH
    return "cpython", CPYTHON[rule]


def identity(certs: Certs, fixture: str) -> oracle.Identity:
    return oracle.Identity.from_manifest(certs.fixture(fixture))


def _verdict(check: str, ident: oracle.Identity, name: str, edition: str,
             common_name: Optional[bool]) -> oracle.Verdict:
    if check == "match_hostname":
        return oracle.match_hostname(ident, name, edition)
    return oracle.check_hostname(ident, name, edition, True if common_name is None else common_name)


def rows(check: str, fixtures: Tuple[str, ...], since: str, until: Optional[str] = None,
         common_name: Optional[bool] = None, certs: Optional[Certs] = None) -> List[Dict[str, Any]]:
    """One row per (fixture, name) and per span of editions with one verdict and basis."""
    certs = certs or Certs()
    editions = [e for e in EDITIONS if key(since) <= key(e) and (until is None or key(e) < key(until))]
    out = []
    for fixture in fixtures:
        ident = identity(certs, fixture)
        for label, name in NAMES[fixture]:
            spans: List[List[Any]] = []
            for edition in editions:
                rule = _verdict(check, ident, name, edition, common_name).rule
                decided = (rule,) + basis_of(check, rule, edition)
                if spans and spans[-1][2] == decided:
                    spans[-1][1] = edition
                else:
                    spans.append([edition, edition, decided])
            for first, last, (rule, basis, cite) in spans:
                after = EDITIONS.index(last) + 1
                end = EDITIONS[after] if after < len(EDITIONS) and \
                    (until is None or key(EDITIONS[after]) < key(until)) else until
                suffix = "" if len(spans) == 1 else "/editions=" + span_text(first, end)
                out.append({"fixture": fixture, "label": label + suffix, "name": name, "rule": rule,
                            "basis": basis, "cite": cite, "since": first, "until": end})
    return out


def _per_row(field: str) -> Any:
    return lambda row: row[field]


# -- the handshake ------------------------------------------------------------------------

def _refusal_class(env: Any) -> Any:
    """What a refusal raises at the run's edition: SSLCertVerificationError from 3.7,
    CertificateError (match_hostname's) before."""
    name = "SSLCertVerificationError" if key(env.impl.edition) >= key(oracle.OPENSSL_MATCHES) else "CertificateError"
    cls = getattr(env.ssl, name, None)
    if cls is None:
        raise CaseFailure(f"{env.impl.name} has no {name}", expected=name, actual="missing")
    return cls


def handshake_cell(env: Any, fixture: str, label: str, name: str, rule: str, basis: str, cite: str,
                   since: str, until: Optional[str], common_name: Optional[bool] = None,
                   transport: str = "socket") -> Dict[str, Any]:
    senv = env.peer or env
    verdict = oracle.check_hostname(identity(env.certs, fixture), name, env.impl.edition,
                                    True if common_name is None else common_name)
    client = env.context(verify="REQUIRED", trust="root-ca")
    client.check_hostname = True
    if common_name is not None:
        if common_name is False and not getattr(env.ssl, "HAS_NEVER_CHECK_COMMON_NAME", True):
            raise Unsupported("HAS_NEVER_CHECK_COMMON_NAME", "hostname_checks_common_name cannot be turned off")
        client.hostname_checks_common_name = common_name
    server = senv.context(cert=fixture)
    out = tls_connect(transport, client, server, env.ssl, senv.ssl, server_hostname=name, timeout=env.timeout)
    what = (f"server_hostname={name!r} against {fixture} ({transport}; client {env.impl.name}, server {senv.impl.name}; "
            f"the rule: {verdict.rule})")
    sides = {"client": out.client.describe(), "server": out.server.describe()}
    if verdict.accepts:
        if not out.ok:
            raise CaseFailure(f"{what}: expected the name to be accepted", expected="accepted", actual=sides)
        return {"verdict": "accepted", "rule": verdict.rule}
    refusal = _refusal_class(env)
    error = out.client.error
    if out.client.ok or not isinstance(error, refusal) or out.client.version is not None:
        raise CaseFailure(f"{what}: expected the client's handshake to raise {refusal.__name__}",
                          expected=f"{refusal.__name__} from the handshake", actual=sides)
    if key(env.impl.edition) >= key(oracle.OPENSSL_MATCHES) and out.server.ok:
        raise CaseFailure(f"{what}: the handshake was refused, but the server completed it (no alert)",
                          expected="the server's handshake aborted", actual=sides)
    return {"verdict": "refused", "rule": verdict.rule, "client": sides["client"]}


HANDSHAKE_ROWS = rows("handshake", FIXTURES, oracle.HANDSHAKE_SINCE)
table("hostname/check_hostname/{fixture}/{label}", spec="SSLContext.check_hostname", pair=True,
      basis=_per_row("basis"), cite=_per_row("cite"), since=_per_row("since"), until=_per_row("until"),
      rows=HANDSHAKE_ROWS)(handshake_cell)

#: the same cells through SSLContext.wrap_bio(server_hostname=...), from the memory BIOs' edition
BIO = TRANSPORTS["bio"]
table("bio/hostname/check_hostname/{fixture}/{label}", spec="SSLContext.check_hostname", pair=True,
      basis=_per_row("basis"), cite=_per_row("cite"), since=_per_row("since"), until=_per_row("until"),
      rows=[dict(row, transport="bio", since=max(row["since"], BIO, key=key)) for row in HANDSHAKE_ROWS
            if row["until"] is None or key(row["until"]) > key(BIO)])(handshake_cell)

COMMON_NAME_ROWS = [dict(row, common_name=on, setting="on" if on else "off")
                    for on in (True, False)
                    for row in rows("handshake", ("host-cn-only", "host-cn-and-san"), "3.7", common_name=on)]


@table("hostname/hostname_checks_common_name={setting}/{fixture}/{label}",
       spec="SSLContext.hostname_checks_common_name", pair=True,
       basis=_per_row("basis"), cite=_per_row("cite"), since=_per_row("since"), until=_per_row("until"),
       rows=COMMON_NAME_ROWS)
def common_name_cell(env: Any, setting: str, **row: Any) -> Dict[str, Any]:
    """A cell of the handshake with ``hostname_checks_common_name`` set (``setting`` names it)."""
    return handshake_cell(env, **row)


# -- match_hostname -------------------------------------------------------------------------

def match_cell(env: Any, fixture: str, label: str, name: str, rule: str, basis: str, cite: str,
               since: str, until: Optional[str]) -> Dict[str, Any]:
    verdict = oracle.match_hostname(identity(env.certs, fixture), name, env.impl.edition)
    function = getattr(env.ssl, "match_hostname", None)
    refusal = getattr(env.ssl, "CertificateError", None)
    if function is None or refusal is None:
        raise CaseFailure(f"{env.impl.name} has no match_hostname/CertificateError",
                          expected="match_hostname, CertificateError", actual="missing")
    cert = as_peercert(env.certs.fixture(fixture)["peercert"])
    what = f"match_hostname(<{fixture}>, {name!r}) (the rule: {verdict.rule})"
    try:
        returned = function(cert, name)
    except refusal as exc:
        if verdict.accepts:
            raise CaseFailure(f"{what}: expected it to return None", expected="None",
                              actual=f"{type(exc).__name__}: {exc}") from exc
        return {"verdict": "refused", "rule": verdict.rule}
    except Exception as exc:
        raise CaseFailure(f"{what}: raised {type(exc).__name__}: {exc}",
                          expected="None" if verdict.accepts else "CertificateError",
                          actual=f"{type(exc).__name__}: {exc}") from exc
    if not verdict.accepts:
        raise CaseFailure(f"{what}: expected CertificateError", expected="CertificateError",
                          actual=f"returned {returned!r}")
    expect_equal(returned, None, f"{what}: its return value")
    return {"verdict": "accepted", "rule": verdict.rule}


MATCH_ROWS = rows("match_hostname", FIXTURES, *oracle.MATCH_HOSTNAME_SPAN)
# ``match_hostname`` is no directive of either stored document (the base spec predates
# its entry, the current documentation dropped it with the function in 3.12), so no
# listing entry names it: these cells name the exception it is documented to raise.
table("hostname/match_hostname/{fixture}/{label}", spec="CertificateError",
      basis=_per_row("basis"), cite=_per_row("cite"), since=_per_row("since"), until=_per_row("until"),
      rows=MATCH_ROWS)(match_cell)


# -- the verification error ----------------------------------------------------------------

@table("hostname/verify_code/{kind}", spec="SSLCertVerificationError.verify_code", since="3.7",
       basis="cpython",
       cite="CPython's handshake refuses a name with verify_code 62 (X509_V_ERR_HOSTNAME_MISMATCH), an IP "
            "address with 64 (X509_V_ERR_IP_ADDRESS_MISMATCH)",
       rows=[{"kind": "dns", "fixture": "host-exact", "name": "foo.example.org", "code": 62},
             {"kind": "ip", "fixture": "host-ip", "name": "192.0.2.9", "code": 64}])
def verify_code(env: Any, kind: str, fixture: str, name: str, code: int) -> None:
    client = env.context(verify="REQUIRED", trust="root-ca")
    client.check_hostname = True
    out = tls_pair(client, env.context(cert=fixture), server_hostname=name, timeout=env.timeout)
    error = out.client.error
    expect_equal(getattr(error, "verify_code", None), code,
                 f"verify_code of the refusal of {name!r} by {fixture} ({out.client.describe()})")


@case("hostname/CertificateError/alias", spec="CertificateError", since="3.7", basis="spec",
      cite="An alias for :exc:`SSLCertVerificationError`.")
def certificate_error_alias(env: Any) -> None:
    expect_equal(getattr(env.ssl, "CertificateError", None), env.ssl.SSLCertVerificationError,
                 "CertificateError")
