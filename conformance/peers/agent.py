"""Driving the peer agent (``conformance/shim.py``) in another interpreter.

:class:`AgentProcess` starts ``INTERPRETER shim.py --impl MODULE``, speaks
the agent's line protocol with a timeout on every reply, and stops the
process however the run ends.  Starting an interpreter costs tens of
milliseconds (PyPy: more), so :func:`agent_for` keeps one process per peer
spec per process of the suite (one per pytest-xdist worker) and restarts it
only if it died.

The agent is started as a plain file, never as ``-m conformance.shim``, so
the interpreter needs nothing of this package installed; the checkout root
is put on its ``sys.path`` so that ``reference`` (or a local module) can be
the module under test there too.
"""
from __future__ import annotations

import atexit
import base64
import contextlib
import itertools
import json
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from types import SimpleNamespace
from typing import Any, Deque, Dict, FrozenSet, Iterator, Optional, Sequence, Tuple

from .. import PACKAGE_DIR
from ..judge.protocols import VERSIONS
from ..judge.protocols import pin_options
from .pinned import measure_client
from ..harness.measurement import ProbeBroken, harness_cause, result_cause
from .peerspec import PeerSpec, parse_peer
from ..harness.reasons import classify
from ..harness.registry import Unsupported
from . import Address, Endpoint, PeerConfig, PeerResult, RunningServer
from .inprocess import PythonResult
from ..harness.env import Certs

__all__ = ["AGENT_FILE", "Agent", "AgentError", "AgentUnavailable", "AgentProcess", "agent_for",
           "close_agents", "RemoteError"]

AGENT_FILE = PACKAGE_DIR / "shim.py"
CHECKOUT = AGENT_FILE.parent.parent
#: the agent protocol this driver speaks (2: the context's minimum_version/maximum_version);
#: an agent that only speaks an older one is refused at hello
PROTOCOL = 2
START_TIMEOUT = 30.0  # PyPy's first start on a cold disk is slow


class AgentError(Exception):
    """The agent process misbehaved: died, went silent, or broke the protocol."""


class AgentUnavailable(AgentError):
    """The agent cannot run here (no interpreter, module not importable...)."""


class RemoteError(Exception):
    """Stands for an exception raised in the agent, rebuilt from its ERROR object.

    ``type_name``/``bases`` name the remote class and its MRO, ``args`` are
    its args, so :func:`conformance.harness.reasons.classify` reads it like the
    original.
    """
    def __init__(self, error: Dict[str, Any]):
        args = error.get("args") or [error.get("message", "")]
        super().__init__(*args)
        self.error = error
        self.type_name = error.get("type", "?")
        self.bases = list(error.get("bases") or [self.type_name])
        self.errno = error.get("errno")
        self.reason = error.get("reason")

    def __str__(self) -> str:
        return self.error.get("message") or super().__str__()

    def is_a(self, name: str) -> bool:
        """True when the remote exception is an instance of a class called ``name``."""
        return name in self.bases


