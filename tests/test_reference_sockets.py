"""The reference over real loopback sockets against the stdlib ``ssl``: handshakes, verification, examples.

Each test names one behaviour of the spec.  The peer runs in a thread (see
``test_reference_support.serve``); every socket has a timeout, so a broken
implementation fails a test instead of hanging it.
"""
from __future__ import annotations

import socket
import ssl
import threading

import pytest

import reference
from test_reference_support import (
    TIMEOUT, cert, client_socket, open_fds, ref_client_context, ref_echo, ref_server_context,
    serve, stdlib_client_context, stdlib_echo, stdlib_server_context,
)


def _ipv6() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# -- handshakes, both directions ---------------------------------------------------------------


@pytest.mark.parametrize("family", [socket.AF_INET, socket.AF_INET6])
def test_reference_client_to_stdlib_server(family):
    if family == socket.AF_INET6 and not _ipv6():
        pytest.skip("no IPv6 loopback on this machine")
    with serve(stdlib_echo(stdlib_server_context()), family=family) as (addr, box):
        with ref_client_context().wrap_socket(client_socket(family)) as tls:
            tls.connect(addr)
            assert tls.write(b"hello") == 5
            assert tls.read() == b"hello"
            mine = (tls.cipher(), tls.version(), tls.getpeercert(), tls.getpeercert(True))
    assert box.error is None, box.error
    assert box.value["data"] == b"hello"
    assert mine[0] == box.value["cipher"] and mine[1] == box.value["version"]
    assert mine[3] == ssl.PEM_cert_to_DER_cert(open(cert("server.pem")).read())
    assert mine[2] == ssl._ssl._test_decode_cert(cert("server.pem"))


def test_stdlib_client_to_reference_server():
    with serve(ref_echo(ref_server_context())) as (addr, box):
        with stdlib_client_context().wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            tls.sendall(b"ping")
            assert tls.recv(100) == b"ping"
            theirs = (tls.cipher(), tls.version(), tls.getpeercert())
    assert box.error is None, box.error
    assert box.value["cipher"] == theirs[0] and box.value["version"] == theirs[1]
    assert box.value["peercert"] is None and box.value["peercert_der"] is None  # no client cert
    assert theirs[2] == ssl._ssl._test_decode_cert(cert("server.pem"))


def test_client_certificate_authentication():
    server_ctx = ref_server_context(client_ca="root-ca.pem", verify=reference.CERT_REQUIRED)
    with serve(ref_echo(server_ctx)) as (addr, box):
        with stdlib_client_context(certname="client").wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            tls.sendall(b"auth")
            assert tls.recv(100) == b"auth"
    assert box.error is None, box.error
    assert box.value["peercert"] == ssl._ssl._test_decode_cert(cert("client.pem"))


def test_server_requiring_a_client_certificate_rejects_a_client_without_one():
    server_ctx = ref_server_context(client_ca="root-ca.pem", verify=reference.CERT_REQUIRED)
    with serve(ref_echo(server_ctx)) as (addr, box):
        with stdlib_client_context().wrap_socket(client_socket()) as tls:
            with pytest.raises(OSError):
                tls.connect(addr)
                tls.sendall(b"x")
                tls.recv(100)  # TLS 1.3: the alert arrives after the client's handshake
    assert isinstance(box.error, reference.SSLError)
    assert box.error.args[0] == reference.SSL_ERROR_SSL
    assert "CERTIFICATE" in box.error.args[1]


def test_getpeercert_is_empty_when_not_validated():
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        with ref_client_context(ca=None, verify=reference.CERT_NONE).wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            assert tls.getpeercert() == {}
            assert tls.getpeercert(binary_form=True) == ssl.PEM_cert_to_DER_cert(open(cert("server.pem")).read())
            tls.write(b"x")
            tls.read()
    assert box.error is None, box.error


# -- verification failures: same reason as the stdlib gives ---------------------------------------


def _stdlib_verify_error(certname: str) -> ssl.SSLCertVerificationError:
    with serve(stdlib_echo(stdlib_server_context(certname))) as (addr, box):
        with pytest.raises(ssl.SSLCertVerificationError) as info:
            with stdlib_client_context().wrap_socket(client_socket()) as tls:
                tls.connect(addr)
    return info.value


