"""Third-party TLS endpoints the suite talks to: the peers of the matrix.

An implementation under test is checked against itself and against the other
``--impl`` modules in-process; this package adds peers that are *not* a
Python ``ssl`` module: ``openssl s_server`` / ``s_client`` (the CLI), and
tlslite-ng (pure Python, still speaking SSLv3 and TLS 1.0).  Out-of-process
Python peers (``peers.agent``) use the same interface.

The interface
=============

An :class:`Endpoint` is started and stopped by the harness, never left
running, and every wait it does is bounded by the ``timeout`` it is given.
It plays either role for exactly one connection:

* ``with endpoint.server(config, certs, timeout) as srv:`` listens on
  loopback (``srv.address`` is ``(host, port)``), accepts one connection,
  handshakes, reads ``len(config.payload)`` bytes and answers them with
  ``endpoint.answer(payload)``, then closes.  After the ``with`` block's body
  (where the implementation under test connects), ``srv.result()`` is that
  side's :class:`PeerResult`; leaving the block stops the server whatever
  happened.
* ``endpoint.client(address, config, certs, timeout)`` connects to
  ``address``, handshakes, sends ``config.payload``, reads the answer and
  returns its :class:`PeerResult`.

TLS failures are never raised: they come back as ``PeerResult(ok=False,
error=..., reason=...)`` with ``reason`` one of ``conformance.harness.reasons``
categories.  ``available()`` returns ``None`` when the endpoint can run here,
or a one-line reason when it cannot (CLI not installed, package missing);
cases turn that into ``Unsupported`` with the reason, so a missing peer is
reported, never a hang and never a silent skip.

A :class:`PeerConfig` describes the peer by names, like ``Env.context``:
``version`` pins one protocol version (``"TLSv1.2"``; ``None`` = whatever
the endpoint offers by default), ``verify`` is NONE / OPTIONAL / REQUIRED
(for a client: whether it checks the server; for a server: whether it asks
for, and checks, a client certificate), ``cert`` and ``trust`` are fixture
names (``Certs.path(cert, "chain")`` + ``"key"``, ``Certs.path(trust)``),
``policy`` is ``"default"`` or ``"legacy"`` (``DEFAULT:@SECLEVEL=0`` and the
lowest version floor the endpoint has), ``ciphers`` overrides the cipher
string.  ``minimum`` / ``maximum`` bound the versions by ``TLSVersion``
member names (``"TLSv1_2"``, ``"MAXIMUM_SUPPORTED"``), as a Python module's
``minimum_version`` / ``maximum_version`` (3.7+) would, with the meaning
``conformance.judge.bounds`` gives them: a Python endpoint sets the
attributes, the openssl CLI takes ``-min_protocol`` / ``-max_protocol``,
tlslite-ng ``HandshakeSettings.minVersion`` / ``maxVersion``; the magic
members stand for the lowest or highest version the endpoint has.
``alpn`` lists ALPN protocols (3.5+): a client offers them, a server chooses
among the client's offer by its own order; ``PeerResult.alpn`` is what the
peer reports as agreed, where it says (only the openssl CLI's server does).

Endpoints are found by name with :func:`endpoint` (``"openssl-cli"``,
``"tlslite"``, ...); :func:`require` gives one or raises ``Unsupported``.
The helpers :func:`impl_client_to_peer` and :func:`peer_client_to_impl` run
one connection between a context of the implementation under test and a peer.
"""
from __future__ import annotations

import abc
import contextlib
import dataclasses
import importlib
import socket
from typing import Any, Callable, Dict, FrozenSet, List, Optional, Tuple

from ..harness.hubs import HarnessThread
from ..harness.loopback import TLSSide, serve, tls_body
from ..harness.reasons import classify
from ..harness.registry import Unsupported

__all__ = ["PeerConfig", "PeerResult", "Endpoint", "RunningServer", "ENDPOINTS", "endpoint",
           "require", "impl_client_to_peer", "peer_client_to_impl", "reason_of_text"]

Address = Tuple[str, int]


@dataclasses.dataclass(frozen=True)
class PeerConfig:
    """How the peer is set up for one connection (see the module docstring)."""

    version: Optional[str] = None
    verify: str = "NONE"
    cert: Optional[str] = None
    trust: Optional[str] = None
    policy: str = "default"
    ciphers: Optional[str] = None
    payload: bytes = b"ping\n"
    minimum: Optional[str] = None
    maximum: Optional[str] = None
    #: ALPN protocols the peer offers (client) or accepts by preference (server); () for none
    alpn: Tuple[str, ...] = ()


@dataclasses.dataclass
class PeerResult:
    """What the peer saw of its one connection."""

    ok: bool = False
    version: Optional[str] = None
    cipher: Optional[str] = None
    received: Optional[bytes] = None
    error: str = ""
    reason: Optional[str] = None
    timed_out: bool = False
    #: the ALPN protocol the peer reports as agreed (``None``: none, or the peer does not say)
    alpn: Optional[str] = None

    def describe(self) -> str:
        if self.ok:
            return f"ok {self.version}"
        return f"failed ({self.reason}): {self.error}"


def reason_of_text(text: str) -> Optional[str]:
    """The ``conformance.harness.reasons`` category of an error message (``None`` if empty)."""
    return classify(Exception(text)) if text.strip() else None


