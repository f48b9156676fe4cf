"""``reference`` against the stdlib ``ssl`` on live connections: hypothesis.

The companion of ``test_differential.py`` (whose helpers it uses): the arguments
of the ``SSLSocket`` methods on a connected socket, and generated sequences of
writes, reads, closes and shutdowns over a loopback pair with a stdlib server.
The client of each module sees the same things, step for step; every socket
has a timeout and no step waits on chance.
"""
from __future__ import annotations

import queue
import socket
import ssl
import threading
import warnings
from typing import Any, Callable, List, Tuple

import pytest

pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reference  # noqa: E402
from test_differential import PARAM_BUDGET, anything, kind, small_ints  # noqa: E402
from test_reference_support import TIMEOUT, stdlib_server_context  # noqa: E402

IO_BUDGET = settings(max_examples=25, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def connected() -> Any:
    """``{module: client}``: a non-blocking client of each module, connected to a stdlib
    server that says nothing after the handshake -- so a valid read asks to wait
    (``SSLError``) and an invalid one must say why, without any call blocking."""
    clients, stop, threads = {}, threading.Event(), []
    for module in (ssl, reference):
        listener = socket.socket()
        listener.settimeout(TIMEOUT)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def serve(listener: socket.socket = listener) -> None:
            conn, _ = listener.accept()
            conn.settimeout(TIMEOUT)
            with stdlib_server_context().wrap_socket(conn, server_side=True):
                stop.wait(4 * TIMEOUT)
            listener.close()

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        threads.append(thread)
        sock = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            clients[module] = module.SSLContext(module.PROTOCOL_SSLv23).wrap_socket(sock)
        clients[module].setblocking(False)
    yield clients
    stop.set()
    for tls in clients.values():
        tls.close()
    for thread in threads:
        thread.join(TIMEOUT)


SOCKET_PARAMETERS = {
    "SSLSocket.read(nbytes)": lambda tls, v: tls.read(v),
    "SSLSocket.read(buffer)": lambda tls, v: tls.read(16, v),
    "SSLSocket.write(data)": lambda tls, v: tls.write(v),
    "SSLSocket.getpeercert(binary_form)": lambda tls, v: tls.getpeercert(v),
}
buffers = st.one_of(anything, st.builds(bytearray, st.integers(0, 64)),
                    st.builds(lambda n: memoryview(bytearray(n)), st.integers(0, 64)))


@pytest.mark.parametrize("parameter", sorted(SOCKET_PARAMETERS))
def test_socket_method_arguments_raise_the_same_kind(connected, parameter):
    call = SOCKET_PARAMETERS[parameter]

    @PARAM_BUDGET
    @given(buffers if "buffer" in parameter else st.one_of(small_ints, st.integers(-5, 5)))
    def check(value):
        std = kind(ssl, lambda: call(connected[ssl], value))
        ref = kind(reference, lambda: call(connected[reference], value))
        if std[0] == "MemoryError" and parameter == "SSLSocket.read(nbytes)":
            # Decision (reference/sslsocket.py): one read asks OpenSSL for at most 1 MiB;
            # CPython allocates the whole size first, and may not have it.
            assert ref[0] == "SSLError", (parameter, value, std, ref)
            return
        assert std[0] == ref[0], (parameter, value, std, ref)

    check()


# -- socket I/O sequences ----------------------------------------------------------------------

RECORD = 16384


@st.composite
def io_sequences(draw: Any) -> Tuple[bool, List[Tuple[Any, ...]]]:
    """``(suppress_ragged_eofs, steps)``: a client's calls interleaved with a stdlib server's.

    A model of the connection keeps every step answerable without waiting on chance: the
    client reads only what the server has written (at most what is left of the current
    record, so one call returns exactly that much with any OpenSSL) or, once the server
    has closed, as often as it likes; it writes only while the server is there.  It may
    ``shutdown()`` its socket or, after the server's end, ``unwrap()`` it; then only the
    reads that cannot wait follow.
    """
    suppress = draw(st.booleans())
    records: List[int] = []  # what is left of each record the server wrote, unread
    to_server, closed, steps = 0, False, []
    client = "tls"  # then "shut" (after shutdown()) or "unwrapping" (after unwrap(), which may fail)
    for _ in range(draw(st.integers(1, 12))):
        if client != "tls":  # after shutdown(), and after unwrap() whether or not it worked,
            choices = ["read", "read_buffer"]  # read() answers at once (what recv() would
            # read then is ciphertext, or TLS 1.3 tickets that may or may not have come yet)
        else:
            choices = ["server_write", "server_close", "write", "sendall"] if not closed else []
            if to_server:
                choices.append("server_read")
            if records or closed:
                choices += ["read", "recv", "recv_into", "read_buffer"]
            if closed and not records:
                choices += ["makefile_read", "unwrap"]
            if not to_server:
                choices.append("shutdown")
        op = draw(st.sampled_from(choices))
        if op in ("shutdown", "unwrap"):
            client = "shut" if op == "shutdown" else "unwrapping"
            steps.append((op, 0))
            continue
        if client != "tls":
            steps.append((op, draw(st.integers(1, 100))))
            continue
        if op == "server_write":
            n = draw(st.integers(1, RECORD))
            records.append(n)
            steps.append((op, n))
        elif op in ("write", "sendall"):
            n = draw(st.integers(1, 70000))
            to_server += n
            steps.append((op, n))
        elif op == "server_read":
            steps.append((op, to_server))
            to_server = 0
        elif op == "server_close":
            steps.append((op, draw(st.sampled_from(["clean", "ragged"]))))
            closed = True
            if to_server:  # the server reads what it was sent before it goes
                steps.insert(-1, ("server_read", to_server))
                to_server = 0
        elif records:
            n = draw(st.integers(1, records[0]))
            records[0] -= n
            if not records[0]:
                records.pop(0)
            steps.append((op, n))
        else:
            steps.append((op, draw(st.integers(1, 100))))
    return suppress, steps


SERVER_STEPS = ("server_write", "server_read", "server_close")


def _server(ctx: Any, conn: socket.socket, orders: "queue.Queue", answers: "queue.Queue") -> None:
    """The stdlib side: carries out server steps as they come, answers each."""
    raw = conn.dup()
    tls = ctx.wrap_socket(conn, server_side=True)
    try:
        while True:
            step = orders.get(timeout=TIMEOUT)
            if step is None:
                return
            op, arg = step
            if op == "server_write":
                tls.sendall(_bytes(arg, 7))
                answers.put(None)
            elif op == "server_read":
                got = b""
                while len(got) < arg:
                    chunk = tls.recv(arg - len(got))
                    if not chunk:
                        break
                    got += chunk
                answers.put(got)
            else:  # server_close
                if arg == "clean":
                    tls.setblocking(False)
                    try:
                        tls.unwrap()  # sends close_notify, then would wait for ours
                    except ssl.SSLError:
                        pass
                else:
                    raw.shutdown(socket.SHUT_RDWR)
                answers.put(None)
    finally:
        tls.close()
        raw.close()


def _bytes(n: int, seed: int) -> bytes:
    return bytes((i * 31 + seed) & 0xFF for i in range(n))


CLIENT_CALLS = {
    "write": lambda tls, n: tls.write(_bytes(n, 3)),
    "sendall": lambda tls, n: tls.sendall(_bytes(n, 3)),
    "read": lambda tls, n: tls.read(n),
    "recv": lambda tls, n: tls.recv(n),
    "recv_into": lambda tls, n: _into(lambda b: tls.recv_into(b, n), n),
    "read_buffer": lambda tls, n: _into(lambda b: tls.read(n, b), n),
    "makefile_read": lambda tls, n: _makefile_read(tls),
    "shutdown": lambda tls, n: tls.shutdown(socket.SHUT_RDWR),
    "unwrap": lambda tls, n: tls.unwrap().close(),
}


def _into(call: Callable[[bytearray], int], n: int) -> Tuple[int, bytes]:
    buf = bytearray(n)
    count = call(buf)
    return count, bytes(buf[:count])


def _makefile_read(tls: Any) -> bytes:
    with tls.makefile("rb") as f:
        return f.read()


def run_sequence(module: Any, suppress: bool, steps: List[Tuple[Any, ...]]) -> List[Any]:
    """What the client of ``module`` observed at each step, against a stdlib server."""
    orders: queue.Queue = queue.Queue()
    answers: queue.Queue = queue.Queue()
    listener = socket.socket()
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    box: List[BaseException] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            conn.settimeout(TIMEOUT)
            _server(stdlib_server_context(), conn, orders, answers)
        except BaseException as exc:  # reported below
            box.append(exc)
            answers.put(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    seen: List[Any] = []
    try:
        sock = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
        ctx = module.SSLContext(module.PROTOCOL_SSLv23)
        tls = ctx.wrap_socket(sock, suppress_ragged_eofs=suppress)
        try:
            for op, arg in steps:
                if op in SERVER_STEPS:
                    orders.put((op, arg))
                    seen.append((op, answers.get(timeout=TIMEOUT)))
                else:
                    seen.append((op,) + kind(module, lambda op=op, arg=arg: CLIENT_CALLS[op](tls, arg)))
        finally:
            orders.put(None)
            tls.close()
    finally:
        thread.join(2 * TIMEOUT)
        listener.close()
    assert not box, box
    return seen


@IO_BUDGET
@given(io_sequences())
def test_socket_io_sequences_agree(sequence):
    suppress, steps = sequence
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        std = run_sequence(ssl, suppress, steps)
    ref = run_sequence(reference, suppress, steps)
    assert ref == std, (suppress, steps)
