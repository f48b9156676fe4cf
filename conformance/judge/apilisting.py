"""The suite's own listing of the documented API (``conformance/judge/api.json``).

One entry per directive of the spec (``.. function::``, ``.. data::``,
``.. exception::``, ``.. class::``, ``.. method::``, ``.. attribute::``):
its qualified ``name`` (``SSLContext.load_cert_chain``), ``kind``, the spec
``section`` it sits in, a ``summary`` in this project's words, and for
callables the ``parameters`` (each with its documented ``default``, or
``required``).  Cases name the entry they check in their ``spec`` field;
``tests/test_api_listing.py`` holds the listing against the spec text and
proves every entry is checked by at least one case.

Standard library only.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

__all__ = ["LISTING_PATH", "KINDS", "load", "entries", "entry", "names", "directive"]

LISTING_PATH = Path(__file__).resolve().parent / "api.json"

#: The spec's directive kinds, as they appear after ``.. ``.
KINDS = ("function", "data", "exception", "class", "method", "attribute")

_CACHE: Dict[str, Any] = {}


def load(path: Path = LISTING_PATH) -> Dict[str, Any]:
    """The whole listing document (read once per path)."""
    key = str(path)
    if key not in _CACHE:
        _CACHE[key] = json.loads(Path(path).read_text(encoding="utf-8"))
    return _CACHE[key]


def entries() -> List[Dict[str, Any]]:
    """Every entry, in spec order."""
    return list(load()["entries"])


def names() -> List[str]:
    return [e["name"] for e in entries()]


def entry(name: str) -> Dict[str, Any]:
    """The entry called ``name`` (KeyError naming it if absent)."""
    for e in entries():
        if e["name"] == name:
            return e
    raise KeyError(f"{name!r} is not in the API listing {LISTING_PATH}")


def directive(name: str) -> str:
    """The spec's directive of entry ``name`` as it reads in the text, e.g.
    ``method:: SSLSocket.read``: the citation of a case that checks a name
    exists, takes a parameter or has a default."""
    return f"{entry(name)['kind']}:: {name}"


def parameters(name: str) -> Optional[List[Dict[str, Any]]]:
    """The documented parameters of a callable entry, or None for data."""
    return entry(name).get("parameters")