@pytest.mark.parametrize("certname", ["expired", "untrusted-leaf", "selfsigned", "not-yet-valid"])
def test_verify_failure_is_sslerror_naming_the_reason(certname):
    expected = _stdlib_verify_error(certname)
    before = open_fds()
    with serve(stdlib_echo(stdlib_server_context(certname))) as (addr, box):
        sock = client_socket()
        tls = ref_client_context().wrap_socket(sock)
        with pytest.raises(reference.SSLError) as info:
            tls.connect(addr)
        tls.close()
    assert open_fds() == before
    err = info.value
    assert isinstance(err, OSError) and err.args[0] == reference.SSL_ERROR_SSL
    # X509 verification codes are stable across OpenSSL releases; their texts are not.
    assert err.verify_code == expected.verify_code
    assert err.verify_message
    assert err.args[1] == "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " + err.verify_message


def test_cert_optional_client_also_verifies():
    """The spec's note: in client mode CERT_OPTIONAL and CERT_REQUIRED are equivalent."""
    with serve(stdlib_echo(stdlib_server_context("untrusted-leaf"))) as (addr, box):
        tls = ref_client_context(verify=reference.CERT_OPTIONAL).wrap_socket(client_socket())
        with pytest.raises(reference.SSLError):
            tls.connect(addr)
        tls.close()


def test_wrap_socket_failure_closes_the_socket_and_leaks_nothing():
    before = open_fds()
    with serve(stdlib_echo(stdlib_server_context("untrusted-leaf"))) as (addr, box):
        sock = client_socket()
        sock.connect(addr)
        with pytest.raises(reference.SSLError):
            ref_client_context().wrap_socket(sock)
        assert sock.fileno() == -1
    assert open_fds() == before


# -- module-level wrap_socket and get_server_certificate ----------------------------------------------


def test_module_wrap_socket_with_every_parameter():
    with serve(stdlib_echo(stdlib_server_context(client_ca="root-ca.pem", verify=ssl.CERT_REQUIRED))) as (addr, box):
        tls = reference.wrap_socket(
            client_socket(), keyfile=cert("client.key"), certfile=cert("client-chain.pem"),
            server_side=False, cert_reqs=reference.CERT_REQUIRED, ssl_version=reference.PROTOCOL_SSLv23,
            ca_certs=cert("root-ca.pem"), do_handshake_on_connect=True, suppress_ragged_eofs=True,
            ciphers="ECDHE+AESGCM:ECDHE+CHACHA20")
        with tls:
            assert isinstance(tls, socket.socket) and isinstance(tls.context, reference.SSLContext)
            assert tls.context.verify_mode == reference.CERT_REQUIRED
            tls.connect(addr)
            tls.sendall(b"all params")
            assert tls.recv(100) == b"all params"
    assert box.error is None, box.error
    assert box.value["peercert"] == ssl._ssl._test_decode_cert(cert("client.pem"))


def test_module_wrap_socket_server_side_needs_a_certificate():
    with client_socket() as sock:
        with pytest.raises(ValueError):
            reference.wrap_socket(sock, server_side=True)


def test_get_server_certificate_with_and_without_ca_certs():
    expected = ssl.DER_cert_to_PEM_cert(ssl.PEM_cert_to_DER_cert(open(cert("server.pem")).read()))

    def handshake_only(conn):
        with stdlib_server_context().wrap_socket(conn, server_side=True):
            pass

    with serve(handshake_only) as (addr, box):
        assert reference.get_server_certificate(addr, timeout=TIMEOUT) == expected
    with serve(handshake_only) as (addr, box):
        assert reference.get_server_certificate(addr, ca_certs=cert("root-ca.pem"), timeout=TIMEOUT) == expected
    with serve(handshake_only) as (addr, box):
        with pytest.raises(reference.SSLError):
            reference.get_server_certificate(addr, ca_certs=cert("untrusted-root-ca.pem"), timeout=TIMEOUT)


# -- socket behaviour -----------------------------------------------------------------------


