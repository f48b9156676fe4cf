"""Which documented names may be missing, and where (conformance/judge/availability.py)."""
from conformance.judge.availability import excused

NEW = (3, 0, 2)
OLD = (1, 0, 2, 20, 15)


def _why(name, edition="3.13", openssl=NEW, platform="linux", flags=None):
    return excused(name, edition, openssl=openssl, platform=platform, flags=flags or {})


def test_a_name_without_a_rule_is_never_excused():
    assert _why("SSLContext.wrap_socket") is None and _why("CERT_NONE", "3.2") is None


def test_protocols_openssl_may_be_built_without_are_excused_in_every_edition():
    for edition in ("3.2", "3.6", "3.11"):
        assert "OpenSSL" in _why("PROTOCOL_SSLv2", edition)
    assert "no-ssl3" in _why("PROTOCOL_SSLv3", "3.13")


def test_wrap_socket_is_excused_at_the_base_edition_only():
    assert "3.12" in _why("wrap_socket", "3.2")
    assert _why("wrap_socket", "3.3") is None and _why("wrap_socket", "3.11") is None


def test_an_openssl_floor_excuses_only_an_older_openssl():
    assert _why("OP_ENABLE_KTLS", openssl=NEW) is None
    assert "3.0.0" in _why("OP_ENABLE_KTLS", openssl=(1, 1, 1, 23, 15))
    assert _why("OP_NO_RENEGOTIATION", openssl=(1, 1, 0, 8, 15)) is None
    assert _why("OP_NO_RENEGOTIATION", openssl=(1, 1, 0, 7, 15)) is not None
    assert _why("PROTOCOL_TLSv1_2", openssl=OLD) is None
    assert _why("OP_IGNORE_UNEXPECTED_EOF", openssl=None) is None   # no OPENSSL_VERSION_INFO: no excuse


def test_platform_and_flag_conditions():
    assert _why("enum_certificates", platform="linux") == "Availability: Windows"
    assert _why("enum_crls", platform="win32") is None
    assert _why("SSLContext.set_ecdh_curve", flags={"HAS_ECDH": True}) is None
    assert _why("SSLContext.set_ecdh_curve", flags={"HAS_ECDH": False}) is not None