class AgentProcess:
    """One running agent: ``request("context", protocol="TLSv1")`` -> reply dict."""
    def __init__(self, executable: str, module: str, *, paths: Sequence[str] = (str(CHECKOUT),),
                 timeout: float = 10.0, idle_timeout: float = 600.0):
        self.executable, self.module = executable, module
        self.timeout = timeout
        self.argv = [executable, str(AGENT_FILE), "--impl", module,
                     "--idle-timeout", str(idle_timeout)]
        for p in paths:
            self.argv += ["--path", p]
        self.proc: Optional[subprocess.Popen] = None
        self.hello: Dict[str, Any] = {}
        self._ids = itertools.count(1)
        self._replies: "queue.Queue[Optional[Dict[str, Any]]]" = queue.Queue()
        self._stderr: Deque[str] = deque(maxlen=40)
        self._lock = threading.Lock()

    # -- life cycle ------------------------------------------------------
    def start(self) -> Dict[str, Any]:
        """Start the process and say hello; returns the hello reply."""
        try:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, cwd=str(CHECKOUT))
        except OSError as exc:
            raise AgentUnavailable(f"cannot start {self.executable}: {exc}") from None
        threading.Thread(target=self._read_stdout, args=(self.proc.stdout,), daemon=True).start()
        threading.Thread(target=self._read_stderr, args=(self.proc.stderr,), daemon=True).start()
        try:
            self.hello = self.request("hello", timeout=START_TIMEOUT, protocols=[PROTOCOL])
        except RemoteError as exc:
            self.close()
            old = " (an agent older than this suite: it must speak protocol %d, which sets the " \
                  "context's minimum_version/maximum_version)" % PROTOCOL
            raise AgentUnavailable(f"{self.executable}:{self.module}: {exc}"
                                   + (old if "no common protocol" in str(exc) else "")) from None
        except AgentError as exc:
            self.close()
            raise AgentUnavailable(str(exc)) from None
        if self.hello.get("protocol") != PROTOCOL:
            self.close()
            raise AgentUnavailable(f"{self.executable}:{self.module}: the agent answered hello with protocol "
                                   f"{self.hello.get('protocol')!r}, not the {PROTOCOL} this suite speaks")
        return self.hello

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def close(self, timeout: float = 5.0) -> None:
        """Say bye, close stdin, wait; kill if it does not go."""
        proc, self.proc = self.proc, None
        if proc is None:
            return
        try:
            if proc.poll() is None and proc.stdin:
                proc.stdin.write(b'{"cmd": "bye"}\n')
                proc.stdin.flush()
        except OSError:
            pass
        for closeable in (proc.stdin,):
            try:
                closeable.close()
            except OSError:
                pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)

    def _read_stdout(self, stream: Any) -> None:
        for raw in iter(stream.readline, b""):
            try:
                self._replies.put(json.loads(raw.decode("utf-8")))
            except ValueError:
                self._stderr.append("stdout (not JSON): " + raw.decode("utf-8", "replace").rstrip())
        self._replies.put(None)  # EOF
        stream.close()

    def _read_stderr(self, stream: Any) -> None:
        for raw in iter(stream.readline, b""):
            self._stderr.append(raw.decode("utf-8", "replace").rstrip())
        stream.close()

    def stderr_tail(self, lines: int = 5) -> str:
        return " | ".join(list(self._stderr)[-lines:])

    # -- requests --------------------------------------------------------
    def request(self, cmd: str, *, timeout: Optional[float] = None, **fields: Any) -> Dict[str, Any]:
        """Send one request and wait (at most ``timeout``) for its reply.

        A reply with ``ok: false`` raises :class:`RemoteError` (``kind``
        ``unsupported`` and ``raised`` come from the module under test);
        silence, death or garbage raises :class:`AgentError`.
        """
        with self._lock:
            if self.proc is None or self.proc.stdin is None:
                raise AgentError(f"agent {self.executable}:{self.module} is not running")
            req_id = next(self._ids)
            line = json.dumps(dict(fields, cmd=cmd, id=req_id)) + "\n"
            try:
                self.proc.stdin.write(line.encode("utf-8"))
                self.proc.stdin.flush()
            except OSError as exc:
                raise AgentError(f"agent {self.executable}:{self.module} is gone ({exc}); "
                                 f"stderr: {self.stderr_tail()}") from None
            reply = self._await(req_id, cmd, self.timeout if timeout is None else timeout)
        if not reply.get("ok"):
            raise RemoteError(reply.get("error") or {"message": f"bad reply {reply!r}"})
        return reply

    def _await(self, req_id: int, cmd: str, timeout: float) -> Dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                reply = self._replies.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AgentError(f"agent {self.executable}:{self.module}: no reply to {cmd!r} "
                                 f"within {timeout:g}s") from None
            if reply is None:
                self._replies.put(None)
                status = None
                if self.proc is not None:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        status = self.proc.wait(1)
                raise AgentError(f"agent {self.executable}:{self.module} exited (status {status}) "
                                 f"before replying to {cmd!r}; stderr: {self.stderr_tail()}")
            if reply.get("id") in (req_id, None):
                return reply
            # a late reply to an earlier request that timed out: skip it


_AGENTS: Dict[str, Tuple[Optional[AgentProcess], Optional[str]]] = {}
_AGENTS_LOCK = threading.Lock()


def agent_for(spec: PeerSpec, *, timeout: float = 10.0) -> AgentProcess:
    """The running agent of ``spec`` in this process, started on first use.

    Raises :class:`AgentUnavailable` (remembered: asked again, the same
    reason comes back without another attempt) when it cannot run here.
    """
    with _AGENTS_LOCK:
        agent, problem = _AGENTS.get(spec.name, (None, None))
        if problem is not None:
            raise AgentUnavailable(problem)
        if agent is not None and agent.alive:
            return agent
        executable, problem = spec.resolve()
        if executable is None:
            _AGENTS[spec.name] = (None, problem or f"{spec.name} is not an agent peer")
            raise AgentUnavailable(_AGENTS[spec.name][1])
        agent = AgentProcess(executable, spec.module or "ssl", timeout=timeout)
        try:
            agent.start()
        except AgentUnavailable as exc:
            _AGENTS[spec.name] = (None, str(exc))
            raise
        _AGENTS[spec.name] = (agent, None)
        return agent


@atexit.register
def close_agents() -> None:
    """Stop every agent this process started."""
    with _AGENTS_LOCK:
        for agent, _ in _AGENTS.values():
            if agent is not None:
                agent.close()
        _AGENTS.clear()



