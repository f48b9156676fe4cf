"""The runner's guard against code under test that never returns."""
import socket
import time

from conformance.harness.registry import Case
from conformance.harness.runner import run_case


class _Env:
    """What run_case needs of an Env: a socket timeout and close()."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.closed = False

    def close(self) -> None:
        self.closed = True


def _blocks_forever(env):
    a, b = socket.socketpair()  # blocking, no timeout, and b never writes
    with a, b:
        a.recv(1)


def test_a_case_that_blocks_forever_is_a_failure_named_hung_within_its_deadline():
    env = _Env(timeout=0.1)  # deadline: 6 socket timeouts
    start = time.monotonic()
    rec = run_case(Case(id="api/x/blocks", spec="x", func=_blocks_forever), env, "impl", None)
    assert time.monotonic() - start < 5
    assert rec.outcome == "fail" and rec.message.startswith("hung: the case did not finish within 0.6 s")
    assert "test_runner.py" in rec.message  # where it was stuck
    assert env.closed


def test_a_case_that_returns_in_time_is_untouched_and_leaves_no_alarm_behind():
    rec = run_case(Case(id="api/x/quick", spec="x", func=lambda env: "ok"), _Env(timeout=0.1), "impl", None)
    assert rec.outcome == "pass" and rec.observed == "ok"
    time.sleep(0.8)  # past the deadline the case had: no alarm may fire now
