"""The peer agent's protocol: requests, bad requests, timeouts, life cycle.

Most tests talk to an :class:`Agent` in-process through ``handle`` (one JSON
line in, one reply out); the life-cycle tests run the file as a subprocess
exactly as the suite does.
"""
import base64
import json
import socket
import ssl
import subprocess
import sys

import pytest

from conformance import shim as agent_mod
from conformance.harness.env import Certs
from conformance.harness.loopback import serve
from conformance.peers.agent import AGENT_FILE, AgentProcess, AgentUnavailable, RemoteError

CERTS = Certs()


@pytest.fixture
def agent():
    return agent_mod.Agent(ssl, "ssl")


def ask(agent, **req):
    return agent.handle(json.dumps(req))


def server_context(agent, **extra):
    reply = ask(agent, cmd="context", certfile=CERTS.path("server", "chain"),
                keyfile=CERTS.path("server", "key"), **extra)
    assert reply["ok"], reply
    return reply["context"]


@pytest.mark.parametrize("line, says", [
    ("not json", "malformed JSON"),
    ("[1, 2]", "a request is a JSON object"),
    ('{"id": 7}', "unknown command None"),
    ('{"cmd": "launch", "id": 7}', "unknown command 'launch'"),
    ('{"cmd": 3}', "unknown command 3"),
    ('{"cmd": "listen"}', "missing field 'context'"),
    ('{"cmd": "listen", "context": 5}', "field 'context' has the wrong type"),
    ('{"cmd": "listen", "context": "c99"}', "no context 'c99'"),
    ('{"cmd": "result", "session": "s1"}', "no session 's1'"),
    ('{"cmd": "context", "policy": "lax"}', "unknown policy 'lax'"),
    ('{"cmd": "hello", "protocols": [0, 99]}', "no common protocol version"),
])
def test_a_bad_request_gets_a_request_error_reply(agent, line, says):
    reply = agent.handle(line)
    assert reply["ok"] is False
    assert reply["error"]["kind"] == "request"
    assert says in reply["error"]["message"]
    if '"id": 7' in line:
        assert reply["id"] == 7


def test_hello_agrees_on_the_protocol_and_describes_the_module(agent):
    reply = ask(agent, cmd="hello", protocols=[1, 2, 3], id="h")
    assert reply["ok"] and reply["id"] == "h" and reply["protocol"] == 2
    assert ask(agent, cmd="hello", protocols=[1])["protocol"] == 1
    assert reply["impl"]["module"] == "ssl"
    assert reply["openssl"]["openssl_version"] == ssl.OPENSSL_VERSION
    assert "SSLv23" in reply["has"]["protocols"] and "OP_NO_TLSv1" in reply["has"]["options"]
    assert reply["has"]["minimum_version"] and reply["has"]["maximum_version"]
    assert reply["has"]["tls_versions"] == [v.name for v in ssl.TLSVersion]
    assert reply["interpreter"]["executable"] == sys.executable


def test_a_context_takes_version_bounds_by_member_name(agent):
    reply = ask(agent, cmd="context", minimum_version="TLSv1_2", maximum_version="MAXIMUM_SUPPORTED")
    ctx = agent.contexts[reply["context"]]
    assert (ctx.minimum_version, ctx.maximum_version) == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.MAXIMUM_SUPPORTED)
    # the bounds come after the legacy policy's lowered floor
    ctx = agent.contexts[ask(agent, cmd="context", policy="legacy", minimum_version="TLSv1_3")["context"]]
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_3
    reply = ask(agent, cmd="context", maximum_version="TLSv1_4")
    assert reply["error"]["kind"] == "unsupported" and "TLSVersion.TLSv1_4" in reply["error"]["message"]
    reply = ask(agent, cmd="context", protocol="TLSv1_2", minimum_version="TLSv1_2")
    assert reply["error"]["kind"] == "raised" and reply["error"]["type"] == "ValueError"
    assert ask(agent, cmd="context", minimum_version=3)["error"]["kind"] == "request"


def test_a_name_the_module_lacks_is_an_unsupported_error(agent):
    reply = ask(agent, cmd="context", protocol="SSLv2")
    assert reply["error"]["kind"] == "unsupported"
    assert "ssl has no PROTOCOL_SSLv2" in reply["error"]["message"]
    reply = ask(agent, cmd="context", options=["NO_SSLv1"])
    assert reply["error"]["kind"] == "unsupported" and "OP_NO_SSLv1" in reply["error"]["message"]


