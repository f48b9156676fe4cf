"""``--peer`` specs: parsing, clear errors, finding the interpreter."""
import os
import sys

import pytest

from conformance.peers.peerspec import BUILTIN_PEERS, PeerSpec, parse_peer, parse_peers


@pytest.mark.parametrize("text, interpreter, module", [
    ("pypy3:ssl", "pypy3", "ssl"),
    ("python3.9:ssl", "python3.9", "ssl"),
    ("python3.13:reference", "python3.13", "reference"),
    ("/opt/py/bin/python3:gevent.ssl", "/opt/py/bin/python3", "gevent.ssl"),
    (" python3:eventlet.green.ssl ", "python3", "eventlet.green.ssl"),
])
def test_interpreter_and_module(text, interpreter, module):
    peer = parse_peer(text)
    assert (peer.interpreter, peer.module, peer.builtin) == (interpreter, module, None)
    assert peer.is_agent and peer.name == f"{interpreter}:{module}"


@pytest.mark.parametrize("name", sorted(BUILTIN_PEERS))
def test_builtin_peers(name):
    peer = parse_peer(name)
    assert peer == PeerSpec(name=name, builtin=name) and not peer.is_agent
    assert peer.resolve() == (None, None)


@pytest.mark.parametrize("text, says", [
    ("", "empty --peer spec"),
    ("pypy3", "expected INTERPRETER:MODULE"),
    ("openssl", "expected INTERPRETER:MODULE"),
    (":ssl", "the interpreter before ':' is missing"),
    ("pypy3:", "the module after ':' is missing"),
    ("pypy3:ssl-ng", "'ssl-ng' is not a dotted module name"),
    ("pypy3:.ssl", "not a dotted module name"),
    ("py thon:ssl", "is not an interpreter name or path"),
])
def test_bad_specs_are_value_errors_naming_the_problem(text, says):
    with pytest.raises(ValueError) as info:
        parse_peer(text)
    assert says in str(info.value)


def test_duplicates_keep_the_first():
    assert [p.name for p in parse_peers(["pypy3:ssl", "openssl-cli", "pypy3:ssl"])] == ["pypy3:ssl", "openssl-cli"]


def test_resolve_finds_the_interpreter_or_says_why_not(tmp_path):
    here = parse_peer(f"{sys.executable}:ssl")
    assert here.resolve() == (os.path.abspath(sys.executable), None)
    assert parse_peer("no-such-python-xyz:ssl").resolve() == (
        None, "interpreter 'no-such-python-xyz' not found on PATH")
    missing = tmp_path / "python"
    assert parse_peer(f"{missing}:ssl").resolve() == (None, f"interpreter {str(missing)!r} is not an executable file")
