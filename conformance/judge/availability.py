"""Documented names an implementation may lack without failing, and why.

At an edition that documents a name, an implementation without it fails
(``editions``: a missing documented name is a failure, never
"unsupported").  The exceptions are the names whose own documentation makes
them conditional -- on how OpenSSL was built, on its version, on the
platform -- and, at the base edition only, two names later releases
removed.  Each is one row here, with its reason; :func:`excused` answers for
one name in one run.

Reasoning of the rows:

* ``PROTOCOL_SSLv2``, ``PROTOCOL_SSLv3`` -- the base spec was written when
  every OpenSSL spoke both; the later documentation says each "is not
  available if OpenSSL is compiled with" the option that drops it, and
  OpenSSL 1.1.0 dropped SSLv2 (1.1.0 and later build without SSLv3 by
  default).  So in every edition they are the library's to have or not.
* ``RAND_egd`` -- the later documentation marked it "not available with
  LibreSSL and OpenSSL > 1.1.0" before it went in 3.10: an OpenSSL question
  in every edition that lists it.
* ``wrap_socket`` -- documented without condition in 3.2 ... 3.11, removed
  in 3.12.  At the base edition (a run's default) an interpreter of 3.12 or
  later lacks it by a later release's design, so it counts as unsupported
  there, as it always has; at 3.3 ... 3.11 its absence is a failure.
* ``enum_certificates``, ``enum_crls`` -- "Availability: Windows."
* ``OP_*`` and ``PROTOCOL_TLSv1_1/2`` that the documentation says exist
  only with an OpenSSL from some version on (1.0.1, 1.1.0h, 1.1.1, 3.0.0):
  absent only where the implementation reports an older OpenSSL.
* ``SSLContext.set_ecdh_curve`` -- "not available if HAS_ECDH is False".

Standard library only.
"""
from __future__ import annotations

import dataclasses
from typing import Any, Dict, Mapping, Optional, Tuple

from .editions import BASE, within

__all__ = ["Rule", "RULES", "excused"]


@dataclasses.dataclass(frozen=True)
class Rule:
    """When a documented name may be missing.

    ``until``: the rule holds in the editions before it (all, when None);
    ``openssl_below``: only where the implementation's
    ``OPENSSL_VERSION_INFO`` is older; ``platform_not``: only off that
    platform (``sys.platform``); ``flag_false``: only where that module flag
    is false; otherwise always (within its editions).
    """

    reason: str
    until: Optional[str] = None
    openssl_below: Optional[Tuple[int, ...]] = None
    platform_not: Optional[str] = None
    flag_false: Optional[str] = None


_BUILD = "the documentation leaves it to how OpenSSL was built"
RULES: Dict[str, Rule] = {
    "PROTOCOL_SSLv2": Rule(f"{_BUILD}: there is no SSLv2 without it (OpenSSL dropped SSLv2 in 1.1.0)"),
    "PROTOCOL_SSLv3": Rule(f"{_BUILD}: not available if OpenSSL is compiled with the no-ssl3 option"),
    "RAND_egd": Rule("not available with LibreSSL and OpenSSL > 1.1.0, as the later documentation says"),
    "wrap_socket": Rule("removed in 3.12 (What's New In Python 3.12): counted unsupported at the base edition, "
                        "the default of a run", until="3.3"),
    "enum_certificates": Rule("Availability: Windows", platform_not="win32"),
    "enum_crls": Rule("Availability: Windows", platform_not="win32"),
    "PROTOCOL_TLSv1_1": Rule("available only with OpenSSL 1.0.1+", openssl_below=(1, 0, 1)),
    "PROTOCOL_TLSv1_2": Rule("available only with OpenSSL 1.0.1+", openssl_below=(1, 0, 1)),
    "OP_NO_TLSv1_1": Rule("available only with OpenSSL 1.0.1+", openssl_below=(1, 0, 1)),
    "OP_NO_TLSv1_2": Rule("available only with OpenSSL 1.0.1+", openssl_below=(1, 0, 1)),
    "OP_NO_RENEGOTIATION": Rule("only available with OpenSSL 1.1.0h and later", openssl_below=(1, 1, 0, 8)),
    "OP_ENABLE_MIDDLEBOX_COMPAT": Rule("only available with OpenSSL 1.1.1 and later", openssl_below=(1, 1, 1)),
    "OP_IGNORE_UNEXPECTED_EOF": Rule("only available with OpenSSL 3.0.0 and later", openssl_below=(3, 0, 0)),
    "OP_ENABLE_KTLS": Rule("only available with OpenSSL 3.0.0 and later", openssl_below=(3, 0, 0)),
    "SSLContext.set_ecdh_curve": Rule("not available if HAS_ECDH is False", flag_false="HAS_ECDH"),
}


def excused(name: str, edition: str, *, openssl: Optional[Tuple[int, ...]], platform: str,
            flags: Mapping[str, Any]) -> Optional[str]:
    """Why ``name`` may be missing from an implementation run at ``edition``, or None
    (its absence is a failure).  ``openssl`` is the implementation's
    ``OPENSSL_VERSION_INFO`` (None if it has none), ``platform`` the
    interpreter's ``sys.platform``, ``flags`` its ``HAS_*`` values."""
    rule = RULES.get(name)
    if rule is None or not within(edition, BASE, rule.until):
        return None
    if rule.openssl_below is not None:
        if openssl is None or tuple(openssl[:len(rule.openssl_below)]) >= rule.openssl_below:
            return None
    if rule.platform_not is not None and platform == rule.platform_not:
        return None
    if rule.flag_false is not None and flags.get(rule.flag_false, True):
        return None
    return rule.reason
