"""The reference's SSLSocket as a socket: blocking modes, timeouts, EOFs, unwrap, I/O methods.

The peer is the stdlib ``ssl`` in a thread (``test_reference_support.serve``);
every socket has a timeout, so a broken implementation fails instead of hanging.
"""
from __future__ import annotations

import errno
import select
import socket
import threading

import pytest

import reference
from test_reference_support import (
    TIMEOUT, client_socket, open_fds, ref_client_context, ref_server_context,
    serve, stdlib_client_context, stdlib_echo, stdlib_server_context,
)


def test_do_handshake_on_connect_false_then_explicit_handshake():
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        sock = client_socket()
        sock.connect(addr)
        with ref_client_context().wrap_socket(sock, do_handshake_on_connect=False) as tls:
            assert tls.cipher() is None and tls.version() is None
            tls.do_handshake()
            assert tls.cipher() is not None
            tls.sendall(b"x")
            assert tls.recv(10) == b"x"
    assert box.error is None, box.error


def test_nonblocking_handshake_loop_from_the_spec():
    go = threading.Event()
    echo = stdlib_echo(stdlib_server_context())

    def server(conn):
        go.wait(TIMEOUT)  # answer only after the client's first attempt
        return echo(conn)

    with serve(server) as (addr, box):
        sock = client_socket()
        sock.connect(addr)
        sock.setblocking(False)
        waits = {"read": 0, "write": 0}
        with ref_client_context().wrap_socket(sock, do_handshake_on_connect=False) as tls:
            with pytest.raises(reference.SSLError) as first:
                tls.do_handshake()  # the server is not answering yet
            assert first.value.args[0] == reference.SSL_ERROR_WANT_READ
            assert isinstance(first.value, reference.SSLWantReadError)
            go.set()
            while True:  # the spec's loop
                try:
                    tls.do_handshake()
                    break
                except reference.SSLError as err:
                    if err.args[0] == reference.SSL_ERROR_WANT_READ:
                        waits["read"] += 1
                        assert select.select([tls], [], [], TIMEOUT)[0], "handshake stalled"
                    elif err.args[0] == reference.SSL_ERROR_WANT_WRITE:
                        waits["write"] += 1
                        assert select.select([], [tls], [], TIMEOUT)[1], "handshake stalled"
                    else:
                        raise
            assert tls.version() is not None
            with pytest.raises(reference.SSLError) as info:
                tls.recv(10)  # nothing sent yet: a non-blocking read wants to read
            assert info.value.args[0] == reference.SSL_ERROR_WANT_READ
            tls.settimeout(TIMEOUT)
            tls.sendall(b"nb")
            assert tls.recv(10) == b"nb"
    assert box.error is None, box.error


def test_timeouts_on_handshake_and_read():
    def silent(conn):
        conn.recv(1 << 16)  # swallow the ClientHello, never answer
        threading.Event().wait(1.0)

    with serve(silent) as (addr, box):
        sock = client_socket()
        sock.settimeout(0.3)
        sock.connect(addr)
        with pytest.raises(socket.timeout):
            ref_client_context().wrap_socket(sock)

    release = threading.Event()

    def quiet(conn):
        with stdlib_server_context().wrap_socket(conn, server_side=True):
            release.wait(TIMEOUT)

    with serve(quiet) as (addr, box):
        with ref_client_context().wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            tls.settimeout(0.2)
            with pytest.raises(socket.timeout):
                tls.recv(10)
            release.set()
    assert box.error is None, box.error


@pytest.mark.parametrize("suppress", [True, False])
def test_suppress_ragged_eofs(suppress):
    def ragged(conn):
        tls = stdlib_server_context().wrap_socket(conn, server_side=True)
        tls.sendall(b"last words")
        tls.recv(10)  # wait for the client's go
        fd = tls.detach()  # close the TCP connection without close_notify
        socket.socket(fileno=fd).close()

    with serve(ragged) as (addr, box):
        ctx = ref_client_context()
        tls = ctx.wrap_socket(client_socket(), suppress_ragged_eofs=suppress)
        with tls:
            tls.connect(addr)
            assert tls.recv(100) == b"last words"
            tls.sendall(b"go")
            if suppress:
                assert tls.recv(100) == b""
            else:
                with pytest.raises(reference.SSLError) as info:
                    tls.recv(100)
                assert info.value.args[0] == reference.SSL_ERROR_EOF
    assert box.error is None, box.error


def test_clean_close_reads_as_eof():
    def close_cleanly(conn):
        tls = stdlib_server_context().wrap_socket(conn, server_side=True)
        tls.sendall(b"bye")
        tls.unwrap().close()

    with serve(close_cleanly) as (addr, box):
        with ref_client_context().wrap_socket(client_socket(), suppress_ragged_eofs=False) as tls:
            tls.connect(addr)
            assert tls.recv(100) == b"bye"
            assert tls.recv(100) == b""
            assert tls.recv_into(bytearray(10)) == 0


