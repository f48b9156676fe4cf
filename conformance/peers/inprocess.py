"""An implementation under test (``--impl``), as an :class:`Endpoint`.

So that the interop matrix treats every side alike -- an ``--impl`` loaded
in this process, a module in another interpreter (``peers.agent``), a
third-party peer (``peers.openssl_cli``) -- this wraps a loaded module:
``PeerConfig`` becomes an ``SSLContext`` made through ``Env.context``
(a pinned version is ``PROTOCOL_SSLv23`` plus ``OP_NO_*`` for every other
version, as a program would pin it; bounds are ``minimum_version`` /
``maximum_version``), and each connection runs in a thread
over loopback with the harness's timeouts.
"""
from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
from typing import Any, FrozenSet, Iterator, List, Optional

from ..judge.protocols import pin_options
from ..harness.measurement import is_refusal
from ..harness.env import Env
from ..harness.impls import Impl
from ..harness.loopback import TLSSide, serve
from ..harness.registry import Unsupported
from . import Address, Endpoint, PeerConfig, PeerResult, RunningServer, connect_and_run, impl_body

__all__ = ["InProcess", "PythonResult", "peer_result"]


@dataclasses.dataclass
class PythonResult(PeerResult):
    """A :class:`PeerResult` of a Python ssl module, which says a little more:
    ``ssl_error`` -- whether a failure was the module's ``SSLError`` --,
    ``tls_outcome`` -- whether it was a TLS outcome at all (``SSLError`` or
    ``OSError``: ``conformance.harness.causes``) -- and what ``getpeercert()`` returned."""

    ssl_error: Optional[bool] = None
    peercert: Any = None
    tls_outcome: Optional[bool] = None


def peer_result(side: TLSSide, module: Any) -> PythonResult:
    """The harness's view of one side of ``module``, in the peers' terms."""
    failed = side.error is not None
    return PythonResult(ok=side.ok, version=side.version,
                        cipher=side.cipher[0] if side.cipher else None, received=side.echoed,
                        error="" if side.error is None else f"{type(side.error).__name__}: {side.error}",
                        reason=side.reason, timed_out=side.timed_out,
                        ssl_error=isinstance(side.error, getattr(module, "SSLError", ())) if failed else None,
                        peercert=side.peercert, tls_outcome=is_refusal(side.error, module) if failed else None)


class _Server(RunningServer):
    def __init__(self, address: Address, sides: List[TLSSide], done: threading.Event, timeout: float,
                 module: Any):
        self.address, self.sides, self.done, self.timeout = address, sides, done, timeout
        self.module = module

    def result(self) -> PeerResult:
        self.done.wait(3 * self.timeout)
        if not self.sides:
            return peer_result(TLSSide(error=socket.timeout("no connection was served"),
                                       timed_out=not self.done.is_set()), self.module)
        return peer_result(self.sides[0], self.module)


class InProcess(Endpoint):
    """``InProcess(impl, caps)``: connections made by the module ``impl`` in this
    process, whose capabilities the session probed (``caps``: a
    ``conformance.probe.capabilities.Capabilities``)."""

    def __init__(self, impl: Impl, caps: Any):
        self.impl, self.caps = impl, caps
        self.name = impl.name

    def available(self) -> Optional[str]:
        return None

    def versions(self, policy: str = "default") -> FrozenSet[str]:
        return self.caps.versions(policy)

    def refused(self, policy: str = "default") -> FrozenSet[str]:
        """Versions the policy turns off outright (see ``oracle.Side.refused``)."""
        return self.caps.refused(policy)

    def describe(self) -> str:
        return f"{self.name} (in-process)"

    def context(self, env: Env, config: PeerConfig) -> Any:
        """An SSLContext of the module for ``config`` (``Unsupported`` if it cannot pin)."""
        options: List[str] = []
        if config.version is not None:
            names = pin_options(self.impl.module, config.version)
            if names is None:
                raise Unsupported(f"{self.name}:{config.version}",
                                  f"{self.name} lacks the OP_NO_* options to pin {config.version}")
            options = names
        return env.context("SSLv23", cert=config.cert, trust=config.trust, verify=config.verify,
                           ciphers=config.ciphers, options=options, policy=config.policy,
                           minimum=config.minimum, maximum=config.maximum)

    @contextlib.contextmanager
    def server(self, config: PeerConfig, certs: Any, timeout: float) -> Iterator[RunningServer]:
        env = Env(self.impl, certs, timeout=timeout, caps=self.caps)
        try:
            body = impl_body(self.context(env, config), True, config.payload, config.payload)
            sides: List[TLSSide] = []
            done = threading.Event()

            def serve_one(sock: socket.socket) -> None:
                try:
                    sides.append(body(sock))
                finally:
                    done.set()

            with serve(serve_one, timeout=timeout) as address:
                yield _Server(address, sides, done, timeout, self.impl.module)
        finally:
            env.close()

    def client(self, address: Address, config: PeerConfig, certs: Any, timeout: float,
               answer: Optional[bytes] = None) -> PeerResult:
        """As ``Endpoint.client``; ``answer`` is what the server sends back (default: an echo)."""
        env = Env(self.impl, certs, timeout=timeout, caps=self.caps)
        try:
            body = impl_body(self.context(env, config), False, config.payload,
                              config.payload if answer is None else answer)
            return peer_result(connect_and_run(address, body, timeout), self.impl.module)
        finally:
            env.close()
