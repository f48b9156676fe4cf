"""Known deviations: data with reasons, never skips in code.

Each file in ``conformance/expectations/`` (or the ``--expectations`` path,
a file or a directory) is JSON::

    {"format": 1,
     "expectations": [
       {"case": "api/wrap_socket/*",                  # fnmatch on case ids
        "impl": {"module": "ssl",                     # fnmatch on the impl name
                 "python": ">=3.12",                  # optional version ranges,
                 "openssl": ">=3.0,<4",               #   comma-separated
                 "implementation": "CPython"},        # optional
        "edition": ">=3.3,<3.12",                     # optional range of --edition
        "reason": "wrap_socket was removed in Python 3.12",
        "link": "https://...",                        # optional
        "until": "2027-06-30"}]}                      # optional review date

An entry *applies* to a (case, implementation) when every field matches.
``edition`` is a range of the run's ``--edition`` (``conformance.judge.editions``),
written as the version ranges are: ``"<3.5"``, ``">=3.6,<3.10"``.  It is for
a difference that exists only against some editions' documentation -- CPython
>= 3.12 lacks the module-level ``wrap_socket``, which editions 3.3 ... 3.11
document (at 3.2 its absence is excused, ``availability``); CPython >= 3.5
returns an int where editions before 3.5 promise a float -- so that the
entry says so itself, and never applies to a
run of an edition where the behaviour is documented the other way.  An entry
without ``edition`` applies at every edition.  (The run's edition reaches the
entry as ``facts["edition"]``; facts without one are read as the default
edition, 3.2.)
An implementation given as a file (``--impl ./myssl.py``) is named by its
path as given: ``"module": "*myssl.py"`` matches it however it was typed.
Pair cases (client of one implementation, server of another) are named
``client->server``: ``"module": "ssl->*"`` matches every pair whose client is
the stdlib, and the version ranges then apply to the client side.  A
case that fails where an entry applies is a ``deviation``; one that passes
is an ``unexpected-pass`` and fails the run.  An entry that applies to an
implementation under test but matches no case at all, or whose ``until``
date has passed, is *stale* and fails the run too.

Wrappers inherit their base's entries
-------------------------------------

A module built on another implementation (``gevent.ssl`` and
``eventlet.green.ssl`` subclass the stdlib's ``SSLContext``; a user's
``mywrapper`` does ``from ssl import *``) shares that base's reasoned
deviations, and should not have to copy them.  A file says so at its top
level, beside (or instead of) its entries::

    {"format": 1,
     "based_on": {"module": "mywrapper",                # fnmatch on the impl name
                  "on": "ssl",                          # the base implementation
                  "except": ["api/SSLSocket.read/*"],   # optional: case-id patterns
                                                        #   the wrapper re-implements
                  "reason": "subclasses ssl.SSLContext"},  # optional
     "expectations": [...]}

(``based_on`` may also be a list of such objects), and the command line
says the same with ``--based-on mywrapper=ssl`` (repeatable).  For a case
of ``mywrapper`` that no entry of its own explains, the entries written for
``ssl`` are then looked up as if the case ran on ``ssl``: pair labels are
translated side by side (``mywrapper->reference`` is looked up as
``ssl->reference``, so ``"module": "ssl->*"`` entries carry over too), the
version ranges are evaluated on the *wrapper's* facts (it runs on the same
interpreter and OpenSSL), and chains resolve (a wrapper of ``gevent.ssl``
based on it inherits what ``gevent.ssl`` inherits from ``ssl``).  An entry
of the wrapper's own always wins over an inherited one.  Case ids matching an
``except`` pattern inherit nothing: that part of the base is replaced.

An inherited entry is judged like an own one -- a failing case is a
``deviation``, a passing one an ``unexpected-pass`` (the wrapper does not
share that difference: narrow the ``except`` list) -- and the record names
it: ``inherited_from`` holds the label the entry was written for (``ssl``,
``ssl->reference``).  Staleness is judged for the base only: an entry of
``ssl.json`` that matches nothing for a wrapper is not stale on that
account.  The bundled files are always available as bases, so a user's
``--expectations mywrapper.json`` that declares ``based_on ssl`` inherits
``conformance/expectations/ssl.json`` without listing it.
"""
from __future__ import annotations

import dataclasses
import datetime
import fnmatch
import json
import operator
import platform
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from .. import PACKAGE_DIR
from .editions import DEFAULT as DEFAULT_EDITION, key as edition_key

__all__ = ["Expectation", "Basis", "load_expectations", "load_bases", "parse_based_on", "find_expectation",
           "DEFAULT_PATH", "version_matches", "ExpectationError"]

