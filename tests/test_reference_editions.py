"""reference.for_edition: the reference as the ssl module of one release's documentation."""
from __future__ import annotations

import inspect
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import types
import warnings
from pathlib import Path

import pytest

import reference
from conformance.harness.impls import load_impl
from reference import editions
from test_reference_support import CERTS, TIMEOUT, cert

REPO = Path(__file__).resolve().parent.parent
TIME = "May  9 00:00:00 2007 GMT"


def _no_protocol(module: types.ModuleType):
    """``SSLContext()``: the context and the warnings, or the TypeError."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ctx = module.SSLContext()
        except TypeError as exc:
            return exc, []
    return ctx, [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning)]


def test_one_module_per_edition_and_only_the_editions_it_knows():
    assert reference.for_edition("3.13") is reference.for_edition("3.13")
    assert reference.for_edition("3.2") is not reference.for_edition("3.13")
    assert reference.for_edition("3.13").__name__ == "reference@3.13"
    for bad in ("3.1", "3.14", "native", "4.0"):
        with pytest.raises(ValueError, match="3.2, 3.3"):
            reference.for_edition(bad)


def test_the_plain_module_is_the_3_2_text():
    exc, _ = _no_protocol(reference)
    assert isinstance(exc, TypeError)
    assert type(reference.cert_time_to_seconds(TIME)) is float
    assert reference.SSLContext(reference.PROTOCOL_SSLv23).options & reference.OP_NO_SSLv3 == 0
    assert hasattr(reference, "wrap_socket") and hasattr(reference, "RAND_egd")
    assert "timeout" in inspect.signature(reference.get_server_certificate).parameters  # an addition


@pytest.mark.parametrize("edition", editions.EDITIONS)
def test_each_edition_follows_its_text(edition):
    m = reference.for_edition(edition)
    minor = int(edition.split(".")[1])
    got = m.cert_time_to_seconds(TIME)
    assert got == 1178668800 and type(got) is (int if minor >= 5 else float)
    ctx, warned = _no_protocol(m)
    if minor < 6:
        assert isinstance(ctx, TypeError)
    else:
        assert isinstance(ctx, m.SSLContext) and ctx.protocol == m.PROTOCOL_SSLv23
        assert bool(warned) is (minor >= 10)
    options = m.SSLContext(m.PROTOCOL_SSLv23).options
    secure = editions.SECURE_DEFAULT_OPTIONS
    assert options & m.OP_ALL == m.OP_ALL
    assert (options & secure == secure) is (minor >= 6)
    assert bool(options & m.OP_NO_SSLv3) is (minor >= 6)
    assert inspect.signature(m.SSLContext).parameters["protocol"].default == (
        inspect.Parameter.empty if minor < 6 else m.PROTOCOL_SSLv23 if minor < 10 else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        floor = m.SSLContext(m.PROTOCOL_SSLv23).minimum_version
    assert floor == (m.TLSVersion.TLSv1_2 if minor >= 10 else m.TLSVersion.MINIMUM_SUPPORTED)
    params = inspect.signature(m.get_server_certificate).parameters
    assert ("timeout" in params) is (minor >= 10)
    assert params["ssl_version"].default == (None if minor < 5 else m.PROTOCOL_SSLv23 if minor < 10
                                             else m.PROTOCOL_TLS_CLIENT)
    assert hasattr(m, "RAND_egd") is (minor < 10)
    assert hasattr(m, "wrap_socket") is (minor < 12)
    assert set(m.__all__) <= set(vars(m)) and "SSLContext" in m.__all__
    # shared with the plain module: the same exceptions, so code catching reference.SSLError catches these
    assert m.SSLError is reference.SSLError and issubclass(m.SSLContext, reference.SSLContext)


def test_functions_that_make_contexts_make_the_editions_class():
    for edition in ("3.2", "3.6", "3.11"):
        m = reference.for_edition(edition)
        sock = socket.socket()
        try:
            tls = m.wrap_socket(sock)
            assert type(tls.context) is m.SSLContext, edition
            assert bool(tls.context.options & m.OP_NO_SSLv3) is (edition != "3.2")
        finally:
            sock.close()


def test_create_default_context_and_match_hostname_follow_the_edition():
    import reference.hostnames as hostnames
    for edition, protocol, partial_chain in (("3.4", "PROTOCOL_SSLv23", False), ("3.9", "PROTOCOL_SSLv23", False),
                                             ("3.10", "PROTOCOL_TLS_CLIENT", False),
                                             ("3.13", "PROTOCOL_TLS_CLIENT", True)):
        m = reference.for_edition(edition)
        ctx = m.create_default_context()
        assert type(ctx) is m.SSLContext and ctx._edition == edition
        assert ctx.protocol == getattr(m, protocol), edition
        assert bool(ctx.verify_flags & m.VERIFY_X509_PARTIAL_CHAIN) is partial_chain, edition
        if edition != "3.13":
            assert m.match_hostname is hostnames.match_hostname_for(edition)
    plain_like = reference.for_edition("3.2")  # documents neither: the plain module's choices
    assert plain_like.create_default_context().protocol == reference.create_default_context().protocol
    assert not hasattr(plain_like.SSLContext(2), "_edition") and plain_like.match_hostname is reference.match_hostname


def test_a_function_written_later_follows_without_a_change_there():
    """The rule is the module's globals, not a list of names: any function of a reference module
    that names SSLContext makes the edition's class, and calls its module's copies."""
    module = types.ModuleType("reference._later")
    exec(textwrap.dedent("""
        from reference.context import SSLContext
        def _make(protocol):
            return SSLContext(protocol)
        def create_something():
            return _make(2)
    """), module.__dict__)
    cls = reference.for_edition("3.13").SSLContext
    copies = editions._functions_making(cls, [module.create_something])
    made = copies[id(module.create_something)]()
    assert type(made) is cls and type(module.create_something()) is reference.SSLContext


def test_get_server_certificate_of_3_13_takes_a_timeout_and_fetches_the_certificate():
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert("server-chain.pem"), cert("server.key"))
    lsock = socket.create_server(("127.0.0.1", 0))
    lsock.settimeout(TIMEOUT)

    def serve() -> None:
        conn, _ = lsock.accept()
        conn.settimeout(TIMEOUT)
        try:
            with server_ctx.wrap_socket(conn, server_side=True) as tls:
                tls.recv(1)
        except OSError:
            pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        pem = reference.for_edition("3.13").get_server_certificate(lsock.getsockname(), timeout=TIMEOUT)
    finally:
        t.join(TIMEOUT)
        lsock.close()
    assert reference.PEM_cert_to_DER_cert(pem) == ssl.PEM_cert_to_DER_cert((CERTS / "server.pem").read_text())


def test_a_module_built_on_the_reference_with_import_star_is_tested_as_it_is(tmp_path, monkeypatch):
    """for_edition is not exported: a variant that changes something stays the module under test."""
    (tmp_path / "myvariant.py").write_text("from reference import *\nMARK = 'mine'\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    impl = load_impl("myvariant", "3.13")
    assert "for_edition" not in reference.__all__ and not hasattr(impl.module, "for_edition")
    assert impl.module.MARK == "mine"


def test_the_suite_tests_the_module_for_edition_returns():
    impl = load_impl("reference", "3.13")
    assert impl.module is reference.for_edition("3.13") and impl.edition == "3.13"
    assert load_impl("reference").module is reference.for_edition("3.2")


def test_for_edition_imports_no_stdlib_ssl():
    program = textwrap.dedent("""
        import sys
        sys.modules["ssl"] = None
        sys.modules["_ssl"] = None
        import reference
        for e in ("3.2", "3.13"):
            m = reference.for_edition(e)
            m.SSLContext(m.PROTOCOL_SSLv23)
        print("ok")
    """)
    out = subprocess.run([sys.executable, "-c", program], cwd=str(REPO), capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
