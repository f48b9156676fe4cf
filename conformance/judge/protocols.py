"""The protocol vocabulary of the suite, defined once.

Versions are spelled as ``SSLSocket.version()`` spells them, oldest first;
``PROTOCOL_*`` constants and ``OP_NO_*`` options by their suffix, as the
module under test names them; ``TLSVersion`` members (the values of
``SSLContext.minimum_version`` / ``maximum_version``, Python 3.7+) by their
member name.  Everything else -- the probe, the oracle, the
matrix, the peers, the command line -- reads these names from here.

Standard library only (nothing at all, in fact): the oracle is a pure
function of these tables.  :func:`pin_options` reads which of the names a
module has.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

__all__ = ["VERSIONS", "PINNABLE", "PROTOCOL_NAMES", "PROTOCOL_VERSION", "PINNED_PROTOCOL", "OP_NO_OF",
           "OPTION_VERSION", "OPTIONS", "MINIMUM_SUPPORTED", "MAXIMUM_SUPPORTED", "MEMBER_VERSION",
           "VERSION_MEMBER", "TLS_VERSIONS", "BOUNDS", "POLICIES", "LEGACY_CIPHERS", "VERIFY_MODES", "DEFAULT_IMPLS",
           "pin_options"]

#: Every version name, oldest first.
VERSIONS: Tuple[str, ...] = ("SSLv2", "SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")

#: The versions a third-party peer can be pinned to in the interop matrix.
PINNABLE: Tuple[str, ...] = ("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")

#: Suffixes of every ``PROTOCOL_*`` constant the suite knows (``SSLv23`` is the flexible one).
PROTOCOL_NAMES: Tuple[str, ...] = ("SSLv2", "SSLv3", "SSLv23", "TLSv1", "TLSv1_1", "TLSv1_2")

#: ``PROTOCOL_*`` suffix -> the one version it pins (``SSLv23`` is absent: it pins none).
PROTOCOL_VERSION: Dict[str, str] = {"SSLv2": "SSLv2", "SSLv3": "SSLv3", "TLSv1": "TLSv1",
                                    "TLSv1_1": "TLSv1.1", "TLSv1_2": "TLSv1.2"}

#: version -> the ``PROTOCOL_*`` suffix that pins it (TLS 1.3 has none).
PINNED_PROTOCOL: Dict[str, str] = {v: p for p, v in PROTOCOL_VERSION.items()}

#: version -> the ``OP_NO_*`` suffix that disables it.
OP_NO_OF: Dict[str, str] = {v: "NO_" + v.replace(".", "_") for v in VERSIONS}

#: ``OP_NO_*`` suffix -> the version it disables.
OPTION_VERSION: Dict[str, str] = {o: v for v, o in OP_NO_OF.items()}

#: Every ``OP_NO_*`` suffix, oldest version first.
OPTIONS: Tuple[str, ...] = tuple(OP_NO_OF[v] for v in VERSIONS)

#: The two magic ``TLSVersion`` members: "the lowest / the highest version the library has".
MINIMUM_SUPPORTED = "MINIMUM_SUPPORTED"
MAXIMUM_SUPPORTED = "MAXIMUM_SUPPORTED"

#: ``TLSVersion`` member of a real version -> the version's name.
MEMBER_VERSION: Dict[str, str] = {"SSLv3": "SSLv3", "TLSv1": "TLSv1", "TLSv1_1": "TLSv1.1",
                                  "TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3"}

#: version name -> its ``TLSVersion`` member (SSLv2 has none).
VERSION_MEMBER: Dict[str, str] = {v: m for m, v in MEMBER_VERSION.items()}

#: Every ``TLSVersion`` member the documentation lists, in CPython's order (by value).
TLS_VERSIONS: Tuple[str, ...] = (MINIMUM_SUPPORTED,) + tuple(MEMBER_VERSION) + (MAXIMUM_SUPPORTED,)

#: A bound as labels write it (``SSLv23+min=TLSv1_2``) -> the ``SSLContext`` attribute it sets.
BOUNDS: Dict[str, str] = {"min": "minimum_version", "max": "maximum_version"}

#: Cipher policies: the implementation's defaults, and everything OpenSSL still has.
POLICIES: Tuple[str, ...] = ("default", "legacy")

#: The legacy policy's cipher string (the shim, which runs alone, keeps a copy: a test holds them equal).
LEGACY_CIPHERS = "DEFAULT:@SECLEVEL=0"

#: ``CERT_*`` suffixes, weakest first.
VERIFY_MODES: Tuple[str, ...] = ("NONE", "OPTIONAL", "REQUIRED")

#: The implementations a run tests when none is named.
DEFAULT_IMPLS: Tuple[str, ...] = ("ssl", "reference")


def pin_options(module: Any, version: str) -> Optional[List[str]]:
    """``OP_NO_*`` names that leave only ``version`` on an SSLv23 context.

    ``None`` when the module lacks an option that would be needed (other
    than for versions it cannot speak at all).
    """
    names = []
    for other in VERSIONS:
        if other == version:
            continue
        op = "OP_" + OP_NO_OF[other]
        if hasattr(module, op):
            names.append(OP_NO_OF[other])
        elif other in ("TLSv1.1", "TLSv1.2", "TLSv1.3") and VERSIONS.index(other) > VERSIONS.index(version):
            return None
    return names
