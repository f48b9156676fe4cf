"""The bad-input table and its judge: the judge fails what it must fail."""
from __future__ import annotations

import ast
import os
import socket
import threading
import types

import pytest

from conformance.judge import apilisting
from conformance.cases import badinput
from conformance.harness.env import Certs, Env
from conformance.harness.impls import Impl, load_impl
from conformance.harness.leaks import leftovers, snapshot
from conformance.harness.registry import REGISTRY, CaseFailure, Unsupported

TYPES = {"TypeError", "ValueError", "OSError", "SSLError"}


def _env(module, timeout=0.2):
    return Env(Impl(name="fake", module=module), Certs(), timeout=timeout)


def _fake(fn):
    return types.SimpleNamespace(cert_time_to_seconds=fn, SSLError=type("SSLError", (OSError,), {}))


def _judge(env, call="ssl.cert_time_to_seconds('x')", raises="ValueError", check=None):
    return badinput.judge(env, "cert_time_to_seconds/test", "cert_time_to_seconds", call, raises, check)


def test_at_least_forty_kinds_with_stable_ids_and_documented_names():
    kinds = [r[0] for r in badinput.ROWS]
    assert len(kinds) >= 40 and len(set(kinds)) == len(kinds)
    documented = {e["name"] for e in apilisting.entries()}
    for kind, call, raises, *check in badinput.ROWS:
        assert kind.split("/")[0] in documented, kind
        assert raises in TYPES, kind
        assert REGISTRY[f"badinput/{kind}"].spec == kind.split("/")[0]
        assert set(*check) <= {"errno", "args0", "prompts"}, kind


def test_every_name_a_call_uses_is_a_state_a_file_or_a_builtin():
    for kind, call, *_ in badinput.ROWS:
        tree = ast.parse(call, mode="eval")
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        assert names <= set(badinput.STATES) | {"ssl", "f", "setattr", "float"}, kind
        files = {n.attr for n in ast.walk(tree)
                 if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "f"}
        assert files <= set(badinput._MAKE) | set(badinput._FIXTURES), kind


class _Leaky:
    fds: list = []

    def __call__(self, text):
        self.fds.append(os.open(os.devnull, os.O_RDONLY))
        raise ValueError("bad time")


def test_a_descriptor_left_open_fails_the_row():
    leaky = _Leaky()
    try:
        with pytest.raises(CaseFailure, match="leaves nothing open") as info:
            _judge(_env(_fake(leaky)))
        assert "/dev/null" in str(info.value.actual)
    finally:
        for fd in leaky.fds:
            os.close(fd)


def test_a_thread_left_running_fails_the_row():
    stop = threading.Event()

    def starts_thread(text):
        threading.Thread(target=stop.wait, name="left-behind", daemon=True).start()
        raise ValueError("bad time")

    try:
        with pytest.raises(CaseFailure, match="leaves nothing open") as info:
            _judge(_env(_fake(starts_thread), timeout=0.05))
        assert "left-behind" in str(info.value.actual)
    finally:
        stop.set()


def test_what_only_the_collector_frees_is_not_a_leak():
    def cycle(text):
        holder = {"sock": socket.socket()}
        holder["self"] = holder  # closed when the cycle is collected
        raise ValueError("bad time")

    assert _judge(_env(_fake(cycle)))["raised"].startswith("ValueError")


@pytest.mark.parametrize("fn, match", [
    (lambda text: 0.0, "accepted the bad input"),
    (lambda text: (_ for _ in ()).throw(socket.timeout("timed out")), "not by timing out"),
    (lambda text: (_ for _ in ()).throw(TypeError("wrong")), "raises ValueError"),
    (lambda text: (_ for _ in ()).throw(ValueError("")), "has a message"),
])
def test_the_judge_fails_each_wrong_answer(fn, match):
    with pytest.raises(CaseFailure, match=match):
        _judge(_env(_fake(fn)))


def test_errno_is_checked_when_the_row_names_one():
    def missing(text):
        raise FileNotFoundError(2, "No such file")

    assert _judge(_env(_fake(missing)), raises="OSError", check={"errno": "ENOENT"})
    with pytest.raises(CaseFailure, match="errno EISDIR"):
        _judge(_env(_fake(missing)), raises="OSError", check={"errno": "EISDIR"})


def test_a_missing_function_is_unsupported():
    with pytest.raises(Unsupported, match="wrap_socket"):
        _judge(_env(_fake(None)), call="ssl.wrap_socket(sock)", raises="TypeError")


def test_a_failure_while_making_the_state_is_not_taken_for_the_answer():
    def context(protocol):
        raise TypeError("no context today")

    module = types.SimpleNamespace(SSLContext=context, PROTOCOL_SSLv23=2, SSLError=OSError)
    with pytest.raises(TypeError, match="no context today"):
        _judge(_env(module), call="ctx.set_ciphers(None)", raises="TypeError")


def test_states_are_made_and_closed_without_leaks():
    env = Env(load_impl("ssl"), Certs(), timeout=5.0)
    before = snapshot()
    for call in ("unwrapped.unwrap()", "closed.write(b'x')", "pending_nb.read()", "unconnected.read()"):
        out = badinput.run_row(env, call, "ValueError")
        assert out["raised"] and out["leaks"] == [], (call, out)
    assert leftovers(before, 5.0) == []


def test_unreadable_file_is_unsupported_only_where_permissions_do_not_apply(tmp_path):
    probe = tmp_path / "mode-000"
    probe.write_bytes(b"x")
    probe.chmod(0)
    env = Env(load_impl("ssl"), Certs(), timeout=5.0)
    kind, call, raises, check = badinput.BY_KIND["SSLContext.load_cert_chain/certfile-unreadable"]
    if os.access(probe, os.R_OK):  # root: permissions are not enforced
        with pytest.raises(Unsupported, match="mode 000"):
            badinput.judge(env, kind, "", call, raises, check)
    else:
        assert badinput.judge(env, kind, "", call, raises, check)


def test_a_pass_phrase_prompt_runs_in_a_child_where_it_could_block(monkeypatch):
    monkeypatch.setattr(badinput, "_prompt_cannot_block", lambda: False)
    env = Env(load_impl("ssl"), Certs(), timeout=5.0)
    row = badinput.BY_KIND["SSLContext.load_cert_chain/encrypted-combined-no-password"]
    observed = badinput.judge(env, row[0], "", row[1], row[2], row[3])
    assert observed["in_child"] is True
    assert observed["raised"].startswith(("SSLError", "OSError"))
