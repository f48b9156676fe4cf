"""Case ids are the suite's public names: results, expectations, CI gates and
``compare`` across releases refer to them, so none may change or disappear.

``tests/data/case_ids.txt`` lists every id the suite has had; a case added
since is appended to it (``python -m tests.test_case_ids`` prints the list of
today's ids), a case removed on purpose is a decision the list records.
"""
from pathlib import Path

import conformance.cases  # noqa: F401  (registers every case)
from conformance.harness.registry import cases_for

LISTED = Path(__file__).resolve().parent / "data" / "case_ids.txt"


def test_no_case_id_changed_or_disappeared() -> None:
    listed = LISTED.read_text(encoding="utf-8").split()
    today = {c.id for c in cases_for()}
    missing = [i for i in listed if i not in today]
    assert not missing, f"{len(missing)} case ids are gone, e.g. {missing[:5]}"


def test_every_case_is_listed() -> None:
    listed = set(LISTED.read_text(encoding="utf-8").split())
    new = sorted(c.id for c in cases_for() if c.id not in listed)
    assert not new, f"{len(new)} new case ids are not in {LISTED.name} yet, e.g. {new[:5]}"


if __name__ == "__main__":
    print("\n".join(c.id for c in cases_for()))
