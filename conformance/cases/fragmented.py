"""A faithful relay that forwards one byte at a time: everything must still work.

Every byte of both directions is its own ``send()`` on a ``TCP_NODELAY``
socket (``conformance.harness.relay``, ``Faults(fragment=1)``), so each read of the
implementation under test returns the smallest piece TCP can deliver.  The
handshake, a blocking echo, the non-blocking handshake loop and ``unwrap``
must all complete as they do unfragmented -- which each case's control,
the same exchange through the same relay unfragmented, shows first
(``conformance.harness.control``): a failure is then the fragmentation's doing.

Pair cases: the client is ``env``, the server ``env.peer``.
"""
from __future__ import annotations

import socket
import threading
from typing import Any, Dict, Tuple

from ..harness.control import control
from ..harness.registry import case, expect_equal, expect_true
from ..harness.relay import Faults
from .handshake import nonblocking_handshake, unwrap_body
from .hostile import payload as _payload
from .relaying import echo_control, exchange, relayed, run_relayed
from .helpers import server_ctx


def _one_byte() -> Dict[str, Faults]:
    return {"c2s": Faults(fragment=1), "s2c": Faults(fragment=1)}


def _faults(fragmented: bool) -> Dict[str, Faults]:
    return _one_byte() if fragmented else {}


@case("hostile/fragmented/handshake-and-echo", spec="SSLSocket.do_handshake",
      basis="spec",
      cite="Performs the SSL setup handshake.", pair=True)
def fragmented_echo(env: Any) -> Dict[str, Any]:
    """Every byte its own TCP segment: the handshake and a 3000-byte echo still work."""
    payload = _payload()
    echo_control(env, payload)
    c, s, relay = relayed(env, payload=payload, **_one_byte())
    expect_equal((c["stage"], s["stage"]), ("done", "done"), "both sides finished")
    expect_equal(c["got"], payload, "the echo")
    return {"bytes": relay.forwarded("c2s") + relay.forwarded("s2c")}


@case("hostile/fragmented/non-blocking-handshake", spec="SSLSocket.do_handshake",
      basis="spec",
      cite="and should be called again until it stops raising those exceptions.", pair=True)
def fragmented_nonblocking(env: Any) -> Dict[str, Any]:
    """The non-blocking handshake loop, fed one byte at a time, completes; then an echo.

    The server begins its handshake once the client's first attempt came back
    (``tried``): that attempt then has nothing to read, whatever the scheduler
    does.  Without the wait, a client thread kept off the CPU between sending
    its ClientHello and reading could find the server's whole flight there
    and finish at once, which the documentation allows ("may raise").
    """
    ctx, payload = env.context(), _payload(500)

    def client(sock: socket.socket, tried: threading.Event) -> Any:
        tls = ctx.wrap_socket(sock, do_handshake_on_connect=False)
        try:
            tls.setblocking(False)
            try:
                seen = nonblocking_handshake(env, tls, env.timeout, tried)
            finally:
                tried.set()
            tls.settimeout(env.timeout)
            tls.sendall(payload)
            got = b""
            while len(got) < len(payload):
                chunk = tls.read(len(payload) - len(got))
                if not chunk:
                    break
                got += chunk
            return seen, got
        finally:
            tls.close()

    def run(fragmented: bool) -> Tuple[Dict[str, Any], bytes]:
        tried = threading.Event()
        serve = exchange(server_ctx(env), True, payload)

        def server(sock: socket.socket) -> Dict[str, Any]:
            # half the timeout: a client whose handshake blocks still completes before the
            # relay's sockets time out, and fails on the count below, not on a cut stream
            tried.wait(env.timeout / 2)
            return serve(sock)

        return run_relayed(lambda sock: client(sock, tried), server, env.timeout, [], **_faults(fragmented))[0]

    control("the non-blocking handshake and an echo, unfragmented", lambda: run(False),
            lambda r: None if r[1] == payload else f"the echo came back as {r[1][:40]!r}")
    seen, got = run(True)
    expect_equal(got, payload, "the echo after a fragmented non-blocking handshake")
    expect_true(seen["want_read"] >= 1, "the loop was told to wait at least once", actual=seen)
    return seen


@case("hostile/fragmented/unwrap", spec="SSLSocket.unwrap",
      basis="spec",
      cite="Performs the SSL shutdown handshake, which removes the TLS layer from the underlying socket, "
           "and returns the underlying socket object.", pair=True)
def fragmented_unwrap(env: Any) -> None:
    """TLS data, then unwrap on both sides, then plaintext, all one byte at a time."""
    cctx, sctx = env.context(), server_ctx(env)

    def run(fragmented: bool) -> Tuple[Any, Any]:
        c, s, _ = run_relayed(unwrap_body(env, cctx, False, True), unwrap_body(env, sctx, True, False),
                               env.timeout, [], **_faults(fragmented))
        return c, s

    def problem(sides: Tuple[Any, Any]) -> Any:
        (c, s), want = sides, ((b"tls!", b"clear"), (b"tls!", b"plain"))
        got = ((c[0], c[2]), (s[0], s[2]))
        return None if got == want else f"(tls, plaintext) read by client, server: {got}"

    control("TLS data, unwrap, plaintext, unfragmented", lambda: run(False), problem)
    c, s = run(True)
    expect_equal((c[0], s[0]), (b"tls!", b"tls!"), "data over TLS before unwrap")
    expect_equal((c[2], s[2]), (b"clear", b"plain"), "plaintext after unwrap")
