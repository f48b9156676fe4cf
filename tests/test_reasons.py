"""Error messages of several implementations reduce to the same categories."""
import socket

import pytest

from conformance.harness.reasons import CATEGORIES, classify


class SSLError(OSError):
    pass


class SSLEOFError(SSLError):
    pass


MESSAGES = [
    # (what an implementation raised, category)
    (SSLError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate (_ssl.c:1006)"), "certificate-verify-failed"),
    (SSLError(1, "certificate verify failed"), "certificate-verify-failed"),
    (SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"), "protocol-version"),
    (SSLError(1, "[SSL: UNSUPPORTED_PROTOCOL] unsupported protocol (_ssl.c:1006)"), "protocol-version"),
    (SSLError(1, "[SSL: TLSV1_ALERT_PROTOCOL_VERSION] tlsv1 alert protocol version (_ssl.c:1006)"), "protocol-version"),
    (SSLError(1, "[SSL: NO_PROTOCOLS_AVAILABLE] no protocols available"), "protocol-version"),
    (SSLError(1, "[SSL: NO_SHARED_CIPHER] no shared cipher (_ssl.c:1006)"), "no-shared-cipher"),
    (SSLError(1, "('No cipher can be selected.',)"), "other"),
    (SSLError(1, "[SSL: NO_CIPHER_MATCH] no cipher match (_ssl.c:3023)"), "no-shared-cipher"),
    (SSLError(1, "[SSL: PEER_DID_NOT_RETURN_A_CERTIFICATE] peer did not return a certificate"), "certificate-required"),
    (SSLError(1, "[SSL: TLSV13_ALERT_CERTIFICATE_REQUIRED] tlsv13 alert certificate required"), "certificate-required"),
    (SSLError(1, "[SSL: TLSV1_ALERT_UNKNOWN_CA] tlsv1 alert unknown ca (_ssl.c:2580)"), "peer-rejected-certificate"),
    (SSLError(1, "[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate"), "peer-rejected-certificate"),
    (SSLError(116, "[X509: KEY_VALUES_MISMATCH] key values mismatch (_ssl.c:4000)"), "key-mismatch"),
    (SSLError(9, "[SSL] PEM lib (_ssl.c:3900)"), "bad-certificate-file"),
    (SSLError(9, "[PEM: NO_START_LINE] no start line"), "bad-certificate-file"),
    (SSLEOFError(8, "EOF occurred in violation of protocol (_ssl.c:2426)"), "unexpected-eof"),
    (SSLError(1, "[SSL: UNEXPECTED_EOF_WHILE_READING] unexpected eof while reading"), "unexpected-eof"),
    (FileNotFoundError(2, "No such file or directory"), "bad-certificate-file"),
    (socket.timeout("timed out"), "timeout"),
    (ConnectionResetError(104, "Connection reset by peer"), "connection-reset"),
    (BrokenPipeError(32, "Broken pipe"), "connection-reset"),
    (ValueError("something else entirely"), "other"),
]


@pytest.mark.parametrize("exc,category", MESSAGES, ids=[c + ":" + str(e)[:40] for e, c in MESSAGES])
def test_classify(exc, category):
    assert classify(exc) == category


def test_none_is_no_reason():
    assert classify(None) is None


def test_every_category_is_reachable_from_the_table():
    reached = {c for _, c in MESSAGES}
    assert reached <= set(CATEGORIES)
    assert set(CATEGORIES) - reached <= {"handshake-failure"}, set(CATEGORIES) - reached
