"""Threaded TLS over loopback, bounded in time, leaving nothing behind.

Every case that needs a peer goes through here.  The rules:

* every plain socket gets ``settimeout(timeout)`` before anyone uses it, so
  every accept, connect, read and write is bounded;
* each side runs in its own thread and is joined; if a side is still running
  when the deadline passes, its connection is shut down (which wakes any
  blocked call) and the side is reported as ``timed_out``;
* listeners and connections are closed whatever happens.

Implementations whose sockets are cooperative (gevent, eventlet) get a hub per
thread, so plain threads serve them too; each side's thread releases its hub when
it ends (``conformance.harness.hubs``).  Anything more they need belongs in an adapter
(see ``conformance.harness.impls``), never in cases.
"""
from __future__ import annotations

import contextlib
import dataclasses
import select
import socket
import threading
import time
from typing import Any, Callable, Iterator, List, Optional, Tuple

from .hubs import release_thread_hubs
from .reasons import classify

__all__ = ["SideResult", "TLSSide", "PairOutcome", "run_pair", "serve", "tls_pair",
           "has_ipv6", "read_exactly", "wait_ready", "take_side_errors", "pair_outcome", "LOOPBACK"]

LOOPBACK = {socket.AF_INET: "127.0.0.1", getattr(socket, "AF_INET6", -1): "::1"}


@dataclasses.dataclass
class SideResult:
    """What one side's function returned or raised, and when it ended
    (``time.monotonic()``: to tell whether it ended before or after a fault)."""

    value: Any = None
    error: Optional[BaseException] = None
    timed_out: bool = False
    ended: Optional[float] = None


def has_ipv6() -> bool:
    """True when ``::1`` can be bound here."""
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def wait_ready(sock: Any, *, write: bool = False, timeout: Optional[float] = None) -> bool:
    """Wait until ``sock`` is readable (or writable); False if ``timeout`` passed first.

    ``poll()`` where the platform has it: ``select()`` refuses descriptors from
    ``FD_SETSIZE`` (1024) on, which a busy process reaches.
    """
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLOUT if write else select.POLLIN)
        return bool(poller.poll(None if timeout is None else max(0, int(timeout * 1000 + 0.999))))
    ready = select.select([], [sock], [], timeout) if write else select.select([sock], [], [], timeout)
    return bool(ready[0] or ready[1])


def listener(family: int, timeout: float) -> socket.socket:
    lsock = socket.socket(family, socket.SOCK_STREAM)
    try:
        lsock.settimeout(timeout)
        lsock.bind((LOOPBACK[family], 0))
        lsock.listen(8)
    except BaseException:
        lsock.close()
        raise
    return lsock


#: errors raised in side threads, traceback and all, until the runner takes them
_SIDE_ERRORS: List[BaseException] = []
_SIDE_ERRORS_LOCK = threading.Lock()


def _note_side_error(exc: BaseException) -> None:
    with _SIDE_ERRORS_LOCK:
        _SIDE_ERRORS.append(exc)


def take_side_errors() -> List[BaseException]:
    """The errors side threads raised since the last call (and forget them).

    A case reports a side's error in its own words (``client side raised
    ...``); the runner finds the error behind such a failure here, so that its
    cause names the frame of the implementation that raised it in that thread.
    """
    with _SIDE_ERRORS_LOCK:
        taken = list(_SIDE_ERRORS)
        _SIDE_ERRORS.clear()
    return taken


class SideThread(threading.Thread):
    """Runs ``fn(sock)`` on one connection; remembers the fd to cut it loose."""

    def __init__(self, name: str, body: Callable[["SideThread"], Any]):
        super().__init__(name=name, daemon=True)
        self.body = body
        self.result = SideResult()
        self.fds: List[int] = []
        self.family = socket.AF_INET

    def run(self) -> None:
        try:
            self.result.value = self.body(self)
        except BaseException as exc:  # reported, never lost
            self.result.error = exc
            _note_side_error(exc)
        finally:
            self.result.ended = time.monotonic()
            release_thread_hubs()

    def cut(self) -> None:
        """Shut down our connections so a blocked call returns at once."""
        for fd in self.fds:
            with contextlib.suppress(OSError):
                dup = socket.fromfd(fd, self.family, socket.SOCK_STREAM)
                with contextlib.suppress(OSError):
                    dup.shutdown(socket.SHUT_RDWR)
                dup.close()


