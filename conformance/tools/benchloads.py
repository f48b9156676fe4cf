"""What ``ssl-conformance bench`` times: handshakes, bulk transfer, 1-byte echo.

Every workload runs one implementation against itself over loopback, both
sides in this process: the server side in a thread (:class:`LoopbackServer`),
the client side in the calling thread.  Both implementations under comparison
therefore pay the same thread hand-offs, and the ratio between them is the
cost of their own code.  Every socket has a timeout; a workload that stalls
fails with ``socket.timeout`` instead of hanging the benchmark.

The workloads are data (:func:`workloads`): an id, a kind and its parameters.
:func:`measure` runs one of them for about ``duration`` seconds and returns a
:class:`Sample`: the rate by the wall clock, and the rate per second of CPU
time this process used (both sides, user and system).  The first is what a
program sees on an idle machine; the second hardly moves when other work
shares the cores, so it is the one to compare implementations by on a busy
machine.  Higher is better for every kind:

``handshake``  full handshakes per second.  A fresh TCP connection and a fresh
               TLS session every time (no resumption); the server writes one
               byte after its handshake and the client reads it, so a
               handshake counts only once both sides have finished (and, in
               TLS 1.3, the client has taken the server's session tickets).
``bulk``       MB/s (10**6 bytes) from client to server in writes of one size,
               with ``write``/``read`` or ``sendall``/``recv_into``; the reader
               asks for ``min(size, 64 KiB)`` per call.  A short untimed
               transfer first sizes the timed one to last ``duration``.
``echo``       1-byte round trips per second (client writes one byte, server
               reads it and writes it back): the per-call overhead.

Standard library only, as the rest of the suite at run time.
"""
from __future__ import annotations

import contextlib
import dataclasses
import socket
import struct
import threading
import time
from typing import Any, Callable, Dict, Iterator, List, NamedTuple, Optional, Tuple

__all__ = ["Workload", "Sample", "workloads", "measure", "LoopbackServer", "BenchError",
           "SERVER_KEYS", "VERSIONS", "BULK_SIZES", "BULK_APIS"]

#: server key label -> (server fixture, client fixture of the same key type)
SERVER_KEYS = {"ecdsa-p256": ("server", "client"), "rsa-2048": ("server-rsa", "client-rsa")}
VERSIONS = ("TLSv1.2", "TLSv1.3")
BULK_SIZES = {"1KiB": 1024, "16KiB": 16 * 1024, "1MiB": 1024 * 1024}
BULK_APIS = ("write/read", "sendall/recv_into")
READ_CAP = 64 * 1024

#: The options that pin one version, by version: (required names, names used if present).
_PIN = {"TLSv1.2": (("OP_NO_TLSv1_3",), ()),
        "TLSv1.3": (("OP_NO_TLSv1", "OP_NO_TLSv1_1", "OP_NO_TLSv1_2"), ())}


class BenchError(Exception):
    """A workload could not run as specified (a missing constant, a wrong answer, a server error)."""


class Sample(NamedTuple):
    """One measurement: the rate by the wall clock, and per second of this process's CPU time."""

    rate: float
    cpu_rate: Optional[float]
    facts: Dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Workload:
    """One line of the benchmark table."""

    id: str
    kind: str  # "handshake" | "bulk" | "echo"
    unit: str
    params: Dict[str, Any]


def workloads() -> List[Workload]:
    """Every workload, in table order."""
    items = []
    for version in VERSIONS:
        for key in SERVER_KEYS:
            for client_cert in (False, True):
                cc = "client-cert" if client_cert else "no-client-cert"
                items.append(Workload(f"handshake/{version}/{key}/{cc}", "handshake", "handshakes/s",
                                      {"version": version, "key": key, "client_cert": client_cert}))
    for label, size in BULK_SIZES.items():
        for api in BULK_APIS:
            items.append(Workload(f"bulk/{label}/{api}", "bulk", "MB/s", {"size": size, "api": api}))
    items.append(Workload("echo/1B", "echo", "round trips/s", {}))
    return items


