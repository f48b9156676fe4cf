"""The verify-flags oracle: CRL checks as the documentation and OpenSSL describe them, and partial chains."""
from __future__ import annotations

import pytest

from conformance.harness.env import Certs
from conformance.judge import oracle
from conformance.judge.verifyflags import REVOKED, UNABLE_TO_GET_CRL, Cert, anchored, check
from conformance.cases.verifyflags import crl_chain, loaded_crls

LEAF = Cert("leaf", "0A", "inter")
CHAIN = [LEAF, Cert("inter", "0B", "root"), Cert("root", "0C", "root")]
NOTHING_REVOKED = {"inter": frozenset(), "root": frozenset()}


def test_without_a_crl_flag_nothing_is_checked_even_a_revoked_leaf():
    out = check("VERIFY_DEFAULT", CHAIN, {"inter": frozenset({"0A"})})
    assert out.ok and out.code == 0


@pytest.mark.parametrize("flags", ["VERIFY_CRL_CHECK_LEAF", "VERIFY_CRL_CHECK_CHAIN"])
def test_a_crl_flag_without_any_crl_cannot_get_the_crl(flags):
    out = check(flags, CHAIN, {})
    assert (out.ok, out.code, out.message) == (False, *UNABLE_TO_GET_CRL)


def test_check_leaf_needs_only_the_leaf_issuers_crl():
    assert check("VERIFY_CRL_CHECK_LEAF", CHAIN, {"inter": frozenset()}).ok
    out = check("VERIFY_CRL_CHECK_LEAF", CHAIN, {"root": frozenset()})
    assert (out.ok, out.code) == (False, UNABLE_TO_GET_CRL[0])


def test_check_chain_needs_every_issuers_crl_the_root_its_own():
    assert check("VERIFY_CRL_CHECK_CHAIN", CHAIN, NOTHING_REVOKED).ok
    for missing in ("inter", "root"):
        crls = {k: v for k, v in NOTHING_REVOKED.items() if k != missing}
        assert check("VERIFY_CRL_CHECK_CHAIN", CHAIN, crls).code == UNABLE_TO_GET_CRL[0]


def test_a_revoked_leaf_is_refused_and_the_leaf_is_checked_first():
    crls = {"inter": frozenset({"0a"})}  # serials compare without regard to case
    assert (check("VERIFY_CRL_CHECK_LEAF", CHAIN, crls).code, check("VERIFY_CRL_CHECK_CHAIN", CHAIN, crls).code) == \
        (REVOKED[0], REVOKED[0])
    assert check("VERIFY_CRL_CHECK_LEAF", CHAIN, {**crls, "root": frozenset({"0B"})}).code == REVOKED[0]


def test_a_revoked_intermediate_matters_only_to_check_chain():
    crls = {"inter": frozenset(), "root": frozenset({"0B"})}
    assert check("VERIFY_CRL_CHECK_LEAF", CHAIN, crls).ok
    assert check("VERIFY_CRL_CHECK_CHAIN", CHAIN, crls).code == REVOKED[0]


def test_an_unknown_setting_is_refused():
    with pytest.raises(ValueError, match="VERIFY_CRL_CHECK_LEAF"):
        check("VERIFY_CRL_CHECK_ALL", CHAIN, {})


def test_the_fixtures_as_the_cases_read_them():
    certs = Certs()
    chain = crl_chain(certs, "revoked")
    assert [c.name for c in chain] == ["revoked", "intermediate-ca", "root-ca"]
    assert [c.issuer for c in chain] == ["intermediate-ca", "root-ca", "root-ca"]
    assert loaded_crls(certs, "none") == {}
    assert loaded_crls(certs, "leaf") == {"intermediate-ca": frozenset({chain[0].serial})}
    assert loaded_crls(certs, "root") == {"root-ca": frozenset()}
    assert loaded_crls(certs, "chain") == {**loaded_crls(certs, "leaf"), **loaded_crls(certs, "root")}
    assert not check("VERIFY_CRL_CHECK_LEAF", chain, loaded_crls(certs, "leaf")).ok
    assert check("VERIFY_CRL_CHECK_CHAIN", crl_chain(certs, "server"), loaded_crls(certs, "chain")).ok


def test_partial_chains_end_at_the_first_trusted_ca():
    chain = oracle.Chain(issuers=("inter", "root"), sent=frozenset({"inter"}))
    assert not oracle.verifies(chain, {"inter"})[0]
    cut = anchored(chain, {"inter"})
    assert cut.issuers == ("inter",) and oracle.verifies(cut, {"inter"})[0]
    assert anchored(chain, {"root"}) == chain  # the root was the anchor already
    assert anchored(chain, {"other"}) == chain
