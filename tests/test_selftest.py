"""The suite catches every mutant of the reference (and mutants are honest)."""
from __future__ import annotations

import importlib
import os

import pytest

pytest.importorskip("OpenSSL")

from conformance import mutants  # noqa: E402

from conformance.tools import selftest


def test_at_least_fifteen_mutants_each_breaking_something_named():
    assert len(mutants.MUTANTS) >= 15
    for m in mutants.MUTANTS.values():
        assert m.breaks and m.old != m.new and m.focus
        assert (mutants.REFERENCE_DIR / m.file).read_text().count(m.old) == 1, m.name


def test_a_mutant_is_a_private_copy_and_leaves_reference_alone():
    import reference

    broken = importlib.import_module("conformance.mutants.sslerror_not_oserror")
    assert not issubclass(broken.SSLError, OSError)
    assert issubclass(reference.SSLError, OSError)
    assert broken.SSLContext is not reference.SSLContext
    assert broken.SSLContext.__module__ == "conformance.mutants.sslerror_not_oserror.context"


def test_a_mutant_whose_text_is_gone_refuses_to_load(monkeypatch):
    stale = mutants.Mutant("stale_for_test", "nothing", "context.py", "text that is not there", "x")
    monkeypatch.setitem(mutants.MUTANTS, stale.name, stale)
    with pytest.raises(ImportError, match="stale_for_test.*0 times"):
        importlib.import_module("conformance.mutants.stale_for_test")


def test_every_mutant_is_caught_by_its_focused_cases():
    doc = selftest.selftest(list(mutants.MUTANTS), focus=True, timeout=2.0,
                            workers=min(2, os.cpu_count() or 1))
    survivors = {m["name"]: m.get("problem", "") for m in doc["mutants"] if not m["caught_by"]}
    assert not survivors, f"mutants no case caught: {survivors}"
    assert doc["killed"] == doc["total"] == len(mutants.MUTANTS)
    assert "kill rate: %d/%d mutants (100%%)" % (doc["total"], doc["total"]) in selftest.format_report(doc)
