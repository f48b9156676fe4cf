"""What a connection between two configured sides should do: the matrix oracle.

Given each side's configuration (the ``PROTOCOL_*`` it was made with, its
``OP_NO_*`` options, what versions its implementation can complete under the
cipher policy in force, its verify mode, the certificate chain it presents
and the CAs it trusts), :func:`expect` derives the outcome: the negotiated
protocol version, or which side fails and why (a ``conformance.harness.reasons``
category).  Nothing here is a table of answers; the outcome follows from a
few rules of TLS version negotiation and of the spec, applied in order:

1. **Enabled versions.**  A version-specific protocol enables its one
   version; ``PROTOCOL_SSLv23`` enables every version, or those its
   ``minimum_version`` / ``maximum_version`` leave (Python 3.7+; the rule is
   ``conformance.judge.bounds``).  ``OP_NO_*`` removes
   versions, and so does the implementation's capability under the policy
   (the floor: CPython >= 3.10 refuses TLS < 1.2 by default).  An OpenSSL
   >= 1.1 *client* keeps its versions contiguous: the lowest unbroken run
   survives, so ``OP_NO_TLSv1_2`` on an SSLv23 client that still allows
   TLS 1.0 also drops TLS 1.3 (a server accepts any version not disabled).
   A side with nothing enabled fails by itself: "no protocols available"
   when its options removed everything, and either that or "no ciphers
   available" when the policy did (a floor refuses the version; a cipher
   security level leaves no suite for it; an implementation whose policy
   still *offers* the version leaves its peer to fail instead: which check
   comes first is the implementation's business).
2. **The hello.**  A client whose highest version is TLS 1.3 lists all its
   versions (``supported_versions``); an older one states only its highest
   version.  In the 2010 era an SSLv23 client sent an SSLv2-compatible hello,
   which only SSLv2 and SSLv23 servers understand.
3. **The server's choice.**  A version-flexible (SSLv23) server picks the
   highest version it has that the client offered, and fails with a
   protocol-version error when there is none.  A version-specific server
   answers with its version if the client's stated highest is not below it,
   otherwise fails; and finds no shared cipher when the client enables only
   TLS 1.3 (whose cipher suites are its own: such a client offers no other;
   OpenSSL >= 3.2 reads the client's version list and refuses it outright).
4. **The client's check.**  The client fails (protocol-version) when the
   chosen version is not one it enabled (unless its cipher policy offered
   nothing usable at that version: then the server fails first).  A flexible TLS 1.3-era client also
   aborts when a flexible server that *could* have gone higher marks its
   random with the downgrade sentinel (RFC 8446, 4.1.3; "inappropriate
   fallback"): it marks 1.2 when it has 1.3, and below 1.2 when it has 1.2.
5. **Certificates** (spec: ``CERT_NONE`` / ``CERT_OPTIONAL`` /
   ``CERT_REQUIRED``).  The client verifies the server's chain first unless
   ``CERT_NONE``; then a server with ``CERT_OPTIONAL`` or ``CERT_REQUIRED``
   asks for a client certificate, verifies one if sent, and with
   ``CERT_REQUIRED`` fails when none is sent.  The side that verifies is the
   one that fails; its peer sees the alert.  A chain verifies when every CA
   between the leaf and a trusted root was either sent by the peer or is
   trusted, the root is trusted, and the leaf has no defect (expired, ...).
6. **getpeercert forms.**  Validated peer: a dict with ``subject``; a peer
   certificate that was not validated (``CERT_NONE``): ``{}``; no peer
   certificate: ``None``.

:data:`MODERN` is these rules for OpenSSL 1.1 to 3.x; :data:`ERA_2010` is
OpenSSL 0.9.8 as the spec's table describes it (SSLv2, SSLv3, TLS 1.0 only;
SSLv23 clients send SSLv2 hellos).  ``tests/test_oracle.py`` reproduces the
spec's table with :data:`ERA_2010` and shows, cell by cell, why
:data:`MODERN` differs.  The module is pure and imports only the stdlib.
"""
from __future__ import annotations

