"""The documented constants: present, of the right type, distinct where they must be."""
from __future__ import annotations

from ..registry import case, expect_equal, expect_true, table

CERT_REQS = ("CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED")


@table("api/{name}/is-int", spec="{name}", rows=[{"name": n} for n in CERT_REQS])
def is_int(env, name):
    value = env.const(name)
    expect_true(isinstance(value, int), f"{name} is an int", expected="int", actual=type(value).__name__)


@case("api/CERT_*/distinct", spec="CERT_REQUIRED")
def cert_reqs_distinct(env):
    values = [env.const(n) for n in CERT_REQS]
    expect_equal(len(set(values)), len(values), "CERT_NONE/OPTIONAL/REQUIRED are distinct")