DEFAULT_PATH = PACKAGE_DIR / "expectations"

_OPS = {">=": operator.ge, "<=": operator.le, "==": operator.eq, "!=": operator.ne,
        ">": operator.gt, "<": operator.lt}


class ExpectationError(ValueError):
    """An expectations file is malformed; the message names file and entry."""


def _version_tuple(text: str) -> Tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", text)[:3])


def version_matches(spec: Optional[str], version: Optional[Sequence[int]]) -> bool:
    """``">=3.0,<4"`` against ``(3, 0, 19)``; no spec matches anything."""
    if not spec:
        return True
    if version is None:
        return False
    version = tuple(version)
    for clause in spec.split(","):
        clause = clause.strip()
        m = re.match(r"(>=|<=|==|!=|>|<)?\s*([\d.]+)$", clause)
        if not m:
            raise ExpectationError(f"bad version range {spec!r}")
        op = _OPS[m.group(1) or "=="]
        want = _version_tuple(m.group(2))
        if not op(version[:len(want)], want):
            return False
    return True


def openssl_tuple(facts: Dict[str, Any]) -> Optional[Tuple[int, ...]]:
    """(major, minor, patch) from an implementation's ``OPENSSL_VERSION*``."""
    info = facts.get("openssl_version_info")
    if info:
        return tuple(int(x) for x in list(info)[:3])
    text = facts.get("openssl_version") or ""
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(x) for x in m.groups()) if m else None


@dataclasses.dataclass(frozen=True)
class Expectation:
    case: str
    module: str
    reason: str
    source: str
    python: Optional[str] = None
    openssl: Optional[str] = None
    implementation: Optional[str] = None
    link: Optional[str] = None
    until: Optional[datetime.date] = None
    #: set on the copy handed out for a wrapper: the label the entry was written for
    inherited_from: Optional[str] = None
    #: a range of the run's ``--edition`` (``"<3.12"``), or None for every edition
    edition: Optional[str] = None

    def applies_to_impl(self, impl: str, facts: Dict[str, Any]) -> bool:
        """Does this entry concern the implementation ``impl`` (with ``facts``, the run's
        ``edition`` among them)?"""
        interp = facts.get("interpreter") or {}
        return (fnmatch.fnmatchcase(impl, self.module)
                and version_matches(self.edition, edition_key(facts.get("edition") or DEFAULT_EDITION))
                and version_matches(self.python, _version_tuple(interp.get("version") or platform.python_version()))
                and version_matches(self.openssl, openssl_tuple(facts))
                and (self.implementation is None
                     or self.implementation == (interp.get("implementation") or platform.python_implementation())))

    def applies(self, case_id: str, impl: str, facts: Dict[str, Any]) -> bool:
        return fnmatch.fnmatchcase(case_id, self.case) and self.applies_to_impl(impl, facts)

    def expired(self, today: Optional[datetime.date] = None) -> bool:
        return self.until is not None and self.until < (today or datetime.date.today())

    def describe(self) -> str:
        inherited = f", inherited from {self.inherited_from}" if self.inherited_from else ""
        edition = f" at edition {self.edition}" if self.edition else ""
        return f"{self.source}: {self.case} for {self.module}{edition}{inherited}"


