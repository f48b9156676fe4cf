"""The interop matrix: every client side against every server side.

The sides are *endpoints*: each ``--impl`` loaded in this process
(``peers.inprocess``), each ``--peer INTERPRETER:MODULE`` (an ssl module in
another interpreter, through the agent: ``peers.agent``) and each built-in
third-party ``--peer`` (``openssl-cli``, ``tlslite``).  For every ordered
pair in which at least one side is a ``--peer`` -- in-process pairs are the
protocol matrix's own cross-implementation cells -- and at least one side is
a Python ssl module, each cell of :data:`CELLS` runs one connection and is
judged by the oracle (``conformance.judge.oracle``), exactly like the matrix.

Case ids are ``interop/{policy}/{client}=>{server}/{cell}``, e.g.
``interop/legacy/pypy3:ssl=>openssl-cli/versions=TLSv1,any``; the record's
``params`` name ``client_endpoint``, ``server_endpoint``, ``policy`` and
``cell``, and a passing case observes ``{"version": ..., "expected": ...}``.
Because the endpoints come from the command line, these cases are not in the
registry: :func:`interop_cases` makes them for a session.

From Python 3.7 (``since``), :func:`_bound_cells` bound the versions of
either side by ``minimum_version`` / ``maximum_version`` (``PeerConfig.minimum``
/ ``maximum``; a third-party peer takes its own flags): each bound alone,
crossed on the two sides (no common version, exactly one), a minimum above
the maximum on one side, and the magic members; cell names such as
``bounds=min=TLSv1_3,max=TLSv1_2`` (client, server; ``any``: unbounded).  A
Python endpoint whose module cannot set the bounds fails those cells.

A cell pinning a side to a version its endpoint cannot complete under the
policy (``Endpoint.versions``) is ``unsupported``; an endpoint that cannot
run here (interpreter missing, module not importable, no ``openssl``) makes
all its cells ``unsupported`` with that reason; so does a cell asking of a
third-party peer what it does not do (``Endpoint.validates``: certificate
validation; ``Endpoint.tls13_client_auth``: answering a TLS 1.3 certificate
request).
"""
from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..harness.registry import Case, CaseFailure, Unsupported
from ..judge import oracle
from ..judge.protocols import BOUNDS, MAXIMUM_SUPPORTED, MINIMUM_SUPPORTED, OP_NO_OF, PINNABLE, VERSIONS
from ..peers import Endpoint, PeerConfig, PeerResult
from ..peers.agent import Agent
from ..peers.inprocess import InProcess
from .judging import Seen, chain_of, judge

__all__ = ["CELLS", "Cell", "interop_cases", "run_cell"]

ANY = "any"


@dataclasses.dataclass(frozen=True)
class Cell:
    """One connection's set-up: each side's version pin, verify mode, certificate, trust."""

    name: str
    spec: str
    policies: Tuple[str, ...]
    client: PeerConfig
    server: PeerConfig
    #: the first edition documenting what the cell checks
    since: str = "3.2"


def _version_cells() -> List[Cell]:
    pins = [(ANY, ANY)] + [(v, ANY) for v in PINNABLE] + [(ANY, v) for v in PINNABLE] + [
        ("TLSv1.2", "TLSv1.3"), ("TLSv1.3", "TLSv1.2"), ("TLSv1", "TLSv1.2")]

    def version(pin: str) -> Optional[str]:
        return None if pin == ANY else pin

    return [Cell(f"versions={c},{s}", "SSLContext.wrap_socket", ("default", "legacy"),
                 PeerConfig(version=version(c)), PeerConfig(version=version(s), cert="server"))
            for c, s in pins]


def _verify_cells() -> List[Cell]:
    trusting = dict(verify="REQUIRED", trust="root-ca")
    rows = [  # name, client config, server config
        ("server-trusted", PeerConfig(**trusting), PeerConfig(cert="server")),
        ("server-untrusted", PeerConfig(**trusting), PeerConfig(cert="untrusted-leaf")),
        ("server-expired", PeerConfig(**trusting), PeerConfig(cert="expired")),
        ("server-optional-untrusted", PeerConfig(verify="OPTIONAL", trust="root-ca"),
         PeerConfig(cert="untrusted-leaf")),
        ("server-unchecked-untrusted", PeerConfig(), PeerConfig(cert="untrusted-leaf")),
        ("client-cert-required", PeerConfig(cert="client"), PeerConfig(cert="server", **trusting)),
        ("client-cert-required-missing", PeerConfig(), PeerConfig(cert="server", **trusting)),
        ("client-cert-required-untrusted", PeerConfig(cert="untrusted-leaf"),
         PeerConfig(cert="server", **trusting)),
        ("client-cert-optional-missing", PeerConfig(),
         PeerConfig(cert="server", verify="OPTIONAL", trust="root-ca")),
    ]
    return [Cell(f"verify={name}", "SSLContext.verify_mode", ("default",), c, s) for name, c, s in rows]


