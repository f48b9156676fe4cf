"""Faulty connections between two TLS stacks: a deterministic relay between
client and server cuts, resets, stalls, damages or fragments the stream.

Every case runs the implementation under test on both sides of a
:class:`~conformance.harness.relay.Relay` (``env`` the client, ``env.peer`` the
server).  The relay acts at a TLS record boundary or at a moment one side
chooses, so a case means the same thing on every run:

* cut (FIN both ways) after k records, for every k, until the exchange survives;
* a TCP reset in the handshake and in the data;
* a ragged EOF (no close_notify), with ``suppress_ragged_eofs`` True and False;
* a half-close, and records with an oversized length or a malformed header;
* (in :mod:`.fragmented`) a faithful relay forwarding one byte at a time.

The documented answer to a broken connection is an ``SSLError`` (or, for an
EOF, what ``suppress_ragged_eofs`` says), raised promptly.

Every case first runs its control (``conformance.harness.control``): the same
bodies through the same relay with no fault, which must complete -- else
the failure the case looks for proves nothing.  And a pass needs the fault
to be what ended the connection: the relay really cut or damaged where the
case said, and the side stopped after it did.
"""
from __future__ import annotations

import socket
import threading
from typing import Any, Callable, Dict, List, Tuple

from ..harness.control import control, ended_by_cut
from ..harness.registry import CaseFailure, case, expect_equal, expect_true, table
from ..harness.relay import Faults
from .handshake import read_past_hello
from .hostile import MAX_RECORD, SHORT, payload as _payload, record_header
from .helpers import SUPPRESS_RAGGED_EOFS, drain, server_ctx
from .relaying import (check_stopped, connection_errors, echo_control, relayed, run_relayed,
                       side_env)


# -- damaged records after the handshake, through the relay ---------------------

POST = [{"kind": "oversized-record", "header": record_header(23, 0x0303, MAX_RECORD + 1)},
        {"kind": "malformed-header", "header": record_header(0x63, 0x0909, 64)}]


@table("hostile/relay/{kind}-after-handshake", spec="SSLSocket.read",
       basis="spec",
       cite="Raised to signal an error from the underlying SSL implementation. This signifies some "
            "problem in the higher-level encryption and authentication layer that's superimposed on the "
            "underlying network connection.", rows=POST, pair=True)
def damaged_record(env: Any, kind: str, header: bytes) -> Dict[str, str]:
    """The client's first application record gets a bad header: the server's read raises SSLError."""
    def client_then(relay: Any, tls: Any, stage: str) -> None:
        if stage == "handshake":  # the client's handshake records have all passed when the
            done.wait(SHORT)      # server is done; the next record is application data
            first_data.append(relay.records("c2s"))
            relay.dirs["c2s"].faults.headers[first_data[0]] = header

    def server_then(relay: Any, tls: Any, stage: str) -> None:
        if stage == "handshake":
            done.set()

    done, first_data = threading.Event(), []
    payload = _payload(100)
    echo_control(env, payload, timeout=SHORT)
    c, s, relay = relayed(env, payload=payload, client_then=client_then, server_then=server_then,
                           timeout=SHORT)
    expect_true(first_data and first_data[0] in relay.damaged_records("c2s"),
                f"the relay overwrote the header of the client's first application record with a {kind}",
                expected=first_data, actual=relay.damaged_records("c2s"))
    expect_equal(s["stage"], "read", "the server stopped in")
    expect_true(isinstance(s["error"], side_env(env, "server").ssl.SSLError), f"server's read of a record with a {kind}",
                expected="SSLError", actual=repr(s["error"]))
    check_stopped(env, c, "client", payload)
    return {"server": str(s["error"])[:120]}


# -- cut at every record boundary, reset, ragged EOF -----------------------------

@table("hostile/relay/cut-at-every-record/{direction}", spec="SSLSocket.do_handshake",
       basis="spec",
       cite="Raised to signal an error from the underlying SSL implementation. This signifies some "
            "problem in the higher-level encryption and authentication layer that's superimposed on the "
            "underlying network connection.",
       rows=[{"direction": "c2s"}, {"direction": "s2c"}], pair=True)