# -- contexts -----------------------------------------------------------------------------------
def _contexts(mod: Any, certs: Any, version: Optional[str] = None, key: str = "ecdsa-p256",
              client_cert: bool = False) -> Tuple[Any, Any]:
    """(server context, client context): the client verifies the server against the test root."""
    server_name, client_name = SERVER_KEYS[key]
    server = mod.SSLContext(mod.PROTOCOL_SSLv23)
    client = mod.SSLContext(mod.PROTOCOL_SSLv23)
    server.load_cert_chain(certs.path(server_name, "chain"), certs.path(server_name, "key"))
    client.verify_mode = mod.CERT_REQUIRED
    client.load_verify_locations(certs.path("root-ca", "cert"))
    if client_cert:
        server.verify_mode = mod.CERT_REQUIRED
        server.load_verify_locations(certs.path("root-ca", "cert"))
        client.load_cert_chain(certs.path(client_name, "chain"), certs.path(client_name, "key"))
    if version is not None:
        names = _PIN[version][0]
        missing = [n for n in names if not hasattr(mod, n)]
        if missing:
            raise BenchError(f"cannot pin {version}: the module has no {', '.join(missing)}")
        for ctx in (server, client):
            for name in names:
                ctx.options |= getattr(mod, name)
    return server, client


