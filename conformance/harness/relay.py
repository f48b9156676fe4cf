"""A deterministic loopback relay that misbehaves on purpose.

The relay sits between a TLS client and a TLS server and forwards the TCP
byte streams in both directions, optionally damaging them.  Each direction
(``"c2s"``: client to server, ``"s2c"``: server to client) has its own
:class:`Faults`:

* ``fragment=n``  forward in pieces of at most ``n`` bytes, each its own
  ``send()`` on a ``TCP_NODELAY`` socket (``1`` = byte by byte);
* ``delay=s``     sleep ``s`` seconds before each piece;
* ``limit=n``     forward at most ``n`` bytes, then do ``then``;
* ``at_record=k`` forward exactly ``k`` whole TLS records, then do ``then``
  (the relay parses the 5-byte record headers to find the boundaries);
* ``then``        what happens at the limit: ``"fin"`` (an orderly TCP close
  of both connections), ``"rst"`` (a reset: ``SO_LINGER`` 0, then close) or
  ``"stall"`` (keep the connections open, forward nothing more this way);
* ``replace={offset: data}`` overwrite the stream from ``offset`` on;
* ``headers={k: header}``    replace the 5-byte header of record ``k``.

An EOF from one peer is passed on as a half-close (``shutdown(SHUT_WR)``)
so the other direction keeps working.  :meth:`Relay.cut` and
:meth:`Relay.half_close` let a case act at a moment of its choosing, and
:meth:`Relay.records` says how many whole records went each way.

What the relay did is evidence a case can check (``conformance.harness.control``):
:attr:`Relay.cut_event` says when it cut and after how many whole records
each way (:class:`Cut`), :meth:`Relay.damaged_records` which records it
overwrote the header of.

Every socket has a timeout; :meth:`Relay.close` (or leaving the ``with``
block) shuts everything down and joins the threads, so nothing is left
behind.  :func:`relay_pair` runs a client and a server function through a
relay the way ``loopback.run_pair`` runs them directly.
"""
from __future__ import annotations

import bisect
import contextlib
import dataclasses
import socket
import struct
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Tuple

from .loopback import SideResult, listener, run_sides

__all__ = ["Cut", "Faults", "RecordScanner", "Relay", "relay_pair", "DIRECTIONS", "HEADER"]

DIRECTIONS = ("c2s", "s2c")
HEADER = 5  # content type (1), version (2), length (2)
_CUT_MODES = ("fin", "rst", "stall")


@dataclasses.dataclass
class Faults:
    """What to do to one direction of the stream (see the module docstring)."""

    fragment: Optional[int] = None
    delay: float = 0.0
    limit: Optional[int] = None
    at_record: Optional[int] = None
    then: str = "fin"
    replace: Dict[int, bytes] = dataclasses.field(default_factory=dict)
    headers: Dict[int, bytes] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.then not in _CUT_MODES:
            raise ValueError(f"then must be one of {_CUT_MODES}, not {self.then!r}")
        if self.fragment is not None and self.fragment < 1:
            raise ValueError("fragment must be >= 1")
        for k, header in self.headers.items():
            if len(header) != HEADER:
                raise ValueError(f"replacement header for record {k} is not {HEADER} bytes")


@dataclasses.dataclass(frozen=True)
class Cut:
    """How the relay ended the connections: ``mode`` ("fin" or "rst"), ``at``
    (``time.monotonic()`` before it touched a socket, so whatever a side saw
    of the cut came later) and ``records``: direction -> whole records it had
    forwarded by then."""

    mode: str
    at: float
    records: Dict[str, int]


class RecordScanner:
    """Finds TLS record boundaries in a byte stream fed piece by piece.

    ``boundaries[k]`` is the stream offset just past record ``k``;
    ``starts[k]`` the offset of its header; ``headers[k]`` the parsed
    ``(content_type, version, length)``.  The relay scans what the sender
    wrote, before any damage, so record numbers mean the sender's records.
    """

    def __init__(self) -> None:
        self.offset = 0
        self.starts: List[int] = []
        self.boundaries: List[int] = []
        self.headers: List[Tuple[int, int, int]] = []
        self._head = b""
        self._body_left = 0

    def feed(self, data: bytes) -> None:
        i = 0
        while i < len(data):
            if self._body_left:
                take = min(self._body_left, len(data) - i)
                self._body_left -= take
                i += take
                if not self._body_left:
                    self.boundaries.append(self.offset + i)
                continue
            if not self._head:
                self.starts.append(self.offset + i)
            take = min(HEADER - len(self._head), len(data) - i)
            self._head += data[i:i + take]
            i += take
            if len(self._head) == HEADER:
                ctype, version, length = struct.unpack("!BHH", self._head)
                self.headers.append((ctype, version, length))
                self._head = b""
                self._body_left = length
                if not length:
                    self.boundaries.append(self.offset + i)
        self.offset += len(data)