#: Bounds of the two sides (client, server): each alone, crossed, one side bounded to nothing,
#: the magic members; the third is whether the cell lowers a minimum below TLS 1.2, which
#: lifts the default policy's floor (``conformance.judge.bounds``): legacy policy only.
BOUND_PAIRS = (("min=TLSv1_3", ANY), (ANY, "min=TLSv1_3"), ("max=TLSv1_2", ANY), (ANY, "max=TLSv1_2"),
               ("max=TLSv1_1", ANY), (ANY, "max=TLSv1_1"), ("min=TLSv1_1", "max=TLSv1_1"),
               ("min=TLSv1_3", "max=TLSv1_2"), ("max=TLSv1_2", "min=TLSv1_3"), ("max=TLSv1_2", "min=TLSv1_2"),
               ("min=TLSv1_3+max=TLSv1_2", ANY), (ANY, "min=TLSv1_3+max=TLSv1_2"),
               ("min=MAXIMUM_SUPPORTED", "max=TLSv1_2"), (ANY, "max=MINIMUM_SUPPORTED"))


def _bounds(text: str) -> Dict[str, str]:
    """``"min=TLSv1_3+max=TLSv1_2"`` -> ``{"minimum": "TLSv1_3", "maximum": "TLSv1_2"}`` (``any``: none)."""
    if text == ANY:
        return {}
    pairs = (part.split("=", 1) for part in text.split("+"))
    return {BOUNDS[key].split("_")[0]: member for key, member in pairs}


def _lifts_floor(bounds: Dict[str, str]) -> bool:
    low = bounds.get("minimum")
    return low == MINIMUM_SUPPORTED or low in ("SSLv3", "TLSv1", "TLSv1_1")


def _bound_cells() -> List[Cell]:
    cells = []
    for c, s in BOUND_PAIRS:
        cb, sb = _bounds(c), _bounds(s)
        spec = "SSLContext.minimum_version" if "minimum" in {**cb, **sb} else "SSLContext.maximum_version"
        policies = ("legacy",) if _lifts_floor(cb) or _lifts_floor(sb) else ("default", "legacy")
        cells.append(Cell(f"bounds={c},{s}", spec, policies, PeerConfig(**cb),
                          PeerConfig(cert="server", **sb), since="3.7"))
    return cells


#: The spec's sentence each kind of cell checks (every interop cell's basis is the spec): the
#: base spec's for the cells of edition 3.2, the current documentation's for later ones.
_BOUNDS_CITE = ("The attributes :attr:`~SSLContext.maximum_version`, :attr:`~SSLContext.minimum_version` and "
                ":attr:`SSLContext.options` all affect the supported SSL and TLS versions of the context.")
CITES = {
    "SSLContext.wrap_socket": "Here's a table showing which versions in a client (down the side) can connect "
                              "to which versions in a server (along the top)",
    "SSLContext.verify_mode": "Whether to try to verify other peers' certificates and how to behave if "
                              "verification fails.",
    "SSLContext.minimum_version": _BOUNDS_CITE,
    "SSLContext.maximum_version": _BOUNDS_CITE,
}


#: Every cell, in report order.
CELLS: Tuple[Cell, ...] = tuple(_version_cells() + _verify_cells() + _bound_cells())


# -- endpoints -------------------------------------------------------------

def _usable(ep: Endpoint) -> Endpoint:
    why = ep.available()
    if why is not None:
        raise Unsupported(f"peer:{ep.name}", why)
    return ep


# -- the oracle's view -----------------------------------------------------

def _python(ep: Endpoint) -> bool:
    """Is ``ep`` a Python ssl module (in-process or through the agent)?"""
    return isinstance(ep, (InProcess, Agent))


def _side(ep: Endpoint, config: PeerConfig, certs: Any) -> oracle.Side:
    """The oracle's view of ``ep`` set up as ``config``: a pin is every other
    version's ``OP_NO_*``; a Python module's policy floor is its ``refused``;
    what the magic bounds stand for is what its legacy policy does not refuse
    (a third party's: what it can be pinned to)."""
    pinned = () if config.version is None else tuple(
        OP_NO_OF[v] for v in VERSIONS if v != config.version)
    refused = ep.refused(config.policy) if _python(ep) else None  # type: ignore[attr-defined]
    supported = None
    if {config.minimum, config.maximum} & {MINIMUM_SUPPORTED, MAXIMUM_SUPPORTED}:
        supported = (frozenset(VERSIONS) - ep.refused("legacy") if _python(ep)  # type: ignore[attr-defined]
                     else ep.versions("legacy"))
    return oracle.Side(protocol="SSLv23", options=frozenset(pinned), capable=ep.versions(config.policy),
                       refused=refused, verify=config.verify,
                       cert=None if config.cert is None else chain_of(certs, config.cert, "chain"),
                       trusts=frozenset([config.trust]) if config.trust else frozenset(),
                       minimum=config.minimum, maximum=config.maximum, supported=supported)