def cut_everywhere(env: Any, direction: str) -> Dict[str, Any]:
    """Cut (FIN both ways) after k whole records, for k = 0, 1, ... until the exchange survives.

    The starved side (the server when the client's records are cut, else the
    client) must stop with an SSLError/OSError, or an EOF after its
    handshake, without a hang; the other side too.  k = 0 must fail both
    handshakes; some k must let the starved side finish, or the cut is
    everywhere and proves nothing.
    """
    payload = _payload(64)
    starved = "server" if direction == "c2s" else "client"
    stops: List[str] = []
    echo_control(env, payload, timeout=SHORT)  # one control for every cut point
    for k in range(40):
        c, s, relay = relayed(env, payload=payload, timeout=SHORT, **{direction: Faults(at_record=k)})
        sides = {"client": c, "server": s}
        if sides[starved]["stage"] == "done" and sides[starved]["got"] == payload:
            break
        if k == 0:
            expect_equal((c["stage"], s["stage"]), ("handshake", "handshake"),
                         "with no record passed, both sides stopped in")
        for who, seen in sides.items():
            if seen["stage"] != "done":
                ended_by_cut(relay, f"{who} (k={k})", seen["ended"], mode="fin", direction=direction, records=k)
                stops.append(f"k={k} {who}: {seen['stage']} {check_stopped(env, seen, who, payload)}")
    else:
        raise CaseFailure(f"the {starved} never finished, even with 40 records passed")
    expect_true(k >= 2, "the exchange needs at least two records", actual=k)
    return {"cut_points": k, "stops": stops}


RST = [{"where": "mid-handshake-c2s"}, {"where": "mid-handshake-s2c"}, {"where": "mid-data"}]


@table("hostile/relay/rst/{where}", spec="SSLSocket.read",
       basis="spec",
       cite=SUPPRESS_RAGGED_EOFS, rows=RST, pair=True)
def reset(env: Any, where: str) -> Dict[str, str]:
    """A TCP reset: the side that was waiting raises SSLError/OSError, never a clean EOF.

    Mid-data, both sides read with ``suppress_ragged_eofs=False``: a reset is
    at best an unexpected EOF, and that must be an exception.
    """
    payload = _payload(200_000)
    # With suppress_ragged_eofs=True an implementation may report a reset
    # as the documented "normal EOF" (CPython does: OpenSSL's read of a
    # reset socket returns like an EOF); with False it must raise.
    suppress = where != "mid-data"
    echo_control(env, payload, suppress=suppress)
    if where == "mid-data":
        def server_then(relay: Any, tls: Any, stage: str) -> None:
            if stage == "read":
                relay.cut("rst")
        c, s, relay = relayed(env, payload=payload, server_then=server_then, suppress=suppress)
        starved, seen = "server", s
        ended_by_cut(relay, starved, seen["ended"], mode="rst")
    else:
        direction = where[-3:]
        c, s, relay = relayed(env, payload=payload, suppress=suppress,
                               **{direction: Faults(at_record=1, then="rst")})
        starved, seen = ("server", s) if direction == "c2s" else ("client", c)
        expect_equal(seen["stage"], "handshake", f"{starved} stopped in")
        ended_by_cut(relay, starved, seen["ended"], mode="rst", direction=direction, records=1)
    expect_true(seen["error"] is not None, f"{starved} saw the reset as an exception",
                expected="SSLError or OSError", actual=f"EOF in stage {seen['stage']}")
    check_stopped(env, seen, starved, payload, eof_ok=False)
    return {starved: repr(seen["error"])[:120]}


def _hello_then_echo(ctx: Any) -> Callable:
    """A server that writes ``hello``, then echoes what it reads until its connection ends."""
    def server(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock, server_side=True)
        try:
            tls.write(b"hello")
            while True:
                data = tls.read(100)
                if not data:
                    return None
                tls.write(data)
        except Exception as exc:  # the end is the relay's doing: any way is fine
            return exc
        finally:
            tls.close()
    return server


@table("hostile/relay/ragged-eof/suppress-{suppress}", spec="SSLContext.wrap_socket",
       basis="spec",
       cite=SUPPRESS_RAGGED_EOFS,
       rows=[{"suppress": True}, {"suppress": False}], pair=True)
