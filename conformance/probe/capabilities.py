"""Probing what an implementation can really do.

Which ``PROTOCOL_*`` constants exist is a matter of ``hasattr``; which
protocol versions complete a handshake is not, so it is measured twice,
once at the default cipher policy and once under the legacy policy
(``@SECLEVEL=0`` and the lowest version floor):

1. *with itself*: for each version the module can pin (through ``OP_NO_*``
   on an SSLv23 context, or a version-specific ``PROTOCOL_*``), a client of
   the implementation handshakes with a server of the same implementation;
2. *with a third party* (``conformance.probe.third_party``): a plain SSLv23 client of
   the implementation against ``openssl s_server`` (or tlslite-ng) pinned to
   each version -- a measurement that does not depend on the options under
   test.

Where the third party measured a version, its answer is the capability (an
implementation that ignores its own ``OP_NO_*`` would otherwise mislead the
oracle in every cell); the self-probe answers for the rest (SSLv3 without
tlslite, or everything when no third-party peer runs here).  The results
are ``versions_default`` and ``versions_seclevel0``; ``self_probe`` keeps
the first measurement and ``disagreements`` every version where the two
differ (each is a ``floor/...`` case failure).

A probe measures only when it ends the documented way: completed, or
refused with ``SSLError``/``OSError``.  One that ends otherwise -- an
``AttributeError`` from a socket without ``do_handshake()``, any other
exception of the implementation's API, an exception of the harness or the
peer -- is recorded in ``broken`` with its cause and origin
(``conformance.harness.causes``), and :meth:`Capabilities.versions` (which every
reader of the measured versions goes through: the oracle's inputs, the
floor cases, the peer cells) raises ``ProbeBroken`` for its policy instead
of answering: no verdict is derived from a probe that measured nothing.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, FrozenSet, List, NamedTuple, Optional, Tuple

from ..judge.protocols import PINNED_PROTOCOL, PROTOCOL_NAMES, VERSIONS, pin_options
from ..harness.measurement import ProbeBroken, describe as describe_cause, harness_cause, non_tls_cause
from .third_party import probe_floor, third_party_verdicts
from ..harness.env import Env
from ..harness.impls import Impl, interpreter_info
from ..harness.loopback import tls_pair

__all__ = ["Capabilities", "probe"]



@dataclasses.dataclass
class Capabilities:
    """What the probe found; ``as_json()`` goes into results.json."""

    protocols: Dict[str, Any]
    options: List[str]
    versions_default: FrozenSet[str]
    versions_seclevel0: FrozenSet[str]
    has_version_method: bool
    has_minimum_version: bool
    openssl: Dict[str, Any]
    notes: Dict[str, str] = dataclasses.field(default_factory=dict)
    #: the version floor shown to a third-party peer (``conformance.probe.third_party``)
    floor: Dict[str, Any] = dataclasses.field(default_factory=dict)
    #: policy -> the versions completed with itself, pinned by its own options
    self_probe: Dict[str, FrozenSet[str]] = dataclasses.field(default_factory=dict)
    #: "policy/version" -> {"self": note, "third_party": note} where the two probes differ
    disagreements: Dict[str, Dict[str, str]] = dataclasses.field(default_factory=dict)
    #: "self/policy/version" or "third-party/policy/version" -> {"cause", "origin", "where"}:
    #: the probes that ended for a reason other than the TLS outcome they measure
    broken: Dict[str, Dict[str, str]] = dataclasses.field(default_factory=dict)
    #: the implementation's name, for messages
    impl: str = "the implementation"

    def broken_under(self, policy: str) -> List[Tuple[str, Dict[str, str]]]:
        """The broken probes of ``policy``, the self-probe's first."""
        if not self.broken:  # the common case, asked for every cell
            return []
        return [(k, v) for k, v in sorted(self.broken.items()) if k.split("/")[1] == policy]

    def require_measured(self, policy: str) -> None:
        """``ProbeBroken`` (a ``CaseFailure``) if a probe of ``policy`` broke."""
        broken = self.broken_under(policy)
        if broken:
            raise ProbeBroken(self.impl, policy, broken)

    def versions(self, policy: str) -> FrozenSet[str]:
        """The versions completed under ``policy``; ``ProbeBroken`` if a probe of it broke."""
        self.require_measured(policy)
        return self.versions_seclevel0 if policy == "legacy" else self.versions_default

    def refused(self, policy: str) -> FrozenSet[str]:
        """Versions ``policy`` turns off outright (``oracle.Side.refused``): the
        probe found them failing for a protocol-version reason ("no protocols
        available"), or never tried them."""
        capable = self.versions(policy)
        refused = set()
        for version in VERSIONS:
            if version in capable:
                continue
            note = self.notes.get(f"{policy}/{version}", "")
            if not note.startswith("failed (") or note.startswith("failed (protocol-version)"):
                refused.add(version)
        return frozenset(refused)

    def as_json(self) -> Dict[str, Any]:
        return {
            "protocols": sorted(self.protocols),
            "options": self.options,
            "versions_default": [v for v in VERSIONS if v in self.versions_default],
            "versions_seclevel0": [v for v in VERSIONS if v in self.versions_seclevel0],
            "has_version_method": self.has_version_method,
            "has_minimum_version": self.has_minimum_version,
            "notes": self.notes,
            "floor": self.floor,
            "self_probe": {p: [v for v in VERSIONS if v in vs] for p, vs in self.self_probe.items()},
            "disagreements": self.disagreements,
            "broken": self.broken,
        }


