"""The loopback harness: bounded in time, and nothing left behind."""
import os
import socket
import threading
import time

import pytest

from conformance.harness.loopback import has_ipv6, run_pair, serve


def _open_fds():
    return set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()


def _echo_server(sock):
    data = sock.recv(100)
    sock.sendall(data)
    return data


def _client(sock):
    sock.sendall(b"hello")
    return sock.recv(100)


FAMILIES = [socket.AF_INET] + ([socket.AF_INET6] if has_ipv6() else [])


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: socket.AddressFamily(f).name)
def test_pair_exchanges_and_reports_both_sides(family):
    client, server = run_pair(_client, _echo_server, family=family, timeout=2)
    assert (client.value, server.value) == (b"hello", b"hello")
    assert client.error is None and server.error is None
    assert not client.timed_out and not server.timed_out


def test_errors_come_back_not_lost():
    def boom(sock):
        raise RuntimeError("server exploded")

    client, server = run_pair(lambda s: s.recv(1), boom, timeout=2)
    assert isinstance(server.error, RuntimeError)
    assert client.value == b"" or client.error is not None


def test_a_stalled_side_is_cut_loose_and_reported():
    """A server that never answers: the client's read times out, nothing hangs."""
    def stall(sock):
        sock.settimeout(None)
        return sock.recv(1)  # returns once the client gives up and closes

    start = time.monotonic()
    client, server = run_pair(lambda s: s.recv(1), stall, timeout=0.5)
    elapsed = time.monotonic() - start
    assert isinstance(client.error, socket.timeout)
    assert elapsed < 5, f"run_pair took {elapsed:.1f}s for a 0.5s timeout"


def test_a_side_blocked_beyond_its_timeout_is_marked_timed_out():
    """A side whose own socket timeout is disabled is still bounded by the deadline."""
    def forever(sock):
        sock.settimeout(None)
        return sock.recv(1)  # woken by the harness shutting the connection down

    client, server = run_pair(forever, lambda s: time.sleep(2), timeout=0.3)
    assert client.timed_out
    assert client.error is not None


def test_nothing_is_left_behind():
    before_threads = set(threading.enumerate())
    before_fds = _open_fds()
    for _ in range(20):
        run_pair(_client, _echo_server, timeout=2)
    with serve(_echo_server, timeout=2) as addr:
        with socket.create_connection(addr, timeout=2) as s:
            s.sendall(b"x")
            assert s.recv(1) == b"x"
    time.sleep(0.05)
    assert set(threading.enumerate()) <= before_threads
    assert _open_fds() <= before_fds


def test_serve_reraises_the_server_error():
    def bad(sock):
        raise ValueError("bad server")

    with pytest.raises(ValueError, match="bad server"):
        with serve(bad, timeout=2) as addr:
            socket.create_connection(addr, timeout=2).close()
