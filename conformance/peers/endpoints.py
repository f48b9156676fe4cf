"""The endpoints of one run, by name: what the interop matrix connects.

Every ``--impl`` loaded in this process is an :class:`InProcess` endpoint
(with the capabilities the session probed), every ``--peer
INTERPRETER:MODULE`` an :class:`Agent` in another interpreter, and every
built-in ``--peer`` (``openssl-cli``, ``tlslite``) a third-party endpoint.
The session owns one :class:`Endpoints`; each endpoint is made once, when
first asked for (an agent's process lives as long as the run).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Sequence

from . import Endpoint, endpoint
from .agent import Agent
from .inprocess import InProcess
from .peerspec import PeerSpec

__all__ = ["Endpoints"]


class Endpoints:
    """``Endpoints(impls, caps_of, peers, timeout)``: the endpoints of a run.

    ``impls`` are the loaded implementations by name, ``caps_of(name)`` their
    probed capabilities, ``peers`` the ``--peer`` specs.
    """

    def __init__(self, impls: Mapping[str, Any], caps_of: Callable[[str], Any],
                 peers: Sequence[PeerSpec], *, timeout: float,
                 static_facts: Callable[[str], Dict[str, Any]]):
        self.impls, self.caps_of, self.peers, self.timeout = impls, caps_of, list(peers), timeout
        self.static_facts = static_facts
        self._made: Dict[str, Endpoint] = {}

    def __call__(self, name: str) -> Endpoint:
        """The endpoint called ``name``."""
        if name not in self._made:
            if name in self.impls:
                self._made[name] = InProcess(self.impls[name], self.caps_of(name))
            else:
                spec = next(p for p in self.peers if p.name == name)
                self._made[name] = (endpoint(spec.builtin) if spec.builtin
                                    else Agent(spec, timeout=2 * self.timeout))
        return self._made[name]

    def is_builtin(self, name: str) -> bool:
        """Is ``name`` a third-party peer (not a Python ssl module)?"""
        return any(p.name == name and p.builtin for p in self.peers)

    def facts(self, name: str) -> Dict[str, Any]:
        """What expectations match on (interpreter, OpenSSL) for ``name``; ``{}`` if unknown."""
        if name in self.impls:
            return self.static_facts(name)
        ep = self(name)
        if isinstance(ep, Agent) and ep.available() is None:
            return {"interpreter": ep.facts["interpreter"], **ep.facts["openssl"]}
        return {}

    def describe_peers(self) -> Dict[str, Dict[str, Any]]:
        """The results.json ``peers`` entry: what each ``--peer`` is (an agent
        is asked its interpreter, module and OpenSSL), or why it cannot run."""
        out: Dict[str, Dict[str, Any]] = {}
        for spec in self.peers:
            entry: Dict[str, Any] = {"kind": "third-party" if spec.builtin else "agent"}
            try:
                ep = self(spec.name)
                why = ep.available()
                entry["description"] = ep.describe()
                if why is None and spec.is_agent:
                    hello = ep.facts  # type: ignore[attr-defined]
                    entry.update(interpreter=hello["interpreter"], module=hello["impl"].get("module"),
                                 module_file=hello["impl"].get("module_file"), **hello["openssl"])
            except Exception as exc:  # noqa: BLE001 - describing a peer never costs the results
                why = f"{type(exc).__name__}: {exc}"
                entry.setdefault("description", spec.name)
            entry["available"] = why is None
            if why is not None:
                entry["unavailable"] = why
            out[spec.name] = entry
        return out

    def pairs(self) -> List[tuple]:
        """Ordered (client, server) pairs of the interop matrix: at least one
        ``--peer``, at least one Python module."""
        names = list(self.impls) + [p.name for p in self.peers]
        python = set(self.impls) | {p.name for p in self.peers if p.is_agent}
        in_process = set(self.impls)
        return [(c, s) for c in names for s in names
                if not (c in in_process and s in in_process) and (c in python or s in python)]
