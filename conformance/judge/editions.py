"""Editions: which Python release's documented ``ssl`` API a run holds an implementation to.

The base spec (``ssl-3.2.rst``) is edition ``3.2``.  CPython's current
documentation (``ssl-current.rst``) says with its ``versionadded`` /
``versionchanged`` markers when each later item appeared or changed, and
What's New says when names were removed; from those, the API documented for
any release ``3.3`` ... ``3.13`` is derived.  ``--edition X.Y`` chooses one.

* A case carries the *span* of editions in which the behaviour it checks is
  documented: ``since`` (the first edition that documents it, ``3.2`` unless
  said) and ``until`` (the first edition that no longer does, or none).  A
  case outside the run's edition is not run at all.
* Inside its span a case is judged as any other: a documented name the
  implementation lacks is a failure, not "unsupported".
* A behaviour documented differently by two editions has one row per span
  (``cert_time_to_seconds`` returns a local-time float until 3.5 and a UTC
  int from then on).

The default edition is :data:`DEFAULT`, the base spec, so that a run means
the same on every interpreter and today's verdicts stay as they are.
``--edition native`` is the release of the interpreter running the suite
(what a user of PyPy or gevent on that interpreter means).

How an implementation follows the edition it is asked for (a protocol any
module can offer, not a back door of the harness): if the module under test
defines ``for_edition(edition: str)``, the suite calls it once with the
run's edition (``"3.13"``: ``native`` is resolved first) and tests the module
it returns -- in every process that loads the implementation (a child
process started for a case is told the edition in ``SSL_CONFORMANCE_EDITION``
and asks the same).  What it returns is a module object (or anything with
the module's attributes) that follows that edition where editions disagree;
an error it raises is the implementation's load error.  ``reference`` does so
(``reference/editions.py`` lists what differs from which release); a module
without it is tested as it is.

Where the edition shows: results.json ``run.edition`` (and each
implementation's ``edition``), every record's ``editions`` (its case's span,
:func:`span_text`), every view of the run; an expectation entry may be
limited to some editions (``"edition": "<3.12"``, ``judge.expectations``).

Standard library only.
"""
from __future__ import annotations

import sys
from typing import Optional, Tuple

__all__ = ["EDITIONS", "BASE", "LATEST", "DEFAULT", "NATIVE", "CHOICES", "parse", "key", "within",
           "span_text", "native", "check_span"]

#: every edition the suite knows, oldest first (3.14's API is not derived yet)
EDITIONS: Tuple[str, ...] = tuple(f"3.{minor}" for minor in range(2, 14))
BASE = EDITIONS[0]
LATEST = EDITIONS[-1]
#: the edition of a run that names none: the base spec
DEFAULT = BASE
#: ``--edition native``: the running interpreter's release
NATIVE = "native"
CHOICES = EDITIONS + (NATIVE,)


def key(edition: str) -> Tuple[int, int]:
    """``"3.10"`` -> ``(3, 10)``: editions compare as versions, not as text."""
    major, minor = edition.split(".")
    return int(major), int(minor)


def native() -> str:
    """The running interpreter's release as an edition (clamped to :data:`EDITIONS`)."""
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    if key(mine) > key(LATEST):
        return LATEST
    return mine if mine in EDITIONS else BASE


def parse(text: str) -> str:
    """The edition ``text`` names (``native`` resolved), or ValueError saying what is valid."""
    value = (text or "").strip()
    if value == NATIVE:
        return native()
    if value not in EDITIONS:
        raise ValueError(f"--edition {text!r}: expected one of {', '.join(EDITIONS)} or {NATIVE!r} "
                         f"(the running interpreter's release, {native()} here)")
    return value


def within(edition: str, since: str = BASE, until: Optional[str] = None) -> bool:
    """Does ``edition`` document what was documented from ``since`` until (not including) ``until``?"""
    return key(since) <= key(edition) and (until is None or key(edition) < key(until))


def check_span(since: str, until: Optional[str], what: str) -> None:
    """ValueError naming ``what`` unless ``since``/``until`` are known editions in order."""
    for value in (since, until):
        if value is not None and value not in EDITIONS:
            raise ValueError(f"{what}: edition {value!r} is not one of {', '.join(EDITIONS)}")
    if until is not None and key(until) <= key(since):
        raise ValueError(f"{what}: until={until} is not after since={since}")


def span_text(since: str = BASE, until: Optional[str] = None) -> str:
    """``"3.2+"``, ``"3.5+"``, ``"3.2-3.4"``: a span as reports show it."""
    if until is None:
        return f"{since}+"
    last = f"{key(until)[0]}.{key(until)[1] - 1}"
    return since if last == since else f"{since}-{last}"
