"""A pump between two ``SSLObject``s: TLS over memory buffers, bounded, in one thread.

``SSLContext.wrap_bio(incoming, outgoing)`` gives an ``SSLObject`` that does
no I/O: whoever drives it moves the bytes.  :class:`BioEnd` is one such object
with its two ``MemoryBIO``s; :func:`wire` moves what each end wrote to the
other's *incoming*; :func:`pump` drives the steps of both sides (a generator
per side that ``yield``s whenever its object raised ``SSLWantReadError``,
i.e. needs more input) and wires between rounds.

Nothing loops forever: a round in which no byte moved and no side advanced
counts as idle, and after ``rounds`` idle rounds -- or once ``timeout``
seconds passed -- every side still running ends with :class:`PumpStalled`,
whose message says what each side was waiting for.  With ``close=True`` a
side that ends (done or failed) closes its transport the way a closed socket
would: once its last bytes are wired, the other end's *incoming* gets
``write_eof()``.

:func:`bio_pair` is :func:`conformance.harness.loopback.tls_pair` over memory
buffers -- the same echo, the same :class:`~conformance.harness.loopback.PairOutcome`
-- so that one table of cases can run on either transport
(:func:`tls_connect`, ``TRANSPORTS``).  :func:`over_socket` drives one side
against a real socket peer instead (:func:`bio_socket_body`, a side for
``loopback.run_pair``).  Only the standard library here.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Generator, List, Optional, Tuple

from .loopback import PairOutcome, TLSSide, tls_pair
from .registry import CaseFailure

__all__ = ["BioEnd", "PumpStalled", "wire", "pump", "retry", "bio_pair", "tls_connect", "TRANSPORTS",
           "require_bio", "close_transport", "over_socket",
           "bio_socket_body", "IDLE_ROUNDS"]

#: idle rounds (no byte moved, no side advanced) before the pump gives up
IDLE_ROUNDS = 8

Step = Generator[str, None, Any]


class PumpStalled(Exception):
    """Neither side made progress: what each was waiting for is in the message."""


def require_bio(module: Any, impl: str) -> None:
    """``CaseFailure`` unless ``module`` has ``MemoryBIO`` and ``SSLContext.wrap_bio`` (documented since 3.5)."""
    for name, there in (("MemoryBIO", hasattr(module, "MemoryBIO")),
                        ("SSLContext.wrap_bio", hasattr(getattr(module, "SSLContext", None), "wrap_bio"))):
        if not there:
            raise CaseFailure(f"{impl} has no {name} (documented since Python 3.5)", expected=name,
                              actual="missing")


class BioEnd:
    """One ``SSLObject`` of ``module`` made by ``ctx.wrap_bio`` with two fresh ``MemoryBIO``s."""

    def __init__(self, module: Any, ctx: Any, *, server_side: bool = False,
                 server_hostname: Optional[str] = None, session: Any = None, name: str = "") -> None:
        self.module = module
        self.name = name or ("server" if server_side else "client")
        self.incoming = module.MemoryBIO()
        self.outgoing = module.MemoryBIO()
        kwargs: Dict[str, Any] = {"server_side": server_side}
        if server_hostname is not None:
            kwargs["server_hostname"] = server_hostname
        if session is not None:
            kwargs["session"] = session
        self.obj = ctx.wrap_bio(self.incoming, self.outgoing, **kwargs)
        self.closed = False  #: write_eof() was called on incoming (no more bytes will come)

    def want_read(self) -> type:
        return self.module.SSLWantReadError


def wire(a: BioEnd, b: BioEnd) -> int:
    """Move everything each end wrote to the other's *incoming*; the number of bytes moved.

    Bytes for an end whose transport is closed (:func:`close_transport`) are dropped, as a
    socket drops what arrives after ``close()``."""
    moved = 0
    for src, dst in ((a, b), (b, a)):
        data = src.outgoing.read()
        if data and not dst.closed:
            dst.incoming.write(data)
        moved += len(data)
    return moved


def close_transport(end: BioEnd) -> None:
    """``end.incoming.write_eof()``, once: the end of the peer's bytes, as a closed socket gives."""
    if not end.closed:
        end.incoming.write_eof()
        end.closed = True