def _tcp(sock: socket.socket, timeout: float) -> socket.socket:
    sock.settimeout(timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


# -- the server side ----------------------------------------------------------------------------
class LoopbackServer:
    """A listener on 127.0.0.1 whose thread hands each accepted socket to ``handler``.

    Connections are served one after another (the client side makes them one
    after another).  An exception in ``handler`` is kept in :attr:`errors` and
    the next connection is served; the client sees the broken connection.
    """

    def __init__(self, handler: Callable[[socket.socket], None], timeout: float) -> None:
        self.handler = handler
        self.timeout = timeout
        self.errors: List[BaseException] = []
        self._stop = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.listener.settimeout(0.05)  # how often the accept loop looks at the stop flag
        self.address = self.listener.getsockname()
        self._thread = threading.Thread(target=self._serve, name="bench-server", daemon=True)

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError as exc:
                self.errors.append(exc)
                return
            try:
                self.handler(_tcp(raw, self.timeout))
            except Exception as exc:
                self.errors.append(exc)
            finally:
                raw.close()

    def check(self) -> None:
        """Raise the first error the server side met, if any."""
        if self.errors:
            exc = self.errors[0]
            raise BenchError(f"server side: {type(exc).__name__}: {exc}") from exc

    def __enter__(self) -> "LoopbackServer":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._stop.set()
        self._thread.join(self.timeout + 1.0)
        self.listener.close()

    def connect(self) -> socket.socket:
        return _tcp(socket.create_connection(self.address, timeout=self.timeout), self.timeout)


@contextlib.contextmanager
def _connected(handler: Callable[[socket.socket], None], client_ctx: Any, timeout: float) -> Iterator[Any]:
    """One client connection, wrapped by ``client_ctx``, to a :class:`LoopbackServer` running ``handler``.

    The client's socket is closed at the end; a server side that failed is
    raised (:meth:`LoopbackServer.check`) before the client's own error, if any.
    """
    with LoopbackServer(handler, timeout) as srv:
        tls = client_ctx.wrap_socket(srv.connect())
        try:
            yield tls
        except Exception:
            srv.check()
            raise
        finally:
            tls.close()
        srv.check()


def _read_exactly(sock: Any, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        data = sock.read(n - got)
        if not data:
            raise BenchError(f"connection closed after {got} of {n} bytes")
        parts.append(data)
        got += len(data)
    return b"".join(parts)


def _session_info(sock: Any) -> Dict[str, Any]:
    info: Dict[str, Any] = {}
    cipher = sock.cipher()
    if cipher:
        info["cipher"] = cipher[0]
    version = getattr(sock, "version", None)
    if callable(version):
        info["version"] = version()
    return info


# -- the workloads ------------------------------------------------------------------------------
def _handshakes(mod: Any, certs: Any, params: Dict[str, Any], duration: float, timeout: float) -> Sample:
    server_ctx, client_ctx = _contexts(mod, certs, params["version"], params["key"], params["client_cert"])

    def handler(raw: socket.socket) -> None:
        tls = server_ctx.wrap_socket(raw, server_side=True)
        try:
            tls.write(b"!")
        finally:
            tls.close()

    def one(srv: LoopbackServer, facts: bool = False) -> Dict[str, Any]:
        tls = client_ctx.wrap_socket(srv.connect())
        try:
            if tls.read(1) != b"!":
                srv.check()
                raise BenchError("the server's byte did not arrive")
            return _session_info(tls) if facts else {}
        finally:
            tls.close()

    with LoopbackServer(handler, timeout) as srv:
        info = one(srv, facts=True)  # untimed: warms up, and checks the version
        if "version" in info and info["version"] != params["version"]:
            raise BenchError(f"asked for {params['version']}, negotiated {info['version']}")
        count, start, cpu = 0, time.perf_counter(), time.process_time()
        deadline = start + duration
        while True:
            one(srv)
            count += 1
            now = time.perf_counter()
            if now >= deadline:
                break
        cpu = time.process_time() - cpu
        srv.check()
    return Sample(count / (now - start), count / cpu if cpu > 0 else None, info)


def _bulk(mod: Any, certs: Any, params: Dict[str, Any], duration: float, timeout: float) -> Sample:
    size, api = params["size"], params["api"]
    server_ctx, client_ctx = _contexts(mod, certs)
    rsize = min(size, READ_CAP)

    def handler(raw: socket.socket) -> None:
        tls = server_ctx.wrap_socket(raw, server_side=True)
        buf = bytearray(rsize)
        try:
            while True:  # one transfer: 8-byte length, the bytes, then a 1-byte answer
                (total,) = struct.unpack("!Q", _read_exactly(tls, 8))
                if not total:
                    return
                if api == "write/read":
                    while total > 0:
                        data = tls.read(min(rsize, total))
                        if not data:
                            raise BenchError("connection closed mid-transfer")
                        total -= len(data)
                else:
                    view = memoryview(buf)
                    while total > 0:
                        n = tls.recv_into(view, min(rsize, total))
                        if not n:
                            raise BenchError("connection closed mid-transfer")
                        total -= n
                tls.write(b"!")
        finally:
            tls.close()

    chunk = b"x" * size

    def transfer(tls: Any, total: int) -> Tuple[float, float]:
        start, cpu = time.perf_counter(), time.process_time()
        tls.sendall(struct.pack("!Q", total))
        if api == "write/read":
            for _ in range(total // size):
                sent = tls.write(chunk)
                while sent < size:  # write() may, in principle, be partial
                    sent += tls.write(chunk[sent:])
        else:
            for _ in range(total // size):
                tls.sendall(chunk)
        if tls.read(1) != b"!":
            raise BenchError("the server did not confirm the transfer")
        return time.perf_counter() - start, time.process_time() - cpu

    with _connected(handler, client_ctx, timeout) as tls:
        info = _session_info(tls)
        probe = max(4 * size, 1 << 20)
        rate = probe / transfer(tls, probe)[0]  # untimed: sizes the timed transfer
        total = max(1, int(rate * duration) // size) * size
        elapsed, cpu = transfer(tls, total)
        tls.sendall(struct.pack("!Q", 0))
    info["bytes"] = total
    return Sample(total / elapsed / 1e6, total / cpu / 1e6 if cpu > 0 else None, info)


def _echo(mod: Any, certs: Any, params: Dict[str, Any], duration: float, timeout: float) -> Sample:
    server_ctx, client_ctx = _contexts(mod, certs)

    def handler(raw: socket.socket) -> None:
        tls = server_ctx.wrap_socket(raw, server_side=True)
        try:
            while True:
                data = tls.read(1)
                if not data:
                    return
                tls.write(data)
        finally:
            tls.close()

    with _connected(handler, client_ctx, timeout) as tls:
        info = _session_info(tls)
        for _ in range(20):  # untimed warm-up
            tls.write(b"x")
            tls.read(1)
        count, start, cpu = 0, time.perf_counter(), time.process_time()
        deadline = start + duration
        while True:
            for _ in range(50):
                tls.write(b"x")
                if tls.read(1) != b"x":
                    raise BenchError("the echo did not come back")
            count += 50
            now = time.perf_counter()
            if now >= deadline:
                break
        cpu = time.process_time() - cpu
    return Sample(count / (now - start), count / cpu if cpu > 0 else None, info)


_KINDS = {"handshake": _handshakes, "bulk": _bulk, "echo": _echo}


def measure(mod: Any, certs: Any, workload: Workload, duration: float, timeout: float) -> Sample:
    """Run ``workload`` with module ``mod`` for about ``duration`` s."""
    return _KINDS[workload.kind](mod, certs, workload.params, duration, timeout)
