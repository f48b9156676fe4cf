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