class _AgentServer(RunningServer):
    def __init__(self, agent: AgentProcess, session: str, address: Address, timeout: float):
        self.agent, self.session, self.address, self.timeout = agent, session, address, timeout
        self.report: Optional[Dict[str, Any]] = None

    def result(self) -> PeerResult:
        if self.report is None:
            self.report = _fetch(self.agent, self.session, self.timeout)
        return _peer_result(self.report)


def _fetch(agent: AgentProcess, session: str, timeout: float, wait: Optional[float] = None) -> Dict[str, Any]:
    """The agent's report of ``session`` (waiting at most ``wait``, default its own deadline)."""
    fields: Dict[str, Any] = {"session": session}
    if wait is not None:
        fields["timeout"] = wait
    try:
        return agent.request("result", timeout=5 * timeout + 5, **fields)
    except (AgentError, RemoteError) as exc:
        return {"completed": False, "timed_out": isinstance(exc, AgentError),
                "failure": {"type": type(exc).__name__, "message": str(exc), "args": [str(exc)]}}


def _peer_result(report: Dict[str, Any]) -> PythonResult:
    failure = report.get("failure")
    error = RemoteError(failure) if failure else None
    cipher = report.get("cipher")
    received = report.get("echoed")
    return PythonResult(ok=bool(report.get("completed")), version=report.get("version"),
                        cipher=cipher[0] if cipher else None,
                        received=base64.b64decode(received) if received else None,
                        error=f"{error.type_name}: {error}" if error else "",
                        reason=classify(error) if error else None,
                        timed_out=bool(report.get("timed_out")),
                        ssl_error=error.is_a("SSLError") if error else None,
                        peercert=report.get("peercert"),
                        tls_outcome=(error.is_a("SSLError") or error.is_a("OSError")) if error else None)