import dataclasses
from typing import FrozenSet, Iterable, Optional, Tuple

from .bounds import bounded, check_member
from .protocols import OPTION_VERSION, PROTOCOL_VERSION, VERSIONS

__all__ = ["Chain", "Side", "Rules", "Verdict", "MODERN", "ERA_2010", "ERA_2010_OPENSSL_100",
           "expect", "enabled_versions", "verifies", "VERSIONS", "PROTOCOL_VERSION", "OPTION_VERSION"]




FLEXIBLE = "SSLv23"


def _rank(version: str) -> int:
    return VERSIONS.index(version)


@dataclasses.dataclass(frozen=True)
class Chain:
    """A certificate chain as one side presents it.

    ``issuers`` names the CAs above the leaf, nearest first, ending at a root
    (``("intermediate-ca", "root-ca")``); ``sent`` the ones included in the
    presented file; ``defect`` a flaw every verifier rejects ("expired").
    """

    issuers: Tuple[str, ...]
    sent: FrozenSet[str] = frozenset()
    defect: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Side:
    """One end of a connection, as configured.

    ``capable`` is what the implementation can complete under the policy in
    force (``Capabilities.versions(policy)``); ``None`` means every version
    the rules know.  ``refused`` are the versions the policy turns off
    outright (a floor: "no protocols available"); a version neither capable
    nor refused is *enabled but unusable* (a cipher security level leaves it
    no suite or signature): it is offered and chosen like any other, and the
    handshake then fails on it.  ``refused=None`` treats every version not
    capable as refused.  ``verify`` is NONE / OPTIONAL / REQUIRED.

    ``minimum`` / ``maximum`` are the ``TLSVersion`` members (by name) set
    as ``minimum_version`` / ``maximum_version``, None when not set; only a
    flexible side has them.  ``supported`` is what the magic members stand
    for, the versions the side's library has at all; None: the versions not
    ``refused`` (with ``refused=None``: ``capable``; with neither, all).
    """

    protocol: str = FLEXIBLE
    options: FrozenSet[str] = frozenset()
    capable: Optional[FrozenSet[str]] = None
    verify: str = "NONE"
    cert: Optional[Chain] = None
    trusts: FrozenSet[str] = frozenset()
    refused: Optional[FrozenSet[str]] = None
    minimum: Optional[str] = None
    maximum: Optional[str] = None
    supported: Optional[FrozenSet[str]] = None

    def __post_init__(self) -> None:
        check_member(self.minimum, "Side.minimum")
        check_member(self.maximum, "Side.maximum")
        if (self.minimum or self.maximum) and not self.flexible:
            raise ValueError(f"a PROTOCOL_{self.protocol} context has no writable minimum_version/"
                             "maximum_version (only the flexible protocols do)")

    @property
    def flexible(self) -> bool:
        return self.protocol == FLEXIBLE

    @property
    def bounded(self) -> bool:
        return self.minimum is not None or self.maximum is not None

    def library_versions(self, rules: "Rules") -> FrozenSet[str]:
        """The versions the side's library has: what MINIMUM_SUPPORTED/MAXIMUM_SUPPORTED stand for."""
        if self.supported is not None:
            return self.supported
        if self.capable is None:
            return frozenset(rules.versions)
        if self.refused is None:
            return self.capable
        return frozenset(rules.versions) - self.refused

    def with_(self, **changes: object) -> "Side":
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


@dataclasses.dataclass(frozen=True)
class Rules:
    """The negotiation rules of one era of OpenSSL (see the module docstring)."""

    name: str
    versions: Tuple[str, ...]
    contiguous: bool = True            # rule 1: the lowest unbroken run survives
    sslv2_hello: bool = False          # rule 2: SSLv23 clients send SSLv2-compatible hellos
    downgrade_sentinel: bool = True    # rule 4: RFC 8446 downgrade protection
    #: (client protocol, server protocol) pairs the spec's table reports
    #: differently from what the rules derive; each is explained where defined.
    errata: FrozenSet[Tuple[str, str]] = frozenset()