def join_sides(sides: Tuple[SideThread, ...], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for side in sides:
        side.join(max(0.0, deadline - time.monotonic()))
    late = [s for s in sides if s.is_alive()]
    for side in late:
        side.result.timed_out = True
        side.cut()
    for side in late:
        side.join(timeout)
    for side in sides:
        if side.result.timed_out and side.result.error is None:
            side.result.error = socket.timeout(f"{side.name} side did not finish within {timeout:g}s")


def run_pair(
    client_fn: Callable[[socket.socket], Any],
    server_fn: Callable[[socket.socket], Any],
    *,
    family: int = socket.AF_INET,
    timeout: float = 5.0,
) -> Tuple[SideResult, SideResult]:
    """Connect a client thread to a server thread over loopback.

    ``server_fn`` receives the accepted connection, ``client_fn`` the
    connected client socket; both plain, both with ``timeout`` set.  They may
    wrap them; whatever they return or raise comes back as ``SideResult``.
    The whole exchange is allowed ``3 * timeout`` before both sides are cut.
    """
    lsock = listener(family, timeout)
    try:
        return run_sides(lsock, lsock.getsockname()[1], client_fn, server_fn, family=family, timeout=timeout)
    finally:
        lsock.close()


def run_sides(lsock: socket.socket, port: int, client_fn: Callable[[socket.socket], Any],
              server_fn: Callable[[socket.socket], Any], *, family: int, timeout: float,
              nodelay: bool = False) -> Tuple[SideResult, SideResult]:
    """The two threads of :func:`run_pair` (and of the relay's pair): the server
    side accepts one connection on ``lsock``, the client side connects to
    ``port`` on loopback (the listener's own, or a relay's in front of it);
    ``nodelay`` sets ``TCP_NODELAY`` on both.  The caller closes ``lsock``."""
    def prepared(sock: socket.socket, side: SideThread) -> socket.socket:
        sock.settimeout(timeout)
        if nodelay:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        side.fds.append(sock.fileno())
        return sock

    def server_body(side: SideThread) -> Any:
        conn, _ = lsock.accept()
        with conn:
            return server_fn(prepared(conn, side))

    def client_body(side: SideThread) -> Any:
        with socket.socket(family, socket.SOCK_STREAM) as sock:
            prepared(sock, side).connect((LOOPBACK[family], port))
            return client_fn(sock)

    server, client = SideThread("server", server_body), SideThread("client", client_body)
    server.family = client.family = family
    server.start()
    client.start()
    join_sides((client, server), 3 * timeout)
    return client.result, server.result


@contextlib.contextmanager
def serve(
    server_fn: Callable[[socket.socket], Any],
    *,
    family: int = socket.AF_INET,
    timeout: float = 5.0,
    connections: int = 1,
) -> Iterator[Tuple[str, int]]:
    """Serve ``connections`` connections with ``server_fn``; yield the address.

    For cases where the case itself is the client (``get_server_certificate``
    and friends).  On exit the server is joined; its error, if any, is
    re-raised so nothing is lost.
    """
    lsock = listener(family, timeout)
    closing = threading.Event()
    busy = threading.Event()

    def body(side: SideThread) -> Any:
        results = []
        for _ in range(connections):
            try:
                conn, _ = lsock.accept()
            except OSError:
                if closing.is_set():
                    break  # the case made fewer connections than allowed
                raise
            busy.set()
            with conn:
                conn.settimeout(timeout)
                side.fds.append(conn.fileno())
                results.append(server_fn(conn))
            busy.clear()
        return results

    server = SideThread("server", body)
    server.family = family
    server.start()
    try:
        yield lsock.getsockname()[:2]
    finally:
        # Let the server finish what it accepted or has pending, then stop
        # listening; an idle accept() is woken by closing the listener.
        deadline = time.monotonic() + 2 * timeout
        while server.is_alive() and time.monotonic() < deadline:
            if not busy.is_set() and not wait_ready(lsock, timeout=0):
                break
            server.join(0.005)
        closing.set()
        with contextlib.suppress(OSError):
            lsock.shutdown(socket.SHUT_RDWR)  # wakes a blocked accept() on Linux
        lsock.close()
        join_sides((server,), 2 * timeout)
    if server.result.error is not None and not server.result.timed_out:
        raise server.result.error


@dataclasses.dataclass
class TLSSide:
    """One side of a TLS connection as the harness observed it."""

    ok: bool = False
    version: Optional[str] = None
    cipher: Optional[Tuple[Any, ...]] = None
    peercert: Any = None
    peercert_der: Optional[bytes] = None
    echoed: Optional[bytes] = None
    error: Optional[BaseException] = None
    timed_out: bool = False
    #: ``selected_alpn_protocol()`` after the handshake (``None`` also where the module has none)
    alpn: Optional[str] = None

    def observe(self, tls: Any) -> None:
        """What a completed handshake of ``tls`` (an ``SSLSocket`` or ``SSLObject``) negotiated."""
        self.version = negotiated_version(tls)
        self.cipher = tls.cipher()
        self.peercert = tls.getpeercert()
        self.peercert_der = tls.getpeercert(True)
        if hasattr(tls, "selected_alpn_protocol"):
            self.alpn = tls.selected_alpn_protocol()

    @property
    def reason(self) -> Optional[str]:
        return classify(self.error)

    def describe(self) -> str:
        if self.ok:
            return f"ok {self.version}"
        return f"failed ({self.reason}): {type(self.error).__name__}: {self.error}"


@dataclasses.dataclass
class PairOutcome:
    client: TLSSide
    server: TLSSide

    @property
    def ok(self) -> bool:
        return self.client.ok and self.server.ok


def negotiated_version(tls_sock: Any) -> Optional[str]:
    """``version()`` where the implementation has it (post-3.2), else ``cipher()[1]``."""
    version = getattr(tls_sock, "version", None)
    if callable(version):
        with contextlib.suppress(Exception):
            v = version()
            if v:
                return str(v)
    c = tls_sock.cipher()
    return c[1] if c else None


def tls_body(ctx: Any, payload: bytes, server_side: bool, hostname: Optional[str] = None,
             answer: Optional[bytes] = None) -> Callable[[socket.socket], TLSSide]:
    """One side of an echo over TLS, as a function of its connected socket: wrap
    it with ``ctx``, handshake, then the client sends ``payload`` and reads the
    server's answer (``answer``, by default the echo), the server reads
    ``payload`` and echoes it.  The :class:`TLSSide` says how far it got; an
    exception on the way (``wrap_socket`` included) is its ``error``."""
    want = payload if answer is None else answer

    def body(sock: socket.socket) -> TLSSide:
        seen = TLSSide()
        kwargs = {"server_side": server_side, "do_handshake_on_connect": False}
        if hostname is not None:
            kwargs["server_hostname"] = hostname
        try:
            tls = ctx.wrap_socket(sock, **kwargs)
        except Exception as exc:
            seen.error = exc
            _note_side_error(exc)
            return seen
        try:
            tls.do_handshake()
            seen.observe(tls)
            if server_side:
                data = read_exactly(tls, len(payload))
                tls.sendall(data)
                seen.echoed, expected = data, payload
            else:
                tls.sendall(payload)
                seen.echoed, expected = read_exactly(tls, len(want)), want
            seen.ok = seen.echoed == expected
            if not seen.ok:
                seen.error = ValueError(f"expected {expected!r} from the peer, got {seen.echoed!r}")
        except Exception as exc:
            seen.error = exc
            _note_side_error(exc)
        finally:
            tls.close()
        return seen

    return body


def read_exactly(tls: Any, n: int) -> bytes:
    """Read until ``n`` bytes came, or an EOF; what was read (short at an EOF)."""
    data = b""
    while len(data) < n:
        chunk = tls.read(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def tls_pair(
    client_ctx: Any,
    server_ctx: Any,
    *,
    payload: bytes = b"ping",
    server_hostname: Optional[str] = None,
    family: int = socket.AF_INET,
    timeout: float = 5.0,
) -> PairOutcome:
    """Handshake ``client_ctx`` against ``server_ctx`` and echo ``payload``.

    Both contexts may come from different implementations.  Each side's
    ``TLSSide`` says whether it completed, what it negotiated and saw of its
    peer, or why it failed.
    """
    c, s = run_pair(
        tls_body(client_ctx, payload, False, server_hostname),
        tls_body(server_ctx, payload, True),
        family=family,
        timeout=timeout,
    )
    return pair_outcome(c, s)


def pair_outcome(client: SideResult, server: SideResult) -> PairOutcome:
    """The :class:`PairOutcome` of a :func:`run_pair` whose sides return a :class:`TLSSide`
    (``tls_body`` and its like); a side that raised or timed out is a failed side."""
    return PairOutcome(client=_side(client), server=_side(server))


def _side(result: SideResult) -> TLSSide:
    if isinstance(result.value, TLSSide):
        side = result.value
    else:
        side = TLSSide(error=result.error)
    side.timed_out = result.timed_out
    if result.timed_out and side.error is None:
        side.error = result.error
    return side
