"""Expectation files: matching, version ranges, staleness, clear load errors."""
import datetime
import json

import pytest

from conformance.judge.expectations import (DEFAULT_PATH, ExpectationError, load_expectations,
                                      openssl_tuple, version_matches)

FACTS_311 = {"interpreter": {"implementation": "CPython", "version": "3.11.7"},
             "openssl_version": "OpenSSL 3.0.19 27 Jan 2026", "openssl_version_info": [3, 0, 0, 19, 0]}


@pytest.mark.parametrize("spec,version,expected", [
    (None, (3, 11, 7), True),
    (">=3.12", (3, 11, 7), False),
    (">=3.12", (3, 12, 0), True),
    (">=3.0,<4", (3, 0, 19), True),
    (">=3.0,<4", (4, 0, 3), False),
    ("3.11", (3, 11, 7), True),
    ("<3.10", (3, 9, 18), True),
    (">=3.12", None, False),
])
def test_version_ranges(spec, version, expected):
    assert version_matches(spec, version) is expected


def test_bad_range_is_an_error_naming_it():
    with pytest.raises(ExpectationError, match="bad version range"):
        version_matches("about 3", (3, 0))


def test_openssl_tuple_from_info_or_text():
    assert openssl_tuple(FACTS_311) == (3, 0, 0)
    assert openssl_tuple({"openssl_version": "OpenSSL 3.5.4 30 Sep 2025"}) == (3, 5, 4)
    assert openssl_tuple({}) is None


def _write(tmp_path, entries):
    f = tmp_path / "x.json"
    f.write_text(json.dumps({"format": 1, "expectations": entries}))
    return f


def test_matching_by_case_pattern_module_and_python(tmp_path):
    (e,) = load_expectations([_write(tmp_path, [
        {"case": "api/wrap_socket/*", "impl": {"module": "ssl", "python": ">=3.11"}, "reason": "r"}])])
    assert e.applies("api/wrap_socket/exists", "ssl", FACTS_311)
    assert not e.applies("api/wrap_socket/exists", "reference", FACTS_311)
    assert not e.applies("api/SSLContext/exists", "ssl", FACTS_311)
    old = dict(FACTS_311, interpreter={"implementation": "CPython", "version": "3.9.18"})
    assert not e.applies("api/wrap_socket/exists", "ssl", old)


def test_an_edition_range_limits_an_entry_to_the_runs_of_those_editions(tmp_path):
    (e, everywhere) = load_expectations([_write(tmp_path, [
        {"case": "api/wrap_socket/*", "edition": "<3.12", "impl": {"module": "ssl"}, "reason": "r"},
        {"case": "api/wrap_socket/*", "impl": {"module": "ssl"}, "reason": "r"}])])
    assert e.edition == "<3.12" and everywhere.edition is None
    for edition, applies in (("3.2", True), ("3.11", True), ("3.12", False), ("3.13", False)):
        facts = dict(FACTS_311, edition=edition)
        assert e.applies("api/wrap_socket/defaults", "ssl", facts) is applies, edition
        assert everywhere.applies("api/wrap_socket/defaults", "ssl", facts)
    assert e.applies("api/wrap_socket/defaults", "ssl", FACTS_311), "facts without an edition: the default, 3.2"
    assert "at edition <3.12" in e.describe()


def test_editions_compare_as_versions_not_as_text(tmp_path):
    (e,) = load_expectations([_write(tmp_path, [
        {"case": "a/b", "edition": ">=3.6,<3.10", "impl": "ssl", "reason": "r"}])])
    assert [ed for ed in ("3.2", "3.5", "3.6", "3.9", "3.10", "3.13")
            if e.applies("a/b", "ssl", dict(FACTS_311, edition=ed))] == ["3.6", "3.9"]


def test_a_malformed_edition_range_fails_the_load_naming_the_entry(tmp_path):
    with pytest.raises(ExpectationError, match="x.json#0.*bad version range"):
        load_expectations([_write(tmp_path, [{"case": "a/b", "edition": "before 3.5", "impl": "ssl",
                                              "reason": "r"}])])


def test_until_date_expires(tmp_path):
    (e,) = load_expectations([_write(tmp_path, [
        {"case": "a/b", "impl": "ssl", "reason": "r", "until": "2026-01-31"}])])
    assert e.expired(datetime.date(2026, 2, 1))
    assert not e.expired(datetime.date(2026, 1, 31))


@pytest.mark.parametrize("content,message", [
    ("not json", "not valid JSON"),
    (json.dumps({"expectations": []}), '"format": 1'),
    (json.dumps({"format": 1, "expectations": [{"impl": "ssl", "reason": "r"}]}), "lacks 'case'"),
    (json.dumps({"format": 1, "expectations": [{"case": "a/b", "reason": "r", "until": "soon"}]}), "bad entry"),
])
def test_malformed_files_say_what_is_wrong(tmp_path, content, message):
    f = tmp_path / "bad.json"
    f.write_text(content)
    with pytest.raises(ExpectationError, match=message):
        load_expectations([f])


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(ExpectationError, match="does not exist"):
        load_expectations([tmp_path / "nope"])


def test_bundled_files_load():
    load_expectations([DEFAULT_PATH])


# -- based_on: wrappers inherit their base's entries ---------------------------

from conformance.judge.expectations import find_expectation, load_bases, parse_based_on  # noqa: E402

