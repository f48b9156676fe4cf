"""The matrix oracle: each rule on its own, the spec's 2010 table, and today's differences.

The 2010 table is kept as data (``tests/data/spec-table-2010.json``), so the
oracle is held against it on any machine; where the spec itself is found
(``SSL_CONFORMANCE_SPEC``, or ``../shared/spec/ssl-3.2.rst`` beside the
checkout) that data is held against the table the spec prints, too.
"""
import json
import re
from pathlib import Path

import pytest

from conformance.judge.basis import spec_path
from conformance.judge.oracle import (ERA_2010, ERA_2010_OPENSSL_100, MODERN, Chain, Side, enabled_versions,
                                expect, verifies)

SPEC = spec_path()
TABLE = Path(__file__).resolve().parent / "data" / "spec-table-2010.json"
TLS12_13 = frozenset({"TLSv1.2", "TLSv1.3"})
ALL_TLS = frozenset({"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"})
TRUSTED = Chain(issuers=("intermediate-ca", "root-ca"), sent=frozenset({"intermediate-ca", "root-ca"}))
ROOT = frozenset({"root-ca"})


def side(label="SSLv23", capable=ALL_TLS, **kw):
    protocol, *options = label.split("+")
    return Side(protocol=protocol, options=frozenset(options), capable=capable, **kw)


# -- the spec's table -------------------------------------------------------------
def spec_table():
    """The 2010 table, from the project's data: {(client, server): bool}."""
    doc = json.loads(TABLE.read_text(encoding="utf-8"))
    return {(client, server): ok for client, row in doc["table_2010"].items() for server, ok in row.items()}


@pytest.mark.skipif(SPEC is None, reason="no spec file here: set SSL_CONFORMANCE_SPEC to check the data against it")
def test_the_table_data_is_the_table_the_spec_prints():
    rows = re.findall(r"^\s*\*(\w+)\*\s+((?:(?:yes|no)\s+){3}(?:yes|no))\s*$",
                      SPEC.read_text(encoding="utf-8"), re.M)
    header = ["SSLv2", "SSLv3", "SSLv23", "TLSv1"]
    assert [r[0] for r in rows] == header, "the spec's table changed shape"
    printed = {(client, server): cell == "yes" for client, cells in rows for server, cell in zip(header, cells.split())}
    assert printed == spec_table()


def era(label):
    return Side(protocol=label)


def test_era_rules_reproduce_the_spec_table():
    table = spec_table()
    got = {(c, s): expect(era(c), era(s), ERA_2010).ok for c, s in table}
    assert got == table


def test_the_only_era_cell_not_derived_is_the_tables_erratum():
    """Without its erratum the 2010 rules say an SSLv3 client cannot reach an
    SSLv2 server (it cannot parse the SSLv3 hello); every other cell is derived."""
    table = spec_table()
    plain = ERA_2010.__class__(**{**ERA_2010.__dict__, "errata": frozenset()})
    differ = {k for k in table if expect(era(k[0]), era(k[1]), plain).ok != table[k]}
    assert differ == {("SSLv3", "SSLv2")}
    verdict = expect(era("SSLv3"), era("SSLv2"), plain)
    assert (verdict.failing, verdict.reason) == ("server", "protocol-version")


def test_era_versions_negotiated():
    assert expect(era("SSLv23"), era("SSLv23"), ERA_2010).version == "TLSv1"
    assert expect(era("SSLv2"), era("SSLv23"), ERA_2010).version == "SSLv2"
    assert expect(era("SSLv3"), era("SSLv23"), ERA_2010).version == "SSLv3"
    assert expect(era("SSLv23"), era("SSLv2"), ERA_2010).version == "SSLv2"


