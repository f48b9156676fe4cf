"""Concurrency: many handshakes at once, each connection keeping its own bytes.

An implementation shares state between connections -- the context, its
session cache, OpenSSL's error queue, buffers, the GIL released around I/O.
A mistake there shows as cross-talk (a connection reading another's data), a
lost error, or a deadlock, and only when connections really overlap.  So
:func:`concurrent_echo` starts ``n`` client threads that wait at a barrier,
then all connect to one listening socket at once; the server answers each
connection in a thread of its own.  Every client sends a random payload of
its own and must read exactly that payload back.

Every socket has a timeout and every thread is joined within a bound, so a
deadlock fails the case instead of hanging the run.  ``ssl-conformance soak``
prints the same measurement as figures.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any, Dict, List, Optional, Tuple

from ..harness.hubs import HarnessThread
from ..harness.loopback import LOOPBACK, read_exactly
from ..harness.registry import CaseFailure, table

__all__ = ["concurrent_echo"]

PAYLOAD = 32  # bytes each connection sends and expects back


def concurrent_echo(client_ctx: Any, server_ctx: Any, n: int, timeout: float) -> Dict[str, Any]:
    """Run ``n`` overlapping connections (handshake, echo, close); what happened.

    Returns ``{"connections", "seconds", "per_second", "errors", "crossed",
    "short", "hung"}``: ``errors`` lists ``(who, exception)`` pairs,
    ``crossed`` the clients that read another connection's payload,
    ``short`` those that read anything else, ``hung`` the threads still
    alive after the deadline.
    """
    payloads = [os.urandom(PAYLOAD) for _ in range(n)]
    owner = {p: i for i, p in enumerate(payloads)}
    got: List[Optional[bytes]] = [None] * n
    errors: List[Tuple[str, BaseException]] = []
    barrier = threading.Barrier(n, timeout=timeout)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.settimeout(timeout)
    lsock.bind((LOOPBACK[socket.AF_INET], 0))
    lsock.listen(n)
    address = lsock.getsockname()
    handlers: List[threading.Thread] = []

    def handle(conn: socket.socket) -> None:
        try:
            conn.settimeout(timeout)
            tls = server_ctx.wrap_socket(conn, server_side=True)
            try:
                tls.sendall(read_exactly(tls, PAYLOAD))
            finally:
                tls.close()
        except Exception as exc:
            errors.append(("server", exc))
        finally:
            conn.close()

    def accept_all() -> None:
        for _ in range(n):
            try:
                conn, _ = lsock.accept()
            except OSError as exc:
                errors.append(("accept", exc))
                return
            t = HarnessThread(handle, args=(conn,), name="concurrent-server")
            handlers.append(t)
            t.start()

    def client(i: int) -> None:
        try:
            barrier.wait()
            with socket.create_connection(address, timeout=timeout) as sock:
                tls = client_ctx.wrap_socket(sock)
                try:
                    tls.sendall(payloads[i])
                    got[i] = read_exactly(tls, PAYLOAD)
                finally:
                    tls.close()
        except Exception as exc:
            errors.append((f"client {i}", exc))

    clients = [HarnessThread(client, args=(i,), name="concurrent-client")
               for i in range(n)]
    acceptor = HarnessThread(accept_all, name="concurrent-acceptor")
    started = time.perf_counter()
    deadline = time.monotonic() + 3 * timeout
    try:
        acceptor.start()
        for t in clients:
            t.start()
        for t in clients + [acceptor]:
            t.join(max(0.0, deadline - time.monotonic()))
    finally:
        lsock.close()  # wakes an acceptor still waiting for clients that failed
    for t in list(handlers):
        t.join(max(0.0, deadline - time.monotonic()))
    elapsed = time.perf_counter() - started
    crossed = [i for i, g in enumerate(got) if g is not None and g != payloads[i] and g in owner]
    short = [i for i, g in enumerate(got) if g is not None and g != payloads[i] and g not in owner]
    hung = [t.name for t in clients + handlers + [acceptor] if t.is_alive()]
    return {"connections": n, "seconds": elapsed, "per_second": n / elapsed if elapsed else None,
            "errors": errors, "crossed": crossed, "short": short, "hung": hung}


def judge(result: Dict[str, Any]) -> None:
    """Raise :class:`CaseFailure` unless every connection echoed its own payload."""
    n = result["connections"]
    if result["hung"]:
        raise CaseFailure(f"{len(result['hung'])} threads still running after the deadline "
                          f"(deadlock?): {sorted(set(result['hung']))}")
    if result["crossed"]:
        raise CaseFailure(f"cross-talk: {len(result['crossed'])} of {n} connections read another "
                          f"connection's payload (clients {result['crossed'][:10]})",
                          expected="each connection reads its own payload", actual="another's")
    if result["errors"]:
        who, exc = result["errors"][0]
        raise CaseFailure(f"{len(result['errors'])} errors among {n} connections; first: {who}: "
                          f"{type(exc).__name__}: {exc}", expected="no error",
                          actual=f"{type(exc).__name__}: {exc}")
    if result["short"]:
        raise CaseFailure(f"{len(result['short'])} of {n} connections read something other than "
                          f"the {PAYLOAD} bytes they sent (clients {result['short'][:10]})")


@table("concurrency/{n}-simultaneous-handshakes", spec="SSLContext.wrap_socket",
       basis="spec",
       cite="The SSL socket is tied to the context, its settings and certificates.", rows=[{"n": 200}])
def simultaneous(env: Any, n: int) -> Dict[str, Any]:
    """``n`` clients handshake with one server at the same moment, through one
    client context (verifying the server's chain) and one server context,
    each echoing its own payload."""
    client = env.context(trust="root-ca", verify="REQUIRED")
    result = concurrent_echo(client, env.context(cert="server"), n, env.timeout)
    judge(result)
    return {"connections": n, "seconds": round(result["seconds"], 3)}