def test_accept_on_a_wrapped_listening_socket_wraps_the_new_socket():
    ctx = ref_server_context()

    def handler(conn):
        assert isinstance(conn, reference.SSLSocket) and conn.server_side
        data = conn.recv(100)
        conn.sendall(data.upper())
        return conn.version()

    with serve(handler, wrap_listener=lambda s: ctx.wrap_socket(s, server_side=True)) as (addr, box):
        with stdlib_client_context().wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            tls.sendall(b"abc")
            assert tls.recv(100) == b"ABC"
            version = tls.version()
    assert box.error is None, box.error
    assert box.value == version


def test_context_can_change_after_wrapping():
    """pyOpenSSL freezes its Context after use; SSLContext must not."""
    ctx = ref_client_context()
    for ciphers, expected_tls12 in (("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"),
                                    ("ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384")):
        ctx.set_ciphers(ciphers)
        ctx.options |= reference.OP_NO_TLSv1_3
        with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
            with ctx.wrap_socket(client_socket()) as tls:
                tls.connect(addr)
                assert tls.cipher()[0] == expected_tls12
                assert tls.version() == "TLSv1.2"
                tls.sendall(b"c")
                tls.recv(1)


# -- the spec's examples, with local servers in place of the internet hosts ----------------------


def test_spec_client_side_example():
    ssl_ = reference
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(TIMEOUT)
        ssl_sock = ssl_.wrap_socket(s, ca_certs=cert("root-ca.pem"), cert_reqs=ssl_.CERT_REQUIRED)
        ssl_sock.connect(addr)
        assert ssl_sock.getpeername() == addr
        assert ssl_sock.getpeercert()["subject"]
        ssl_sock.write(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        data = ssl_sock.read()
        ssl_sock.close()
    assert data.startswith(b"GET / HTTP/1.0")


def test_spec_context_example():
    ssl_ = reference
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        context = ssl_.SSLContext(ssl_.PROTOCOL_SSLv23)
        context.verify_mode = ssl_.CERT_OPTIONAL
        context.load_verify_locations(cert("ca-bundle.pem"))
        conn = context.wrap_socket(socket.socket(socket.AF_INET))
        conn.settimeout(TIMEOUT)
        conn.connect(addr)
        assert ("DNS", "localhost") in conn.getpeercert()["subjectAltName"]
        request = b"HEAD / HTTP/1.0\r\nHost: localhost\r\n\r\n"
        assert conn.write(request) == len(request)
        assert conn.read().split(b"\r\n")[0] == b"HEAD / HTTP/1.0"
        conn.close()


def test_spec_server_side_example():
    ssl_ = reference
    context = ssl_.SSLContext(ssl_.PROTOCOL_SSLv23)
    context.load_cert_chain(certfile=cert("server-chain.pem"), keyfile=cert("server.key"))
    bindsocket = socket.socket()
    bindsocket.settimeout(TIMEOUT)
    bindsocket.bind(("127.0.0.1", 0))
    bindsocket.listen(5)
    received = []

    def deal_with_client(connstream):
        data = connstream.read()
        while data:
            received.append(data)
            data = connstream.read()

    def client():
        with stdlib_client_context().wrap_socket(client_socket()) as tls:
            tls.connect(bindsocket.getsockname())
            tls.sendall(b"hello server")
            tls.shutdown(socket.SHUT_WR)  # end of data; then drain so closing sends no RST
            while tls.recv(4096):
                pass

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    try:
        newsocket, fromaddr = bindsocket.accept()
        newsocket.settimeout(TIMEOUT)
        connstream = context.wrap_socket(newsocket, server_side=True)
        try:
            deal_with_client(connstream)
        finally:
            connstream.close()
    finally:
        thread.join(TIMEOUT)
        bindsocket.close()
    assert b"".join(received) == b"hello server"


# -- protocol versions: each PROTOCOL_* negotiates what it names ------------------------------


_EXPECTED_VERSION = {"SSLv23": "TLSv1.3", "TLSv1": "TLSv1", "TLSv1_1": "TLSv1.1", "TLSv1_2": "TLSv1.2"}


@pytest.mark.parametrize("name", sorted(_EXPECTED_VERSION))
def test_each_protocol_constant_negotiates_its_version(name):
    if not hasattr(reference, "PROTOCOL_" + name):
        pytest.skip("this OpenSSL has no PROTOCOL_%s (by design, see reference.constants)" % name)
    server_ctx = stdlib_server_context()
    server_ctx.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
    server_ctx.set_ciphers("ALL:@SECLEVEL=0")  # let the old versions through on both OpenSSLs
    client_ctx = reference.SSLContext(getattr(reference, "PROTOCOL_" + name))
    client_ctx.set_ciphers("ALL:@SECLEVEL=0")
    with serve(stdlib_echo(server_ctx)) as (addr, box):
        with client_ctx.wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            tls.sendall(b"v")
            assert tls.recv(1) == b"v"
            mine = tls.version()
    assert box.error is None, box.error
    assert mine == box.value["version"] == _EXPECTED_VERSION[name]


def test_op_no_tls_options_and_version_bounds_limit_the_version():
    ctx = ref_client_context()
    ctx.options |= reference.OP_NO_TLSv1_3
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        with ctx.wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            assert tls.version() == "TLSv1.2"
            tls.sendall(b"o")
            tls.recv(1)
    ctx = ref_client_context()
    ctx.maximum_version = reference.TLSVersion.TLSv1_2
    assert ctx.maximum_version == reference.TLSVersion.TLSv1_2
    assert ctx.minimum_version == reference.TLSVersion.MINIMUM_SUPPORTED
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        with ctx.wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            assert tls.version() == "TLSv1.2"
            tls.sendall(b"b")
            tls.recv(1)
    server_ctx = stdlib_server_context()
    server_ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    with serve(stdlib_echo(server_ctx)) as (addr, box):
        tls = ctx.wrap_socket(client_socket())
        with pytest.raises(reference.SSLError) as info:
            tls.connect(addr)
        tls.close()
    assert info.value.args[0] == reference.SSL_ERROR_SSL and info.value.reason


def test_optional_client_certificate_on_the_server():
    server_ctx = ref_server_context(client_ca="root-ca.pem", verify=reference.CERT_OPTIONAL)
    with serve(ref_echo(server_ctx)) as (addr, box):
        with stdlib_client_context().wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            tls.sendall(b"no cert")
            assert tls.recv(100) == b"no cert"
    assert box.error is None, box.error
    assert box.value["peercert"] is None
    with serve(ref_echo(server_ctx)) as (addr, box):
        with stdlib_client_context(certname="client-rsa").wrap_socket(client_socket()) as tls:
            tls.connect(addr)
            tls.sendall(b"cert")
            assert tls.recv(100) == b"cert"
    assert box.error is None, box.error
    assert box.value["peercert"] == ssl._ssl._test_decode_cert(cert("client-rsa.pem"))


@pytest.mark.parametrize("capath, ok", [("capath", True), ("capath-untrusted", False)])
def test_hashed_capath_directory_is_used_for_verification(capath, ok):
    from test_reference_support import CERTS

    ctx = reference.SSLContext(reference.PROTOCOL_SSLv23)
    ctx.verify_mode = reference.CERT_REQUIRED
    ctx.load_verify_locations(capath=str(CERTS / capath))
    with serve(stdlib_echo(stdlib_server_context())) as (addr, box):
        tls = ctx.wrap_socket(client_socket())
        try:
            if ok:
                tls.connect(addr)
                tls.sendall(b"p")
                assert tls.recv(1) == b"p"
            else:
                with pytest.raises(reference.SSLError) as info:
                    tls.connect(addr)
                assert info.value.reason == "CERTIFICATE_VERIFY_FAILED"
        finally:
            tls.close()


def test_wrap_socket_rejects_what_is_not_a_stream_socket():
    ctx = ref_client_context()
    with pytest.raises(TypeError):
        ctx.wrap_socket("not a socket")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        with pytest.raises(NotImplementedError):
            ctx.wrap_socket(udp)
        assert udp.fileno() != -1  # refused before taking the descriptor
    with pytest.raises(TypeError):
        reference.SSLSocket()
