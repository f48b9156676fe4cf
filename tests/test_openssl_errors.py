"""``conformance.judge.openssl_errors``: the table held against an OpenSSL, the
derivation from a fixture's verdict, and the releases that differ."""
from __future__ import annotations

import pytest

from conformance.cases.judging import chain_of
from conformance.harness.env import Certs
from conformance.judge import oracle
from conformance.judge.openssl_errors import (X509_V_ERR, alert_reason_suffix, lookup, openssl_of,
                                              ragged_eof_mnemonics, verify_error)

TRUSTS = {"root-ca"}


def test_every_entry_is_what_an_openssl_numbers_and_words_it():
    """cryptography's bundled OpenSSL, through pyOpenSSL's binding: code and text of each name."""
    pytest.importorskip("OpenSSL")
    from OpenSSL import SSL
    from OpenSSL._util import ffi, lib

    number = SSL.OpenSSL_version(SSL.OPENSSL_VERSION).split()[1].decode()
    version = tuple(int(x) for x in number.split(".")[:2])
    checked = 0
    for name in X509_V_ERR:
        code = getattr(lib, "X509_V_ERR_" + name, None)
        want = lookup(name, version)
        if code is None:  # the binding does not name it: the number must still read as the table says
            code = want.code
        else:
            checked += 1
            assert want.code == code, name
        assert ffi.string(lib.X509_verify_cert_error_string(code)).decode() == want.message, name
    assert checked >= 6


def test_releases_that_number_or_word_a_result_differently():
    assert lookup("INVALID_CA", (1, 1, 1)).code == 24
    assert lookup("INVALID_CA", (3, 0, 22)).code == 79
    assert lookup("DEPTH_ZERO_SELF_SIGNED_CERT", (1, 1, 1)).message == "self signed certificate"
    assert lookup("DEPTH_ZERO_SELF_SIGNED_CERT", (3, 0, 22)).message == "self-signed certificate"
    assert lookup("CERT_NOT_YET_VALID", (3, 5, 0)).message == "certificate is not yet valid"
    assert lookup("CERT_NOT_YET_VALID", (4, 0, 3)).message.endswith("or the system clock is incorrect")
    assert lookup("CERT_HAS_EXPIRED", (1, 1, 1)) == lookup("CERT_HAS_EXPIRED", (4, 0, 3))


@pytest.mark.parametrize("fixture, name", [
    ("expired", "CERT_HAS_EXPIRED"), ("not-yet-valid", "CERT_NOT_YET_VALID"),
    ("selfsigned", "DEPTH_ZERO_SELF_SIGNED_CERT"), ("untrusted-leaf", "SELF_SIGNED_CERT_IN_CHAIN"),
    ("bad-intermediate", "INVALID_CA"), ("pathlen", "PATH_LENGTH_EXCEEDED"),
])
def test_a_fixture_verdict_names_its_result(fixture, name):
    certs = Certs()
    got = verify_error(certs.fixture(fixture)["verdict"], chain_of(certs, fixture, "chain"), TRUSTS, (3, 0))
    assert got is not None and got.name == name


def test_an_untrusted_chain_stops_at_the_sent_root_or_at_the_missing_issuer():
    sent_root = oracle.Chain(issuers=("intermediate-ca", "root-ca"), sent=frozenset({"intermediate-ca", "root-ca"}))
    no_root = oracle.Chain(issuers=("intermediate-ca", "root-ca"), sent=frozenset({"intermediate-ca"}))
    assert verify_error("ok", sent_root, {"untrusted-root-ca"}, (3, 0)).name == "SELF_SIGNED_CERT_IN_CHAIN"
    assert verify_error("ok", no_root, {"untrusted-root-ca"}, (3, 0)).name == "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"
    assert verify_error("ok", no_root, TRUSTS, (3, 0)) is None


def test_alerts_and_mnemonics():
    assert lookup("CERT_HAS_EXPIRED", (3, 0)).alert == "certificate_expired"
    assert alert_reason_suffix("unknown_ca") == "ALERT_UNKNOWN_CA"
    assert "SSLV3_ALERT_CERTIFICATE_EXPIRED".endswith(alert_reason_suffix("certificate_expired"))
    assert ragged_eof_mnemonics((3, 0, 22)) == ("SSL", "UNEXPECTED_EOF_WHILE_READING")
    assert ragged_eof_mnemonics((1, 1, 1)) == (None, None)


def test_openssl_of_a_module():
    class Module:
        OPENSSL_VERSION_INFO = (3, 0, 0, 22, 0)
    assert openssl_of(Module) == (3, 0, 0, 22, 0)
    assert openssl_of(object()) == (0,)