MODERN = Rules("OpenSSL 1.1-3.x", VERSIONS)

#: The spec's table says an SSLv3 client reaches an SSLv2 server.  No rule of
#: OpenSSL 0.9.8 explains it (an SSLv2-only server cannot parse an SSLv3
#: hello, and CPython 3.2's own test_ssl expected that combination to fail);
#: the era rules carry it as the table's erratum so the table is reproduced,
#: and the tests show it is the only cell not derived.
ERA_2010 = Rules("OpenSSL 0.9.8 (spec table, 2010)", ("SSLv2", "SSLv3", "TLSv1"), contiguous=False,
                 sslv2_hello=True, downgrade_sentinel=False, errata=frozenset({("SSLv3", "SSLv2")}))

#: The spec's note: from 1.0.0 an SSLv23 client sends an SSLv3 hello unless
#: SSLv2 ciphers are enabled explicitly.
ERA_2010_OPENSSL_100 = dataclasses.replace(ERA_2010, name="OpenSSL 1.0.0", sslv2_hello=False,
                                           errata=frozenset())


@dataclasses.dataclass(frozen=True)
class Verdict:
    """The expected outcome.  ``failing`` is "client" or "server" (or None)."""

    ok: bool
    version: Optional[str] = None
    failing: Optional[str] = None
    reasons: Tuple[str, ...] = ()
    client_peercert: Optional[str] = None   # "validated" | "unvalidated" | "none"
    server_peercert: Optional[str] = None
    why: str = ""
    #: another (side, reasons) that may fail instead, when which one gives up
    #: first is the implementation's business
    alternative: Optional[Tuple[str, Tuple[str, ...]]] = None

    def failures(self) -> Tuple[Tuple[str, Tuple[str, ...]], ...]:
        """Every acceptable (failing side, reasons), the main one first."""
        if self.ok:
            return ()
        main = ((str(self.failing), self.reasons),)
        return main + ((self.alternative,) if self.alternative else ())

    @property
    def reason(self) -> Optional[str]:
        """The failing side's expected ``conformance.harness.reasons`` category (the first accepted)."""
        return self.reasons[0] if self.reasons else None

    def short(self) -> str:
        """``"TLSv1.3"`` or ``"fail: server protocol-version"`` (accepted reasons joined by ``/``)."""
        return str(self.version) if self.ok else f"fail: {self.failing} {'/'.join(self.reasons)}"


def enabled_versions(side: Side, rules: Rules = MODERN, *, client: bool = True) -> FrozenSet[str]:
    """Rule 1: the versions ``side`` can use in the role given (see the module docstring)."""
    if side.flexible:
        wanted = set(rules.versions)
        if side.bounded:
            wanted &= bounded(side.minimum, side.maximum, side.library_versions(rules), rules.versions)
    else:
        pinned = PROTOCOL_VERSION[side.protocol]
        wanted = {pinned} if pinned in rules.versions else set()
    wanted -= {OPTION_VERSION[o] for o in side.options if o in OPTION_VERSION}
    if side.capable is not None:
        if side.refused is None:
            wanted &= set(side.capable)
        else:
            wanted -= set(side.refused)
    if not (rules.contiguous and side.flexible and client):
        return frozenset(wanted)
    run: list = []
    for v in rules.versions:  # oldest first: keep the first unbroken run
        if v in wanted:
            run.append(v)
        elif run:
            break
    return frozenset(run)


