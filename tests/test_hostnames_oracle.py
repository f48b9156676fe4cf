"""The hostname oracle (conformance/judge/hostnames.py): its rules one by one, and held against
the real CPython interpreters here for every fixture x name of the case table."""
from __future__ import annotations

import glob
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.cases import hostnames as cases
from conformance.harness.env import Certs
from conformance.judge import hostnames as oracle
from conformance.judge.editions import EDITIONS, key

H = oracle.Identity
EXACT = H(dns=("www.example.org", "example.org"))
WILD = H(dns=("*.example.org",))
PARTIAL = H(dns=("w*.example.org",))
IP = H(dns=("192.0.2.8",), ips=("192.0.2.7", "2001:db8::7"))
IDN = H(dns=("xn--bcher-kva.example",))
CN_ONLY = H(common_names=("www.example.org",))
CN_SAN = H(dns=("other.example.org",), common_names=("www.example.org",))
IP_ONLY_CN = H(ips=("192.0.2.7",), common_names=("www.example.org",))

#: (check, identity, name, edition, expected rule)
TABLE = [
    ("handshake", EXACT, "www.example.org", "3.13", "exact"),
    ("handshake", EXACT, "WWW.Example.ORG", "3.13", "case"),
    ("handshake", EXACT, "a.www.example.org", "3.13", "mismatch"),
    ("handshake", EXACT, "www.example.org", "3.4", "exact"),
    ("handshake", WILD, "foo.example.org", "3.7", "wildcard"),
    ("handshake", WILD, "a.b.example.org", "3.13", "wildcard-one-label"),
    ("handshake", WILD, "example.org", "3.13", "wildcard-one-label"),
    ("match_hostname", WILD, "example.org", "3.2", "wildcard-one-label"),
    ("handshake", PARTIAL, "wx.example.org", "3.6", "partial-wildcard"),
    ("handshake", PARTIAL, "w.example.org", "3.6", "partial-wildcard"),
    ("handshake", PARTIAL, "wx.example.org", "3.7", "no-partial-wildcard"),
    ("match_hostname", PARTIAL, "wx.example.org", "3.11", "no-partial-wildcard"),
    ("match_hostname", PARTIAL, "xw.example.org", "3.2", "mismatch"),
    ("handshake", IP, "192.0.2.7", "3.13", "ip-san"),
    ("handshake", IP, "2001:DB8:0:0::7", "3.13", "ip-san"),
    ("handshake", IP, "192.0.2.8", "3.13", "ip-not-dns"),
    ("handshake", IP, "192.0.2.9", "3.13", "mismatch"),
    ("match_hostname", IP, "192.0.2.7", "3.5", "ip-san"),
    ("match_hostname", IP, "192.0.2.8", "3.5", "ip-not-dns"),
    ("match_hostname", IP, "192.0.2.7", "3.4", "ip-unsupported"),
    ("match_hostname", IP, "192.0.2.8", "3.2", "ip-as-dns"),
    ("handshake", IDN, "b\u00fccher.example", "3.7", "a-label"),
    ("handshake", IDN, "b\u00fccher.example", "3.6", "u-label"),
    ("handshake", IDN, "xn--bcher-kva.example", "3.5", "u-label"),     # bpo-28414: 3.5-3.6 matched the U-label
    ("handshake", IDN, "xn--bcher-kva.example", "3.4", "exact"),
    ("match_hostname", IDN, "b\u00fccher.example", "3.11", "u-label"),
    ("match_hostname", IDN, "xn--bcher-kva.example", "3.2", "exact"),
    ("handshake", CN_ONLY, "www.example.org", "3.13", "cn"),
    ("handshake", CN_ONLY, "www.example.org", "3.4", "cn"),
    ("handshake", CN_SAN, "www.example.org", "3.13", "cn-ignored"),
    ("match_hostname", CN_SAN, "www.example.org", "3.2", "cn-ignored"),
    ("match_hostname", IP_ONLY_CN, "www.example.org", "3.4", "cn"),       # IP SANs did not count before 3.5
    ("match_hostname", IP_ONLY_CN, "www.example.org", "3.5", "cn-ignored"),
    ("handshake", IP_ONLY_CN, "www.example.org", "3.13", "cn-ignored"),   # docs: "a subject alternative name"
    ("handshake", CN_SAN, "other.example.org", "3.13", "exact"),
]


@pytest.mark.parametrize("check,ident,name,edition,rule", TABLE,
                         ids=[f"{c}-{n}-{e}-{r}" for c, _, n, e, r in TABLE])
def test_the_rule_that_decides(check, ident, name, edition, rule):
    if check == "handshake":
        verdict = oracle.check_hostname(ident, name, edition)
    else:
        verdict = oracle.match_hostname(ident, name, edition)
    assert verdict.rule == rule
    assert verdict.accepts == (rule in oracle.ACCEPTING)


def test_the_table_reaches_every_rule():
    reached = {rule for *_, rule in TABLE} | {"cn-off"}
    assert reached == set(oracle.RULES)