def test_openssl_100_sslv23_client_sends_an_sslv3_hello():
    """The spec's note: from 1.0.0 an SSLv23 client tries SSLv3 (no SSLv2 hello)."""
    assert expect(era("SSLv23"), era("SSLv3"), ERA_2010_OPENSSL_100).version == "SSLv3"
    assert expect(era("SSLv23"), era("TLSv1"), ERA_2010_OPENSSL_100).version == "TLSv1"
    assert not expect(era("SSLv23"), era("SSLv2"), ERA_2010_OPENSSL_100).ok
    assert not expect(era("SSLv23"), era("SSLv3"), ERA_2010).ok


# -- where today's rules differ from the table, and why ----------------------------
def test_modern_sslv23_client_reaches_tlsv1_server():
    """2010: no (the SSLv2 hello is not understood).  Today SSLv23 clients send a
    TLS hello, so under a policy that still allows TLS 1.0 it negotiates TLSv1."""
    assert not expect(era("SSLv23"), era("TLSv1"), ERA_2010).ok
    assert expect(side("SSLv23"), side("TLSv1"), MODERN).version == "TLSv1"


def test_modern_sslv23_negotiates_tls13_not_tls1():
    assert expect(era("SSLv23"), era("SSLv23"), ERA_2010).version == "TLSv1"
    assert expect(side(), side(), MODERN).version == "TLSv1.3"


def test_modern_sslv2_and_sslv3_are_gone():
    """No capability offers them: a pinned SSLv3 side has nothing to enable."""
    v = expect(side("SSLv3"), side(), MODERN)
    assert (v.ok, v.failing) == (False, "client")
    assert "policy" in v.why
    assert enabled_versions(side("SSLv2"), MODERN) == frozenset()


def test_tls11_and_tls12_exist_today():
    assert expect(side("TLSv1_1"), side(), MODERN).version == "TLSv1.1"
    assert expect(side("TLSv1_2"), side(), MODERN).version == "TLSv1.2"
    assert expect(side(), side("TLSv1_1"), MODERN).version == "TLSv1.1"


# -- rule 1: enabled versions --------------------------------------------------------
def test_options_remove_versions():
    assert enabled_versions(side("SSLv23+NO_TLSv1")) == frozenset({"TLSv1.1", "TLSv1.2", "TLSv1.3"})
    assert enabled_versions(side("SSLv23+NO_TLSv1_3")) == frozenset({"TLSv1", "TLSv1.1", "TLSv1.2"})


def test_capability_is_the_floor():
    assert enabled_versions(side("SSLv23+NO_TLSv1", capable=TLS12_13)) == TLS12_13
    assert enabled_versions(side("TLSv1", capable=TLS12_13)) == frozenset()


def test_client_keeps_the_lowest_contiguous_run():
    assert enabled_versions(side("SSLv23+NO_TLSv1_2")) == frozenset({"TLSv1", "TLSv1.1"})
    assert enabled_versions(side("SSLv23+NO_TLSv1_1")) == frozenset({"TLSv1"})
    assert enabled_versions(side("SSLv23+NO_TLSv1_2", capable=TLS12_13)) == frozenset({"TLSv1.3"})


def test_server_accepts_any_version_not_disabled():
    assert enabled_versions(side("SSLv23+NO_TLSv1_2"), client=False) == frozenset(
        {"TLSv1", "TLSv1.1", "TLSv1.3"})
    assert expect(side(capable=TLS12_13), side("SSLv23+NO_TLSv1_2")).version == "TLSv1.3"


def test_era_rules_have_no_contiguity():
    assert enabled_versions(Side(options=frozenset({"NO_SSLv3"})), ERA_2010) == frozenset({"SSLv2", "TLSv1"})


def test_nothing_enabled_by_options_is_protocol_version():
    v = expect(side("TLSv1+NO_TLSv1"), side())
    assert (v.failing, v.reasons) == ("client", ("protocol-version",))


