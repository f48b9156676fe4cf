"""Third-party servers pinned to one version each: the measuring stick of the
version probes.

An implementation's own ``OP_NO_*`` options cannot tell which versions it
really completes (they are what the suite checks), so the probes measure
against a peer nobody here wrote: ``openssl s_server`` pinned to each
version, or tlslite-ng (which still speaks SSLv3) where the CLI cannot.
:func:`pinned_servers` picks, per version, the first peer of :data:`PEERS`
that runs here and can pin it; :func:`measure_client` runs a client that is
not in this process (an agent) against each -- in-process clients are
measured by ``conformance.probe.third_party``.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Optional, Tuple

from ..harness.measurement import harness_cause, result_cause
from ..judge.protocols import VERSIONS
from . import PeerConfig, endpoint

__all__ = ["PEERS", "MEASURED", "pinned_servers", "measure_client"]

#: the versions measured against a third party (no peer here speaks SSLv2)
MEASURED = VERSIONS[1:]
#: Third-party peers in order of preference -> the server fixture each uses
#: (tlslite: RSA, which SSLv3 needs).
PEERS = (("openssl-cli", "server"), ("tlslite", "server-rsa"))


def pinned_servers() -> Tuple[Dict[str, Tuple[Any, str]], str]:
    """``version -> (endpoint, cert)``: for each version, the first peer of
    :data:`PEERS` that runs here and can pin it; and why peers are missing."""
    chosen: Dict[str, Tuple[Any, str]] = {}
    reasons = []
    for name, cert in PEERS:
        try:
            ep = endpoint(name)
            why = ep.available()
        except ImportError as exc:
            why = str(exc)
        if why is not None:
            reasons.append(f"{name}: {why}")
            continue
        for version in MEASURED:
            if version in ep.versions("legacy"):
                chosen.setdefault(version, (ep, cert))
    return chosen, "; ".join(reasons)


def measure_client(connect: Callable[[Any], Any], certs: Any,
                   timeout: float) -> Dict[str, Tuple[bool, str, Optional[Dict[str, str]]]]:
    """The same measurement for a client that is not in this process (an agent):
    ``connect(address, answer)`` runs one client connection sending the
    default payload and expecting ``answer`` back (what the peer answers), and
    returns its ``PeerResult``.  ``version -> (completes, reason, broken)`` for
    every version a third-party peer here can pin; ``broken`` is the cause
    (``conformance.harness.causes``) when the client stopped other than by a TLS
    outcome or the harness or peer broke, else None."""
    chosen, _ = pinned_servers()
    out: Dict[str, Tuple[bool, str, Optional[Dict[str, str]]]] = {}
    for version, (ep, cert) in chosen.items():
        config = PeerConfig(version=version, cert=cert, policy="legacy")
        try:
            with ep.server(config, certs, timeout) as srv:
                result = connect(srv.address, ep.answer(config.payload))
                srv.result()
        except Exception as exc:  # noqa: BLE001 - a probe never breaks the run
            out[version] = (False, "broken", harness_cause(exc))
            continue
        completes = bool(result.ok and result.version == version)
        out[version] = (completes, "ok" if completes else str(result.reason),
                        result_cause(result, "the client side"))
    return out
