"""``ssl-conformance soak`` and the concurrency measurement it shares with the suite."""
import json
import ssl
import threading

import pytest

from conformance.tools import soak
from conformance.cases.concurrency import concurrent_echo, judge
from conformance.harness.env import Certs
from conformance.harness.registry import CaseFailure

CERTS = Certs()


@pytest.mark.parametrize("argv", [["--connections", "0"], ["--warmup", "-1"], ["--concurrent", "-5"],
                                  ["--rss-budget-mib", "-1"]])
def test_bad_numbers_are_usage_errors(argv, capsys):
    assert soak.main(argv) == 2
    assert "soak: --connections must be >= 1" in capsys.readouterr().err


def test_an_unloadable_module_is_named(capsys):
    assert soak.main(["--impl", "no_such_module_xyz", "--connections", "1", "--warmup", "0"]) == 1
    assert "no_such_module_xyz" in capsys.readouterr().err


def test_a_small_run_reports_every_figure(capsys):
    rc = soak.main(["--impl", "ssl", "--connections", "20", "--warmup", "2", "--concurrent", "10", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0, out
    (r,) = out
    assert r["impl"] == "ssl" and r["connections"] == 20
    assert set(r["growth"]) == {"fds", "threads", "rss_kib"} and r["growth"]["fds"] == 0
    c = r["concurrent"]
    assert c["connections"] == 10 and c["failed"] == c["crossed"] == c["hung"] == 0


def test_the_text_report_says_over_budget():
    r = {"impl": "x", "connections": 5, "seconds": 1, "per_second": 5, "concurrent": None,
         "before": {"fds": 5, "threads": 1, "rss_kib": 1000},
         "after": {"fds": 6, "threads": 1, "rss_kib": 1000},
         "growth": {"fds": 1, "threads": 0, "rss_kib": 0}}
    assert "OVER BUDGET" in soak.format_report([r], 5 * 1024)
    assert not soak.within_budget(r, 5 * 1024)


def contexts():
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(CERTS.path("server", "chain"), CERTS.path("server", "key"))
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False  # the 3.2 API has no hostname check: verify the chain only
    client.load_verify_locations(CERTS.path("root-ca", "cert"))
    return client, server


class CrossedServer:
    """A server context whose connections all answer with the first payload any
    of them received: every other client reads another connection's bytes."""

    def __init__(self, ctx):
        self.ctx, self.first, self.lock = ctx, None, threading.Lock()

    def wrap_socket(self, sock, server_side):
        outer, tls = self, self.ctx.wrap_socket(sock, server_side=server_side)

        class Crossed:
            def read(self, n):
                data = tls.read(n)
                with outer.lock:
                    outer.first = outer.first or data
                return data

            def sendall(self, data):
                tls.sendall(outer.first)

            def close(self):
                tls.close()
        return Crossed()


def test_concurrent_connections_echo_their_own_payloads():
    client, server = contexts()
    result = concurrent_echo(client, server, 30, 5.0)
    judge(result)
    assert result["connections"] == 30 and not result["errors"]


def test_cross_talk_is_caught_and_named():
    client, server = contexts()
    result = concurrent_echo(client, CrossedServer(server), 30, 5.0)
    assert len(result["crossed"]) == 29
    with pytest.raises(CaseFailure, match="cross-talk: 29 of 30 connections"):
        judge(result)


def test_a_server_that_never_answers_fails_within_the_timeout():
    client, _ = contexts()

    class Mute:
        def wrap_socket(self, sock, server_side):
            raise OSError("this server refuses every connection")

    result = concurrent_echo(client, Mute(), 5, 2.0)
    assert result["errors"] and not result["hung"]
    with pytest.raises(CaseFailure, match="errors among 5 connections"):
        judge(result)