@pytest.mark.parametrize("reference_side", ["client", "server"])
def test_unwrap_starttls_up_and_down(reference_side):
    def plain_then_tls_then_plain(conn, wrap):
        assert conn.recv(100) == b"STARTTLS"
        conn.sendall(b"OK")
        tls = wrap(conn)
        assert tls.recv(100) == b"secret"
        tls.sendall(b"SECRET")
        plain = tls.unwrap()
        plain.sendall(b"plain again")
        return plain.recv(100)

    if reference_side == "server":
        ctx = ref_server_context()
        server_wrap = lambda c: ctx.wrap_socket(c, server_side=True)
        client_wrap = stdlib_client_context().wrap_socket
    else:
        sctx = stdlib_server_context()
        server_wrap = lambda c: sctx.wrap_socket(c, server_side=True)
        client_wrap = ref_client_context().wrap_socket

    with serve(lambda c: plain_then_tls_then_plain(c, server_wrap)) as (addr, box):
        sock = client_socket()
        sock.connect(addr)
        sock.sendall(b"STARTTLS")
        assert sock.recv(100) == b"OK"
        tls = client_wrap(sock)
        tls.sendall(b"secret")
        assert tls.recv(100) == b"SECRET"
        plain = tls.unwrap()
        assert type(plain) is socket.socket or reference_side == "server"
        assert plain.recv(100) == b"plain again"
        plain.sendall(b"bye in clear")
        plain.close()
    assert box.error is None, box.error
    assert box.value == b"bye in clear"


def test_read_write_recv_into_and_makefile():
    def lines(conn):
        with stdlib_server_context().wrap_socket(conn, server_side=True) as tls:
            f = tls.makefile("rwb")
            for line in f:
                if line == b"END\n":
                    break
                f.write(line.upper())
                f.flush()
            f.close()

    with serve(lines) as (addr, box):
        with ref_client_context().wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            f = tls.makefile("rwb")
            f.write(b"one\n")
            f.flush()
            assert f.readline() == b"ONE\n"
            assert tls.write(b"two\n") == 4
            buf = bytearray(16)
            n = tls.read(4, buf)
            assert buf[:n] == b"TWO\n"[:n] and n >= 1
            rest = 4 - n
            while rest:
                rest -= tls.recv_into(memoryview(buf)[:rest])
            assert tls.send(b"") == 0 and tls.recv_into(bytearray()) == 0 and tls.recv(0) == b""
            with pytest.raises(TypeError):
                tls.send("text is not bytes")
            tls.sendall(b"END\n")
            f.close()
    assert box.error is None, box.error


def test_bulk_transfer_both_ways_with_a_timeout_set():
    payload = bytes(range(256)) * 4096  # 1 MiB

    def echo_all(conn):
        with stdlib_server_context().wrap_socket(conn, server_side=True) as tls:
            got = bytearray()
            while len(got) < len(payload):
                chunk = tls.recv(65536)
                if not chunk:
                    break
                got += chunk
            tls.sendall(got)
            return len(got)

    with serve(echo_all) as (addr, box):
        with ref_client_context().wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            assert tls.gettimeout() == TIMEOUT
            tls.sendall(payload)
            got = bytearray()
            while len(got) < len(payload):
                chunk = tls.recv(65536)
                assert chunk, "early EOF"
                got += chunk
    assert box.error is None, box.error
    assert box.value == len(payload) and bytes(got) == payload


def test_closed_and_unconnected_sockets_give_socket_errors():
    ctx = ref_client_context()
    tls = ctx.wrap_socket(client_socket())
    with pytest.raises(OSError) as info:
        tls.recv(10)
    assert info.value.errno == errno.ENOTCONN
    with pytest.raises(OSError):
        tls.do_handshake()
    assert tls.cipher() is None
    tls.close()
    assert tls.fileno() == -1
    with pytest.raises(OSError) as info:
        tls.send(b"x")
    assert info.value.errno == errno.EBADF


def test_close_closes_the_underlying_socket():
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        sock = client_socket()
        sock.connect(addr)
        fd = sock.fileno()
        tls = ref_client_context().wrap_socket(sock)
        assert sock.fileno() == -1 and tls.fileno() == fd
        tls.sendall(b"z")
        tls.recv(1)
        tls.close()
        with pytest.raises(OSError):
            socket.socket(fileno=fd).close()  # the descriptor is gone


def test_connect_ex_returns_errno_or_connects():
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    port = free.getsockname()[1]
    free.close()  # nobody listens there now
    with ref_client_context().wrap_socket(client_socket()) as tls:
        assert tls.connect_ex(("127.0.0.1", port)) == errno.ECONNREFUSED
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        with ref_client_context().wrap_socket(client_socket()) as tls:
            assert tls.connect_ex(addr) == 0
            assert tls.version() is not None
            tls.sendall(b"e")
            assert tls.recv(1) == b"e"


def test_failed_server_handshakes_leak_no_descriptors():
    ctx = ref_server_context()

    def handshake(conn):
        with pytest.raises(reference.SSLError):
            ctx.wrap_socket(conn, server_side=True)
        assert conn.fileno() == -1  # wrap_socket took it and closed it on failure
        return True

    before = open_fds()
    for _ in range(10):
        with serve(handshake) as (addr, box):
            with client_socket() as sock:
                sock.connect(addr)
                sock.sendall(b"this is not a TLS ClientHello\r\n" * 4)
                try:
                    sock.recv(100)  # an alert, EOF or a reset: all fine here
                except OSError:
                    pass
        assert box.error is None and box.value is True, box.error
    assert open_fds() == before
