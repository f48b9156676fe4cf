"""The reference's trust store, cipher list and defaults against facts from outside it:
CPython's ``ssl`` (another implementation on another OpenSSL) and OpenSSL's own store."""
from __future__ import annotations

import ssl

import pytest

pytest.importorskip("OpenSSL")

import reference  # noqa: E402
from conformance.harness.env import Certs  # noqa: E402

CERTS = Certs()
ALL = "ALL:COMPLEMENTOFALL:@SECLEVEL=0"


def _by_name(module, ciphers=ALL):
    ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers(ciphers)
    return {c["name"]: c for c in ctx.get_ciphers()}


def test_get_ciphers_reads_what_cpython_reads_from_openssl():
    """Every field of every cipher both OpenSSL builds know, as CPython's C code gets it from
    OpenSSL; only the strength OpenSSL itself assigns may differ between releases."""
    mine, theirs = _by_name(reference), _by_name(ssl)
    common = sorted(set(mine) & set(theirs))
    assert len(common) > 100
    for name in common:
        for key, value in theirs[name].items():
            if key == "description":  # column widths vary between OpenSSL releases
                assert mine[name][key].split() == value.split(), name
            elif key != "strength_bits":
                assert mine[name][key] == value, (name, key)


def test_get_ciphers_names_every_family_the_reference_lists():
    for name, entry in _by_name(reference).items():
        assert entry["id"] is not None and entry["protocol"], name
        assert "unknown" not in entry["description"], name


def test_store_record_counts_what_openssl_holds():
    """cert_store_stats() is the reference's own record; OpenSSL's store must hold as many objects."""
    from OpenSSL._util import lib

    ctx = reference.SSLContext(reference.PROTOCOL_TLS_CLIENT)
    for name in ("server-chain.pem", "crl-chain.pem", "root-ca.pem"):
        ctx.load_verify_locations(CERTS.path(name))
    ctx.load_verify_locations(cadata=CERTS.read("untrusted-root-ca.pem"))
    stats = ctx.cert_store_stats()
    store = lib.SSL_CTX_get_cert_store(ctx._openssl_context()._context)
    assert stats == {"x509": 4, "crl": 2, "x509_ca": 3}
    assert lib.sk_X509_OBJECT_num(lib.X509_STORE_get0_objects(store)) == stats["x509"] + stats["crl"]


def test_defaults_match_cpython_where_both_document_them():
    for protocol in ("PROTOCOL_TLS", "PROTOCOL_TLS_CLIENT", "PROTOCOL_TLS_SERVER"):
        mine, theirs = reference.SSLContext(getattr(reference, protocol)), ssl.SSLContext(getattr(ssl, protocol))
        assert (int(mine.protocol), int(mine.verify_mode), mine.check_hostname) == \
            (int(theirs.protocol), int(theirs.verify_mode), theirs.check_hostname), protocol
    for member in ("SERVER_AUTH", "CLIENT_AUTH"):
        assert tuple(getattr(reference.Purpose, member).value) == tuple(getattr(ssl.Purpose, member).value)
    assert reference.get_default_verify_paths()._fields == ssl.get_default_verify_paths()._fields
    assert {f.name: int(f) for f in reference.VerifyFlags} == {f.name: int(f) for f in ssl.VerifyFlags}


@pytest.mark.parametrize("level", [0, 1, 2, 3, 4, 5])
def test_security_level_is_measured(level):
    ctx = reference.SSLContext(reference.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers(f"DEFAULT:@SECLEVEL={level}")
    assert ctx.security_level == level