def test_common_name_fallback_can_be_turned_off():
    assert oracle.check_hostname(CN_ONLY, "www.example.org", "3.7", checks_common_name=False).rule == "cn-off"
    assert not oracle.check_hostname(CN_ONLY, "www.example.org", "3.7", checks_common_name=False).accepts
    assert oracle.check_hostname(CN_SAN, "other.example.org", "3.7", checks_common_name=False).accepts


def test_the_handshake_check_is_not_documented_before_3_4():
    with pytest.raises(ValueError):
        oracle.check_hostname(EXACT, "www.example.org", "3.3")


def test_identity_from_the_manifest():
    certs = Certs()
    assert oracle.Identity.from_manifest(certs.fixture("host-ip")) == \
        H(dns=("192.0.2.8",), ips=("192.0.2.7", "2001:db8::7"))
    assert oracle.Identity.from_manifest(certs.fixture("host-cn-and-san")) == CN_SAN
    assert oracle.rfc4514(r"CN=a\,b,O=x") == (("CN", "a,b"), ("O", "x"))


def test_rows_cover_each_span_once_and_split_only_where_editions_differ():
    for rows, since, until in ((cases.HANDSHAKE_ROWS, "3.4", None), (cases.MATCH_ROWS, "3.2", "3.12")):
        by_cell = {}
        for row in rows:
            by_cell.setdefault((row["fixture"], row["label"].split("/")[0]), []).append(row)
        for cell, spans in by_cell.items():
            assert spans[0]["since"] == since and spans[-1]["until"] == until, cell
            for a, b in zip(spans, spans[1:]):
                assert a["until"] == b["since"], cell
                assert (a["rule"], a["basis"]) != (b["rule"], b["basis"]), cell
            assert (len(spans) == 1) == ("/" not in spans[0]["label"]), cell


# -- the real interpreters -------------------------------------------------------------

def _interpreters():
    """CPython 3.6 ... 3.13 found here (pyenv's versions, or on PATH), and this one."""
    found = {tuple(sys.version_info[:2]): sys.executable}
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for minor in range(6, 14):
        paths = sorted(glob.glob(os.path.join(root, "versions", f"3.{minor}.*", "bin", f"python3.{minor}")))
        path = paths[-1] if paths else shutil.which(f"python3.{minor}")
        if path and (3, minor) not in found:
            try:
                subprocess.run([path, "-c", "import ssl"], check=True, capture_output=True, timeout=30)
            except (OSError, subprocess.SubprocessError):
                continue
            found[(3, minor)] = path
    return dict(sorted(found.items()))


INTERPRETERS = _interpreters()
ALL_NAMES = sorted({name for names in cases.NAMES.values() for _, name in names})


def test_the_interpreters_span_every_set_of_rules():
    """3.6 (match_hostname in the handshake, partial wildcards, IP SANs), 3.7-3.11, 3.12+: all here."""
    versions = set(INTERPRETERS)
    assert tuple(sys.version_info[:2]) in versions
    assert versions & {(3, 6)} and versions & {(3, m) for m in range(7, 12)} and versions & {(3, 12), (3, 13)}, \
        f"found only {sorted(versions)}: pyenv's 3.6, 3.7-3.11 and 3.12+ are the evidence this test needs"


@pytest.mark.parametrize("version", list(INTERPRETERS), ids=[f"python{a}.{b}" for a, b in INTERPRETERS])
def test_cpython_decides_as_the_oracle_for_every_fixture_and_name(version, tmp_path):
    certs = Certs()
    given = {"certs": str(certs.dir), "names": ALL_NAMES,
             "fixtures": {f: certs.fixture(f)["peercert"] for f in cases.FIXTURES}}
    (tmp_path / "in.json").write_text(json.dumps(given), encoding="utf-8")
    run = subprocess.run([INTERPRETERS[version], str(Path(__file__).with_name("hostnames_cpython.py")),
                          str(tmp_path / "in.json")], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    seen = json.loads(run.stdout)["results"]
    edition = f"{version[0]}.{version[1]}"
    edition = edition if edition in EDITIONS else EDITIONS[-1]
    expected_checks = {"handshake"} | ({"handshake-cn-off"} if key(edition) >= (3, 7) else set()) \
        | ({"match_hostname"} if key(edition) < (3, 12) else set())
    assert set(seen) == expected_checks
    wrong = []
    for check, fixtures in seen.items():
        for fixture, names in fixtures.items():
            ident = cases.identity(certs, fixture)
            for name, outcome in names.items():
                if check == "match_hostname":
                    verdict = oracle.match_hostname(ident, name, edition)
                else:
                    verdict = oracle.check_hostname(ident, name, edition, check != "handshake-cn-off")
                if outcome != ("accepted" if verdict.accepts else "refused"):
                    wrong.append(f"{check} {fixture} {name!r}: CPython {outcome}, oracle {verdict.rule}")
    assert wrong == []