def test_nothing_enabled_by_policy_accepts_either_reason():
    v = expect(side("TLSv1", capable=TLS12_13), side())
    assert (v.failing, set(v.reasons)) == ("client", {"protocol-version", "no-shared-cipher"})
    v = expect(side(), side("TLSv1_1", capable=TLS12_13))
    assert (v.failing, set(v.reasons)) == ("server", {"protocol-version", "no-shared-cipher"})
    assert v.short() == "fail: server protocol-version/no-shared-cipher"


# -- rules 2-4: hello, server's choice, client's check ---------------------------------
def test_flexible_server_picks_highest_common():
    assert expect(side("SSLv23+NO_TLSv1_3"), side()).version == "TLSv1.2"
    assert expect(side(), side("SSLv23+NO_TLSv1_3")).version == "TLSv1.2"


def test_flexible_server_without_common_version_fails():
    v = expect(side("TLSv1"), side("SSLv23+NO_TLSv1", capable=ALL_TLS))
    assert (v.ok, v.failing, v.reason) == (False, "server", "protocol-version")


def test_fixed_server_answers_its_version_and_client_checks_it():
    v = expect(side("SSLv23+NO_TLSv1", capable=ALL_TLS), side("TLSv1"))
    assert (v.failing, v.reason) == ("client", "protocol-version")
    assert "TLSv1" in v.why


def test_fixed_server_refuses_a_lower_client():
    v = expect(side("TLSv1"), side("TLSv1_2"))
    assert (v.failing, v.reason) == ("server", "protocol-version")


def test_tls13_only_client_gives_a_fixed_tls12_server_no_cipher():
    v = expect(side("SSLv23+NO_TLSv1_2", capable=TLS12_13), side("TLSv1_2", capable=TLS12_13))
    assert v.failing == "server" and v.reason == "no-shared-cipher"


def test_tls13_client_is_judged_on_its_whole_list():
    """supported_versions: a flexible server sees every version, not only the highest."""
    assert expect(side(), side("SSLv23+NO_TLSv1_3+NO_TLSv1_2")).version == "TLSv1.1"


def test_legacy_hello_states_only_the_highest():
    """The server picks below the client's stated highest; no downgrade mark,
    since the server lacks TLS 1.2 (OpenSSL marks below 1.2 only when it has 1.2)."""
    assert expect(side("SSLv23+NO_TLSv1_3"), side("SSLv23+NO_TLSv1_2")).version == "TLSv1.1"


def test_downgrade_sentinel_aborts_the_client():
    client = side("SSLv23+NO_TLSv1_2")  # contiguous: TLS 1.0-1.1, a legacy hello stating 1.1
    server = side("SSLv23+NO_TLSv1_1")  # has TLS 1.0, 1.2, 1.3: settles on 1.0 and marks it
    v = expect(client, server)
    assert (v.failing, v.reason) == ("client", "protocol-version") and "downgrade" in v.why
    no_mark = MODERN.__class__(**{**MODERN.__dict__, "downgrade_sentinel": False})
    assert expect(client, server, no_mark).version == "TLSv1"


def test_fixed_client_ignores_the_downgrade_mark():
    assert expect(side("TLSv1"), side("SSLv23+NO_TLSv1_1")).version == "TLSv1"


# -- rules 5-6: certificates and getpeercert forms --------------------------------
def test_chain_verification():
    assert verifies(TRUSTED, ROOT)[0]
    assert not verifies(TRUSTED, {"untrusted-root-ca"})[0]
    leaf_only = Chain(issuers=("intermediate-ca", "root-ca"))
    assert not verifies(leaf_only, ROOT)[0]
    assert verifies(leaf_only, {"root-ca", "intermediate-ca"})[0]
    assert "expired" in verifies(Chain(TRUSTED.issuers, TRUSTED.sent, "expired"), ROOT)[1]


def test_client_verify_none_accepts_anything_unvalidated():
    v = expect(side(), side(cert=Chain(("untrusted-root-ca",))))
    assert v.ok and v.client_peercert == "unvalidated" and v.server_peercert == "none"


