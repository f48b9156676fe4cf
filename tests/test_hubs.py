"""Harness threads free the hubs gevent and eventlet make for them; waiting on a socket
works whatever its descriptor number."""
import os
import resource
import socket
import threading

import pytest

from conformance.harness.hubs import HarnessThread, release_thread_hubs
from conformance.harness.leaks import leftovers, snapshot
from conformance.harness.loopback import run_pair, wait_ready


def _gevent_blocks() -> None:
    gevent = pytest.importorskip("gevent")
    gevent.sleep(0.01)  # makes this thread's hub and runs its loop


def _eventlet_blocks() -> None:
    eventlet = pytest.importorskip("eventlet")
    eventlet.sleep(0.01)


@pytest.mark.parametrize("block", [_gevent_blocks, _eventlet_blocks], ids=["gevent", "eventlet"])
def test_a_harness_thread_leaves_no_hub_behind(block):
    block()  # the main thread's hub (kept for the process) exists before the snapshot
    before = snapshot()
    for _ in range(3):
        t = HarnessThread(block)
        t.start()
        t.join(5)
    assert not leftovers(before, timeout=5)


def test_run_pair_sides_release_their_hubs():
    gevent_socket = pytest.importorskip("gevent.socket")
    _gevent_blocks()
    before = snapshot()

    def side(sock):
        gevent_socket.wait_read(sock.fileno(), timeout=0.01, timeout_exc=socket.timeout("idle"))

    run_pair(side, side, timeout=2)
    assert not leftovers(before, timeout=5)


def test_release_refuses_the_main_thread():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("run in a worker thread")
    with pytest.raises(RuntimeError, match="main thread"):
        release_thread_hubs()


def test_wait_ready_takes_descriptors_beyond_select():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    high = 1500
    if hard != resource.RLIM_INFINITY and hard <= high:
        pytest.skip(f"the descriptor limit ({hard}) is too low to open descriptor {high}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, high + 1), hard))
    a, b = socket.socketpair()
    try:
        os.dup2(a.fileno(), high)
        far = socket.socket(fileno=high)
        try:
            assert not wait_ready(far, timeout=0)
            assert wait_ready(far, write=True, timeout=1)
            b.sendall(b"x")
            assert wait_ready(far, timeout=1)
        finally:
            far.close()
    finally:
        a.close()
        b.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
