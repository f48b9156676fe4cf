"""The interop matrix: ids and items, missing peers, a peer that breaks the
rules, and the real thing across the interpreters this machine has.

The integration test runs the agent under every interpreter of
:data:`CANDIDATES` found on PATH (Debian's ``pypy3``, which ``scripts/test.sh``
installs, and ``python3.9`` ... ``python3.13`` where pyenv or the system has
them), and needs at least one besides this one; the interpreters it covered
are in its test id (``...[pypy3+python3.13]``).
"""
import platform
import subprocess
import sys
import textwrap

import pytest

from conformance.cases.interop import CELLS
from conformance.probe.capabilities import probe
from conformance.harness.env import Certs
from conformance.harness.impls import load_impl
from conformance.peers.agent import Agent
from conformance.peers.peerspec import parse_peers
from conformance.harness.runner import FAILING
from conformance.session import Session

pytest_plugins = ["pytester"]

OK = {"pass", "deviation", "unsupported"}
#: interpreters the integration test looks for, oldest language version first
CANDIDATES = ("pypy3", "python3.9", "python3.10", "python3.11", "python3.12", "python3.13")
HERE = f"{sys.executable}:ssl"

# A module that takes verify_mode and ignores it: the client never checks.
BROKEN_VERIFY = textwrap.dedent("""
    from ssl import *
    import ssl as _ssl

    class SSLContext(_ssl.SSLContext):
        verify_mode = property(lambda self: CERT_NONE, lambda self, value: None)
""")


def session(impls, peers, cases=()):
    return Session.from_options(impls=impls, peers=peers, case_patterns=cases)


def run_all(s):
    items = [i for i in s.items() if i.kind == "interop"]
    return [s.run(i) for i in items]


def test_case_ids_params_and_pairs():
    s = session(["ssl"], ["openssl-cli", HERE, "tlslite"])
    cases = s.interop_cases()
    pairs = {(c.params["client_endpoint"], c.params["server_endpoint"]) for c in cases}
    assert ("ssl", "ssl") not in pairs  # in-process pairs are the protocol matrix's
    assert ("openssl-cli", "tlslite") not in pairs  # no Python module on either side
    assert {("ssl", "openssl-cli"), ("openssl-cli", HERE), (HERE, HERE), (HERE, "ssl")} <= pairs
    for c in cases:
        p = c.params
        assert c.id == f"interop/{p['policy']}/{p['client_endpoint']}=>{p['server_endpoint']}/{p['cell']}"
    assert len(cases) == len(pairs) * sum(len(cell.policies) for cell in CELLS)
    again = session(["ssl"], ["openssl-cli", HERE, "tlslite"])
    assert [i.id for i in again.items()] == [i.id for i in s.items()]


def test_without_peers_there_are_no_interop_items():
    assert not [i for i in session(["ssl", "reference"], []).items() if i.kind == "interop"]
    s = session(["ssl", "reference"], [])
    assert s.endpoints.pairs() == []


def test_a_missing_interpreter_makes_its_cells_unsupported_with_the_reason():
    s = session(["ssl"], ["no-such-python-xyz:ssl"], ["interop/default/*/versions=any,any"])
    records = run_all(s)
    assert len(records) == 3  # as client, as server, and against itself
    for rec in records:
        assert rec.outcome == "unsupported"
        assert "interpreter 'no-such-python-xyz' not found on PATH" in rec.message


def test_results_say_what_each_peer_is_or_why_it_cannot_run():
    from conformance.report.results import build_document
    from conformance.report.schemacheck import errors, load_schema
    s = session(["ssl"], [HERE, "no-such-python-xyz:ssl", "openssl-cli"], ["interop/default/*/versions=any,any"])
    doc = build_document(s, [r.as_json() for r in run_all(s)], started=0.0, command=["run"])
    assert errors(doc, load_schema()) == []
    assert doc["run"]["options"]["peers"] == [HERE, "no-such-python-xyz:ssl", "openssl-cli"]
    agent, missing, cli = (doc["peers"][n] for n in doc["run"]["options"]["peers"])
    assert agent["kind"] == "agent" and agent["available"] and agent["module"] == "ssl"
    assert agent["interpreter"]["version"] and agent["openssl_version"].startswith("OpenSSL")
    assert missing == {"kind": "agent", "available": False, "description": missing["description"],
                       "unavailable": "interpreter 'no-such-python-xyz' not found on PATH"}
    assert cli["kind"] == "third-party" and cli["description"].startswith("openssl-cli")
    from conformance.report.html import render_html
    from conformance.report.summary import render_summary
    summary = render_summary(doc)
    assert f"peer {agent['description']}; {agent['module_file']}" in summary
    assert "peer no-such-python-xyz:ssl: NOT AVAILABLE: interpreter" in summary
    assert render_html(doc).count("<tr class='peer") == 3


