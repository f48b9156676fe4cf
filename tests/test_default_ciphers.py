"""context/create_default_context/*/ciphers-high-no-RC4-authenticated names the real cause when get_ciphers()
dicts are malformed (PyPy 3.9 spells the key 'symmmetric' and gives C pointers for 'auth'), not weak ciphers."""
import ssl
import types

import pytest

from conformance.harness.env import Certs, Env
from conformance.harness.impls import Impl
from conformance.harness.registry import REGISTRY, CaseFailure

CASE = "context/create_default_context/SERVER_AUTH/ciphers-high-no-RC4-authenticated"


class _Context(ssl.SSLContext):
    def get_ciphers(self):
        return [{("symmmetric" if k == "symmetric" else k): v for k, v in c.items()} for c in super().get_ciphers()]


def _env(create_default_context):
    module = types.ModuleType("fake_ssl")
    module.__dict__.update({k: v for k, v in vars(ssl).items() if not k.startswith("__")})
    module.create_default_context = create_default_context
    return Env(Impl(name="fake_ssl", module=module), Certs(), timeout=2.0)


def _misspelt(purpose=ssl.Purpose.SERVER_AUTH):
    ctx = _Context(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_default_certs(purpose)
    return ctx


def test_a_missing_key_is_named_as_the_cause():
    env = _env(_misspelt)
    try:
        with pytest.raises(CaseFailure, match="missing or not str/None") as info:
            REGISTRY[CASE].run(env)
        assert "symmetric: missing" in str(info.value) and "weak" not in str(info.value)
    finally:
        env.close()


def test_the_stdlib_passes():
    env = _env(ssl.create_default_context)
    try:
        REGISTRY[CASE].run(env)
    finally:
        env.close()