class Agent(Endpoint):
    """An ssl module in another interpreter, as an :class:`Endpoint`.

    ``Agent("pypy3:ssl")``; with no spec, this interpreter's ``ssl`` (useful
    to check the agent itself).  ``PeerConfig.version`` is pinned the way a
    program would with the module: ``PROTOCOL_SSLv23`` plus ``OP_NO_*`` for
    every other version; its bounds are the agent's ``minimum_version`` /
    ``maximum_version``.  ``versions(policy)`` is measured once, by a
    handshake of the module with itself inside the agent for each version.
    """
    def __init__(self, spec: "PeerSpec | str | None" = None, *, timeout: float = 10.0):
        if spec is None:
            spec = f"{sys.executable}:ssl"
        self.spec = parse_peer(spec) if isinstance(spec, str) else spec
        if not self.spec.is_agent:
            raise ValueError(f"{self.spec.name} is a built-in peer, not an agent")
        self.name = self.spec.name
        self.timeout = timeout
        self._versions: Dict[str, FrozenSet[str]] = {}
        self._refused: Dict[str, FrozenSet[str]] = {}
        self._broken: Dict[str, Dict[str, Dict[str, str]]] = {}

    def process(self) -> AgentProcess:
        """The running agent (raises :class:`AgentUnavailable`)."""
        return agent_for(self.spec, timeout=self.timeout)

    def available(self) -> Optional[str]:
        try:
            self.process()
        except AgentUnavailable as exc:
            return str(exc)
        return None

    @property
    def facts(self) -> Dict[str, Any]:
        """The agent's hello: interpreter, module, OpenSSL, names present."""
        return self.process().hello

    def describe(self) -> str:
        try:
            h = self.facts
        except AgentUnavailable as exc:
            return f"{self.name} (unavailable: {exc})"
        interp = h["interpreter"]
        return (f"{self.name} ({interp['implementation']} {interp['version']}, "
                f"{h['openssl'].get('openssl_version')})")

    # -- configuration ---------------------------------------------------
    def context(self, config: PeerConfig, certs: Any, *, server: bool) -> str:
        """A context handle in the agent for ``config`` (raises ``Unsupported``)."""
        agent = self.process()
        fields: Dict[str, Any] = {"protocol": "SSLv23", "policy": config.policy, "verify": config.verify}
        if config.version is not None:
            names = pin_options(SimpleNamespace(**{n: 0 for n in agent.hello["has"]["options"]}),
                                config.version)
            if names is None:
                raise Unsupported(f"peer:{self.name}:{config.version}",
                                  f"{self.name} lacks the OP_NO_* options to pin {config.version}")
            fields["options"] = names
        for attr, member in (("minimum_version", config.minimum), ("maximum_version", config.maximum)):
            if member is not None:
                fields[attr] = member
        if config.cert is not None:
            fields["certfile"], fields["keyfile"] = certs.path(config.cert, "chain"), certs.path(config.cert, "key")
        if config.trust is not None:
            fields["cafile"] = certs.path(config.trust, "cert")
        if config.ciphers is not None:
            fields["ciphers"] = config.ciphers
        try:
            return agent.request("context", **fields)["context"]
        except RemoteError as exc:
            if exc.error.get("kind") == "unsupported":
                raise Unsupported(f"peer:{self.name}", str(exc)) from None
            raise

    def versions(self, policy: str = "default") -> FrozenSet[str]:
        """As ``Capabilities.versions``: ``ProbeBroken`` if a probe of ``policy`` broke."""
        self._require_measured(policy)
        return self._versions[policy]

    def refused(self, policy: str = "default") -> FrozenSet[str]:
        """Versions the policy turns off outright (see ``oracle.Side.refused``): the
        probe's client failed with a protocol-version reason, or could not pin them."""
        self._require_measured(policy)
        return self._refused[policy]

    def _require_measured(self, policy: str) -> None:
        if policy not in self._versions:
            self._probe(policy)
        if self._broken[policy]:
            raise ProbeBroken(self.name, policy, sorted(self._broken[policy].items()))

    def _probe(self, policy: str) -> None:
        """As ``capabilities.probe``: the module pinned to each version, against
        itself; a probe that ends other than by a TLS outcome is broken
        (``conformance.harness.causes``), and so is one the agent itself failed."""
        found, refused, broken = set(), set(VERSIONS[:1]), {}
        for version in VERSIONS[1:]:
            key, config = f"self/{policy}/{version}", PeerConfig(version=version, policy=policy)
            try:
                with self.server(PeerConfig(cert="server", policy=policy), _certs(), self.timeout) as srv:
                    client = self.client(srv.address, config, _certs(), self.timeout)
                    server = srv.result()
            except Unsupported:
                refused.add(version)
                continue
            except RemoteError as exc:  # the module refused the set-up, or its API broke
                if not (exc.is_a("SSLError") or exc.is_a("OSError")):
                    broken[key] = {"cause": f"{exc.type_name}: {exc}", "origin": "the agent's process",
                                   "where": "setting up the contexts"}
                refused.add(version)
                continue
            except AgentError as exc:
                broken[key] = harness_cause(exc)
                continue
            cause = result_cause(client, "the client side") or result_cause(server, "the server side")
            if cause is not None:
                broken[key] = cause
            elif client.ok and server.ok and client.version == version:
                found.add(version)
            elif client.ok or client.reason == "protocol-version":
                refused.add(version)
        # As in-process: a third party pinned to each version has the last word
        # (the pins above trust the very options under test).
        plain = PeerConfig(policy=policy)
        measured = measure_client(lambda address, answer: self.client(address, plain, _certs(), self.timeout,
                                                                      answer=answer),
                                  _certs(), self.timeout)
        for version, (completes, reason, cause) in measured.items():
            if cause is not None:
                broken[f"third-party/{policy}/{version}"] = cause
                continue
            found.discard(version)
            refused.discard(version)
            if completes:
                found.add(version)
            elif reason == "protocol-version":
                refused.add(version)
        self._versions[policy], self._refused[policy] = frozenset(found), frozenset(refused)
        self._broken[policy] = broken

    # -- connections -----------------------------------------------------
    @contextlib.contextmanager
    def server(self, config: PeerConfig, certs: Any, timeout: float) -> Iterator[RunningServer]:
        agent = self.process()
        ctx = self.context(config, certs, server=True)
        payload = base64.b64encode(config.payload).decode("ascii")
        try:
            started = agent.request("listen", context=ctx, timeout=timeout, payload=payload)
            srv = _AgentServer(agent, started["session"], ("127.0.0.1", started["port"]), timeout)
            try:
                yield srv
            finally:
                if srv.report is None:  # never asked: stop it now
                    srv.report = _fetch(agent, srv.session, timeout, wait=0)
        finally:
            with contextlib.suppress(AgentError, RemoteError):
                agent.request("forget", context=ctx)

    def client(self, address: Address, config: PeerConfig, certs: Any, timeout: float,
               answer: Optional[bytes] = None) -> PeerResult:
        """As ``Endpoint.client``; ``answer`` is what the server sends back (default: an echo)."""
        agent = self.process()
        ctx = self.context(config, certs, server=False)
        b64 = base64.b64encode
        try:
            started = agent.request("connect", context=ctx, host=address[0], port=address[1],
                                    timeout=timeout, payload=b64(config.payload).decode("ascii"),
                                    answer=b64(config.payload if answer is None else answer).decode("ascii"))
            return _peer_result(_fetch(agent, started["session"], timeout))
        finally:
            with contextlib.suppress(AgentError, RemoteError):
                agent.request("forget", context=ctx)


def _certs() -> Any:
    return Certs()