class _Direction:
    """One pumping thread's state: faults, scanner, what went through."""

    def __init__(self, name: str, faults: Faults):
        self.name = name
        self.faults = faults
        self.scanner = RecordScanner()  # over the bytes as the sender wrote them
        self.received = 0
        self.forwarded = 0
        self.stalled = False
        self.eof = False
        self.broken: Optional[BaseException] = None
        self.patched: List[int] = []  # stream offsets at which a patch was written

    def records_forwarded(self) -> int:
        """Whole records passed on so far."""
        return bisect.bisect_right(self.scanner.boundaries, self.forwarded)

    def stop_at(self) -> Optional[int]:
        """The offset beyond which nothing may be forwarded, if known yet."""
        bounds = []
        if self.faults.limit is not None:
            bounds.append(self.faults.limit)
        k = self.faults.at_record
        if k is not None:
            if k == 0:
                bounds.append(0)
            elif len(self.scanner.boundaries) >= k:
                bounds.append(self.scanner.boundaries[k - 1])
        return min(bounds) if bounds else None

    def damage(self, start: int, data: bytes) -> bytes:
        """Apply ``replace`` and ``headers`` to ``data`` found at stream offset ``start``."""
        patches = dict(self.faults.replace)
        for k, header in self.faults.headers.items():
            if k < len(self.scanner.starts):
                patches[self.scanner.starts[k]] = header
        if not patches:
            return data
        out = bytearray(data)
        end = start + len(data)
        self.patched += [offset for offset in patches if start <= offset < end]
        for offset, new in patches.items():
            for j, byte in enumerate(new):
                if start <= offset + j < end:
                    out[offset + j - start] = byte
        return bytes(out)