def test_a_bad_peer_spec_is_a_usage_error(pytester):
    pytester.makepyfile(test_x="def test_x(): pass\n")
    result = pytester.runpytest("-p", "conformance.plugin", "--peer", "pypy3:", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--peer 'pypy3:': the module after ':' is missing*"])


def test_the_agent_measures_the_same_versions_as_the_probe_in_process():
    agent = Agent(HERE)
    caps = probe(load_impl("ssl"), Certs())
    assert agent.versions("default") == caps.versions_default
    assert agent.versions("legacy") == caps.versions_seclevel0
    assert agent.describe().startswith(f"{HERE} (CPython ")


IGNORES_NO_TLSV1 = textwrap.dedent("""
    from ssl import *
    import ssl as _ssl

    class SSLContext(_ssl.SSLContext):  # OP_NO_TLSv1 is shown, never applied
        options = property(_ssl.SSLContext.options.fget,
                           lambda self, value: _ssl.SSLContext.options.fset(self, value & ~OP_NO_TLSv1))
""")


def test_an_agent_learns_its_versions_from_a_third_party_not_from_the_options_under_test(tmp_path, monkeypatch):
    """Pinned by its own (ignored) OP_NO_TLSv1 against itself, the module seems
    unable to reach TLS 1.2 under the legacy policy; openssl s_server pinned to
    each version says otherwise, and that is what the oracle is told."""
    (tmp_path / "ignoresnotls1.py").write_text(IGNORES_NO_TLSV1)
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    agent = Agent(f"{sys.executable}:ignoresnotls1")
    assert agent.versions("legacy") == {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}
    assert agent.versions("default") == {"TLSv1.2", "TLSv1.3"}


@pytest.mark.parametrize("where", ["in-process", "agent"])
def test_a_side_that_ignores_verify_mode_fails_exactly_the_cells_that_check_it(tmp_path, monkeypatch, where):
    (tmp_path / "brokenverify.py").write_text(BROKEN_VERIFY)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    if where == "in-process":
        b, s = "brokenverify", session(["brokenverify"], [HERE], ["interop/default/*/verify=*"])
    else:
        b = f"{sys.executable}:brokenverify"
        s = session(["ssl"], [b], ["interop/default/*/verify=*"])
    records = {r.id: r for r in run_all(s)}
    failed = sorted(i for i, r in records.items() if r.outcome in FAILING)
    # The broken side never verifies: as a client it accepts bad server chains
    # and shows a good one in getpeercert()'s not-validated form ({}); as a
    # server it neither asks for nor checks client certificates, so a good one
    # is never seen (None).  Cells where CERT_NONE is asked for, or where no
    # certificate is the right answer, still pass.
    expected = sorted(
        [f"interop/default/{b}=>{srv}/verify={cell}" for srv in records_servers(records, b)
         for cell in ("server-trusted", "server-untrusted", "server-expired", "server-optional-untrusted")]
        + [f"interop/default/{cli}=>{b}/verify={cell}" for cli in records_clients(records, b)
           for cell in ("client-cert-required", "client-cert-required-missing",
                        "client-cert-required-untrusted")])
    assert failed == expected
    sample = records[f"interop/default/{b}=>{records_servers(records, b)[0]}/verify=server-untrusted"]
    assert "but the connection succeeded with" in sample.message, sample.message
    assert sample.expected == "fail: client certificate-verify-failed"


def records_servers(records, client):
    return sorted({r.params["server_endpoint"] for r in records.values() if r.params["client_endpoint"] == client})


def records_clients(records, server):
    return sorted({r.params["client_endpoint"] for r in records.values() if r.params["server_endpoint"] == server})


def _version_of(interpreter):
    """``"CPython 3.9.18"`` for an interpreter that runs here with its ssl, else None."""
    try:
        out = subprocess.run([interpreter, "-c", "import platform, ssl; print(platform.python_implementation(), "
                              "platform.python_version())"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def _interpreters():
    """The candidates that run here, one per implementation and version, this one left out;
    of several CPythons, the oldest and the newest (every pair of them costs agents and cells)."""
    here = f"{platform.python_implementation()} {platform.python_version()}"
    seen, found = {here}, []
    for name in CANDIDATES:
        version = _version_of(name)
        if version and version not in seen:
            seen.add(version)
            found.append(name)
    others = [n for n in found if n != "pypy3"]
    return [n for n in found if n == "pypy3"] + (others[:1] + others[-1:] if len(others) > 2 else others)


INTERPRETERS = _interpreters()


@pytest.mark.parametrize("interpreters", [INTERPRETERS], ids=["+".join(INTERPRETERS) or "none"])
def test_the_interpreters_here_interoperate_with_reference_and_ssl(interpreters):
    assert interpreters, (f"no interpreter but this one among {', '.join(CANDIDATES)}: install Debian's pypy3 "
                          "(scripts/test.sh does), or put pyenv's versions on PATH")
    peers = [f"{i}:ssl" for i in interpreters]
    s = session(["reference", "ssl"], peers, [
        "interop/*/versions=any,any", "interop/default/*/versions=TLSv1.3,TLSv1.2",
        "interop/legacy/*/versions=TLSv1,any", "interop/default/*/verify=server-untrusted",
        "interop/default/*/verify=client-cert-required", "interop/default/*/verify=client-cert-required-missing"])
    records = run_all(s)
    bad = [f"{r.id}: {r.outcome}: {r.message}" for r in records if r.outcome not in OK]
    assert not bad, "\n".join(bad)
    for peer in parse_peers(peers):
        as_client = [r for r in records if r.params["client_endpoint"] == peer.name]
        as_server = [r for r in records if r.params["server_endpoint"] == peer.name]
        # Every cell of a present interpreter runs: nothing is unsupported here
        # but a legacy TLS 1.0 pin (where the version floor forbids it).
        for r in as_client + as_server:
            assert r.outcome != "unsupported" or "TLSv1 under the legacy policy" in r.message, r.message
        modern = [r for r in as_client + as_server if r.params["cell"] == "versions=any,any"]
        assert modern and all(r.observed["version"] == "TLSv1.3" for r in modern)
        refused = [r for r in as_client + as_server if r.params["cell"] == "versions=TLSv1.3,TLSv1.2"]
        assert refused and all(r.observed["version"] is None for r in refused if r.outcome == "pass")
