"""The directives of an ``ssl`` documentation text (reST), as data.

The API listing (``api.json``) is committed data and a run never reads the
documentation; this reader is for the two places that hold the listing
against the text: ``tests/test_api_listing.py`` and
``scripts/derive_listing.py``.  It understands what the two documents the
project uses (``ssl-3.2.rst`` and CPython's current ``ssl.rst``) actually
contain:

* object directives -- ``.. function::``, ``.. data::``, ``.. exception::``,
  ``.. class::``, ``.. method::``, ``.. attribute::`` -- at any indentation;
  a name written unqualified inside a class or exception block
  (``.. attribute:: library`` under ``.. exception:: SSLError``) is
  qualified with it (``SSLError.library``);
* several names in one directive (continuation lines aligned under the
  first name, ``ALERT_DESCRIPTION_INTERNAL_ERROR``), and directives stacked
  with no line between them (``TLSVersion.MINIMUM_SUPPORTED`` /
  ``MAXIMUM_SUPPORTED``): they share one body, so one set of markers;
* signatures continued with a trailing backslash;
* the markers ``versionadded`` / ``versionchanged`` / ``deprecated`` that
  belong to a directive: those in its body, not those of a directive nested
  in it, not the section-level ones between directives.

A name containing ``*`` (``ALERT_DESCRIPTION_*``, a family rather than a
name) is reported in :attr:`Directive.wildcards` of its directive, not as a
directive of its own.

Standard library only.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Dict, List, Optional, Tuple

__all__ = ["KINDS", "MARKERS", "Directive", "Marker", "Param", "read", "parse_signature", "release_edition"]

KINDS = ("function", "data", "exception", "class", "method", "attribute")
MARKERS = ("versionadded", "versionchanged", "deprecated")

_DIRECTIVE = re.compile(r"^(?P<indent> *)\.\. (?P<kind>%s):: (?P<rest>.*?)\s*$" % "|".join(KINDS))
_MARKER = re.compile(r"^(?P<indent> *)\.\. (?P<kind>%s):: (?P<release>\S+)\s*$" % "|".join(MARKERS))
_ANY_DIRECTIVE = re.compile(r"^(?P<indent> *)\.\. [\w-]+::")
_SIGNATURE = re.compile(r"^(?P<name>[A-Za-z_*][\w.*]*)(\((?P<args>.*)\))?$")


@dataclasses.dataclass(frozen=True)
class Marker:
    """``.. versionchanged:: 3.4`` and the first line of what it says."""

    kind: str
    release: str
    text: str


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of a documented signature."""

    name: str
    default: Optional[str] = None      # the default as written (``None``, ``PROTOCOL_TLS_CLIENT``, ``"tls-unique"``)
    optional: bool = False             # in brackets (``[, timeout]``): optional, default not documented
    positional_only: bool = False      # before a ``/``
    keyword_only: bool = False         # after a ``*``

    @property
    def required(self) -> bool:
        return self.default is None and not self.optional


@dataclasses.dataclass
class Directive:
    """One documented name: ``kind``, qualified ``name``, the signature's
    argument text (None where there are no parentheses), how the directive
    reads in the text (``written``, whitespace-normalised, for citing it),
    its line, its own markers and the top-level section it sits in."""

    kind: str
    name: str
    args: Optional[str]
    written: str
    line: int
    section: str
    markers: List[Marker] = dataclasses.field(default_factory=list)
    wildcards: Tuple[str, ...] = ()

    @property
    def params(self) -> Optional[List[Param]]:
        return None if self.args is None else parse_signature(self.args)

    def marker(self, kind: str) -> List[Marker]:
        return [m for m in self.markers if m.kind == kind]


def release_edition(release: str) -> str:
    """``"3.6.3"`` -> ``"3.6"``: the edition a release belongs to."""
    return ".".join(release.split(".")[:2])


def parse_signature(args: str) -> List[Param]:
    """``"addr, ssl_version=PROTOCOL_TLS_CLIENT, ca_certs=None[, timeout]"`` as :class:`Param` s."""
    params: List[Param] = []
    depth, keyword_only, piece = 0, False, ""
    pieces: List[Tuple[str, bool]] = []
    for ch in args + ",":
        if ch == "[":
            if piece.strip():
                pieces.append((piece, depth > 0))
            piece, depth = "", depth + 1
        elif ch == "]":
            if piece.strip():
                pieces.append((piece, True))
            piece, depth = "", depth - 1
        elif ch == "," and not _in_quotes(piece):
            if piece.strip():
                pieces.append((piece, depth > 0))
            piece = ""
        else:
            piece += ch
    for text, bracketed in pieces:
        text = text.strip()
        if text == "/":
            params = [dataclasses.replace(p, positional_only=True) for p in params]
            continue
        if text == "*":
            keyword_only = True
            continue
        name, _, default = text.partition("=")
        params.append(Param(name=name.strip(), default=default.strip() or None, optional=bracketed,
                            keyword_only=keyword_only))
    return params