def verifies(chain: Chain, trusts: Iterable[str]) -> Tuple[bool, str]:
    """Rule 5: does ``chain`` verify for a verifier trusting ``trusts``?"""
    trusted = set(trusts)
    if chain.defect:
        return False, f"the leaf is {chain.defect}"
    if not chain.issuers or chain.issuers[-1] not in trusted:
        return False, "the chain does not end at a trusted root"
    missing = [ca for ca in chain.issuers[:-1] if ca not in chain.sent and ca not in trusted]
    if missing:
        return False, f"{', '.join(missing)} neither sent nor trusted"
    return True, "chain verifies"


#: A side left with no version by its policy (not by its options) fails either way.
POLICY_REASONS = ("protocol-version", "no-shared-cipher")


def _fail(failing: str, reason: object, why: str) -> Verdict:
    reasons = tuple(reason) if isinstance(reason, tuple) else (str(reason),)
    return Verdict(ok=False, failing=failing, reasons=reasons, why=why)


def _empty(side: Side, name: str, rules: Rules, client: bool) -> Verdict:
    configured = enabled_versions(side.with_(capable=None, refused=None, supported=side.library_versions(rules)),
                                  rules, client=client)
    if configured:
        other = "server" if name == "client" else "client"
        verdict = _fail(name, POLICY_REASONS, f"the {name}'s policy leaves none of its versions "
                        f"({', '.join(sorted(configured, key=_rank))}) usable (or, if it still offers "
                        f"them, the {other} finds no usable suite or signature first)")
        return dataclasses.replace(verdict, alternative=(other, POLICY_REASONS))
    what = "protocol, options and version bounds" if side.bounded else "protocol and options"
    return _fail(name, "protocol-version", f"the {name}'s {what} enable no version")


def _unusable(side: Side, chosen: str) -> bool:
    return side.capable is not None and chosen not in side.capable


def _policy_fail(first: str, why: str) -> Verdict:
    other = "client" if first == "server" else "server"
    return dataclasses.replace(_fail(first, POLICY_REASONS, why), alternative=(other, POLICY_REASONS))


def _negotiate(client: Side, server: Side, rules: Rules) -> Tuple[Optional[str], Optional[Verdict]]:
    """Rules 1-4, then whether the chosen version is usable by both policies."""
    chosen, failure = _choose(client, server, rules)
    if failure is not None:
        for name, side, as_client in (("client", client, True), ("server", server, False)):
            enabled = enabled_versions(side, rules, client=as_client)
            if (failure.alternative is None and name != failure.failing and enabled
                    and all(_unusable(side, v) for v in enabled)):
                failure = dataclasses.replace(failure, alternative=(name, POLICY_REASONS),
                                              why=f"{failure.why} (or the {name}, with no usable "
                                              "version under its policy, gives up first)")
        return None, failure
    assert chosen is not None
    if _unusable(client, chosen):
        return None, _policy_fail("client", f"{chosen} is enabled on both sides but the client's policy "
                                  "cannot complete it (no usable suite or signature)")
    return chosen, None