@pytest.mark.parametrize("mode", ["OPTIONAL", "REQUIRED"])
def test_client_verify_checks_the_server(mode):
    good = expect(side(verify=mode, trusts=ROOT), side(cert=TRUSTED))
    assert good.ok and good.client_peercert == "validated"
    bad = expect(side(verify=mode, trusts=ROOT), side(cert=Chain(("untrusted-root-ca",))))
    assert (bad.failing, bad.reason) == ("client", "certificate-verify-failed")


def test_server_verify_none_asks_for_nothing():
    v = expect(side(cert=Chain(("untrusted-root-ca",))), side(cert=TRUSTED))
    assert v.ok and v.server_peercert == "none"


def test_server_optional_without_client_cert_is_fine():
    v = expect(side(), side(cert=TRUSTED, verify="OPTIONAL", trusts=ROOT))
    assert v.ok and v.server_peercert == "none"


def test_server_required_without_client_cert_fails_on_the_server():
    v = expect(side(), side(cert=TRUSTED, verify="REQUIRED", trusts=ROOT))
    assert (v.failing, v.reason) == ("server", "certificate-required")


@pytest.mark.parametrize("mode", ["OPTIONAL", "REQUIRED"])
def test_server_verifies_a_client_cert(mode):
    ok = expect(side(cert=TRUSTED), side(cert=TRUSTED, verify=mode, trusts=ROOT))
    assert ok.ok and ok.server_peercert == "validated"
    bad = expect(side(cert=Chain(TRUSTED.issuers, TRUSTED.sent, "expired")),
                 side(cert=TRUSTED, verify=mode, trusts=ROOT))
    assert (bad.failing, bad.reason) == ("server", "certificate-verify-failed")


def test_client_check_comes_before_the_server_check():
    v = expect(side(verify="REQUIRED", trusts=frozenset({"untrusted-root-ca"})),
               side(cert=TRUSTED, verify="REQUIRED", trusts=ROOT))
    assert v.failing == "client"


def test_version_failure_comes_before_certificates():
    v = expect(side("TLSv1", verify="REQUIRED", trusts=frozenset()), side("TLSv1_2", cert=TRUSTED))
    assert v.reason == "protocol-version"


def test_short_forms():
    assert expect(side(), side()).short() == "TLSv1.3"
    assert expect(side("TLSv1"), side("TLSv1_2")).short() == "fail: server protocol-version"


# -- enabled but unusable: a cipher security level, not a floor ------------------------
OLD_SSL = frozenset({"SSLv2", "SSLv3"})  # refused outright; TLS 1.0/1.1 enabled but unusable


def test_unusable_versions_still_count_for_contiguity():
    """Python 3.9 sets no floor: TLS 1.0 stays enabled at the default level,
    so OP_NO_TLSv1_1 leaves a client offering TLS 1.0 alone."""
    client = side("SSLv23+NO_TLSv1_1", capable=TLS12_13, refused=OLD_SSL)
    assert enabled_versions(client) == frozenset({"TLSv1"})
    v = expect(client, side(capable=TLS12_13, refused=OLD_SSL))
    assert {v.failures()[0][0], v.failures()[1][0]} == {"client", "server"}
    assert set(v.reasons) == {"protocol-version", "no-shared-cipher"}


def test_server_fails_first_on_a_version_its_policy_cannot_complete():
    v = expect(side("TLSv1_2", capable=TLS12_13, refused=OLD_SSL),
               side("SSLv23+NO_TLSv1_2", capable=TLS12_13, refused=OLD_SSL))
    assert v.failing == "server" and "no-shared-cipher" in v.reasons


def test_a_client_without_usable_versions_may_fail_before_the_server_refuses():
    v = expect(side("TLSv1", capable=TLS12_13, refused=OLD_SSL),
               side(capable=TLS12_13, refused=frozenset(ALL_TLS - TLS12_13) | OLD_SSL))
    assert v.failures() == (("server", ("protocol-version",)),
                            ("client", ("protocol-version", "no-shared-cipher")))


