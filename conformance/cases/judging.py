"""Judging one connection against the oracle: the one judge of every matrix.

The protocol matrix, the verify and options cells, the third-party cells and
the interop matrix all end the same way: a client and a server tried one
connection, ``conformance.judge.oracle`` said what should have happened, and
:func:`judge` compares.  Each side arrives as a :class:`Seen`, made from the
harness's own view of an implementation in this process (:meth:`Seen.of_tls`,
a ``TLSSide`` and its module) or from what a peer reported
(:meth:`Seen.of_peer`: another interpreter's module through the agent, or a
third-party program).

The rules, whoever the sides are:

* the oracle expects a connection: both sides completed it, every side that
  reports a version negotiated the expected one, and a Python side's
  ``getpeercert()`` has the expected form (``none``, ``unvalidated`` ``{}``,
  ``validated``);
* it expects a failure: some side it names (``Verdict.failures``) failed
  promptly -- a Python side with its module's ``SSLError`` and an acceptable
  reason, a third-party peer in any way;
* a Python side that stopped other than with a TLS outcome
  (``conformance.harness.measurement``) is named first in the message: it is
  the cause, whatever the oracle said.

Also here, because the cells share them: labels (``SSLv23+NO_TLSv1``, and
from Python 3.7 ``SSLv23+min=TLSv1_2+max=TLSv1_3``: a ``PROTOCOL_*`` suffix,
``OP_NO_*`` suffixes, then ``TLSVersion`` members set as
``minimum_version`` / ``maximum_version``) and the oracle's view of a context
(:func:`oracle_side`), of a fixture's chain (:func:`chain_of`), and the
observed record of a cell (:func:`observed`).
"""
from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Optional, Tuple

from ..harness.loopback import TLSSide
from ..harness.measurement import describe as describe_cause, non_tls_cause
from ..harness.registry import CaseFailure
from ..judge import apilisting, oracle
from ..judge.editions import key as edition_key
from ..judge.protocols import BOUNDS, MAXIMUM_SUPPORTED, MINIMUM_SUPPORTED, VERSIONS

__all__ = ["Seen", "judge", "judge_pair", "judge_impl_side", "peercert_form", "parse_label",
           "label_bounds", "require_label", "require_bounds", "oracle_side", "supported_versions",
           "chain_of", "observed"]


@dataclasses.dataclass(frozen=True)
class Seen:
    """One side of one connection, as the judge sees it.

    ``python``: the side is a Python ssl module, whose errors must be its
    ``SSLError`` (``ssl_error``) and whose ``getpeercert()`` is judged;
    ``cause``: what stopped it when that was not a TLS outcome.
    """

    ok: bool
    version: Optional[str]
    reason: Optional[str]
    timed_out: bool
    text: str
    python: bool
    ssl_error: Optional[bool] = None
    peercert: Any = None
    cause: str = ""

    @classmethod
    def of_tls(cls, side: TLSSide, module: Any) -> "Seen":
        """A side of ``module`` in this process (``module`` None: a third party's)."""
        if module is None:
            return cls(ok=side.ok, version=side.version, reason=side.reason, timed_out=side.timed_out,
                       text=side.describe(), python=False)
        failed = not side.ok and side.error is not None
        ssl_error = getattr(module, "SSLError", None)
        cause = non_tls_cause(side.error, module) if failed else None
        return cls(ok=side.ok, version=side.version, reason=side.reason, timed_out=side.timed_out,
                   text=side.describe(), python=True, peercert=side.peercert,
                   ssl_error=(isinstance(ssl_error, type) and isinstance(side.error, ssl_error)) if failed
                   else None,
                   cause=describe_cause(cause) if cause else "")

    @classmethod
    def of_peer(cls, result: Any) -> "Seen":
        """What a peer reported (``peers.PeerResult``; a ``PythonResult`` is a Python side)."""
        python = hasattr(result, "tls_outcome")
        return cls(ok=result.ok, version=result.version, reason=result.reason, timed_out=result.timed_out,
                   text=result.describe(), python=python, ssl_error=getattr(result, "ssl_error", None),
                   peercert=getattr(result, "peercert", None),
                   cause=result.error if python and result.tls_outcome is False else "")


