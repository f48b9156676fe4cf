"""keylog/client-random-matches fails an implementation that writes no key log: two empty logs are equal."""
import ssl
import types

import pytest

from conformance.harness.env import Certs, Env
from conformance.harness.impls import Impl
from conformance.harness.registry import REGISTRY, CaseFailure

CASE = "keylog/client-random-matches/TLSv1.3"


class _NoKeylog(ssl.SSLContext):
    keylog_filename = None  # a plain attribute, as on PyPy 3.9: setting it writes nothing


def _env(context_class, tmp_path):
    module = types.ModuleType("fake_ssl")
    module.__dict__.update({k: v for k, v in vars(ssl).items() if not k.startswith("__")})
    module.SSLContext = context_class
    return Env(Impl(name="fake_ssl", module=module), Certs(), timeout=5.0, tmp_path=tmp_path)


def test_no_key_log_fails(tmp_path):
    env = _env(_NoKeylog, tmp_path)
    try:
        with pytest.raises(CaseFailure, match="key logs have lines"):
            REGISTRY[CASE].run(env)
    finally:
        env.close()


def test_the_stdlib_passes(tmp_path):
    env = _env(ssl.SSLContext, tmp_path)
    try:
        REGISTRY[CASE].run(env)
    finally:
        env.close()
