"""The versions an implementation completes, measured against a third-party peer.

``capabilities.probe`` first learns what versions an implementation completes
*with itself*, each version pinned by the implementation's own ``OP_NO_*``
options.  That measurement trusts the very options the suite is checking: an
implementation that ignores ``OP_NO_TLSv1`` pins the wrong version, the probe
records the wrong capabilities, and the oracle then expects the wrong thing
in every cell.  So the versions are measured a second time here, without
relying on the implementation at all: a client of the implementation
(``PROTOCOL_SSLv23``, no options, under each cipher policy, no verification)
connects to a third-party server pinned to one version at a time --
``openssl s_server -tls1`` ... ``-tls1_3`` at ``@SECLEVEL=0`` so the peer
really offers it, or tlslite-ng when the CLI is missing.  The answer per
version is ``"ok"`` or ``"refused (<reason>)"`` (``SSLError`` or ``OSError``);
the lowest version that completes is the floor the implementation shows a
real peer.  A client that stopped in any other way, or a harness or peer
that broke, measured nothing: ``"broken: <cause>"``, recorded with its
origin in the implementation's ``capabilities.broken`` (``conformance.harness.causes``).

:func:`third_party_verdicts` turns the measurement into what the oracle
needs; ``capabilities.probe`` lets it override the self-probe and records
where the two disagree (the ``floor/...`` cases report each disagreement).
The probes run two at a time (one short process each: more at once
buys no time and costs ~7 MiB each) and are recorded in
results.json under the implementation's ``capabilities.floor``; without a
third-party peer the entry says why and the self-probe stands.
"""
from __future__ import annotations

import concurrent.futures
from typing import Any, Dict, List, Optional, Tuple

from ..harness.env import Env
from ..harness.measurement import describe, harness_cause, non_tls_cause
from ..judge.protocols import POLICIES
from ..peers import PeerConfig, impl_client_to_peer
from ..peers.pinned import MEASURED, pinned_servers

__all__ = ["probe_floor", "third_party_verdicts", "MEASURED"]




def _one(impl: Any, certs: Any, ep: Any, cert: str, policy: str, version: str,
         timeout: float) -> Tuple[str, Optional[Dict[str, str]]]:
    """One measurement: ``("ok" | "refused (<reason>)" | "negotiated <v>", None)``;
    ``("broken: ...", cause)`` when the client stopped other than by a TLS outcome
    or the harness or peer broke (``conformance.harness.causes``); ``("error: ...", None)``
    when the module refused to set up the client at all (inconclusive)."""
    env = Env(impl, certs, timeout=timeout)
    try:
        try:
            ctx = env.context("SSLv23", policy=policy)
        except Exception as exc:  # a probe never breaks the run
            cause = non_tls_cause(exc, impl.module, "setting up the client")
            if cause is None:
                return f"error: {type(exc).__name__}: {exc}", None
            return f"broken: {describe(cause)}", cause
        try:
            side, _ = impl_client_to_peer(env, ctx, ep, PeerConfig(version=version, cert=cert, policy="legacy"))
        except Exception as exc:  # endpoints report TLS failures; this is the harness or the peer
            cause = harness_cause(exc)
            return f"broken: {describe(cause)}", cause
    finally:
        env.close()
    cause = non_tls_cause(side.error, impl.module, "the client side")
    if cause is not None:
        return f"broken: {describe(cause)}", cause
    if side.ok and side.version == version:
        return "ok", None
    return (f"refused ({side.reason})" if not side.ok else f"negotiated {side.version}"), None


def probe_floor(impl: Any, certs: Any, *, timeout: float = 5.0) -> Dict[str, Any]:
    """``{"peer": "openssl-cli (...)", "pinned_by": {version: peer name},
    "default": {"floor": "TLSv1.2", "versions": {version: "ok" | "refused (reason)" | ...}},
    "legacy": ..., "broken": {"policy/version": cause}}`` (``capabilities.probe``
    moves ``broken`` to its own record); ``{"peer": None, "unavailable": why}``
    without peers."""
    chosen, why = pinned_servers()
    if not chosen:
        return {"peer": None, "unavailable": why or "no third-party peer can pin a version"}
    jobs = [(p, v) for p in POLICIES for v in MEASURED if v in chosen]
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(jobs), 2)) as pool:
        futures = {job: pool.submit(_one, impl, certs, *chosen[job[1]], job[0], job[1], timeout)
                   for job in jobs}
        seen = {job: f.result() for job, f in futures.items()}
    used = list(dict.fromkeys(ep.describe() for ep, _ in chosen.values()))
    out: Dict[str, Any] = {"peer": ", ".join(used),
                           "pinned_by": {v: chosen[v][0].name for v in MEASURED if v in chosen},
                           "broken": {f"{p}/{v}": seen[(p, v)][1] for p, v in jobs if seen[(p, v)][1]}}
    for policy in POLICIES:
        versions = {v: seen[(p, v)][0] for p, v in jobs if p == policy}
        ok: List[str] = [v for v in MEASURED if versions.get(v) == "ok"]
        out[policy] = {"floor": ok[0] if ok else None, "versions": versions}
    return out


def third_party_verdicts(floor: Dict[str, Any], policy: str) -> Dict[str, Tuple[bool, str]]:
    """``version -> (completes, note)`` for every version the peer measured
    conclusively under ``policy``; a client the module refused to set up
    (``error: ...``) is left out, so the self-probe answers for it, and so is
    a broken probe (``broken: ...``: ``Capabilities.versions`` refuses to
    answer for its policy).

    ``note`` is in the self-probe's form (``"ok"`` or ``"failed (<reason>): ..."``)
    so that ``Capabilities.refused`` reads both alike.
    """
    pinned_by = floor.get("pinned_by") or {}
    out: Dict[str, Tuple[bool, str]] = {}
    for version, seen in ((floor.get(policy) or {}).get("versions") or {}).items():
        if seen == "ok":
            out[version] = (True, "ok")
        elif seen.startswith("refused ("):
            reason = seen[len("refused ("):].rstrip(")")
            peer = pinned_by.get(version, "a third-party peer")
            out[version] = (False, f"failed ({reason}): refused {peer} pinned to {version}")
    return out
