"""The reference implementation without sockets: constants, SSLContext, module functions.

Where a real peer can decide the expected value, it does: the stdlib ``ssl``
(on its own OpenSSL) is the comparison for PEM/DER, certificate decoding and
certificate times.
"""
from __future__ import annotations

import calendar
import errno
import json
import os
import re
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import reference
from test_reference_support import CERTS, TIMEOUT, cert, open_fds

REPO = Path(__file__).resolve().parent.parent


# -- no stdlib ssl under reference/ -----------------------------------------------------------
def test_reference_imports_without_stdlib_ssl():
    """Importing and using ``reference`` works when ``ssl`` and ``_ssl`` cannot be imported."""
    program = textwrap.dedent("""
        import sys
        sys.modules["ssl"] = None
        sys.modules["_ssl"] = None
        import reference, reference.certdecode
        ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
        ctx.load_cert_chain(%r)
        print(sorted(m for m in sys.modules if m in ("ssl", "_ssl") and sys.modules[m] is not None))
    """ % cert("server-combined.pem"))
    out = subprocess.run([sys.executable, "-c", program], cwd=str(REPO), capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_no_ssl_import_statement_in_reference_sources():
    pattern = re.compile(r"^\s*(import\s+(ssl|_ssl)\b|from\s+(ssl|_ssl)\s+import)", re.M)
    offenders = [p.name for p in (REPO / "reference").glob("*.py") if pattern.search(p.read_text())]
    assert offenders == []


# -- constants ----------------------------------------------------------------------------------
def test_openssl_version_constants_agree_with_each_other():
    info = reference.OPENSSL_VERSION_INFO
    number = reference.OPENSSL_VERSION_NUMBER
    assert len(info) == 5 and all(isinstance(i, int) for i in info)
    assert info[0] == number >> 28
    assert info[1] == (number >> 20) & 0xFF
    assert "%d.%d." % info[:2] in reference.OPENSSL_VERSION
    if info[0] >= 3:  # OpenSSL 3 numbering: 0xMNN00PP0L, patch in the "patch" slot
        assert "%d.%d.%d" % (info[0], info[1], info[3]) in reference.OPENSSL_VERSION


def test_openssl_version_is_the_library_pyopenssl_links():
    from OpenSSL import SSL

    assert reference.OPENSSL_VERSION_NUMBER == SSL.OPENSSL_VERSION_NUMBER
    assert reference.OPENSSL_VERSION == SSL.OpenSSL_version(SSL.OPENSSL_VERSION).decode()


def test_protocol_constants_exist_only_when_openssl_can_make_them():
    from OpenSSL import SSL

    assert not hasattr(reference, "PROTOCOL_SSLv2")
    assert hasattr(reference, "PROTOCOL_SSLv3") == hasattr(SSL, "SSLv3_METHOD")
    for name in ("SSLv23", "TLSv1", "TLSv1_1", "TLSv1_2"):
        if hasattr(reference, "PROTOCOL_" + name):
            reference.SSLContext(getattr(reference, "PROTOCOL_" + name))
    assert reference.PROTOCOL_SSLv23 == ssl.PROTOCOL_SSLv23


def test_codes_and_modes_match_cpython_numbering():
    names = ["CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED", "SSL_ERROR_SSL", "SSL_ERROR_WANT_READ",
             "SSL_ERROR_WANT_WRITE", "SSL_ERROR_WANT_X509_LOOKUP", "SSL_ERROR_SYSCALL",
             "SSL_ERROR_ZERO_RETURN", "SSL_ERROR_WANT_CONNECT", "SSL_ERROR_EOF",
             "SSL_ERROR_INVALID_ERROR_CODE"]
    assert {n: getattr(reference, n) for n in names} == {n: int(getattr(ssl, n)) for n in names}


def test_option_bits_are_openssls():
    from OpenSSL import SSL

    for name in ("OP_ALL", "OP_NO_SSLv3", "OP_NO_TLSv1", "OP_NO_TLSv1_1", "OP_NO_TLSv1_2", "OP_NO_TLSv1_3"):
        assert getattr(reference, name) == getattr(SSL, name), name
    assert isinstance(reference.OP_NO_SSLv2, int)


def test_sslerror_is_an_oserror_with_code_and_message():
    assert issubclass(reference.SSLError, OSError)
    assert issubclass(reference.SSLError, socket.error)
    err = reference.SSLError(1, "[SSL: X] x")
    assert err.args == (1, "[SSL: X] x") and str(err) == "[SSL: X] x"


# -- SSLContext ------------------------------------------------------------------------------------
def test_context_protocol_is_read_only_and_validated():
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    assert ctx.protocol == reference.PROTOCOL_SSLv23
    with pytest.raises(AttributeError):
        ctx.protocol = reference.PROTOCOL_TLSv1
    with pytest.raises(ValueError):
        reference.SSLContext(42)
    with pytest.raises(TypeError):
        reference.SSLContext("SSLv23")


def test_context_options_default_has_op_all_and_set_and_clear_work():
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    assert ctx.options & reference.OP_ALL == reference.OP_ALL
    ctx.options |= reference.OP_NO_TLSv1
    assert ctx.options & reference.OP_NO_TLSv1
    ctx.options &= ~reference.OP_NO_TLSv1
    assert not ctx.options & reference.OP_NO_TLSv1
    ctx.options &= ~reference.OP_ALL
    assert ctx.options & reference.OP_ALL == 0
    with pytest.raises(TypeError):
        ctx.options = "all"


def test_context_verify_mode_accepts_three_values_only():
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    assert ctx.verify_mode == reference.CERT_NONE
    for mode in (reference.CERT_OPTIONAL, reference.CERT_REQUIRED, reference.CERT_NONE):
        ctx.verify_mode = mode
        assert ctx.verify_mode == mode
    with pytest.raises(ValueError):
        ctx.verify_mode = 3
    with pytest.raises(ValueError):
        ctx.verify_mode = -1
    with pytest.raises(TypeError):
        ctx.verify_mode = "CERT_REQUIRED"


@pytest.mark.parametrize("args", [
    ("server-combined.pem",),
    ("server.pem", "server.key"),
    ("server-chain.pem", "server.key"),
    ("server-rsa-traditional-combined.pem",),
])
def test_load_cert_chain_forms(args):
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    ctx.load_cert_chain(*[cert(a) for a in args])


def test_load_cert_chain_key_mismatch_is_sslerror():
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    with pytest.raises(reference.SSLError) as info:
        ctx.load_cert_chain(cert("key-mismatch.pem"), cert("key-mismatch.key"))
    assert info.value.args[0] == reference.SSL_ERROR_SSL
    assert "KEY_VALUES_MISMATCH" in info.value.args[1]


def test_load_cert_chain_encrypted_key_needs_the_password():
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    password = json.loads((CERTS / "manifest.json").read_text())["password"]
    with pytest.raises(reference.SSLError):
        ctx.load_cert_chain(cert("encrypted.pem"), cert("encrypted.key"))
    with pytest.raises(reference.SSLError):
        ctx.load_cert_chain(cert("encrypted.pem"), cert("encrypted.key"), password="wrong")
    ctx.load_cert_chain(cert("encrypted.pem"), cert("encrypted.key"), password=password)
    ctx.load_cert_chain(cert("encrypted.pem"), cert("encrypted.key"), password=lambda: password.encode())


@pytest.mark.parametrize("name", ["malformed-truncated.pem", "malformed-badbase64.pem",
                                  "malformed-wrong-armor.pem", "empty.pem"])
def test_malformed_files_are_sslerrors(name):
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    with pytest.raises(reference.SSLError):
        ctx.load_cert_chain(cert(name), cert("server.key"))
    with pytest.raises(reference.SSLError):
        ctx.load_verify_locations(cert(name))


def test_missing_files_are_oserror_enoent_naming_the_path(tmp_path):
    missing = str(tmp_path / "nope.pem")
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    for call in (lambda: ctx.load_cert_chain(missing), lambda: ctx.load_cert_chain(cert("server.pem"), missing),
                 lambda: ctx.load_verify_locations(missing)):
        with pytest.raises(OSError) as info:
            call()
        assert info.value.errno == errno.ENOENT and info.value.filename == missing


def test_load_verify_locations_needs_something():
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    with pytest.raises(TypeError):
        ctx.load_verify_locations()
    with pytest.raises(TypeError):
        ctx.load_verify_locations(42)
    ctx.load_verify_locations(cert("ca-bundle.pem"))
    ctx.load_verify_locations(capath=str(CERTS / "capath"))


def test_set_ciphers():
    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    ctx.set_ciphers("ECDHE+AESGCM")
    with pytest.raises(reference.SSLError) as info:
        ctx.set_ciphers("NOT-A-CIPHER")
    assert "NO_CIPHER_MATCH" in info.value.args[1]
    with pytest.raises(TypeError):
        ctx.set_ciphers(b"ALL")


def test_failed_loads_do_not_leak_file_descriptors(tmp_path):
    before = open_fds()
    for _ in range(20):
        ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
        for call in (lambda: ctx.load_cert_chain(cert("key-mismatch.pem"), cert("key-mismatch.key")),
                     lambda: ctx.load_verify_locations(str(tmp_path / "missing")),
                     lambda: ctx.set_ciphers("NOPE")):
            with pytest.raises(OSError):
                call()
    assert open_fds() == before


# -- module functions --------------------------------------------------------------------------
def test_der_pem_round_trip_matches_stdlib():
    pem = Path(cert("server.pem")).read_text()
    der = Path(cert("server.der")).read_bytes()
    assert reference.PEM_cert_to_DER_cert(pem) == der == ssl.PEM_cert_to_DER_cert(pem)
    assert reference.DER_cert_to_PEM_cert(der) == ssl.DER_cert_to_PEM_cert(der)
    assert reference.PEM_cert_to_DER_cert(reference.DER_cert_to_PEM_cert(der)) == der


@pytest.mark.parametrize("text", ["not pem at all", Path(cert("malformed-wrong-armor.pem")).read_text(),
                                  "-----BEGIN CERTIFICATE-----\nabc"])
def test_pem_to_der_rejects_non_pem(text):
    with pytest.raises(ValueError):
        reference.PEM_cert_to_DER_cert(text)


def test_pem_der_type_errors():
    with pytest.raises(TypeError):
        reference.PEM_cert_to_DER_cert(b"-----BEGIN CERTIFICATE-----")
    with pytest.raises(TypeError):
        reference.DER_cert_to_PEM_cert("text")


@pytest.mark.parametrize("text", ["May  9 00:00:00 2007 GMT", "Jan  1 00:00:00 1970 GMT",
                                  "Dec 31 23:59:59 2037 GMT", "Feb 29 12:34:56 2024 GMT",
                                  "jan 05 09:34:43 2018 GMT"])
def test_cert_time_to_seconds_is_utc(text):
    value = reference.cert_time_to_seconds(text)
    assert isinstance(value, float)
    assert value == ssl.cert_time_to_seconds(text)  # CPython >= 3.5 reads GMT as UTC too


def test_cert_time_to_seconds_spec_example_in_utc():
    # 2007-05-09T00:00:00Z, independently of the local time zone
    assert reference.cert_time_to_seconds("May  9 00:00:00 2007 GMT") == calendar.timegm((2007, 5, 9, 0, 0, 0))


@pytest.mark.parametrize("text", ["May  9 00:00:00 2007", "Foo  9 00:00:00 2007 GMT", "", "2007-05-09T00:00:00Z"])
def test_cert_time_to_seconds_rejects_other_formats(text):
    with pytest.raises(ValueError):
        reference.cert_time_to_seconds(text)


def test_cert_time_of_every_fixture_matches_stdlib():
    manifest = json.loads((CERTS / "manifest.json").read_text())
    for fixture in manifest["fixtures"]:
        peercert = fixture.get("peercert") or {}
        for key in ("notBefore", "notAfter"):
            if key in peercert:
                assert reference.cert_time_to_seconds(peercert[key]) == ssl.cert_time_to_seconds(peercert[key])


def test_rand_status_and_add():
    assert reference.RAND_status() is True
    reference.RAND_add(b"some bytes", 0.0)
    reference.RAND_add("some text", 1.5)
    reference.RAND_add(bytearray(16), 16)
    with pytest.raises(TypeError):
        reference.RAND_add(42, 0.0)
    with pytest.raises(TypeError):
        reference.RAND_add(b"x", "much")


@pytest.fixture
def egd_daemon(tmp_path):
    """A tiny EGD over a Unix socket: answers "read entropy" (0x01 n) with n then n bytes."""
    path = str(tmp_path / "egd.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.settimeout(TIMEOUT)
    listener.bind(path)
    listener.listen(1)
    log = {"requests": [], "sent": 0}

    def run():
        try:
            conn, _ = listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(TIMEOUT)
            while True:
                try:
                    command = conn.recv(1)
                    command += conn.recv(1) if command else b""
                except OSError:
                    return
                if len(command) < 2:
                    return
                log["requests"].append(tuple(command))
                count = command[1]
                log["sent"] += count  # before sending: the client may return at once
                conn.sendall(bytes((count,)) + os.urandom(count))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    yield path, log
    listener.close()
    thread.join(TIMEOUT)


def test_rand_egd_reads_256_bytes_over_the_egd_protocol(egd_daemon):
    path, log = egd_daemon
    assert reference.RAND_egd(path) == 256
    assert log["sent"] == 256
    assert all(cmd == 0x01 and 0 < n <= 255 for cmd, n in log["requests"])


def test_rand_egd_without_daemon_is_sslerror(tmp_path):
    with pytest.raises(reference.SSLError):
        reference.RAND_egd(str(tmp_path / "no-daemon"))
    with pytest.raises(TypeError):
        reference.RAND_egd(3)


# -- certificate decoding: the same dict CPython makes ----------------------------------------------
LEAVES = [f["name"] for f in json.loads((CERTS / "manifest.json").read_text())["fixtures"]
          if f.get("files", {}).get("cert", "").endswith(".pem") and f["verdict"] not in (None, "malformed")]


@pytest.mark.parametrize("name", LEAVES)
def test_certdecode_equals_cpython_decoding(name):
    from cryptography import x509

    from reference.certdecode import decode_certificate

    path = cert(name + ".pem")
    with open(path, "rb") as f:
        ours = decode_certificate(x509.load_pem_x509_certificate(f.read()))
    assert ours == ssl._ssl._test_decode_cert(path)


def test_api_lists_everything_the_spec_documents():
    spec = Path("/work/shared/spec/ssl-3.2.rst")
    if not spec.exists():
        spec = REPO / "docs" / "ssl-3.2.rst"
    names = re.findall(r"^\.\. (?:function|data|exception|class):: (\w+)", spec.read_text(), re.M)
    missing = [n for n in names if not hasattr(reference, n)]
    # SSLv2 and SSLv3 are absent by decision (see reference.constants)
    assert sorted(missing) == sorted(n for n in ("PROTOCOL_SSLv2", "PROTOCOL_SSLv3") if not hasattr(reference, n))
    methods = re.findall(r"^\.\. (?:method|attribute):: (\w+)\.(\w+)", spec.read_text(), re.M)
    for owner, attr in methods:
        cls = getattr(reference, owner)
        assert hasattr(cls, attr), "%s.%s" % (owner, attr)
