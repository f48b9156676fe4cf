"""How one case runs -- and, imported as a package, the case author's facade.

A case module needs only this::

    from conformance.harness import CaseFailure, Env, Unsupported, case, expect_equal, table

``registry`` (cases as data), ``env`` (what a case receives), ``runner``
(one case judged), ``loopback`` and ``relay`` (connections with timeouts),
``impls``, ``hubs``, ``leaks``, ``reasons``, ``causes``, ``measurement`` and
``control`` are its parts.
"""
from .env import Certs, Env
from .registry import Case, CaseFailure, Unsupported, case, expect_equal, expect_true, table

__all__ = ["Case", "CaseFailure", "Certs", "Env", "Unsupported", "case", "expect_equal", "expect_true", "table"]
