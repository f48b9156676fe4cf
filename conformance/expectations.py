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
        "reason": "wrap_socket was removed in Python 3.12",
        "link": "https://...",                        # optional
        "until": "2027-06-30"}]}                      # optional review date

An entry *applies* to a (case, implementation) when every field matches.
Pair cases (client of one implementation, server of another) are named
``client->server``: ``"module": "ssl->*"`` matches every pair whose client is
the stdlib, and the version ranges then apply to the client side.  A
case that fails where an entry applies is a ``deviation``; one that passes
is an ``unexpected-pass`` and fails the run.  An entry that applies to an
implementation under test but matches no case at all, or whose ``until``
date has passed, is *stale* and fails the run too.
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
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

__all__ = ["Expectation", "load_expectations", "DEFAULT_PATH", "version_matches", "ExpectationError"]

DEFAULT_PATH = Path(__file__).resolve().parent / "expectations"

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

    def applies_to_impl(self, impl: str, facts: Dict[str, Any]) -> bool:
        """Does this entry concern the implementation ``impl`` (with ``facts``)?"""
        interp = facts.get("interpreter") or {}
        return (fnmatch.fnmatchcase(impl, self.module)
                and version_matches(self.python, _version_tuple(interp.get("version") or platform.python_version()))
                and version_matches(self.openssl, openssl_tuple(facts))
                and (self.implementation is None
                     or self.implementation == (interp.get("implementation") or platform.python_implementation())))

    def applies(self, case_id: str, impl: str, facts: Dict[str, Any]) -> bool:
        return fnmatch.fnmatchcase(case_id, self.case) and self.applies_to_impl(impl, facts)

    def expired(self, today: Optional[datetime.date] = None) -> bool:
        return self.until is not None and self.until < (today or datetime.date.today())

    def describe(self) -> str:
        return f"{self.source}: {self.case} for {self.module}"


def _entry(raw: Dict[str, Any], source: str) -> Expectation:
    try:
        impl = raw.get("impl") or {}
        if isinstance(impl, str):
            impl = {"module": impl}
        until = raw.get("until")
        return Expectation(
            case=raw["case"], module=impl.get("module", "*"), reason=raw["reason"], source=source,
            python=impl.get("python"), openssl=impl.get("openssl"),
            implementation=impl.get("implementation"), link=raw.get("link"),
            until=datetime.date.fromisoformat(until) if until else None)
    except KeyError as exc:
        raise ExpectationError(f"{source}: entry lacks {exc.args[0]!r}: {raw!r}") from None
    except (TypeError, ValueError, AttributeError) as exc:
        raise ExpectationError(f"{source}: bad entry {raw!r}: {exc}") from None


def load_expectations(paths: Iterable[Path] = (DEFAULT_PATH,)) -> List[Expectation]:
    """Every entry of every ``*.json`` under ``paths`` (files or directories)."""
    out: List[Expectation] = []
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
            for i, raw in enumerate(doc.get("expectations", [])):
                out.append(_entry(raw, f"{f.name}#{i}"))
    return out
