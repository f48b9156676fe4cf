"""The versions an implementation completes: with itself versus with a third party.

The oracle needs to know which versions each implementation can complete
under each cipher policy (its floor, its ceiling).  ``capabilities.probe``
measures it twice: pinning each version with the implementation's own
``OP_NO_*`` options (or ``PROTOCOL_*``) against itself, and with a plain
SSLv23 client against ``openssl s_server`` / tlslite-ng pinned to that
version (``conformance.probe.third_party``).  The second answer is the one the oracle
uses.  Each ``floor/{policy}/{version}`` case passes when the two agree and
fails when they do not -- typically an implementation whose version options
are ignored, which would otherwise only show as a scatter of matrix cells
with puzzling expectations.  ``unsupported`` when no third-party peer runs
here or it cannot pin the version, or when the implementation has no option
to pin it.  A probe of the policy that broke (``Capabilities.broken``) fails
the cell with its cause: two measurements of nothing agree, and prove nothing.

Observed: ``completes`` (the third party's answer), ``floor`` (the lowest
version completed under the policy) and the peer.
"""
from __future__ import annotations

from typing import Any, Dict

from ..judge.protocols import POLICIES
from ..peers.pinned import MEASURED
from ..probe.third_party import third_party_verdicts
from ..harness.registry import CaseFailure, Unsupported, table

ROWS = [{"policy": p, "version": v} for p in POLICIES for v in MEASURED]


@table("floor/{policy}/{version}", spec="SSLContext.options",
       basis="spec",
       cite="It prevents the peers from choosing TLSv1 as the protocol version.", rows=ROWS)
def floor_cell(env: Any, policy: str, version: str) -> Dict[str, Any]:
    caps = env.caps
    caps.require_measured(policy)
    floor = caps.floor or {}
    peer = floor.get("peer")
    if not peer:
        raise Unsupported("peer:third-party", str(floor.get("unavailable") or "no third-party peer probe"))
    verdicts = third_party_verdicts(floor, policy)
    if version not in verdicts:
        seen = ((floor.get(policy) or {}).get("versions") or {}).get(version)
        raise Unsupported(f"peer:{version}", f"{peer} cannot pin {version}" if seen is None
                          else f"the probe against {peer} was inconclusive: {seen}")
    completes, note = verdicts[version]
    peer = (floor.get("pinned_by") or {}).get(version, peer)
    differ = caps.disagreements.get(f"{policy}/{version}")
    if differ and differ["self"].startswith("cannot pin"):
        raise Unsupported(f"pin:{version}", f"{env.impl.name} has no options to pin {version} "
                          f"({differ['self']})")
    if differ:
        did = "completes" if completes else f"does not complete ({note})"
        raise CaseFailure(
            f"{policy} policy: a plain SSLv23 client {did} {version} against {peer} pinned to "
            f"{version}; pinned to {version} by its own options against itself, it gave "
            f"{differ['self']!r}: " + ("the options that pin a version are not honoured" if completes else
                                       "it completes with itself what a third party cannot reach"),
            expected=f"{version}: {'ok' if completes else note}", actual=differ["self"])
    return {"pinned": version, "completes": completes, "third_party": note,
            "floor": (floor.get(policy) or {}).get("floor"), "peer": peer}