class Relay:
    """Forwards one connection to ``target``, with faults; see the module docstring.

    Use as a context manager; ``address`` is where the client connects.
    """

    def __init__(self, target: Tuple[str, int], *, c2s: Optional[Faults] = None,
                 s2c: Optional[Faults] = None, timeout: float = 5.0,
                 family: int = socket.AF_INET):
        self.target = target
        self.timeout = timeout
        self.family = family
        self.dirs = {"c2s": _Direction("c2s", c2s or Faults()),
                     "s2c": _Direction("s2c", s2c or Faults())}
        self._lsock = listener(family, timeout)
        self.address: Tuple[str, int] = self._lsock.getsockname()[:2]
        self._socks: Dict[str, socket.socket] = {}
        self._lock = threading.Lock()
        self._cut = threading.Event()
        self._connected = threading.Event()
        self._threads: List[threading.Thread] = []
        self.cut_event: Optional[Cut] = None
        self.error: Optional[BaseException] = None
        acceptor = threading.Thread(target=self._accept, name="relay-accept", daemon=True)
        self._threads.append(acceptor)
        acceptor.start()

    # -- public -----------------------------------------------------------
    def __enter__(self) -> "Relay":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def records(self, direction: str) -> int:
        """Whole records received so far in ``direction``."""
        return len(self.dirs[direction].scanner.boundaries)

    def forwarded(self, direction: str) -> int:
        """Bytes passed on so far in ``direction``."""
        return self.dirs[direction].forwarded

    @property
    def cut_mode(self) -> Optional[str]:
        """``"fin"`` or ``"rst"`` once the relay cut the connections, else None."""
        return self.cut_event.mode if self.cut_event else None

    def damaged_records(self, direction: str) -> List[int]:
        """Indexes of the records whose header the relay overwrote (``Faults.headers``)."""
        d = self.dirs[direction]
        return [k for k, start in enumerate(d.scanner.starts) if start in d.patched]

    def cut(self, mode: str = "fin") -> None:
        """End both connections now: ``"fin"`` (orderly close) or ``"rst"`` (reset).

        A reset needs the last reference to each socket closed with
        ``SO_LINGER`` 0, so the pumps are woken (``SHUT_RD`` sends nothing)
        and joined first; a FIN is a ``SHUT_WR`` and the pumps drain the rest.
        """
        if mode not in ("fin", "rst"):
            raise ValueError(f"cut mode must be 'fin' or 'rst', not {mode!r}")
        with self._lock:
            if self._cut.is_set():
                return
            self.cut_event = Cut(mode, time.monotonic(),
                                 {name: d.records_forwarded() for name, d in self.dirs.items()})
            self._cut.set()
            socks = list(self._socks.values())
            for sock in socks:
                with contextlib.suppress(OSError):
                    if mode == "rst":
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                        sock.shutdown(socket.SHUT_RD)
                    else:
                        sock.shutdown(socket.SHUT_WR)
        if mode == "rst":
            me = threading.current_thread()
            for t in self._threads:
                if t is not me:
                    t.join(self.timeout)
            for sock in socks:
                sock.close()

    def half_close(self, direction: str) -> None:
        """Pass an EOF on in ``direction`` (as if its sender had shut down writing)."""
        d = self.dirs[direction]
        d.stalled = True
        sock = self._socks.get("server" if direction == "c2s" else "client")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)

    def wait_connected(self) -> bool:
        return self._connected.wait(self.timeout)

    def close(self) -> None:
        """Shut everything down and join the threads (bounded by the timeout)."""
        with self._lock:
            self._cut.set()
            for sock in list(self._socks.values()) + [self._lsock]:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + self.timeout
        for t in list(self._threads):
            t.join(max(0.0, deadline - time.monotonic()))
        for sock in list(self._socks.values()) + [self._lsock]:
            sock.close()

    # -- threads ----------------------------------------------------------
    def _accept(self) -> None:
        try:
            client, _ = self._lsock.accept()
        except OSError as exc:
            if not self._cut.is_set():
                self.error = exc
            return
        server = socket.socket(self.family, socket.SOCK_STREAM)
        for sock in (client, server):
            sock.settimeout(self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._socks.update(client=client, server=server)
            if self._cut.is_set():
                return
        try:
            server.connect(self.target)
        except OSError as exc:
            self.error = exc
            self.cut("rst")
            return
        self._connected.set()
        for name, src, dst in (("c2s", client, server), ("s2c", server, client)):
            t = threading.Thread(target=self._pump, args=(self.dirs[name], src, dst),
                                 name=f"relay-{name}", daemon=True)
            self._threads.append(t)
            t.start()

    def _pump(self, d: _Direction, src: socket.socket, dst: socket.socket) -> None:
        try:
            while True:
                try:
                    data = src.recv(65536)
                except OSError:
                    data = b""
                if not data:
                    d.eof = True
                    if not self._cut.is_set() and not d.stalled:
                        with contextlib.suppress(OSError):
                            dst.shutdown(socket.SHUT_WR)  # pass the half-close on
                    return
                start = d.received
                d.received += len(data)
                d.scanner.feed(data)
                if self._cut.is_set() or d.stalled:
                    continue  # drain and discard
                try:
                    self._forward(d, dst, start, data)
                except OSError as exc:  # the receiver is gone: discard the rest
                    d.broken, d.stalled = exc, True
        except BaseException as exc:  # a relay never lets an exception escape its threads
            if not self._cut.is_set():
                self.error = exc
                self.cut("rst")

    def _forward(self, d: _Direction, dst: socket.socket, start: int, data: bytes) -> None:
        stop = d.stop_at()
        if stop is not None and start + len(data) >= stop:
            data = data[:max(0, stop - start)]
        data = d.damage(start, data)
        step = d.faults.fragment or len(data) or 1
        for i in range(0, len(data), step):
            if d.faults.delay:
                time.sleep(d.faults.delay)
            if self._cut.is_set():
                return
            dst.sendall(data[i:i + step])
            d.forwarded += len(data[i:i + step])
        if stop is not None and d.forwarded >= stop:
            if d.faults.then == "stall":
                d.stalled = True
            else:
                self.cut(d.faults.then)


def relay_pair(
    client_fn: Callable[[socket.socket], Any],
    server_fn: Callable[[socket.socket], Any],
    *,
    c2s: Optional[Faults] = None,
    s2c: Optional[Faults] = None,
    timeout: float = 5.0,
    family: int = socket.AF_INET,
    relay_ref: Optional[List[Relay]] = None,
) -> Tuple[SideResult, SideResult, Relay]:
    """Like ``loopback.run_pair``, with a :class:`Relay` between the two sides.

    Returns both sides' results and the (closed) relay, whose counters say
    what went through.  ``relay_ref``, if given, receives the relay before
    the sides start, so a side can call ``cut``/``half_close``/``records``.
    """
    lsock = listener(family, timeout)
    relay = Relay(lsock.getsockname()[:2], c2s=c2s, s2c=s2c, timeout=timeout, family=family)
    if relay_ref is not None:
        relay_ref.append(relay)

    # Both sides' sockets, like the relay's own, have TCP_NODELAY: a small
    # write after unacknowledged data (a TLS 1.3 server's "hello" after its
    # tickets) would otherwise wait out a 40 ms delayed ACK.
    try:
        client, server = run_sides(lsock, relay.address[1], client_fn, server_fn, family=family,
                                   timeout=timeout, nodelay=True)
    finally:
        relay.close()
        lsock.close()
    return client, server, relay