def judge(verdict: oracle.Verdict, client: Seen, server: Seen, what: str) -> None:
    """Compare one connection with the oracle's verdict; raise ``CaseFailure``."""
    sides = {"client": client, "server": server}
    lead = next((f"the {name} raised {side.cause} -- " for name, side in sides.items() if side.cause), "")
    what = lead + what  # every message below starts with the cause, when there is one
    seen = {name: side.text for name, side in sides.items()}
    if verdict.ok:
        if not (client.ok and server.ok):
            raise CaseFailure(f"{what}: expected a connection with {verdict.version} ({verdict.why}), "
                              f"but it failed", expected=verdict.short(), actual=seen)
        for name, side in sides.items():
            if (side.python or side.version is not None) and side.version != verdict.version:
                raise CaseFailure(f"{what}: {name} negotiated {side.version}, expected {verdict.version} "
                                  f"({verdict.why})", expected=verdict.version, actual=side.version)
        for name, form in (("client", verdict.client_peercert), ("server", verdict.server_peercert)):
            side = sides[name]
            got = peercert_form(side.peercert) if side.python else None
            if got is not None and form is not None and got != form:
                raise CaseFailure(f"{what}: the {name}'s getpeercert() is {got} ({side.peercert!r:.80}), "
                                  f"expected {form}", expected=form, actual=got)
        return
    if client.ok and server.ok:
        raise CaseFailure(f"{what}: expected {verdict.short()} ({verdict.why}), "
                          f"but the connection succeeded with {client.version}",
                          expected=verdict.short(), actual=client.version)
    problems = []
    for name, reasons in verdict.failures():
        problem = _failure_problem(sides[name], reasons)
        if problem is None:
            return
        problems.append(f"the {name} ({'/'.join(reasons)}) {problem}")
    raise CaseFailure(f"{what}: expected {verdict.short()} ({verdict.why}); " + "; ".join(problems),
                      expected=verdict.short(), actual=seen)


def _failure_problem(side: Seen, reasons: Tuple[str, ...]) -> Optional[str]:
    """What is wrong with how a side failed, or None if it failed as it may."""
    if side.timed_out:
        return "timed out instead of failing promptly"
    if side.ok:
        return "completed"
    if side.python and side.ssl_error is None:
        return "raised nothing"
    if side.python and not side.ssl_error:
        return f"raised {side.text.split(': ', 1)[-1]}, not SSLError"
    if side.python and side.reason not in reasons:
        return f"failed for another reason: {side.text}"
    return None


def judge_impl_side(verdict: oracle.Verdict, mine: TLSSide, theirs: Any, role: str, ssl_module: Any,
                    what: str) -> None:
    """:func:`judge` when only ``role`` is the implementation under test and
    the other side is a third-party peer (``theirs``: a ``PeerResult``)."""
    me, peer = Seen.of_tls(mine, ssl_module), Seen.of_peer(theirs)
    client, server = (me, peer) if role == "client" else (peer, me)
    judge(verdict, client, server, what)


def peercert_form(value: Any) -> str:
    """getpeercert() -> "none" / "unvalidated" ({}) / "validated" (dict with subject)."""
    if value is None:
        return "none"
    if value == {}:
        return "unvalidated"
    if isinstance(value, dict) and "subject" in value:
        return "validated"
    return f"unexpected {type(value).__name__}"


# -- what the oracle is told --------------------------------------------------

def parse_label(label: str) -> Tuple[str, Tuple[str, ...]]:
    """``"SSLv23+NO_TLSv1+max=TLSv1_2"`` -> ``("SSLv23", ("NO_TLSv1",))`` (the bounds: :func:`label_bounds`)."""
    protocol, *parts = label.split("+")
    return protocol, tuple(p for p in parts if "=" not in p)


def label_bounds(label: str) -> Dict[str, str]:
    """``"SSLv23+min=TLSv1_2"`` -> ``{"minimum": "TLSv1_2"}``: the keywords of
    ``Env.context`` and ``oracle.Side`` for the label's version bounds."""
    out = {}
    for part in label.split("+")[1:]:
        key, eq, member = part.partition("=")
        if eq:
            if key not in BOUNDS:
                raise ValueError(f"label {label!r}: {key!r} is not a bound ({', '.join(BOUNDS)})")
            out[BOUNDS[key].split("_")[0]] = member
    return out


