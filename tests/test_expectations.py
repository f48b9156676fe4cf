"""Expectation files: matching, version ranges, staleness, clear load errors."""
import datetime
import json

import pytest

from conformance.expectations import (DEFAULT_PATH, ExpectationError, load_expectations,
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