# -- the whole 2010 table against today's rules ----------------------------------------
def test_today_differs_from_the_2010_table_in_exactly_these_cells():
    """Today's rules on a library that still has TLS 1.0-1.3 (the legacy policy)
    against the spec's table: seven cells change, for two reasons only."""
    table = spec_table()
    today = {cell: expect(side(cell[0]), side(cell[1]), MODERN) for cell in table}
    differ = {cell for cell in table if today[cell].ok != table[cell]}
    gone = {cell for cell in differ if {"SSLv2", "SSLv3"} & set(cell)}
    # SSLv2 and SSLv3 are gone: whichever side is pinned to one has no version left
    assert gone == {("SSLv2", "SSLv2"), ("SSLv2", "SSLv23"), ("SSLv3", "SSLv2"), ("SSLv3", "SSLv3"),
                    ("SSLv3", "SSLv23"), ("SSLv23", "SSLv2")}
    assert all("usable" in today[cell].why for cell in gone)
    # SSLv23 clients no longer send an SSLv2-format hello, which a TLSv1 server could not read
    assert differ - gone == {("SSLv23", "TLSv1")}
    assert "SSLv2-format hello" in expect(era("SSLv23"), era("TLSv1"), ERA_2010).why
    assert today[("SSLv23", "TLSv1")].version == "TLSv1"
    # and where both say yes, today's flexible pair negotiates TLS 1.3, not TLS 1.0
    assert today[("SSLv23", "SSLv23")].version == "TLSv1.3"


# -- the remaining branches of rules 1, 4 and 5 ------------------------------------------
def test_a_verdict_that_connects_lists_no_failures():
    assert expect(side(), side()).failures() == ()


def test_a_version_enabled_on_both_sides_but_unusable_by_the_clients_policy():
    """The client still offers TLS 1.0/1.1 (its policy turns them off by cipher
    level, not outright); the server picks 1.1; the client cannot complete it --
    or the server, finding no usable suite, gives up first."""
    client = side("SSLv23+NO_TLSv1_2+NO_TLSv1_3", capable=TLS12_13, refused=OLD_SSL)
    v = expect(client, side())
    assert (v.failing, set(v.reasons)) == ("client", {"protocol-version", "no-shared-cipher"})
    assert v.alternative == ("server", ("protocol-version", "no-shared-cipher"))
    assert "client's policy cannot complete" in v.why


def test_a_chosen_version_the_client_cannot_use_may_fail_on_the_server_first():
    """A TLSv1 server answers a client whose policy lacks TLS 1.0: the client
    rejects the version, unless the server finds no shared cipher first."""
    v = expect(side("SSLv23+NO_TLSv1", capable=TLS12_13), side("TLSv1"))
    assert v.failures() == (("client", ("protocol-version",)), ("server", ("no-shared-cipher",)))


def test_a_verifying_client_fails_when_the_server_presents_no_certificate():
    v = expect(side(verify="REQUIRED", trusts=ROOT), side(cert=None))
    assert (v.failing, v.reason) == ("client", "certificate-verify-failed")
    assert "no certificate" in v.why


# -- minimum_version / maximum_version (conformance.judge.bounds) ---------------------------
LEGACY_REFUSED = frozenset({"SSLv2", "SSLv3"})


def bounded_side(label="SSLv23", **kw):
    kw.setdefault("refused", LEGACY_REFUSED)
    return side(label, **kw)


def test_a_bound_keeps_the_versions_on_its_side_of_it():
    assert enabled_versions(bounded_side(minimum="TLSv1_2")) == TLS12_13
    assert enabled_versions(bounded_side(maximum="TLSv1_1")) == frozenset({"TLSv1", "TLSv1.1"})
    assert enabled_versions(bounded_side(minimum="TLSv1_1", maximum="TLSv1_1")) == frozenset({"TLSv1.1"})