def retry(end: BioEnd, call: Callable[[], Any], what: str) -> Step:
    """``call()`` until it does not raise ``SSLWantReadError``; ``yield what`` each time it does.

    Use it in a side's generator: ``result = yield from retry(end, end.obj.do_handshake, "handshake")``.
    """
    want = end.want_read()
    while True:
        try:
            return call()
        except want:
            yield what


def pump(sides: List[Tuple[BioEnd, Step]], *, rounds: int = IDLE_ROUNDS, timeout: float = 5.0,
         close: bool = False) -> List[Tuple[Any, Optional[BaseException]]]:
    """Drive both sides' generators to their end; ``[(value, error), ...]`` in ``sides``' order.

    A side's error is what its generator raised (``PumpStalled`` when the pump
    gave up on it).  ``close``: a side that ends closes its transport
    (:func:`close_transport` on the other end), as a connection's owner closes
    its socket; without it the ends stay open for the next steps.
    """
    (a, _), (b, _) = sides
    state: List[Dict[str, Any]] = [{"gen": gen, "end": end, "done": False, "value": None, "error": None,
                                    "waits": "start", "closed": False} for end, gen in sides]
    deadline = time.monotonic() + timeout
    idle = 0
    while not all(s["done"] for s in state):
        advanced = False
        for s in state:
            if s["done"]:
                continue
            try:
                s["waits"] = next(s["gen"])
            except StopIteration as stop:
                s["done"], s["value"], advanced = True, stop.value, True
            except Exception as exc:  # the side failed: its error is the result
                s["done"], s["error"], advanced = True, exc, True
        moved = wire(a, b)
        for s, other in ((state[0], state[1]), (state[1], state[0])):
            if close and s["done"] and not s["closed"]:
                close_transport(other["end"])
                s["closed"] = advanced = True
        idle = 0 if (moved or advanced) else idle + 1
        if idle >= rounds or time.monotonic() > deadline:
            why = (f"no progress in {rounds} rounds" if idle >= rounds else f"not done within {timeout:g}s")
            waiting = "; ".join(f"{s['end'].name} waits in {s['waits']}" for s in state if not s["done"])
            for s in state:
                if not s["done"]:
                    s["done"], s["error"] = True, PumpStalled(f"the memory-BIO pump stopped: {why} ({waiting})")
                    s["gen"].close()
    return [(s["value"], s["error"]) for s in state]


def _echo_side(end: BioEnd, payload: bytes, want: bytes, seen: TLSSide) -> Step:
    """One side of :func:`bio_pair`'s echo, filling ``seen`` as it goes."""
    obj = end.obj
    yield from retry(end, obj.do_handshake, "do_handshake")
    seen.observe(obj)
    if end.obj.server_side:
        data = yield from read_exactly(end, len(payload))
        obj.write(data)
        seen.echoed, expected = data, payload
    else:
        obj.write(payload)
        seen.echoed = yield from read_exactly(end, len(want))
        expected = want
    seen.ok = seen.echoed == expected
    if not seen.ok:
        seen.error = ValueError(f"expected {expected!r} from the peer, got {seen.echoed!r}")
    return seen


def read_exactly(end: BioEnd, n: int, size: int = 16384) -> Step:
    """Read ``n`` bytes (short at a clean end: ``read`` returned ``b""``)."""
    data = b""
    while len(data) < n:
        chunk = yield from retry(end, lambda: end.obj.read(min(size, n - len(data))), "read")
        if not chunk:
            break
        data += chunk
    return data


