"""What a case's expectation rests on: the spec's text, or CPython's behaviour.

Every case names its basis (``registry.case(..., basis=, cite=)``):

``spec``     the documented API requires it; the case cites the sentence --
             of ``ssl-3.2.rst`` for a case documented since the base edition,
             of ``ssl-current.rst`` for one documented only from a later
             edition (``since=``, see ``editions``);
``cpython``  the spec is silent and the case holds the implementation to what
             CPython does: an errno, an exception type or message the spec
             does not name, an undocumented name or default.  A failure there
             is a *CPython-compatibility difference*, not a spec failure.

Records that are not cases -- an implementation that must load, an
expectation entry that must still match something -- have the basis ``run``.

Both bases run by default and both fail the run; ``--basis spec`` (or
``cpython``) restricts a run to one of them.  Reports keep them apart, with
the words of :data:`LABELS`.  This module holds that vocabulary and finds the
spec's text for the test that checks every quote.

Standard library only.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from .. import ROOT_DIR

__all__ = ["BASES", "CHOICES", "LABELS", "RUN", "check_choice", "selects", "basis_of", "split",
           "failure_phrase", "spec_path", "current_spec_path", "cited_document", "normalise_text", "cited_in"]

#: The bases a case may have, in report order.
BASES = ("spec", "cpython")
#: the basis of records that are not cases (loading, expectation entries)
RUN = "run"
#: values of ``--basis``
CHOICES = BASES + ("all",)
#: how reports name the failing records of each basis: (singular, plural)
LABELS: Dict[str, tuple] = {
    "spec": ("spec failure", "spec failures"),
    "cpython": ("CPython-compatibility difference", "CPython-compatibility differences"),
    RUN: ("problem of the run", "problems of the run"),
}


def check_choice(value: str) -> str:
    """``value`` if it is a valid ``--basis``, else ValueError naming the valid ones."""
    if value not in CHOICES:
        raise ValueError(f"--basis {value!r}: expected one of {', '.join(CHOICES)}")
    return value


def selects(choice: str, basis: str) -> bool:
    """Does ``--basis choice`` run a case of ``basis``?"""
    return choice == "all" or basis == choice


def basis_of(record: Mapping[str, Any]) -> str:
    """A record's basis; records written before bases existed count as ``spec``
    (the reports of that time showed every failure as one)."""
    return str(record.get("basis") or "spec")


def split(records: Iterable[Mapping[str, Any]]) -> Dict[str, List[Mapping[str, Any]]]:
    """``records`` by basis, in report order (``spec``, ``cpython``, ``run``), empty groups kept."""
    out: Dict[str, List[Mapping[str, Any]]] = {b: [] for b in BASES + (RUN,)}
    for rec in records:
        out.setdefault(basis_of(rec), []).append(rec)
    return out


def failure_phrase(failing: Sequence[Mapping[str, Any]], not_loaded: int = 0) -> str:
    """``12 spec failures, 7 CPython-compatibility differences`` (+ problems of the run and
    implementations not loaded, when there are any) for the verdict line."""
    groups = split(failing)
    # both bases always, while either has failures; otherwise only what there is
    shown = BASES if any(groups[b] for b in BASES) else ()
    parts = [_count(len(groups[b]), *LABELS[b]) for b in shown]
    parts += [_count(len(recs), *LABELS.get(b, (b, b))) for b, recs in groups.items()
              if b not in BASES and recs]
    if not_loaded:
        parts.append(_count(not_loaded, "implementation not loaded", "implementations not loaded"))
    return ", ".join(parts)


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# -- the spec's text, for the test of every quote ---------------------------

def _spec_file(variable: str, name: str) -> Optional[Path]:
    """The file ``$variable`` names, else ``../shared/spec/<name>`` beside the checkout; None when neither exists."""
    for candidate in (os.environ.get(variable), ROOT_DIR.parent / "shared" / "spec" / name):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def spec_path() -> Optional[Path]:
    """The 3.2 spec: ``$SSL_CONFORMANCE_SPEC``, else ``../shared/spec/ssl-3.2.rst``
    beside the checkout; None when neither exists (a bare clone)."""
    return _spec_file("SSL_CONFORMANCE_SPEC", "ssl-3.2.rst")


def current_spec_path() -> Optional[Path]:
    """CPython's current documentation, which a case of a later edition cites:
    ``$SSL_CONFORMANCE_SPEC_CURRENT``, else ``../shared/spec/ssl-current.rst``
    beside the checkout; None when neither exists."""
    return _spec_file("SSL_CONFORMANCE_SPEC_CURRENT", "ssl-current.rst")


def cited_document(since: str) -> str:
    """Which document a ``spec`` case documented from edition ``since`` quotes:
    ``ssl-3.2.rst`` for the base edition, ``ssl-current.rst`` for any later one."""
    return "ssl-3.2.rst" if since == "3.2" else "ssl-current.rst"


def normalise_text(text: str) -> str:
    """Whitespace collapsed to single spaces: a quote may wrap where the spec does not."""
    return " ".join(text.split())


def cited_in(quote: str, spec_text: str) -> bool:
    """Does ``quote`` occur in ``spec_text`` (both whitespace-normalised)?"""
    return normalise_text(quote) in normalise_text(spec_text)
