"""The documented constants: present, of the right type, distinct where they must be."""
from __future__ import annotations

from ..harness.registry import case, expect_equal, expect_true, table

CERT_REQS = ("CERT_NONE", "CERT_OPTIONAL", "CERT_REQUIRED")


@table("api/{name}/is-int", spec="{name}",
       basis="cpython",
       cite="CPython's CERT_* constants are ints (0, 1, 2); the spec gives no type",
       rows=[{"name": n} for n in CERT_REQS])
def is_int(env, name):
    value = env.const(name)
    expect_true(isinstance(value, int), f"{name} is an int", expected="int", actual=type(value).__name__)


@case("api/CERT_*/distinct", spec="CERT_REQUIRED",
      basis="spec",
      cite="It must be one of the three values :const:`CERT_NONE` (certificates ignored), "
           ":const:`CERT_OPTIONAL` (not required, but validated if provided), or :const:`CERT_REQUIRED` "
           "(required and validated).")
def cert_reqs_distinct(env):
    values = [env.const(n) for n in CERT_REQS]
    expect_equal(len(set(values)), len(values), "CERT_NONE/OPTIONAL/REQUIRED are distinct")
