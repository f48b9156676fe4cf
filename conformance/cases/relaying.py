"""The two sides of a relayed case, and what counts as stopping the documented way.

Every ``hostile/relay/*`` and ``hostile/fragmented/*`` case runs the
implementation under test on both sides of a :class:`~conformance.harness.relay.Relay`
(``env`` the client, ``env.peer`` the server): :func:`exchange` is a side
that handshakes and echoes and records how far it got, :func:`relayed` runs
two of them through a relay with the faults asked for, :func:`check_stopped`
says whether a side that did not finish stopped the documented way, and
:func:`echo_control` is the no-fault control those cases run first.
"""
from __future__ import annotations

import socket
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..harness.control import control
from ..harness.registry import CaseFailure, expect_true
from ..harness.relay import relay_pair
from .helpers import server_ctx
from .hostile import fail_side

__all__ = ["connection_errors", "side_env", "exchange", "check_stopped", "run_relayed", "relayed",
           "stopped_how", "echo_control"]


def connection_errors(env: Any) -> tuple:
    """What counts as "the connection failed": SSLError or the socket's OSError."""
    return (env.ssl.SSLError, OSError)


def side_env(env: Any, who: str) -> Any:
    """The implementation on side ``who`` of a pair case."""
    return (env.peer or env) if who == "server" else env


# -- a side that records how far it got ----------------------------------------

def exchange(ctx: Any, server_side: bool, payload: bytes, *, suppress: bool = True,
              then: Optional[Callable[[Any, str], Any]] = None) -> Callable:
    """Handshake, then client writes ``payload`` and reads it back; the server echoes.

    Returns ``{"stage", "got", "error", "cipher", "ended"}``: the stage it was
    in when it stopped (``done`` if the echo completed), the bytes it read,
    the exception that stopped it (``None`` for an EOF) and when
    (``time.monotonic()``).  ``then(tls, stage)`` is called after each stage,
    for cases that act on the relay mid-way.
    """
    def body(sock: socket.socket) -> Dict[str, Any]:
        seen: Dict[str, Any] = {"stage": "handshake", "got": b"", "error": None, "cipher": None}
        try:  # CPython's wrap_socket itself raises SSLError if a reset came first
            tls = ctx.wrap_socket(sock, server_side=server_side, do_handshake_on_connect=False,
                                  suppress_ragged_eofs=suppress)
        except Exception as exc:
            seen["error"], seen["ended"] = exc, time.monotonic()
            return seen
        try:
            tls.do_handshake()
            seen["cipher"] = tls.cipher()
            if then:
                then(tls, "handshake")
            if not server_side:
                seen["stage"] = "write"
                tls.sendall(payload)
            seen["stage"] = "read"
            while len(seen["got"]) < len(payload):
                chunk = tls.read(len(payload) - len(seen["got"]))
                if not chunk:
                    return seen  # EOF
                seen["got"] += chunk
                if then:
                    then(tls, "read")
            if server_side:
                seen["stage"] = "write"
                tls.sendall(seen["got"])
            seen["stage"] = "done"
        except Exception as exc:
            seen["error"] = exc
        finally:
            seen["ended"] = time.monotonic()
            tls.close()
        return seen
    return body


def check_stopped(env: Any, seen: Dict[str, Any], who: str, payload: bytes, *,
                   eof_ok: bool = True) -> str:
    """A side that did not finish must have stopped the documented way.

    That is an SSLError/OSError, or (``eof_ok``, after the handshake) a read
    returning ``b''``; whatever it read must be a prefix of the payload, and a
    handshake that returned must have negotiated something.
    """
    env = side_env(env, who)
    err = seen["error"]
    expect_true(seen["got"] == payload[:len(seen["got"])], f"{who}: bytes read are the peer's bytes",
                actual=repr(seen["got"][:40]))
    if seen["stage"] != "handshake":
        expect_true(seen["cipher"], f"{who}: a handshake that returned negotiated a cipher",
                    actual=seen["cipher"])
    if err is None:
        expect_true(eof_ok and seen["stage"] == "read", f"{who}: stopped without an exception",
                    expected="SSLError or OSError", actual=f"EOF in stage {seen['stage']}")
        return "eof"
    expect_true(isinstance(err, connection_errors(env)), f"{who}: stopped by SSLError/OSError",
                expected="SSLError or OSError", actual=f"{type(err).__name__}: {err}")
    return type(err).__name__


def run_relayed(client: Callable, server: Callable, timeout: float, ref: List[Any],
                 **faults: Any) -> Tuple[Any, Any, Any]:
    """Run ``client`` and ``server`` through a relay (put in ``ref[0]`` for
    them to act on); their return values and the relay.  A side that hangs
    or lets an exception escape, or a relay that broke, fails the case."""
    c, s, relay = relay_pair(client, server, timeout=timeout, relay_ref=ref, **faults)
    for who, res in (("client", c), ("server", s)):
        if res.timed_out or res.error is not None:
            raise fail_side(f"{who} side did not come back", res)
    if relay.error is not None:
        raise CaseFailure(f"relay failed: {relay.error!r}")
    return c.value, s.value, relay


def relayed(env: Any, *, payload: bytes, suppress: bool = True, client_then: Any = None,
             server_then: Any = None, timeout: Optional[float] = None,
             **faults: Any) -> Tuple[Any, Any, Any]:
    """Run ``exchange`` on both sides through a relay; fail on a hang."""
    ref: List[Any] = []
    return run_relayed(
        exchange(env.context(), False, payload, suppress=suppress,
                  then=client_then and (lambda tls, st: client_then(ref[0], tls, st))),
        exchange(server_ctx(env), True, payload, suppress=suppress,
                  then=server_then and (lambda tls, st: server_then(ref[0], tls, st))),
        timeout or env.timeout, ref, **faults)


def stopped_how(seen: Dict[str, Any]) -> str:
    err = seen["error"]
    return f"in its {seen['stage']} by " + (f"{type(err).__name__}: {err}" if err else "an EOF")


def echo_control(env: Any, payload: bytes, *, suppress: bool = True, timeout: Optional[float] = None) -> None:
    """The control of every case built on ``exchange``: the same handshake and
    echo through the same relay, no fault; both sides must finish."""
    def problem(result: Tuple[Any, Any, Any]) -> Optional[str]:
        c, s, _ = result
        stops = [f"the {who} stopped {stopped_how(seen)}" for who, seen in (("client", c), ("server", s))
                 if seen["stage"] != "done"]
        if stops:
            return "; ".join(stops)
        return None if c["got"] == payload else f"the echo came back as {c['got'][:40]!r}"

    control(f"a {len(payload)}-byte echo through a faithful relay",
            lambda: relayed(env, payload=payload, suppress=suppress, timeout=timeout), problem)