def bio_pair(client_ctx: Any, server_ctx: Any, client_ssl: Any, server_ssl: Any, *,
             payload: bytes = b"ping", server_hostname: Optional[str] = None,
             timeout: float = 5.0) -> PairOutcome:
    """:func:`~conformance.harness.loopback.tls_pair` over memory BIOs: handshake, then the client
    sends ``payload`` and the server echoes it.  A failure to make an ``SSLObject`` is that side's error."""
    seen = (TLSSide(), TLSSide())
    sides: List[Tuple[BioEnd, Step]] = []
    ends: List[Optional[BioEnd]] = []
    for (module, ctx, server_side), side in zip(((client_ssl, client_ctx, False), (server_ssl, server_ctx, True)),
                                                 seen):
        try:
            end = BioEnd(module, ctx, server_side=server_side,
                         server_hostname=None if server_side else server_hostname)
        except Exception as exc:
            side.error = exc
            ends.append(None)
            continue
        ends.append(end)
        sides.append((end, _echo_side(end, payload, payload, side)))
    if len(sides) == 2:
        for (value, error), side in zip(pump(sides, timeout=timeout, close=True), seen):
            if error is not None:
                side.ok, side.error = False, error
                side.timed_out = isinstance(error, PumpStalled) and "within" in str(error)
    return PairOutcome(client=seen[0], server=seen[1])


def over_socket(end: BioEnd, sock: Any, steps: Step, timeout: float) -> Any:
    """Drive one side's generator against a real socket peer: what the object writes is sent,
    and each time it needs input the socket is read (``sock`` has a timeout; its EOF is
    ``write_eof()``).  Bounded by ``timeout`` overall, as the pump is."""
    deadline = time.monotonic() + timeout
    waits = "start"
    try:
        while True:
            try:
                waits = next(steps)
            except StopIteration as stop:
                return stop.value
            finally:
                data = end.outgoing.read()
                if data:
                    sock.sendall(data)
            if time.monotonic() > deadline:
                raise PumpStalled(f"the socket pump stopped: not done within {timeout:g}s ({end.name} waits in {waits})")
            if not end.closed:
                chunk = sock.recv(65536)
                if chunk:
                    end.incoming.write(chunk)
                else:
                    close_transport(end)
    finally:
        steps.close()


def bio_socket_body(module: Any, ctx: Any, payload: bytes, server_side: bool, *,
                    hostname: Optional[str] = None, timeout: float = 5.0) -> Callable[[Any], TLSSide]:
    """A ``run_pair`` side like ``loopback.tls_body``, but an ``SSLObject`` over the connected
    socket instead of an ``SSLSocket``: the echo of :func:`bio_pair` against a socket peer."""
    def body(sock: Any) -> TLSSide:
        seen = TLSSide()
        try:
            end = BioEnd(module, ctx, server_side=server_side, server_hostname=hostname)
            over_socket(end, sock, _echo_side(end, payload, payload, seen), timeout)
        except Exception as exc:
            seen.ok, seen.error = False, exc
        return seen

    return body


def tls_connect(transport: str, client_ctx: Any, server_ctx: Any, client_ssl: Any, server_ssl: Any, *,
                timeout: float, **kwargs: Any) -> PairOutcome:
    """One echo connection over ``transport``: ``"socket"`` (loopback) or ``"bio"`` (memory BIOs)."""
    if transport == "bio":
        for module in (client_ssl, server_ssl):
            require_bio(module, getattr(module, "__name__", repr(module)))
        return bio_pair(client_ctx, server_ctx, client_ssl, server_ssl, timeout=timeout, **kwargs)
    if transport != "socket":
        raise ValueError(f"unknown transport {transport!r} (one of {', '.join(TRANSPORTS)})")
    return tls_pair(client_ctx, server_ctx, timeout=timeout, **kwargs)


#: the transports a connection table may run on, and the edition each is documented from
TRANSPORTS = {"socket": "3.2", "bio": "3.5"}