def _entry(raw: Dict[str, Any], source: str) -> Expectation:
    try:
        impl = raw.get("impl") or {}
        if isinstance(impl, str):
            impl = {"module": impl}
        until = raw.get("until")
        edition = raw.get("edition")
        if edition is not None:
            version_matches(edition, edition_key(DEFAULT_EDITION))  # a malformed range fails the load
        return Expectation(
            case=raw["case"], module=impl.get("module", "*"), reason=raw["reason"], source=source,
            python=impl.get("python"), openssl=impl.get("openssl"),
            implementation=impl.get("implementation"), link=raw.get("link"),
            until=datetime.date.fromisoformat(until) if until else None, edition=edition)
    except KeyError as exc:
        raise ExpectationError(f"{source}: entry lacks {exc.args[0]!r}: {raw!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ExpectationError(f"{source}: bad entry {raw!r}: {exc}") from None


def _documents(paths: Iterable[Path]) -> Iterator[Tuple[Path, Dict[str, Any]]]:
    """(file, parsed document) for every ``*.json`` under ``paths``."""
    for path in paths:
        path = Path(path)
        if not path.exists():
            raise ExpectationError(f"expectations path {path} does not exist")
        files = sorted(path.glob("*.json")) if path.is_dir() else [path]
        for f in files:
            try:
                doc = json.loads(f.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise ExpectationError(f"{f}: not valid JSON: {exc}") from None
            if not isinstance(doc, dict) or doc.get("format") != 1:
                raise ExpectationError(f"{f}: expected an object with \"format\": 1")
            yield f, doc


def load_expectations(paths: Iterable[Path] = (DEFAULT_PATH,)) -> List[Expectation]:
    """Every entry of every ``*.json`` under ``paths`` (files or directories)."""
    out: List[Expectation] = []
    for f, doc in _documents(paths):
        for i, raw in enumerate(doc.get("expectations", [])):
            out.append(_entry(raw, f"{f.name}#{i}"))
    return out


@dataclasses.dataclass(frozen=True)
class Basis:
    """Implementations named ``module`` (an fnmatch pattern) are built on ``on``
    and inherit its entries, except for case ids matching ``except_cases``."""

    module: str
    on: str
    source: str
    except_cases: Tuple[str, ...] = ()
    reason: str = ""

    def base_for(self, name: str, case_id: str) -> Optional[str]:
        """``on`` if implementation ``name`` inherits ``on``'s entries for ``case_id``."""
        if name == self.on or not fnmatch.fnmatchcase(name, self.module):
            return None
        if any(fnmatch.fnmatchcase(case_id, p) for p in self.except_cases):
            return None
        return self.on


def _basis(raw: Any, source: str) -> Basis:
    if not isinstance(raw, dict) or not isinstance(raw.get("module"), str) or not isinstance(raw.get("on"), str):
        raise ExpectationError(
            f"{source}: based_on must be {{\"module\": NAME, \"on\": BASE}} (or a list of them), got {raw!r}")
    excepted = raw.get("except", [])
    if not isinstance(excepted, list) or not all(isinstance(p, str) for p in excepted):
        raise ExpectationError(f"{source}: based_on 'except' must be a list of case-id patterns, got {excepted!r}")
    if not isinstance(raw.get("reason", ""), str):
        raise ExpectationError(f"{source}: based_on 'reason' must be a string, got {raw['reason']!r}")
    if raw["module"] == raw["on"]:
        raise ExpectationError(f"{source}: {raw['module']!r} cannot be based on itself")
    return Basis(module=raw["module"], on=raw["on"], source=source, except_cases=tuple(excepted),
                 reason=raw.get("reason", ""))


def load_bases(paths: Iterable[Path] = (DEFAULT_PATH,)) -> List[Basis]:
    """Every ``based_on`` declaration of the files under ``paths``."""
    out: List[Basis] = []
    for f, doc in _documents(paths):
        declared = doc.get("based_on")
        if declared is None:
            continue
        for raw in declared if isinstance(declared, list) else [declared]:
            out.append(_basis(raw, f"{f.name}#based_on"))
    return out


def parse_based_on(text: str) -> Basis:
    """``--based-on mywrapper=ssl`` as a :class:`Basis` (ValueError when malformed)."""
    module, sep, on = (part.strip() for part in text.partition("="))
    if not sep or not module or not on:
        raise ExpectationError(f"--based-on {text!r}: expected WRAPPER=BASE, e.g. mywrapper=ssl")
    return _basis({"module": module, "on": on}, f"--based-on {text}")


def _translated(label: str, case_id: str, bases: Sequence[Basis]) -> str:
    """``label`` with each side that is built on another implementation replaced by its base."""
    sides = []
    for side in label.split("->"):
        base = next((b for b in (basis.base_for(side, case_id) for basis in bases) if b), None)
        sides.append(base or side)
    return "->".join(sides)


def find_expectation(entries: Sequence[Expectation], bases: Sequence[Basis], case_id: str,
                     label: str, facts: Dict[str, Any],
                     inheritable: Optional[Sequence[Expectation]] = None) -> Optional[Expectation]:
    """The entry that explains ``case_id`` on ``label`` (``impl`` or ``client->server``).

    An own entry first; then, level by level up the ``bases``, an entry of
    ``inheritable`` (default: ``entries``) written for the base label,
    returned as a copy whose ``inherited_from`` names that label.  ``facts``
    are always the implementation's own.
    """
    own = next((e for e in entries if e.applies(case_id, label, facts)), None)
    if own is not None or not bases:
        return own
    seen = {label}
    current = label
    for _ in range(len(bases)):
        current = _translated(current, case_id, bases)
        if current in seen:
            return None
        seen.add(current)
        found = next((e for e in (entries if inheritable is None else inheritable)
                      if e.applies(case_id, current, facts)), None)
        if found is not None:
            return dataclasses.replace(found, inherited_from=current)
    return None
