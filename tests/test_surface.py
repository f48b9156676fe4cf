"""The api/* surface cases against implementations shaped unlike CPython's:
attributes set in ``__init__``, methods delegated through ``__getattr__``,
``self`` under another name, ``*args, **kwargs`` forwarders, wrappers made
with ``functools.wraps``, contexts that refuse an unconnected socket."""
import functools
import ssl
import types

import pytest

from conformance.cases import surface
from conformance.harness.env import Certs, Env
from conformance.harness.impls import Impl
from conformance.harness.registry import CaseFailure, Unsupported

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # PROTOCOL_SSLv23, as documented


def _env(context_class, **extra):
    """An Env for the stdlib with ``SSLContext`` replaced (and ``extra`` names set)."""
    module = types.ModuleType("fake_ssl")
    module.__dict__.update({k: v for k, v in vars(ssl).items() if not k.startswith("__")})
    module.SSLContext = context_class
    module.__dict__.update(extra)
    env = Env(Impl(name="fake_ssl", module=module), Certs(), timeout=2.0)
    return env


class InitAttributes:
    """Sets the documented attributes on the instance, as urllib3's PyOpenSSLContext sets protocol."""

    def __init__(self, protocol):
        self.protocol, self.options, self.verify_mode = protocol, 0, ssl.CERT_NONE

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, suppress_ragged_eofs=True):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
        return ctx.wrap_socket(sock, do_handshake_on_connect=False)


class Delegating:
    """Every method comes from the stdlib context it holds (``__getattr__``): the class has none."""

    def __init__(self, protocol):
        self._ctx = ssl.SSLContext(protocol)

    def __getattr__(self, name):
        return getattr(self._ctx, name)


@pytest.mark.parametrize("attr", ["protocol", "options", "verify_mode"])
def test_an_attribute_set_in_init_is_found_on_the_instance(attr):
    env = _env(InitAttributes)
    assert not hasattr(InitAttributes, attr)
    surface.check_kind(env, f"SSLContext.{attr}", "attribute")
    env.close()


def test_an_attribute_neither_class_nor_instance_has_is_missing():
    class NoProtocol(InitAttributes):
        def __init__(self, protocol):
            self.options = 0

    with pytest.raises(CaseFailure, match="is an attribute of instances"):
        surface.check_kind(_env(NoProtocol), "SSLContext.protocol", "attribute")


def test_methods_delegated_to_an_instance_are_found_and_their_signatures_read():
    env = _env(Delegating)
    surface.check_kind(env, "SSLContext.load_cert_chain", "method")
    surface.check_param(env, "SSLContext.load_cert_chain", "certfile", 0, True)
    surface.check_param(env, "SSLContext.load_cert_chain", "keyfile", 1, False)
    surface.check_default(env, "SSLContext.wrap_socket", "server_side", False)
    with pytest.raises(CaseFailure, match="missing from fake_ssl on the class or an instance"):
        surface._lookup(env, "SSLContext.no_such_method")


def test_the_instance_parameter_is_dropped_whatever_its_name():
    class OddSelf(InitAttributes):
        def load_cert_chain(this, certfile, keyfile=None):
            pass

        def set_ciphers(this):  # the documented ciphers is missing: 'this' must not stand in for it
            pass

    env = _env(OddSelf)
    surface.check_param(env, "SSLContext.load_cert_chain", "certfile", 0, True)
    with pytest.raises(CaseFailure, match="does not accept 'ciphers' at position 0"):
        surface.check_param(env, "SSLContext.set_ciphers", "ciphers", 0, True)


def test_static_methods_keep_their_first_parameter():
    class Static(InitAttributes):
        @staticmethod
        def set_ciphers():  # takes nothing: the documented ciphers is missing
            pass

    with pytest.raises(CaseFailure, match="does not accept 'ciphers' at position 0"):
        surface.check_param(_env(Static), "SSLContext.set_ciphers", "ciphers", 0, True)


def test_forwarders_accept_every_position_and_name_and_hide_their_defaults():
    class Forwarding(InitAttributes):
        def load_cert_chain(*args, **kwargs):  # not even self is named
            pass

    env = _env(Forwarding)
    surface.check_param(env, "SSLContext.load_cert_chain", "certfile", 0, True)
    surface.check_param(env, "SSLContext.load_cert_chain", "keyfile", 1, False)
    with pytest.raises(Unsupported, match="forwards"):
        surface.check_default(_env(Forwarding, wrap_socket=lambda *a, **kw: None), "wrap_socket", "certfile", None)


def test_functools_wraps_wrappers_are_read_through_to_the_wrapped_signature():
    def logged(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            return func(*args, **kwargs)
        return wrapper

    class Wrapped(InitAttributes):
        @logged
        def wrap_socket(self, sock, server_side=True, do_handshake_on_connect=True, suppress_ragged_eofs=True):
            pass

    env = _env(Wrapped)
    surface.check_param(env, "SSLContext.wrap_socket", "sock", 0, True)
    with pytest.raises(CaseFailure, match="default of server_side is False"):
        surface.check_default(env, "SSLContext.wrap_socket", "server_side", False)


def test_sslsocket_attributes_are_looked_at_on_a_connected_socket():
    class RefusesUnconnected(InitAttributes):
        def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True, suppress_ragged_eofs=True):
            sock.getpeername()  # OSError ENOTCONN on an unconnected socket
            return super().wrap_socket(sock, server_side, do_handshake_on_connect, suppress_ragged_eofs)

    env = _env(RefusesUnconnected)
    surface.check_kind(env, "SSLSocket.context", "attribute")
    env.close()