def label_until(*labels: str) -> Optional[str]:
    """The first edition that no longer documents a name the labels use
    (``PROTOCOL_SSLv2`` from 3.12): a cell with such a label is not run there."""
    removals = []
    for label in labels:
        protocol, options = parse_label(label)
        for name in ("PROTOCOL_" + protocol, *("OP_" + o for o in options)):
            with contextlib.suppress(KeyError):
                removed = apilisting.span(name)[1]
                if removed is not None:
                    removals.append(removed)
    return min(removals, key=edition_key) if removals else None


def require_label(env: Any, label: str) -> None:
    """``Unsupported`` unless ``env.ssl`` has the label's protocol and options;
    a bound the module cannot set is a failure (:func:`require_bounds`)."""
    protocol, options = parse_label(label)
    env.const("PROTOCOL_" + protocol)
    for option in options:
        env.const("OP_" + option)
    require_bounds(env, **label_bounds(label))


def require_bounds(env: Any, minimum: Optional[str] = None, maximum: Optional[str] = None) -> None:
    """``CaseFailure`` when the module lacks what setting these bounds needs:
    ``TLSVersion``, the member, the ``SSLContext`` attribute -- all documented
    from 3.7, where every case setting them belongs."""
    for attr, member in (("minimum_version", minimum), ("maximum_version", maximum)):
        if member is None:
            continue
        missing = [name for name, there in (
            ("TLSVersion", hasattr(env.ssl, "TLSVersion")),
            (f"TLSVersion.{member}", hasattr(getattr(env.ssl, "TLSVersion", None), member)),
            (f"SSLContext.{attr}", hasattr(getattr(env.ssl, "SSLContext", None), attr))) if not there]
        if missing:
            raise CaseFailure(f"{env.impl.name} has no {missing[0]} (documented since Python 3.7)",
                              expected=missing[0], actual="missing")


def supported_versions(caps: Any) -> FrozenSet[str]:
    """The versions an implementation's library has at all (``oracle.Side.supported``):
    those its legacy policy, which lowers every floor, does not refuse."""
    return frozenset(VERSIONS) - caps.refused("legacy")


def oracle_side(env: Any, label: str, policy: str, **extra: Any) -> oracle.Side:
    """The oracle's view of ``env``'s context for ``label`` under ``policy``."""
    protocol, options = parse_label(label)
    bounds = label_bounds(label)
    magic = set(bounds.values()) & {MINIMUM_SUPPORTED, MAXIMUM_SUPPORTED}
    return oracle.Side(protocol=protocol, options=frozenset(options),
                       capable=frozenset(env.caps.versions(policy)),
                       refused=env.caps.refused(policy), **bounds,
                       supported=supported_versions(env.caps) if magic else None, **extra)


def chain_of(certs: Any, name: str, role: str) -> oracle.Chain:
    """The oracle's view of fixture ``name`` presented from its ``role`` file.

    Issuers are found by subject among the manifest's CAs; the CAs "sent"
    are those whose certificate text is in the presented file; a leaf whose
    manifest verdict is a date problem carries it as its defect.
    """
    cas = {f["subject"]: f["name"] for f in certs.manifest.get("fixtures", []) if f.get("kind") == "ca"}
    leaf = certs.fixture(name)
    issuers: List[str] = []
    issuer = leaf.get("issuer")
    while issuer in cas and cas[issuer] not in issuers:
        issuers.append(cas[issuer])
        ca = certs.fixture(cas[issuer])
        if ca.get("issuer") == ca.get("subject"):
            break
        issuer = ca.get("issuer")
    presented = Path(certs.path(name, role)).read_text(encoding="ascii")
    sent = frozenset(ca for ca in issuers if certs.read(ca).strip() in presented)
    defect = leaf.get("verdict") if leaf.get("verdict") in ("expired", "not-yet-valid") else None
    return oracle.Chain(issuers=tuple(issuers), sent=sent, defect=defect)


def observed(verdict: oracle.Verdict, out: Any, client: str, server: str) -> Dict[str, Any]:
    """What a passing in-process cell records (the report views read it)."""
    return {"version": out.client.version if out.ok else None, "expected": verdict.short(),
            "client": client, "server": server,
            "cipher": list(out.client.cipher) if out.ok and out.client.cipher else None,
            "client_reason": out.client.reason, "server_reason": out.server.reason}


def judge_pair(verdict: oracle.Verdict, out: Any, client_ssl: Any, server_ssl: Any, what: str) -> None:
    """:func:`judge` for a loopback pair of two in-process implementations."""
    judge(verdict, Seen.of_tls(out.client, client_ssl), Seen.of_tls(out.server, server_ssl), what)