BASE_ENTRIES = [
    {"case": "api/a/*", "impl": {"module": "ssl", "python": ">=3.11"}, "reason": "the stdlib's"},
    {"case": "pair/*", "impl": {"module": "ssl->*"}, "reason": "the stdlib client's"},
]


def _based(tmp_path, basis, entries=()):
    f = tmp_path / "w.json"
    f.write_text(json.dumps({"format": 1, "based_on": basis, "expectations": list(entries)}))
    return load_bases([f]), load_expectations([f])


def test_a_wrapper_inherits_its_base_entries_named_as_inherited(tmp_path):
    bases, _ = _based(tmp_path, {"module": "mywrapper", "on": "ssl"})
    entries = load_expectations([_write(tmp_path, BASE_ENTRIES)])
    e = find_expectation(entries, bases, "api/a/x", "mywrapper", FACTS_311)
    assert e.reason == "the stdlib's" and e.inherited_from == "ssl"
    assert "inherited from ssl" in e.describe()
    # the base's own version range is read on the wrapper's facts
    old = dict(FACTS_311, interpreter={"implementation": "CPython", "version": "3.9.18"})
    assert find_expectation(entries, bases, "api/a/x", "mywrapper", old) is None
    # without the declaration nothing is inherited; unrelated modules inherit nothing
    assert find_expectation(entries, [], "api/a/x", "mywrapper", FACTS_311) is None
    assert find_expectation(entries, bases, "api/a/x", "other", FACTS_311) is None
    # the base itself matches its entries as an own entry
    assert find_expectation(entries, bases, "api/a/x", "ssl", FACTS_311).inherited_from is None


def test_pair_labels_are_translated_side_by_side(tmp_path):
    bases, _ = _based(tmp_path, {"module": "mywrapper", "on": "ssl"})
    entries = load_expectations([_write(tmp_path, BASE_ENTRIES)])
    for label, base_label in [("mywrapper->reference", "ssl->reference"), ("mywrapper->mywrapper", "ssl->ssl")]:
        assert find_expectation(entries, bases, "pair/c", label, FACTS_311).inherited_from == base_label
    assert find_expectation(entries, bases, "pair/c", "reference->mywrapper", FACTS_311) is None


def test_own_entries_win_and_except_patterns_inherit_nothing(tmp_path):
    bases, own = _based(tmp_path, {"module": "mywrapper", "on": "ssl", "except": ["api/a/skip*"]},
                        [{"case": "api/a/mine", "impl": "mywrapper", "reason": "its own"}])
    base = load_expectations([_write(tmp_path, BASE_ENTRIES)])
    entries = own + base
    mine = find_expectation(entries, bases, "api/a/mine", "mywrapper", FACTS_311)
    assert mine.reason == "its own" and mine.inherited_from is None
    assert find_expectation(entries, bases, "api/a/skipped", "mywrapper", FACTS_311) is None


def test_chains_resolve_and_cycles_end(tmp_path):
    entries = load_expectations([_write(tmp_path, BASE_ENTRIES)])
    chain = [parse_based_on("outer=inner"), parse_based_on("inner=ssl")]
    assert find_expectation(entries, chain, "api/a/x", "outer", FACTS_311).inherited_from == "ssl"
    cycle = [parse_based_on("a=b"), parse_based_on("b=a")]
    assert find_expectation(entries, cycle, "api/a/x", "a", FACTS_311) is None


@pytest.mark.parametrize("basis,message", [
    ("ssl", "based_on must be"),
    ({"module": "w"}, "based_on must be"),
    ({"module": "w", "on": "ssl", "except": "api/*"}, "list of case-id patterns"),
    ({"module": "ssl", "on": "ssl"}, "based on itself"),
])
def test_malformed_based_on_says_what_is_wrong(tmp_path, basis, message):
    with pytest.raises(ExpectationError, match=message):
        _based(tmp_path, basis)


@pytest.mark.parametrize("text", ["mywrapper", "=ssl", "mywrapper=", "ssl=ssl"])
def test_malformed_based_on_option(text):
    with pytest.raises(ExpectationError):
        parse_based_on(text)


def test_the_bundled_wrappers_are_based_on_the_stdlib():
    bases = {b.module: b.on for b in load_bases([DEFAULT_PATH])}
    assert bases == {"gevent.ssl": "ssl", "eventlet.green.ssl": "ssl"}


def test_the_runs_edition_reaches_the_entries_through_the_facts(tmp_path):
    """A session at an edition: an entry for other editions makes no staleness item and excuses nothing."""
    from conformance.session import Session

    f = _write(tmp_path, [{"case": "api/cert_time_to_seconds/returns-*", "edition": "<3.5", "impl": "reference",
                           "reason": "r"}])
    seen = {}
    for edition in ("3.2", "3.13"):
        session = Session.from_options(impls=["reference"], expectations=[str(f)], edition=edition,
                                       case_patterns=["api/cert_time_to_seconds/returns-*"])
        facts = session.static_facts("reference")
        assert facts["edition"] == edition
        found = session.find_expectation("api/cert_time_to_seconds/returns-float", "reference", facts)
        seen[edition] = (sorted(i.id for i in session.items()), found is not None)
    assert seen["3.2"] == (["expectation:x.json#0", "reference:api/cert_time_to_seconds/returns-float"], True)
    assert seen["3.13"] == (["reference:api/cert_time_to_seconds/returns-int"], False)