def test_c_types_and_methods_without_a_signature_are_unsupported_not_failed():
    import _ssl

    class CSocket:
        read = _ssl._SSLSocket.__dict__["read"]  # a C method without a text signature

    with pytest.raises(Unsupported, match="signature introspection"):
        surface.check_param(_env(InitAttributes, SSLSocket=CSocket), "SSLSocket.read", "nbytes", 0, False)
    with pytest.raises(Unsupported, match="signature introspection"):
        surface.check_param(_env(_ssl._SSLContext), "SSLContext", "protocol", 0, True)


# -- editions ---------------------------------------------------------------------

def _at(edition, **extra):
    """An Env for the stdlib (with ``extra`` names set, ``None`` deleting one) loaded at ``edition``."""
    module = types.ModuleType("fake_ssl")
    module.__dict__.update({k: v for k, v in vars(ssl).items() if not k.startswith("__")})
    for k, v in extra.items():
        if v is None:
            module.__dict__.pop(k, None)
        else:
            module.__dict__[k] = v
    return Env(Impl(name="fake_ssl", module=module, edition=edition), Certs(), timeout=2.0)


def test_a_missing_documented_name_fails_unless_its_documentation_makes_it_conditional():
    with pytest.raises(CaseFailure, match="create_default_context is missing"):
        surface.check_kind(_at("3.13", create_default_context=None), "create_default_context", "function")
    with pytest.raises(Unsupported, match="no-ssl3"):
        surface.check_kind(_at("3.13", PROTOCOL_SSLv3=None), "PROTOCOL_SSLv3", "data")
    with pytest.raises(Unsupported, match="removed in 3.12"):
        surface.check_kind(_at("3.2", wrap_socket=None), "wrap_socket", "function")
    with pytest.raises(CaseFailure, match="wrap_socket is missing"):
        surface.check_kind(_at("3.11", wrap_socket=None), "wrap_socket", "function")


def test_cases_span_the_editions_of_their_entry_and_parameter():
    from conformance.harness.registry import REGISTRY

    def span(case_id):
        return REGISTRY[case_id].since, REGISTRY[case_id].until

    assert span("api/wrap_socket/kind") == ("3.2", "3.12")
    assert span("api/create_default_context/kind") == ("3.4", None)
    assert span("api/SSLContext.load_verify_locations/param/cadata") == ("3.4", None)
    assert span("api/SSLSocket.read/param/nbytes") == ("3.2", "3.3")
    assert span("api/SSLSocket.read/param/len") == ("3.3", None)
    assert span("api/SSLContext/param/protocol") == ("3.2", "3.6")
    assert span("api/SSLContext/param/protocol/since-3.6") == ("3.6", None)
    assert REGISTRY["api/SSLContext/param/protocol/since-3.6"].params["required"] is False
    defaults = {i: (REGISTRY[i].params["default"],) + span(i) for i in REGISTRY
                if i.startswith("api/get_server_certificate/default/ssl_version")}
    assert defaults == {
        "api/get_server_certificate/default/ssl_version": ("PROTOCOL_SSLv3", "3.2", "3.5"),
        "api/get_server_certificate/default/ssl_version/since-3.5": ("PROTOCOL_SSLv23", "3.5", "3.6"),
        "api/get_server_certificate/default/ssl_version/since-3.6": ("PROTOCOL_TLS", "3.6", "3.10"),
        "api/get_server_certificate/default/ssl_version/since-3.10": ("PROTOCOL_TLS_CLIENT", "3.10", None)}
    assert "api/get_server_certificate/default/timeout" not in REGISTRY      # bracketed: no default documented
    assert not any(i.startswith("api/HAS_PHA/") for i in REGISTRY)          # 3.14: past the known editions


def test_an_optional_positional_only_parameter_is_judged_at_its_position():
    class BIO:
        def read(self, size=-1, /):
            pass

    class Required:
        def read(self, size, /):
            pass

    surface.check_param(_at("3.13", MemoryBIO=BIO), "MemoryBIO.read", "n", 0, False, positional_only=True)
    surface.check_default(_at("3.13", MemoryBIO=BIO), "MemoryBIO.read", "n", -1, positional_only=True, position=0)
    with pytest.raises(CaseFailure, match="n is optional"):
        surface.check_param(_at("3.13", MemoryBIO=Required), "MemoryBIO.read", "n", 0, False, positional_only=True)


def test_defaults_naming_dotted_constants_and_string_values():
    env = _at("3.13")
    surface.check_default(env, "create_default_context", "purpose", "Purpose.SERVER_AUTH")
    surface.check_default(env, "SSLSocket.get_channel_binding", "cb_type", "tls-unique", literal=True)
    with pytest.raises(CaseFailure, match="default of purpose"):
        surface.check_default(env, "SSLContext.load_default_certs", "purpose", "Purpose.CLIENT_AUTH")


def test_enum_members_are_attributes_of_the_class_and_instances_come_from_real_use():
    env = _at("3.13")
    surface.check_kind(env, "TLSVersion.MINIMUM_SUPPORTED", "attribute")
    surface.check_kind(env, "SSLError.library", "attribute")           # a verification failure's SSLError
    surface.check_kind(env, "SSLCertVerificationError.verify_code", "attribute")
    surface.check_kind(env, "SSLSession.ticket_lifetime_hint", "attribute")  # a client socket's session
    surface.check_kind(env, "MemoryBIO.eof", "attribute")
    env.close()

    class InitEof:
        def __init__(self):
            self.eof = False

    class NoEof:
        pending = 0

    with pytest.raises(CaseFailure, match="MemoryBIO.eof is an attribute of instances"):
        surface.check_kind(_at("3.13", MemoryBIO=NoEof), "MemoryBIO.eof", "attribute")
    surface.check_kind(_at("3.13", MemoryBIO=InitEof), "MemoryBIO.eof", "attribute")
