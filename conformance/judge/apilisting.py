"""The suite's own listing of the documented API, per edition (``conformance/judge/api.json``).

One entry per directive of the two documents the suite knows -- the base
spec ``ssl-3.2.rst`` and CPython's current ``ssl.rst`` (``.. function::``,
``.. data::``, ``.. exception::``, ``.. class::``, ``.. method::``,
``.. attribute::``) -- with the editions it is documented in.  Cases name
the entry they check in their ``spec`` field; ``tests/test_api_listing.py``
holds the listing against both texts and proves every entry is checked by
at least one case.  The listing is data: a run never reads the
documentation (``scripts/derive_listing.py`` keeps the two in step).

The shape of an entry (format 2):

``name``            qualified, as the directive writes it (``SSLContext.load_cert_chain``);
                    an attribute written unqualified inside a class block is qualified
                    with it (``SSLError.library``), and ``directive`` then says how the
                    text writes it (``attribute:: library``)
``kind``            ``function`` / ``data`` / ``exception`` / ``class`` / ``method`` / ``attribute``
``section``         the top-level section of the document it sits in
``summary``         one line in this project's words
``added``           the first edition documenting it: the release of its ``versionadded``
                    marker (``added_release`` keeps a patch release such as ``3.6.3``);
                    ``3.2`` for every directive of the base spec.  Where the documents do
                    not say, the decision and its reason are in ``added_note``; ``marker``
                    is the documentation's own marker where the edition differs from it
``changed``         every ``versionchanged`` / ``deprecated`` marker: ``release``, ``kind``,
                    ``note`` (a short note in this project's words)
``removed``         the first edition no longer documenting it, with ``removed_source``
                    (What's New, or the change that removed the text)
``type``            of a data entry: ``int``, ``str``, ``tuple``, ``bool``, ``list``
                    (absent where the documents give none)
``bases``, ``returns``, ``read_only``   as documented
``parameters``      of a callable, in signature order; each has ``name`` and one of
                    ``required: true``, ``default`` (constants by name; ``literal: true``
                    for a string that is a value, not a name) or ``optional: true``
                    (bracketed, the default not documented); ``positional_only`` /
                    ``keyword_only`` as the current signature marks them; ``added`` /
                    ``removed`` when the parameter is documented in fewer editions than
                    its entry (a renamed parameter is one record per name); and
                    ``changes``: later states of a parameter whose default changed, each
                    ``{"since": edition, "default" | "required" | "optional", "source"}``.

:func:`entries`, :func:`documented` and :func:`parameters` answer per edition.

Standard library only.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from .editions import BASE, key, within

__all__ = ["LISTING_PATH", "FORMAT", "KINDS", "STATES", "load", "entries", "entry", "names", "directive",
           "documented", "span", "parameters", "param_span", "param_states"]

LISTING_PATH = Path(__file__).resolve().parent / "api.json"
FORMAT = 2

#: The spec's directive kinds, as they appear after ``.. ``.
KINDS = ("function", "data", "exception", "class", "method", "attribute")
#: the keys a parameter's state is made of (exactly one of the first three)
STATES = ("required", "default", "optional", "literal")

_CACHE: Dict[str, Any] = {}


def load(path: Path = LISTING_PATH) -> Dict[str, Any]:
    """The whole listing document (read once per path)."""
    key_ = str(path)
    if key_ not in _CACHE:
        _CACHE[key_] = json.loads(Path(path).read_text(encoding="utf-8"))
    return _CACHE[key_]


def _all() -> List[Dict[str, Any]]:
    return load()["entries"]


def entries(edition: Optional[str] = None) -> List[Dict[str, Any]]:
    """Every entry in listing order; with ``edition``, only those it documents."""
    return [e for e in _all() if edition is None or _in(e, edition)]


def names(edition: Optional[str] = None) -> List[str]:
    return [e["name"] for e in entries(edition)]


def entry(name: str) -> Dict[str, Any]:
    """The entry called ``name`` (KeyError naming it if absent)."""
    for e in _all():
        if e["name"] == name:
            return e
    raise KeyError(f"{name!r} is not in the API listing {LISTING_PATH}")


def span(name: str) -> tuple:
    """``(added, removed)`` of entry ``name``: the editions it is documented from and until."""
    e = entry(name)
    return e.get("added", BASE), e.get("removed")


def documented(name: str, edition: str) -> bool:
    """Does ``edition`` document ``name``?  False for a name the listing does not have."""
    try:
        e = entry(name)
    except KeyError:
        return False
    return _in(e, edition)


def _in(e: Dict[str, Any], edition: str) -> bool:
    return within(edition, e.get("added", BASE), e.get("removed"))


def directive(name: str) -> str:
    """The directive of entry ``name`` as it reads in the text, e.g.
    ``method:: SSLSocket.read``: the citation of a case that checks a name
    exists, takes a parameter or has a default."""
    e = entry(name)
    return e.get("directive") or f"{e['kind']}:: {name}"


def param_span(name: str, param: Dict[str, Any]) -> tuple:
    """``(added, removed)`` of one parameter record of entry ``name``."""
    added, removed = span(name)
    p_added, p_removed = param.get("added", added), param.get("removed", removed)
    if removed is not None and (p_removed is None or key(removed) < key(p_removed)):
        p_removed = removed
    return p_added, p_removed


def param_states(name: str, param: Dict[str, Any]) -> List[Dict[str, Any]]:
    """The states of one parameter, oldest first: each ``{"since", "until", <state>}``
    where the state is ``required`` / ``default`` (+ ``literal``) / ``optional``."""
    since, until = param_span(name, param)
    states = [dict({k: param[k] for k in STATES if k in param}, since=since)]
    for change in param.get("changes", ()):
        states.append(dict({k: change[k] for k in STATES if k in change}, since=change["since"]))
    for this, following in zip(states, states[1:] + [None]):
        this["until"] = following["since"] if following else until
    return states


def parameters(name: str, edition: Optional[str] = None) -> Optional[List[Dict[str, Any]]]:
    """The parameters of callable entry ``name`` as ``edition`` documents them
    (None for an entry without a signature).  Without ``edition``: the
    records as listed, every edition's together.  With it: the records of the
    parameters that edition documents, each resolved to the state it has
    there (``required`` / ``default`` / ``optional``) and given its
    ``position`` among them."""
    params = entry(name).get("parameters")
    if params is None or edition is None:
        return params
    out = []
    for p in params:
        if not within(edition, *param_span(name, p)):
            continue
        state = next(s for s in param_states(name, p) if within(edition, s["since"], s["until"]))
        resolved = {k: v for k, v in p.items() if k not in STATES and k != "changes"}
        resolved.update({k: v for k, v in state.items() if k in STATES})
        resolved["position"] = len(out)
        out.append(resolved)
    return out