def _choose(client: Side, server: Side, rules: Rules) -> Tuple[Optional[str], Optional[Verdict]]:
    """Rules 1-4: the chosen version, or the failure verdict."""
    c, s = enabled_versions(client, rules), enabled_versions(server, rules, client=False)
    if not c:
        return None, _empty(client, "client", rules, True)
    if not s:
        return None, _empty(server, "server", rules, False)
    c_max = max(c, key=_rank)
    sslv2_format = c == {"SSLv2"} or (rules.sslv2_hello and client.flexible and "SSLv2" in c)
    if sslv2_format and not (server.flexible or server.protocol == "SSLv2"):
        return None, _fail("server", "protocol-version",
                           "an SSLv2-format hello reaches a server that only parses SSLv3+ records")
    if not sslv2_format and not server.flexible and server.protocol == "SSLv2":
        return None, _fail("server", "protocol-version", "an SSLv3+ hello reaches an SSLv2-only server")
    if server.flexible:
        if c_max == "TLSv1.3":   # supported_versions: the server sees every offered version
            offered = c
        else:                    # legacy: only the stated highest version is known
            offered = frozenset(v for v in rules.versions if _rank(v) <= _rank(c_max))
        common = s & offered
        if not common:
            return None, _fail("server", "protocol-version",
                               f"no version of the client's ({', '.join(sorted(c, key=_rank))}) "
                               f"is enabled on the server ({', '.join(sorted(s, key=_rank))})")
        chosen = max(common, key=_rank)
    else:
        (chosen,) = s
        stated = "TLSv1.2" if c_max == "TLSv1.3" else c_max
        if _rank(stated) < _rank(chosen):
            return None, _fail("server", "protocol-version",
                               f"the client's highest version {c_max} is below the server's {chosen}")
        if c == {"TLSv1.3"} and chosen != "TLSv1.3":
            return None, _fail("server", ("no-shared-cipher", "protocol-version"),
                               f"the client enables only TLS 1.3: it offers only TLS 1.3 suites, which "
                               f"a {chosen}-only server lacks (newer OpenSSL rejects the version first)")
    if _unusable(server, chosen):  # the server fails while building its answer
        return None, _policy_fail("server", f"the server chose {chosen}, which its policy cannot "
                                  "complete (no usable suite or signature)")
    if chosen not in c:
        verdict = _fail("client", "protocol-version", f"the server chose {chosen}, which the client does not enable")
        if client.capable is not None and chosen not in client.capable:
            # The client's policy may offer no suite usable at that version:
            # then the server gives up first.
            verdict = dataclasses.replace(verdict, alternative=("server", ("no-shared-cipher",)),
                                          why=verdict.why + " (or, its policy offering no suite for "
                                          f"{chosen}, the server finds no shared cipher first)")
        return None, verdict
    if rules.downgrade_sentinel and client.flexible and server.flexible and _rank(c_max) > _rank(chosen):
        # OpenSSL marks below 1.2 only when 1.2 itself is enabled, so that a
        # server with a hole at 1.2 still serves older clients.
        marks = ((chosen == "TLSv1.2" and "TLSv1.3" in s)
                 or (_rank(chosen) < _rank("TLSv1.2") and "TLSv1.2" in s))
        if marks:
            return None, _fail("client", "protocol-version",
                               f"the server settled on {chosen} while it could go higher and marked the "
                               f"downgrade; the client (up to {c_max}) aborts")
    return chosen, None


def expect(client: Side, server: Side, rules: Rules = MODERN) -> Verdict:
    """The expected outcome of ``client`` connecting to ``server`` under ``rules``."""
    if (client.protocol, server.protocol) in rules.errata:
        version = PROTOCOL_VERSION.get(server.protocol)
        return Verdict(ok=True, version=version, client_peercert="unvalidated", server_peercert="none",
                       why="as the spec's table says (an erratum: no rule derives it)")
    chosen, failure = _negotiate(client, server, rules)
    if failure is not None:
        return failure
    # Rule 5: the client checks the server first.
    client_form = "unvalidated"
    if client.verify != "NONE":
        if server.cert is None:
            return _fail("client", "certificate-verify-failed", "the server presents no certificate")
        ok, why = verifies(server.cert, client.trusts)
        if not ok:
            return _fail("client", "certificate-verify-failed", f"server certificate: {why}")
        client_form = "validated"
    elif server.cert is None:
        client_form = "none"
    server_form = "none"
    if server.verify != "NONE":
        if client.cert is None:
            if server.verify == "REQUIRED":
                return _fail("server", "certificate-required", "CERT_REQUIRED and the client sends no certificate")
        else:
            ok, why = verifies(client.cert, server.trusts)
            if not ok:
                return _fail("server", "certificate-verify-failed", f"client certificate: {why}")
            server_form = "validated"
    return Verdict(ok=True, version=chosen, client_peercert=client_form, server_peercert=server_form,
                   why=f"both enable {chosen}; it is the highest the server accepts")