def _in_quotes(text: str) -> bool:
    return text.count('"') % 2 == 1 or text.count("'") % 2 == 1


def read(text: str) -> List[Directive]:
    """Every object directive of ``text`` (reST), in order."""
    lines = _joined(text.splitlines())
    sections = _sections(lines)
    found: List[Directive] = []
    #: open blocks, innermost last: (indent of the directive, the directives sharing its body)
    stack: List[Tuple[int, List[Directive]]] = []
    #: the directive that ended on the line before: (index of the next line, indent, its block, owner)
    prev: Optional[Tuple[int, int, List[Directive], Optional[str]]] = None
    i = 0
    while i < len(lines):
        number, line = lines[i]
        if not line.strip():
            prev, i = None, i + 1
            continue
        indent = len(line) - len(line.lstrip(" "))
        m = _DIRECTIVE.match(line)
        stacked = m is not None and prev is not None and prev[0] == i and prev[1] == indent
        if not stacked:
            while stack and indent <= stack[-1][0]:
                stack.pop()
        if m is None:
            prev = None
            mk = _MARKER.match(line)
            if mk and stack:
                first = next((f.strip() for _, f in lines[i + 1:i + 4] if f.strip()), "")
                for d in stack[-1][1]:
                    d.markers.append(Marker(mk.group("kind"), mk.group("release"), first))
            i += 1
            continue
        owner = prev[3] if stacked else _owner(stack)
        column = indent + len(".. ") + len(m.group("kind")) + len(":: ")
        names = [m.group("rest")]
        j = i + 1
        while j < len(lines) and lines[j][1].strip() and _aligned(lines[j][1], column):
            names.append(lines[j][1].strip())
            j += 1
        parsed = [(sig, _SIGNATURE.match(sig)) for sig in names]
        wildcards = tuple(sig for sig, sm in parsed if sm is None or "*" in sm.group("name"))
        made: List[Directive] = []
        for k, (sig, sm) in enumerate(parsed):
            if sig in wildcards:
                continue
            name = sm.group("name")
            if owner is not None and "." not in name:
                name = f"{owner}.{name}"
            written = f"{m.group('kind')}:: " + " ".join(names[:k + 1])
            made.append(Directive(kind=m.group("kind"), name=name, args=sm.group("args"),
                                  written=" ".join(written.split()), line=number,
                                  section=sections.get(number, ""), wildcards=wildcards))
        found.extend(made)
        if stacked:
            block = prev[2]
            block.extend(made)
        else:
            block = made
            stack.append((indent, block))
        prev = (j, indent, block, owner)
        i = j
    return found


def _owner(stack: List[Tuple[int, List[Directive]]]) -> Optional[str]:
    """The class or exception whose body the next directive is in, if any
    (the stack holds only blocks that enclose it)."""
    if stack and stack[-1][1] and stack[-1][1][0].kind in ("class", "exception"):
        return stack[-1][1][0].name
    return None


def _aligned(line: str, column: int) -> bool:
    """A continuation name of a multi-name directive: starts exactly under the first name."""
    return len(line) - len(line.lstrip(" ")) == column and not line.lstrip().startswith("..")


def _joined(raw: List[str]) -> List[Tuple[int, str]]:
    """Lines numbered from 1, a trailing backslash joining the next line on."""
    out: List[Tuple[int, str]] = []
    i = 0
    while i < len(raw):
        number, line = i + 1, raw[i]
        while line.rstrip().endswith("\\") and i + 1 < len(raw):
            i += 1
            line = line.rstrip()[:-1].rstrip() + " " + raw[i].strip()
        out.append((number, line))
        i += 1
    return out


def _sections(lines: List[Tuple[int, str]]) -> Dict[int, str]:
    """Line number -> the top-level section (underlined with ``-``) it is in."""
    out: Dict[int, str] = {}
    current = ""
    for k, (number, line) in enumerate(lines):
        if k + 1 < len(lines):
            under = lines[k + 1][1]
            if line.strip() and under.strip() and set(under.strip()) == {"-"} and len(under.strip()) >= len(
                    line.strip()) and not line.startswith(" "):
                current = line.strip()
        out[number] = current
    return out
