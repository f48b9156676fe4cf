"""Deliberately broken variants of ``reference``: proof that the suite can fail.

A mutant is data (``mutant.Mutant``, listed by area in the ``catalogue_*``
modules): one exact piece of one file of ``reference/`` and what it
is replaced with, so that exactly one documented behaviour breaks.  Importing
``conformance.mutants.<name>`` loads a private copy of the whole ``reference``
package with that one edit applied (the real ``reference`` is untouched, and
nothing is written to disk), so ``--impl conformance.mutants.verify_mode_ignored``
works like any other implementation.  ``ssl-conformance selftest`` runs the
suite against every mutant and reports which cases caught it.

If the reference changes so that a mutant's text no longer occurs exactly
once, importing that mutant fails with a message naming it: a mutant is
never silently a copy of the unbroken reference.

Mutants need pyOpenSSL like ``reference`` itself; the suite never imports
this package unless a mutant is asked for.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Dict, Optional, Sequence

from .. import ROOT_DIR
from . import catalogue_api, catalogue_bio, catalogue_context, catalogue_editions, catalogue_names
from .mutant import Mutant

__all__ = ["Mutant", "MUTANTS", "REFERENCE_DIR"]

REFERENCE_DIR = ROOT_DIR / "reference"

#: every mutant by name, in the catalogues' order
MUTANTS: Dict[str, Mutant] = {m.name: m for m in (
    *catalogue_api.ENTRIES, *catalogue_editions.ENTRIES, *catalogue_context.ENTRIES,
    *catalogue_names.ENTRIES, *catalogue_bio.ENTRIES,
)}


class _MutantLoader(importlib.abc.Loader):
    """Executes one file of ``reference/``, edited if it is the mutant's file."""

    def __init__(self, path: Path, mutant: Mutant):
        self.path, self.mutant = path, mutant

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[ModuleType]:
        return None

    def exec_module(self, module: ModuleType) -> None:
        source = self.path.read_text(encoding="utf-8")
        if self.path.name == self.mutant.file:
            count = source.count(self.mutant.old)
            if count != 1:
                raise ImportError(f"mutant {self.mutant.name}: its text occurs {count} times in "
                                  f"reference/{self.mutant.file} (must be once); update the mutant")
            source = source.replace(self.mutant.old, self.mutant.new)
        # compiled from memory: no bytecode cache may ever hold the edit
        exec(compile(source, str(self.path), "exec"), module.__dict__)


class _MutantFinder(importlib.abc.MetaPathFinder):
    """``conformance.mutants.<name>[.<submodule>]`` -> a copy of ``reference[.<submodule>]``."""

    prefix = __name__ + "."

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Optional[ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        if not fullname.startswith(self.prefix):
            return None
        parts = fullname[len(self.prefix):].split(".")
        mutant = MUTANTS.get(parts[0])
        if mutant is None or len(parts) > 2:
            return None
        file = REFERENCE_DIR / ("__init__.py" if len(parts) == 1 else parts[1] + ".py")
        if not file.exists():
            return None
        return importlib.util.spec_from_file_location(
            fullname, file, loader=_MutantLoader(file, mutant),
            submodule_search_locations=[str(REFERENCE_DIR)] if len(parts) == 1 else None)


if not any(isinstance(f, _MutantFinder) for f in sys.meta_path):
    sys.meta_path.insert(0, _MutantFinder())