def test_an_exception_of_the_module_is_reported_with_type_and_args(agent):
    reply = ask(agent, cmd="context", certfile=CERTS.path("server", "chain"),
                keyfile=CERTS.path("key-mismatch", "key"))
    err = reply["error"]
    assert err["kind"] == "raised" and err["type"] == "SSLError"
    assert "OSError" in err["bases"] and err["args"] and err["message"]


def test_handshake_and_echo_with_an_in_process_client(agent):
    ctx = server_context(agent, verify="NONE")
    listening = ask(agent, cmd="listen", context=ctx, timeout=5, echo=300)
    assert listening["ok"], listening
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(CERTS.path("root-ca"))
    payload = bytes(i % 256 for i in range(300))
    with socket.create_connection(("127.0.0.1", listening["port"]), timeout=5) as sock:
        with client.wrap_socket(sock, server_hostname="localhost") as tls:
            tls.sendall(payload)
            got = b""
            while len(got) < len(payload):
                got += tls.recv(len(payload) - len(got))
            version = tls.version()
    report = ask(agent, cmd="result", session=listening["session"])
    assert got == payload
    assert report["ok"] and report["done"] and report["completed"], report
    assert report["version"] == version and report["cipher"][1] == version
    assert report["echoed_len"] == 300 and base64.b64decode(report["echoed"]) == payload
    assert report["peercert"] is None and report["peercert_der"] is None  # no client cert asked
    assert ask(agent, cmd="result", session=listening["session"])["error"]["kind"] == "request"


def test_client_reports_the_validated_peer_certificate_both_forms(agent):
    ctx = ask(agent, cmd="context", verify="REQUIRED", cafile=CERTS.path("root-ca"))["context"]
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(CERTS.path("server", "chain"), CERTS.path("server", "key"))

    def echo(sock):
        with server.wrap_socket(sock, server_side=True) as tls:
            tls.sendall(tls.recv(4))

    with serve(echo, timeout=5) as (host, port):
        started = ask(agent, cmd="connect", context=ctx, host=host, port=port, timeout=5)
        report = ask(agent, cmd="result", session=started["session"])
    assert report["completed"], report
    der = ssl.PEM_cert_to_DER_cert(CERTS.read("server"))
    assert base64.b64decode(report["peercert_der"]) == der
    expected = CERTS.fixture("server")["peercert"]
    for key in ("subject", "issuer", "notAfter", "subjectAltName"):
        assert report["peercert"][key] == expected[key], key


def test_a_failed_verification_is_reported_at_the_handshake(agent):
    ctx = ask(agent, cmd="context", verify="REQUIRED", cafile=CERTS.path("untrusted-root-ca"))["context"]
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(CERTS.path("server", "chain"), CERTS.path("server", "key"))

    def handshake(sock):
        try:
            server.wrap_socket(sock, server_side=True).close()
        except ssl.SSLError:
            pass

    with serve(handshake, timeout=5) as (host, port):
        report = ask(agent, cmd="result", session=ask(agent, cmd="connect", context=ctx,
                                                      host=host, port=port)["session"])
    assert not report["completed"] and report["stage"] == "handshake"
    assert "SSLError" in report["failure"]["bases"]
    assert "certificate verify failed" in report["failure"]["message"]


def test_result_wait_past_deadline_cuts_the_session(agent):
    ctx = server_context(agent)
    listening = ask(agent, cmd="listen", context=ctx, timeout=30)
    report = ask(agent, cmd="result", session=listening["session"], timeout=0.2)
    assert report["ok"] and report["done"] and report["timed_out"]
    assert not report["completed"] and report["stage"] == "accept"
    assert report["failure"]["kind"] == "raised"


def test_a_silent_peer_ends_in_a_timeout_failure_at_the_handshake(agent):
    ctx = server_context(agent)
    listening = ask(agent, cmd="listen", context=ctx, timeout=0.3)
    with socket.create_connection(("127.0.0.1", listening["port"]), timeout=5):
        report = ask(agent, cmd="result", session=listening["session"])
    assert not report["completed"] and report["stage"] == "handshake"
    assert report["failure"]["type"] in ("timeout", "TimeoutError", "SSLError", "OSError")
    assert "timed out" in report["failure"]["message"]