class Measured(NamedTuple):
    """One probe's answer: ``note`` is ``"ok"``, ``"failed (<reason>): ..."``,
    ``"negotiated <version>"`` or why nothing was tried; ``broken`` the cause
    (``conformance.harness.causes``) when it measured nothing."""

    completes: bool
    note: str
    broken: Optional[Dict[str, str]] = None


def _probe_version(impl: Impl, certs: Any, version: str, policy: str, timeout: float) -> Measured:
    env = Env(impl, certs, timeout=timeout)
    try:
        try:
            options = pin_options(impl.module, version)
            if options is not None:
                client = env.context("SSLv23", options=options, policy=policy)
            elif PINNED_PROTOCOL.get(version) and impl.has("PROTOCOL_" + PINNED_PROTOCOL[version]):
                client = env.context(PINNED_PROTOCOL[version], policy=policy)
            else:
                return Measured(False, "cannot pin this version")
            server = env.context("SSLv23", cert="server", policy=policy)
        except Exception as exc:  # the module refused the configuration, or its API broke
            return Measured(False, f"{type(exc).__name__}: {exc}",
                            non_tls_cause(exc, impl.module, "setting up the contexts"))
        try:
            out = tls_pair(client, server, timeout=timeout)
        except Exception as exc:  # the sides report their own errors: this is the harness's
            broken = harness_cause(exc)
            return Measured(False, f"broken: {describe_cause(broken)}", broken)
    finally:
        env.close()
    for name, side in (("client", out.client), ("server", out.server)):
        broken = non_tls_cause(side.error, impl.module, f"the {name} side")
        if broken is not None:
            return Measured(False, f"broken: {describe_cause(broken)}", broken)
    if out.ok and out.client.version == version:
        return Measured(True, "ok")
    if out.ok:
        return Measured(False, f"negotiated {out.client.version}")
    return Measured(False, out.client.describe())


_CACHE: Dict[Tuple[str, str], Capabilities] = {}


def probe(impl: Impl, certs: Any, *, timeout: float = 5.0) -> Capabilities:
    """Measure ``impl``'s capabilities (memoised per process)."""
    key = (impl.name, str(certs.dir))
    if key in _CACHE:
        return _CACHE[key]
    m = impl.module
    found: Dict[str, FrozenSet[str]] = {}
    notes: Dict[str, str] = {}
    broken: Dict[str, Dict[str, str]] = {}
    for policy in ("default", "legacy"):
        ok = set()
        for version in VERSIONS[1:]:
            seen = _probe_version(impl, certs, version, policy, timeout)
            if seen.completes:
                ok.add(version)
            else:
                notes[f"{policy}/{version}"] = seen.note
            if seen.broken is not None:
                broken[f"self/{policy}/{version}"] = seen.broken
        found[policy] = frozenset(ok)
    floor = probe_floor(impl, certs, timeout=timeout)
    broken.update({f"third-party/{key}": cause for key, cause in floor.pop("broken", {}).items()})
    self_probe = dict(found)
    disagreements = _prefer_third_party(found, notes, floor)
    ctx_cls = getattr(m, "SSLContext", None)
    caps = Capabilities(
        protocols={n: getattr(m, "PROTOCOL_" + n) for n in PROTOCOL_NAMES if hasattr(m, "PROTOCOL_" + n)},
        options=sorted(n for n in dir(m) if n.startswith("OP_")),
        versions_default=found["default"],
        versions_seclevel0=found["legacy"],
        has_version_method=hasattr(getattr(m, "SSLSocket", object), "version"),
        has_minimum_version=ctx_cls is not None and hasattr(ctx_cls, "minimum_version"),
        openssl=impl.openssl(),
        notes=notes,
        floor=floor,
        self_probe=self_probe,
        disagreements=disagreements,
        broken=broken,
        impl=impl.name,
    )
    _CACHE[key] = caps
    return caps


def _prefer_third_party(found: Dict[str, FrozenSet[str]], notes: Dict[str, str],
                        floor: Dict[str, Any]) -> Dict[str, Dict[str, str]]:
    """Overwrite the self-probe (``found``, ``notes``) with the third party's
    conclusive answers, in place; return where the two disagreed."""
    disagreements: Dict[str, Dict[str, str]] = {}
    for policy in list(found):
        versions = set(found[policy])
        for version, (completes, note) in third_party_verdicts(floor, policy).items():
            key = f"{policy}/{version}"
            before = version in versions
            if completes != before:
                disagreements[key] = {"self": notes.get(key, "ok"), "third_party": note}
            if completes:
                versions.add(version)
                notes.pop(key, None)
            else:
                versions.discard(version)
                notes[key] = note
        found[policy] = frozenset(versions)
    return disagreements


def describe(impl: Impl, caps: Optional[Capabilities]) -> Dict[str, Any]:
    """The ``implementations`` entry of results.json for ``impl``."""
    entry = {"module": impl.name, "module_file": impl.module_file,
             "interpreter": interpreter_info(), **impl.openssl(), "edition": impl.edition}
    entry["capabilities"] = caps.as_json() if caps is not None else None
    return entry