class RunningServer(abc.ABC):
    """A peer server accepting one connection; made by ``Endpoint.server``."""

    address: Address

    @abc.abstractmethod
    def result(self) -> PeerResult:
        """Wait (bounded) for the connection to end and say how it went."""


class Endpoint(abc.ABC):
    """A TLS endpoint that is not a Python ``ssl`` module under test."""

    #: Short name used in case ids and reports (``openssl-cli``).
    name: str = "?"
    #: Whether ``verify`` other than NONE includes X.509 path validation.
    validates: bool = True
    #: Whether, as a TLS 1.3 client, it answers a certificate request during the handshake.
    tls13_client_auth: bool = True

    @abc.abstractmethod
    def available(self) -> Optional[str]:
        """``None`` when usable here, else why not (one line)."""

    @abc.abstractmethod
    def versions(self, policy: str = "default") -> FrozenSet[str]:
        """Versions (``conformance.judge.protocols.VERSIONS`` names) it can be pinned to."""

    def answer(self, payload: bytes) -> bytes:
        """What a server of this endpoint sends back for ``payload`` (an echo by default)."""
        return payload

    def describe(self) -> str:
        """Name and version, for reports."""
        return self.name

    @abc.abstractmethod
    def server(self, config: PeerConfig, certs: Any, timeout: float) -> "contextlib.AbstractContextManager[RunningServer]":
        """Context manager: a server for one connection, stopped on exit."""

    @abc.abstractmethod
    def client(self, address: Address, config: PeerConfig, certs: Any, timeout: float) -> PeerResult:
        """Connect once to ``address`` and report."""


#: name -> "module:Class" of every endpoint the suite knows (imported on demand).
ENDPOINTS: Dict[str, str] = {
    "openssl-cli": "conformance.peers.openssl_cli:OpenSSLCLI",
    "tlslite": "conformance.peers.tlslite:TLSLite",
    "agent": "conformance.peers.agent:Agent",
}

_MADE: Dict[str, Endpoint] = {}


def endpoint(name: str) -> Endpoint:
    """The endpoint called ``name`` (one instance per process)."""
    if name not in _MADE:
        module, _, cls = ENDPOINTS[name].partition(":")
        _MADE[name] = getattr(importlib.import_module(module), cls)()
    return _MADE[name]


def require(name: str, *, version: Optional[str] = None, policy: str = "default") -> Endpoint:
    """The endpoint, or ``Unsupported`` when it cannot run here or lacks ``version``."""
    try:
        ep = endpoint(name)
    except ImportError as exc:
        raise Unsupported(f"peer:{name}", f"cannot load: {exc}") from None
    why = ep.available()
    if why is not None:
        raise Unsupported(f"peer:{name}", why)
    if version is not None and version not in ep.versions(policy):
        raise Unsupported(f"peer:{name}:{version}", f"{ep.describe()} cannot be pinned to {version} ({policy} policy)")
    return ep


def impl_client_to_peer(env: Any, ctx: Any, ep: Endpoint, config: PeerConfig) -> Tuple[TLSSide, PeerResult]:
    """A client of the implementation under test (``ctx``) against a peer server."""
    body = impl_body(ctx, False, config.payload, ep.answer(config.payload))
    with ep.server(config, env.certs, env.timeout) as srv:
        side = connect_and_run(srv.address, body, env.timeout)
        peer = srv.result()
    return side, peer


def peer_client_to_impl(env: Any, ctx: Any, ep: Endpoint, config: PeerConfig) -> Tuple[PeerResult, TLSSide]:
    """A peer client against a server of the implementation under test (``ctx``)."""
    body = impl_body(ctx, True, config.payload, config.payload)
    sides = []
    with serve(lambda sock: sides.append(body(sock)), timeout=env.timeout) as address:
        peer = ep.client(address, config, env.certs, env.timeout)
    side = sides[0] if sides else TLSSide(error=socket.timeout("the peer never connected"))
    return peer, side


def impl_body(ctx: Any, server_side: bool, payload: bytes, answer: bytes) -> Callable[[socket.socket], TLSSide]:
    """The in-process side of a connection with a peer: the harness's TLS echo
    body (``loopback.tls_body``), the client expecting the peer's ``answer``."""
    return tls_body(ctx, payload, server_side, answer=answer)


def connect_and_run(address: Address, body: Callable[[socket.socket], TLSSide], timeout: float) -> TLSSide:
    """Connect and run ``body`` in a thread; past ``3 * timeout`` the socket is shut down."""
    try:
        sock = socket.create_connection(address, timeout=timeout)
    except OSError as exc:
        return TLSSide(error=exc)
    results = run_on(sock, body, timeout, "client")
    if results:
        return results[0]
    return TLSSide(error=socket.timeout(f"client did not finish within {3 * timeout:g}s"), timed_out=True)


def run_on(sock: socket.socket, body: Callable[[socket.socket], Any], timeout: float, name: str) -> List[Any]:
    """Run ``body(sock)`` in a thread, then close ``sock``; past ``3 * timeout``
    the socket is shut down so the body returns.  ``[result]``, or ``[]`` if
    it never did."""
    results: List[Any] = []
    worker = HarnessThread(lambda: results.append(body(sock)), name=name)
    with sock:
        worker.start()
        worker.join(3 * timeout)
        if worker.is_alive():
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            worker.join(timeout)
    return results
