"""An implementation's version floor, measured against a third-party peer.

``capabilities.probe`` learns what versions an implementation completes *with
itself*; that cannot tell a floor from a ceiling on the other side.  Here a
client of the implementation (``PROTOCOL_SSLv23``, under each cipher policy,
no verification) connects to ``openssl s_server`` pinned to one version at a
time (``-tls1`` ... ``-tls1_3``, ``@SECLEVEL=0`` so the peer really offers it):
the versions that complete, and the lowest of them, are the floor the
implementation shows a real peer.  The probes run concurrently (one short
process each) and are recorded in results.json under the implementation's
``capabilities.floor``; without the CLI the entry says why.
"""
from __future__ import annotations

import concurrent.futures
from typing import Any, Dict, List, Optional

__all__ = ["probe_floor"]

VERSIONS = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")
POLICIES = ("default", "legacy")


def _one(impl: Any, certs: Any, policy: str, version: str, timeout: float) -> str:
    from .env import Env
    from .peers import PeerConfig, endpoint, impl_client_to_peer

    env = Env(impl, certs, timeout=timeout)
    try:
        ctx = env.context("SSLv23", policy=policy)
        side, peer = impl_client_to_peer(env, ctx, endpoint("openssl-cli"),
                                         PeerConfig(version=version, cert="server", policy="legacy"))
        if side.ok and side.version == version:
            return "ok"
        return f"refused ({side.reason})" if not side.ok else f"negotiated {side.version}"
    except Exception as exc:  # a probe never breaks the run
        return f"error: {type(exc).__name__}: {exc}"
    finally:
        env.close()


def probe_floor(impl: Any, certs: Any, *, timeout: float = 5.0) -> Dict[str, Any]:
    """``{"peer": ..., "default": {"floor": "TLSv1.2", "versions": {...}}, "legacy": ...}``."""
    from .peers import endpoint

    try:
        ep = endpoint("openssl-cli")
        why: Optional[str] = ep.available()
    except ImportError as exc:
        why = str(exc)
    if why is not None:
        return {"peer": None, "unavailable": why}
    jobs = [(p, v) for p in POLICIES for v in VERSIONS if v in ep.versions("legacy")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(jobs) or 1) as pool:
        futures = {job: pool.submit(_one, impl, certs, job[0], job[1], timeout) for job in jobs}
        seen = {job: f.result() for job, f in futures.items()}
    out: Dict[str, Any] = {"peer": ep.describe()}
    for policy in POLICIES:
        versions = {v: seen[(p, v)] for p, v in jobs if p == policy}
        ok: List[str] = [v for v in VERSIONS if versions.get(v) == "ok"]
        out[policy] = {"floor": ok[0] if ok else None, "versions": versions}
    return out
