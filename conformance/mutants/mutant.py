"""What a mutant is: the record every catalogue lists, and the texts of ``reference/`` several edit."""
from __future__ import annotations

import dataclasses
from typing import Sequence


@dataclasses.dataclass(frozen=True)
class Mutant:
    name: str
    breaks: str  #: the documented behaviour it breaks, in one line
    file: str  #: a file of reference/, e.g. "context.py"
    old: str  #: text that must occur exactly once in that file
    new: str
    #: case-id pattern(s) that must catch it: ``selftest --focus`` runs only
    #: these (fast; what the tests use), plain ``selftest`` runs every case.
    focus: Sequence[str] = ("*",)
    #: the edition the selftest runs it at (``--edition``): one that documents what it breaks
    edition: str = "3.2"


#: the line of reference/context.py that applies verify_mode
SET_VERIFY = "ctx.set_verify(_VERIFY_FLAGS[self._verify_mode])"
#: the line of reference/castore.py that applies verify_flags
SET_FLAGS = "ctx.get_cert_store().set_flags(self._verify_flags)"