def ragged_eof(env: Any, suppress: bool) -> Dict[str, str]:
    """The relay ends TCP mid-data, no close_notify: b'' (suppressed) or SSLError.

    The control: where the relay would cut, the client writes ``bye`` and reads the echo.
    """
    ctx, sctx = env.context(), server_ctx(env)

    def run(faulty: bool) -> Tuple[Any, Any]:
        ref: List[Any] = []

        def cut_or_bye(tls: Any) -> None:
            if faulty:
                ref[0].cut("fin")
            else:
                tls.write(b"bye")

        def client(sock: socket.socket) -> Any:
            return read_past_hello(ctx.wrap_socket(sock, suppress_ragged_eofs=suppress), cut_or_bye)

        return run_relayed(client, _hello_then_echo(sctx), env.timeout, ref)[0]

    control("hello, then an echo, through a faithful relay", lambda: run(False),
            lambda seen: None if seen == (b"hello", b"bye") else
            f"the client read {seen[0]!r}, then {seen[1]!r}")
    first, then = run(True)
    expect_equal(first, b"hello", "data before the ragged EOF")
    if suppress:
        expect_equal(then, b"", "read() at a ragged EOF with suppress_ragged_eofs=True")
    else:
        expect_true(isinstance(then, env.ssl.SSLError),
                    "read() at a ragged EOF with suppress_ragged_eofs=False raises SSLError",
                    expected="SSLError", actual=repr(then))
    return {"read": repr(then)}


@case("hostile/relay/half-close", spec="SSLSocket.read",
      basis="spec",
      cite="Reads up to ``nbytes`` bytes from the SSL-encrypted channel and returns them.", pair=True)
def half_close(env: Any) -> Dict[str, Any]:
    """The client's direction is closed at TCP level after its data, the other stays open.

    The relay passes the EOF on once the server has read the data, so no byte
    the client sent is lost to the close.

    The server reads the data, then sees the EOF (``b''``, the default
    ``suppress_ragged_eofs``) at once, and answers; the client, whose
    direction from the server still works, reads the answer.  The control:
    the same ping and pong with no half-close.
    """
    ctx, sctx = env.context(), server_ctx(env)

    def run(faulty: bool) -> Tuple[Any, Any, Any, Any]:
        ref: List[Any] = []

        def client(sock: socket.socket) -> Any:
            tls = ctx.wrap_socket(sock)
            try:
                tls.write(b"ping")
                return _read_until_eof(tls)
            finally:
                tls.close()

        def server(sock: socket.socket) -> Any:
            tls = sctx.wrap_socket(sock, server_side=True)
            try:
                got, eof = b"", None
                while len(got) < 4:
                    chunk = tls.read(4 - len(got))
                    if not chunk:
                        break
                    got += chunk
                if faulty:
                    ref[0].half_close("c2s")  # everything the client sent has arrived
                    eof = tls.read(100)
                try:
                    tls.write(b"pong")
                    wrote = None
                except Exception as exc:
                    wrote = exc
                return got, eof, wrote
            finally:
                tls.close()

        answer, (got, eof, wrote), _ = run_relayed(client, server, env.timeout, ref)
        return answer, got, eof, wrote

    control("ping and pong through a faithful relay", lambda: run(False),
            lambda seen: None if (seen[0], seen[1], seen[3]) == (b"pong", b"ping", None) else
            f"the server read {seen[1]!r} and its write raised {seen[3]!r}; the client read {seen[0]!r}")
    answer, got, eof, wrote = run(True)
    expect_equal(got, b"ping", "server read the data before the half-close")
    expect_equal(eof, b"", "server's read() at the half-close (suppress_ragged_eofs=True)")
    if wrote is None:
        expect_true(answer in (b"pong", b""), "client read the server's answer, or an EOF",
                    actual=repr(answer))
    else:
        expect_true(isinstance(wrote, connection_errors(side_env(env, "server"))),
                    "writing after a ragged EOF: SSLError/OSError", actual=repr(wrote))
    return {"client read": repr(answer), "server write": repr(wrote)}


def _read_until_eof(tls: Any) -> Any:
    """What ``tls`` reads until its EOF, or the exception that ended it."""
    try:
        return drain(tls)
    except Exception as exc:
        return exc
