"""What ``minimum_version`` / ``maximum_version`` leave of a context's versions (Python 3.7+).

From 3.7 the documentation bounds a flexible context's versions with two
attributes instead of ``OP_NO_*`` options (``SSLContext.maximum_version``,
``SSLContext.minimum_version``, ``TLSVersion``):

* each takes and returns a ``TLSVersion`` member; they are read-only for
  protocols other than ``PROTOCOL_TLS`` (``PROTOCOL_SSLv23`` is its alias),
  ``PROTOCOL_TLS_CLIENT`` and ``PROTOCOL_TLS_SERVER``;
* ``MINIMUM_SUPPORTED`` / ``MAXIMUM_SUPPORTED`` are "the minimum or maximum
  supported SSL or TLS version", magic constants whose values are no
  version's;
* "the attributes ``maximum_version``, ``minimum_version`` and
  ``SSLContext.options`` all affect the supported SSL and TLS versions of
  the context.  The implementation does not prevent invalid combination."

The rule the oracle (``conformance.judge.oracle``, rule 1) applies, in the
suite's version names (``conformance.judge.protocols``):

1. A bound set to a real version keeps the versions on its side of it,
   that version included.
2. ``minimum_version = MINIMUM_SUPPORTED`` and ``maximum_version =
   MAXIMUM_SUPPORTED`` are no bound at all.  The minimum replaces whatever
   the context was made with (CPython >= 3.10 makes every flexible context
   with a TLS 1.2 minimum): setting it *lifts* that floor, which the
   probe's default policy measured as refused -- so a case that lowers the
   minimum below TLS 1.2 runs under the legacy policy only, whose floor is
   already the lowest.
3. The crossed magic values name real versions: ``minimum_version =
   MAXIMUM_SUPPORTED`` is the highest version the library has, and
   ``maximum_version = MINIMUM_SUPPORTED`` its lowest (CPython reads them
   back that way: ``TLSv1_3``, and ``SSLv3`` or, without it, ``TLSv1``).
   "Has" is what the side's capabilities say its library speaks at all
   (``oracle.Side.supported``: the versions the legacy policy does not
   refuse).
4. Bounds and ``OP_NO_*`` options both remove versions and nothing makes
   them agree: a minimum above the maximum leaves nothing, and so does a
   maximum whose one remaining version an option removes; a context left
   with nothing fails its handshakes by itself ("no protocols available").

Standard library only; pure.
"""
from __future__ import annotations

from typing import FrozenSet, Iterable, Optional, Sequence

from .protocols import MAXIMUM_SUPPORTED, MEMBER_VERSION, MINIMUM_SUPPORTED, TLS_VERSIONS, VERSIONS

__all__ = ["resolve", "bounded", "check_member"]


def check_member(member: Optional[str], what: str) -> None:
    """``ValueError`` unless ``member`` is None or a documented ``TLSVersion`` member name."""
    if member is not None and member not in TLS_VERSIONS:
        raise ValueError(f"{what}: {member!r} is not a TLSVersion member ({', '.join(TLS_VERSIONS)})")


def resolve(member: Optional[str], which: str, supported: Iterable[str]) -> Optional[str]:
    """The version a bound stands for (rules 1-3), or None for no bound.

    ``which`` is ``"min"`` or ``"max"``; ``supported`` the versions the
    library has (rule 3 reads its lowest and highest).
    """
    check_member(member, which)
    if member is None:
        return None
    if member in (MINIMUM_SUPPORTED, MAXIMUM_SUPPORTED):
        if (member == MINIMUM_SUPPORTED) == (which == "min"):
            return None  # rule 2: the bound of its own side is no bound
        has = sorted(set(supported) & set(VERSIONS), key=VERSIONS.index)
        if not has:
            return None  # a library without versions: nothing is left either way
        return has[-1] if member == MAXIMUM_SUPPORTED else has[0]
    return MEMBER_VERSION[member]


def bounded(minimum: Optional[str], maximum: Optional[str], supported: Iterable[str],
            versions: Sequence[str] = VERSIONS) -> FrozenSet[str]:
    """The versions of ``versions`` that ``minimum_version = minimum`` and
    ``maximum_version = maximum`` leave (member names; None: not set)."""
    supported = frozenset(supported)
    low, high = resolve(minimum, "min", supported), resolve(maximum, "max", supported)
    rank = VERSIONS.index
    return frozenset(v for v in versions if (low is None or rank(v) >= rank(low))
                     and (high is None or rank(v) <= rank(high)))