def test_the_magic_member_of_a_bounds_own_side_is_no_bound():
    plain = enabled_versions(bounded_side())
    assert enabled_versions(bounded_side(minimum="MINIMUM_SUPPORTED", maximum="MAXIMUM_SUPPORTED")) == plain == ALL_TLS


def test_crossed_magic_members_are_the_librarys_highest_and_lowest_versions():
    assert enabled_versions(bounded_side(minimum="MAXIMUM_SUPPORTED")) == frozenset({"TLSv1.3"})
    assert enabled_versions(bounded_side(maximum="MINIMUM_SUPPORTED")) == frozenset({"TLSv1"})
    # what the library has is given, or read off what the policy does not refuse
    with_ssl3 = bounded_side(maximum="MINIMUM_SUPPORTED", supported=frozenset({"SSLv3"}) | ALL_TLS)
    assert enabled_versions(with_ssl3) == frozenset()
    assert expect(with_ssl3, bounded_side()).short() == "fail: client protocol-version/no-shared-cipher"


def test_a_floor_the_policy_refuses_is_not_lifted_by_a_higher_maximum():
    default = side(refused=frozenset({"SSLv2", "SSLv3", "TLSv1", "TLSv1.1"}), capable=TLS12_13,
                   supported=ALL_TLS, maximum="MINIMUM_SUPPORTED")
    verdict = expect(default, side(capable=TLS12_13))
    assert not verdict.ok and verdict.failing == "client" and verdict.alternative is not None


def test_a_minimum_above_the_maximum_leaves_nothing_and_that_side_fails():
    crossed = dict(minimum="TLSv1_3", maximum="TLSv1_2")
    assert enabled_versions(bounded_side(**crossed)) == frozenset()
    client = expect(bounded_side(**crossed), bounded_side())
    server = expect(bounded_side(), bounded_side(**crossed))
    assert (client.short(), server.short()) == ("fail: client protocol-version", "fail: server protocol-version")
    assert "bounds" in client.why


def test_bounds_and_options_both_remove_versions():
    # the documentation's example: OP_NO_TLSv1_2 under a TLS 1.2 maximum cannot make TLS 1.2
    assert enabled_versions(bounded_side("SSLv23+NO_TLSv1_2", maximum="TLSv1_2")) == frozenset({"TLSv1", "TLSv1.1"})
    assert enabled_versions(bounded_side("SSLv23+NO_TLSv1_3", minimum="TLSv1_2")) == frozenset({"TLSv1.2"})
    # a client keeps the lowest unbroken run inside its bounds
    hole = bounded_side("SSLv23+NO_TLSv1_1", maximum="TLSv1_2")
    assert enabled_versions(hole) == frozenset({"TLSv1"})
    assert enabled_versions(hole, client=False) == frozenset({"TLSv1", "TLSv1.2"})


def test_crossed_bounds_on_two_sides():
    assert expect(bounded_side(maximum="TLSv1_2"), bounded_side(minimum="TLSv1_2")).short() == "TLSv1.2"
    assert expect(bounded_side(minimum="TLSv1_3"), bounded_side(maximum="TLSv1_2")).short() == \
        "fail: server protocol-version"
    # a server bounded below TLS 1.3 marks no downgrade: the flexible client accepts TLS 1.2
    assert expect(bounded_side(), bounded_side(maximum="TLSv1_2")).short() == "TLSv1.2"


def test_only_a_flexible_side_has_bounds_and_members_are_checked():
    with pytest.raises(ValueError, match="PROTOCOL_TLSv1_2"):
        side("TLSv1_2", minimum="TLSv1_2")
    with pytest.raises(ValueError, match="TLSVersion member"):
        side(maximum="TLSv1.2")
