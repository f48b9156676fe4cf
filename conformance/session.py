"""One run of the suite: the implementations, the expectations, the items.

Independent of pytest so the same logic serves the plugin, the command line
and the tests of the harness itself.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from . import cases as _cases  # noqa: F401  (registers every case)
from .judge.basis import selects
from .judge.editions import DEFAULT as DEFAULT_EDITION, parse as parse_edition
from .cases.interop import interop_cases
from .peers.endpoints import Endpoints
from .probe.capabilities import Capabilities, describe, probe
from .harness.env import CERTS_DIR, Certs, Env
from .judge.expectations import (DEFAULT_PATH, Basis, Expectation, ExpectationError, find_expectation,
                                 load_bases, load_expectations, parse_based_on)
from .harness.impls import Impl, ImplLoadError, load_impl
from .peers.peerspec import PeerSpec, parse_peers
from .harness.registry import Case, cases_for
from .harness.runner import FAILING, Record, run_case

__all__ = ["Item", "Session"]


@dataclasses.dataclass(frozen=True)
class Item:
    """One thing the run checks: a case on an implementation (or a pair),
    an implementation that must load, or an expectation that must be live."""

    kind: str  # "case" | "interop" | "load" | "expectation"
    id: str
    case: Optional[Case] = None
    impl: str = ""
    peer: Optional[str] = None
    detail: str = ""

    def __repr__(self) -> str:
        return f"<Item {self.id}>"


class Session:
    def __init__(self, impl_names: Sequence[str], expectations: List[Expectation],
                 expectation_problem: Optional[str], timeout: float, certs: Certs,
                 case_patterns: Sequence[str] = (), peers: Sequence[PeerSpec] = (),
                 bases: Sequence[Basis] = (), inheritable: Optional[List[Expectation]] = None,
                 edition: str = DEFAULT_EDITION):
        self.impl_names = list(dict.fromkeys(impl_names))
        #: ``--edition``: the release whose documented API the run holds implementations to
        self.edition = edition
        self.peers = list(peers)
        self.timeout = timeout
        self.certs = certs
        self.expectations = expectations
        self.expectation_problem = expectation_problem
        #: ``based_on`` declarations: which implementation inherits whose entries
        self.bases = list(bases)
        #: the entries a wrapper may inherit (the loaded ones, plus the bundled files)
        self.inheritable = expectations if inheritable is None else inheritable
        self.case_patterns = list(case_patterns)
        self.impls: Dict[str, Impl] = {}
        self.problems: Dict[str, str] = {}
        for name in self.impl_names:
            try:
                self.impls[name] = load_impl(name, edition)
            except ImplLoadError as exc:
                self.problems[name] = str(exc)
        self._facts: Dict[str, Dict[str, Any]] = {}
        self._caps: Dict[str, Capabilities] = {}
        #: the endpoints of the interop matrix, made when first asked for
        self.endpoints = Endpoints(self.impls, self.capabilities, self.peers, timeout=self.timeout,
                                   static_facts=self.static_facts)
        #: ``--rerun-failures N``: how many more times a failing case is run.
        self.rerun_failures = 0
        #: ``--basis``: ``all``, or the one basis (``spec``, ``cpython``) whose cases run.
        self.basis = "all"
        self._interop: Optional[List[Case]] = None
        self._by_id: Optional[Dict[str, Item]] = None

    @classmethod
    def from_options(cls, *, impls: Sequence[str], expectations: Sequence[str] = (),
                     timeout: float = 5.0, certs: Optional[str] = None,
                     case_patterns: Sequence[str] = (), peers: Sequence[str] = (),
                     based_on: Sequence[str] = (), edition: str = DEFAULT_EDITION) -> "Session":
        """Raises ValueError for a bad ``--peer``, ``--based-on`` or ``--edition``."""
        edition = parse_edition(edition)
        peer_specs = parse_peers(peers)
        bases = [parse_based_on(text) for text in based_on]
        paths = [Path(p) for p in expectations] or [DEFAULT_PATH]
        problem, inheritable = None, None
        try:
            entries = load_expectations(paths)
            bases = load_bases(paths) + bases
            if bases and paths != [DEFAULT_PATH]:  # the bundled entries are always there to inherit
                own = {e.source for e in entries}
                inheritable = entries + [e for e in load_expectations([DEFAULT_PATH]) if e.source not in own]
        except ExpectationError as exc:
            entries, problem = [], str(exc)
        return cls(impls, entries, problem, timeout, Certs(Path(certs) if certs else CERTS_DIR),
                   case_patterns, peer_specs, bases, inheritable, edition)

    # -- capabilities and facts ----------------------------------------------
    def capabilities(self, name: str) -> Capabilities:
        """What implementation ``name`` can do, probed once per process."""
        if name not in self._caps:
            self._caps[name] = probe(self.impls[name], self.certs, timeout=self.timeout)
        return self._caps[name]

    def prepare(self) -> None:
        """Probe every implementation up front, before the first case: a probe's
        time is never charged to a case, nor run under its deadline."""
        for name in self.impls:
            self.capabilities(name)

    def facts(self, name: str) -> Dict[str, Any]:
        """The results.json ``implementations`` entry (probes capabilities once)."""
        if name not in self._facts:
            self._facts[name] = describe(self.impls[name], self.capabilities(name))
        return self._facts[name]

    def known_facts(self) -> Dict[str, Dict[str, Any]]:
        """The facts probed so far (an xdist worker hands them to the controller)."""
        return dict(self._facts)

    def adopt_facts(self, facts: Dict[str, Dict[str, Any]]) -> None:
        """Take facts another process probed for the same implementations."""
        for name, entry in facts.items():
            if name in self.impls:
                self._facts.setdefault(name, entry)

    def peer_facts(self) -> Dict[str, Dict[str, Any]]:
        """The results.json ``peers`` entry (see ``Endpoints.describe_peers``)."""
        return self.endpoints.describe_peers()

    def static_facts(self, name: str) -> Dict[str, Any]:
        """What an implementation says of itself, without probing it."""
        return describe(self.impls[name], None)

    # -- records of items that could not make their own ----------------------
    def record_without_run(self, item_id: str, outcome: str, message: str) -> Dict[str, Any]:
        """The record of item ``item_id`` when it produced none of its own
        (its process died under it, pytest failed it around the call): the
        case and implementation it was, with ``outcome`` and ``message``."""
        if self._by_id is None:
            self._by_id = {item.id: item for item in self.items()}
        item = self._by_id.get(item_id)
        if item is None or item.case is None:
            kind = item.kind if item is not None else "item"
            rec = Record(id=item_id, impl=item.impl if item is not None and item.impl else "*",
                         area=kind if kind in ("load", "expectations") else "run", spec="", params={})
        else:
            label = f"{item.impl}->{item.peer}" if item.peer is not None else item.impl
            rec = Record(id=item.case.id, impl=label, area=item.case.area, spec=item.case.spec,
                         params=dict(item.case.params), editions=item.case.editions)
        rec.outcome, rec.message = outcome, message
        return rec.as_json()

    # -- items -------------------------------------------------------------
    def interop_cases(self) -> List[Case]:
        """The interop matrix of the ``--impl`` and ``--peer`` endpoints (none without peers)."""
        if self._interop is None:
            self._interop = interop_cases(self.endpoints) if self.peers else []
        return self._interop

    def unmatched_patterns(self) -> List[str]:
        """The ``--case`` patterns that match no case id (a usage error)."""
        ids = [c.id for c in cases_for()] + [c.id for c in self.interop_cases()]
        return [p for p in self.case_patterns if not any(_fnmatch(i, p) for i in ids)]

    def items(self) -> List[Item]:
        out: List[Item] = [Item("load", f"load:{n}", impl=n, detail=msg) for n, msg in self.problems.items()]
        if self.expectation_problem:
            out.append(Item("expectation", "expectations:load", detail=self.expectation_problem))
        loaded = list(self.impls)
        for c in cases_for():
            if self.case_patterns and not any(_fnmatch(c.id, p) for p in self.case_patterns):
                continue
            if not selects(self.basis, c.basis) or not c.in_edition(self.edition):
                continue
            if c.pair:
                out += [Item("case", f"{a}->{b}:{c.id}", case=c, impl=a, peer=b) for a in loaded for b in loaded]
            else:
                out += [Item("case", f"{a}:{c.id}", case=c, impl=a) for a in loaded]
        pairs = set()
        for c in self.interop_cases():
            if (not self.case_patterns or any(_fnmatch(c.id, p) for p in self.case_patterns)) \
                    and selects(self.basis, c.basis) and c.in_edition(self.edition):
                client, server = c.params["client_endpoint"], c.params["server_endpoint"]
                out.append(Item("interop", c.id, case=c, impl=client, peer=server))
                pairs.add(f"{client}->{server}")
        for i, e in enumerate(self.expectations):
            if (any(e.applies_to_impl(n, self.static_facts(n)) for n in loaded)
                    or any(_fnmatch(pair, e.module) for pair in pairs)):
                out.append(Item("expectation", f"expectation:{e.source}", detail=str(i)))
        return out

    def find_expectation(self, case_id: str, label: str, facts: Dict[str, Any]) -> Optional[Expectation]:
        """An own entry, else one inherited through ``based_on`` (see ``expectations``)."""
        return find_expectation(self.expectations, self.bases, case_id, label, facts, self.inheritable)

    def run(self, item: Item) -> Record:
        """Run ``item``; the record says how it went.

        With ``rerun_failures`` N, a failing case runs N more times.  If every
        attempt fails the first record stands; if some attempt went otherwise
        the case is ``flaky``: the record is the first failing one, its
        ``flaky_rate`` the share of attempts that failed -- never a pass.
        """
        first = self._run_once(item)
        if item.kind not in ("case", "interop") or first.outcome not in FAILING or self.rerun_failures <= 0:
            return first
        outcomes = [first.outcome] + [self._run_once(item).outcome for _ in range(self.rerun_failures)]
        failed = sum(o in FAILING for o in outcomes)
        if failed == len(outcomes):
            first.message += f" (failed all {len(outcomes)} attempts)"
            return first
        first.outcome = "flaky"
        first.flaky_rate = round(failed / len(outcomes), 3)
        first.message = (f"flaky: {failed} of {len(outcomes)} attempts failed "
                         f"({', '.join(outcomes)}); first failure: {first.message}")
        return first

    def _run_once(self, item: Item) -> Record:
        if item.kind == "load":
            return Record(id="load", impl=item.impl, area="load", spec="", params={},
                          outcome="error", message=item.detail)
        if item.kind == "expectation":
            return self._check_expectation(item)
        assert item.case is not None
        label = item.impl if item.peer is None else f"{item.impl}->{item.peer}"
        env = self._env(item.impl)
        if item.kind == "interop":
            # Expectation entries match interop labels as pair labels ("pypy3:ssl->*"), their
            # version ranges read on the client -- or on the server when the client is a
            # third-party peer (openssl-cli), so that ranges always speak of a Python side.
            python_side = item.peer if self.endpoints.is_builtin(item.impl) else item.impl
            facts = {**self.endpoints.facts(python_side), "edition": self.edition}
        else:
            if item.peer is not None:
                env.peer = self._env(item.peer)
                env.cleanup(env.peer.close)
            facts = self.static_facts(item.impl)
        return run_case(item.case, env, label, self.find_expectation(item.case.id, label, facts))

    def _env(self, name: str) -> Env:
        """The Env of a case for implementation ``name`` (``None`` impl for a peer's side)."""
        impl = self.impls.get(name)
        return Env(impl, self.certs, timeout=self.timeout,
                   caps=self.capabilities(name) if impl is not None else None)

    def _check_expectation(self, item: Item) -> Record:
        rec = Record(id=item.id, impl="*", area="expectations", spec="", params={})
        if not item.detail.isdigit():
            rec.outcome, rec.message = "error", item.detail
            return rec
        e = self.expectations[int(item.detail)]
        rec.params = {"case": e.case, "module": e.module}
        if e.expired():
            rec.outcome = "fail"
            rec.message = f"{e.describe()}: review date {e.until} has passed; re-check and update or remove it"
        elif not any(_fnmatch(c.id, e.case) for c in cases_for() + self.interop_cases()):
            rec.outcome = "fail"
            rec.message = f"{e.describe()}: matches no case id (stale entry); fix or remove it"
        return rec


def _fnmatch(name: str, pattern: str) -> bool:
    import fnmatch
    return fnmatch.fnmatchcase(name, pattern)