def _require_bounds(ep: Endpoint, config: PeerConfig) -> None:
    """A Python endpoint must be able to set the bounds a cell of 3.7+ asks (a failure if not)."""
    wanted = {"minimum_version": config.minimum, "maximum_version": config.maximum}
    wanted = {attr: member for attr, member in wanted.items() if member is not None}
    if not wanted or not _python(ep):
        return
    if isinstance(ep, Agent):
        has = ep.facts["has"]
        members, attrs = set(has.get("tls_versions", ())), {a for a in wanted if has.get(a)}
    else:
        module = ep.impl.module  # type: ignore[attr-defined]
        members = set(getattr(getattr(module, "TLSVersion", None), "__members__", ()))
        attrs = {a for a in wanted if hasattr(getattr(module, "SSLContext", None), a)}
    missing = [f"SSLContext.{a}" for a in wanted if a not in attrs]
    missing += [f"TLSVersion.{m}" for m in wanted.values() if m not in members]
    if missing:
        raise CaseFailure(f"{ep.name} has no {', '.join(missing)} (documented since Python 3.7)",
                          expected=missing, actual="missing")


# -- running one cell ------------------------------------------------------

def run_cell(endpoints: Callable[[str], Endpoint], env: Any, *, client_endpoint: str, server_endpoint: str,
             policy: str, cell: str) -> Dict[str, Any]:
    """One interop connection, judged by the oracle (the case function;
    ``endpoints`` is the session's ``Endpoints``, bound by :func:`interop_cases`)."""
    spec = _CELL_BY_NAME[cell]
    client_ep = _usable(endpoints(client_endpoint))
    server_ep = _usable(endpoints(server_endpoint))
    # A third-party peer is a probe making offers: always at its most permissive
    # (legacy) policy, so that the cell's policy is the Python modules' alone.
    cconf = dataclasses.replace(spec.client, policy=policy if _python(client_ep) else "legacy")
    sconf = dataclasses.replace(spec.server, policy=policy if _python(server_ep) else "legacy")
    for ep, conf in ((client_ep, cconf), (server_ep, sconf)):
        _require_bounds(ep, conf)
        if conf.verify != "NONE" and not ep.validates:
            raise Unsupported(f"peer:{ep.name}:verify", f"{ep.name} does not validate certificates")
        if conf.version is not None and conf.version not in ep.versions(conf.policy):
            raise Unsupported(f"{ep.name}:{conf.version}",
                              f"{ep.name} cannot complete {conf.version} under the {conf.policy} policy")
    if (sconf.verify != "NONE" and not client_ep.tls13_client_auth
            and cconf.version in (None, "TLSv1.3") and "TLSv1.3" in client_ep.versions(cconf.policy)):
        raise Unsupported(f"peer:{client_ep.name}:tls13-client-auth",
                          f"{client_ep.name} cannot answer a TLS 1.3 certificate request")
    verdict = oracle.expect(_side(client_ep, cconf, env.certs), _side(server_ep, sconf, env.certs))
    client, server = _connect(client_ep, server_ep, cconf, sconf, env)
    judge(verdict, Seen.of_peer(client), Seen.of_peer(server),
          f"client {client_ep.name} -> server {server_ep.name} ({policy} policy)")
    return {"version": client.version, "expected": verdict.short(),
            "client": client.describe(), "server": server.describe(),
            "client_reason": client.reason, "server_reason": server.reason,
            "endpoints": {"client": client_ep.describe(), "server": server_ep.describe()}}


def _connect(client_ep: Endpoint, server_ep: Endpoint, cconf: PeerConfig, sconf: PeerConfig,
             env: Any) -> Tuple[PeerResult, PeerResult]:
    answer = server_ep.answer(cconf.payload)
    extra = {} if answer == cconf.payload else {"answer": answer}
    with server_ep.server(sconf, env.certs, env.timeout) as srv:
        client = client_ep.client(srv.address, cconf, env.certs, env.timeout, **extra)
        server = srv.result()
    return client, server


_CELL_BY_NAME = {c.name: c for c in CELLS}


# -- the cases of a run ------------------------------------------------------

def interop_cases(endpoints: Any) -> List[Case]:
    """Every interop case of a run (its ``--impl`` and ``--peer`` endpoints:
    ``peers.endpoints.Endpoints``), ids stable."""
    out = []
    run = functools.partial(run_cell, endpoints)
    for cell in CELLS:
        for policy in cell.policies:
            for client, server in endpoints.pairs():
                out.append(Case(id=f"interop/{policy}/{client}=>{server}/{cell.name}", spec=cell.spec,
                                basis="spec", cite=CITES[cell.spec], since=cell.since,
                                func=run, params={"client_endpoint": client, "server_endpoint": server,
                                                  "policy": policy, "cell": cell.name}))
    return sorted(out, key=lambda c: c.id)