def test_forget_and_reset_drop_contexts(agent):
    ctx = server_context(agent)
    assert ask(agent, cmd="forget", context=ctx)["ok"]
    assert ask(agent, cmd="forget", context=ctx)["error"]["kind"] == "request"
    ctx = server_context(agent)
    assert ask(agent, cmd="reset")["sessions_running"] == 0
    assert "no context" in ask(agent, cmd="listen", context=ctx)["error"]["message"]


# -- the process -------------------------------------------------------------

def run_agent(lines, *args, timeout=30):
    return subprocess.run([sys.executable, str(AGENT_FILE), "--impl", "ssl", *args],
                          input="".join(line + "\n" for line in lines).encode(),
                          capture_output=True, timeout=timeout)


def test_the_process_answers_each_line_and_exits_when_stdin_closes():
    done = run_agent(['{"cmd": "ping", "id": 1}', "garbage", "\xff", '{"cmd": "ping", "id": 2}'])
    assert done.returncode == 0
    replies = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [r["ok"] for r in replies] == [True, False, False, True]
    assert replies[0] == {"id": 1, "ok": True, "pong": True} and replies[3]["id"] == 2


def test_bye_ends_the_process_even_with_stdin_open():
    proc = subprocess.Popen([sys.executable, str(AGENT_FILE)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    try:
        proc.stdin.write(b'{"cmd": "bye"}\n')
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["bye"] is True
        assert proc.wait(30) == 0
    finally:
        proc.kill()
        proc.stdin.close()
        proc.stdout.close()


def test_an_idle_agent_exits_by_itself():
    proc = subprocess.Popen([sys.executable, str(AGENT_FILE), "--idle-timeout", "0.3"],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.wait(30) == 3
        assert b"no request for" in proc.stderr.read()
    finally:
        proc.kill()
        proc.stdin.close()
        proc.stderr.close()


def test_an_unimportable_module_is_one_error_reply_and_status_2():
    done = subprocess.run([sys.executable, str(AGENT_FILE), "--impl", "no_such_ssl_xyz"],
                          input=b"", capture_output=True, timeout=30)
    assert done.returncode == 2
    reply = json.loads(done.stdout)
    assert reply["ok"] is False and "cannot import 'no_such_ssl_xyz'" in reply["error"]["message"]


def test_what_the_module_prints_does_not_corrupt_the_protocol(tmp_path):
    (tmp_path / "noisyssl.py").write_text("print('hello from the module')\nfrom ssl import *\n")
    done = subprocess.run([sys.executable, str(AGENT_FILE), "--impl", "noisyssl", "--path", str(tmp_path)],
                          input=b'{"cmd": "ping"}\n', capture_output=True, timeout=30)
    assert json.loads(done.stdout) == {"id": None, "ok": True, "pong": True}
    assert b"hello from the module" in done.stderr


def test_agent_process_driver_round_trip_and_unavailable():
    proc = AgentProcess(sys.executable, "ssl")
    try:
        hello = proc.start()
        assert hello["protocol"] == 2 and proc.alive
        with pytest.raises(RemoteError) as info:
            proc.request("context", protocol="SSLv2")
        assert info.value.error["kind"] == "unsupported"
    finally:
        proc.close()
    assert not proc.alive
    with pytest.raises(AgentUnavailable, match="cannot import 'no_such_ssl_xyz'"):
        AgentProcess(sys.executable, "no_such_ssl_xyz").start()
    with pytest.raises(AgentUnavailable, match="cannot start"):
        AgentProcess("/nonexistent/python", "ssl").start()


def test_an_agent_of_an_older_protocol_is_refused_at_hello(tmp_path):
    """An agent of protocol 1 would ignore the bounds it does not know: the driver refuses it, saying why."""
    old = tmp_path / "shim.py"
    old.write_text(AGENT_FILE.read_text(encoding="utf-8").replace("PROTOCOLS = (1, 2)", "PROTOCOLS = (1,)"),
                   encoding="utf-8")
    proc = AgentProcess(sys.executable, "ssl")
    proc.argv[1] = str(old)
    with pytest.raises(AgentUnavailable, match=r"no common protocol version.*older than this suite.*protocol 2"):
        proc.start()
    assert not proc.alive
