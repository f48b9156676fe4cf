"""The API listing matches both documents' directives, per edition, and every entry has a case.

``conformance/judge/api.json`` is held against ``ssl-3.2.rst`` at edition 3.2
and against CPython's current ``ssl.rst`` at the latest edition: every
directive listed and nothing else, kinds and parameters as the signatures
write them, ``added``/``changed`` as the markers of each directive's block
say, every removal with its source.  Where a document is not found (a bare
clone) its tests skip; the listing's own shape is checked everywhere.
"""
from __future__ import annotations

import pytest

from conformance import cases as _cases  # noqa: F401  (registers every case)
from conformance.cases import surface
from conformance.harness.registry import cases_for
from conformance.judge import apilisting, directives
from conformance.judge.basis import current_spec_path, spec_path
from conformance.judge.editions import BASE, EDITIONS, LATEST, key

#: the documents, where they are found (``$SSL_CONFORMANCE_SPEC[_CURRENT]`` or ``../shared/spec``)
SPEC, CURRENT = spec_path(), current_spec_path()
NO_SPEC = pytest.mark.skipif(SPEC is None, reason="no spec file here: set SSL_CONFORMANCE_SPEC to check "
                                                  "the API listing against it")
NO_CURRENT = pytest.mark.skipif(CURRENT is None, reason="no current documentation here: set "
                                                        "SSL_CONFORMANCE_SPEC_CURRENT to check the listing against it")
UNRELEASED = "next"
CALLABLE = ("function", "method", "class")


def _read(path):
    return {d.name: d for d in directives.read(path.read_text(encoding="utf-8"))}


def _released(d):
    """A current directive that is not marked ``versionadded:: next``."""
    return all(m.release != UNRELEASED for m in d.marker("versionadded"))


@pytest.fixture(scope="module")
def base():
    return _read(SPEC)


@pytest.fixture(scope="module")
def current():
    return {n: d for n, d in _read(CURRENT).items() if _released(d)}


def _default_text(p):
    """A listed parameter's state as a signature writes it."""
    if p.get("required"):
        return None
    if p.get("optional"):
        return "[]"
    value = p["default"]
    if p.get("literal"):
        return f'"{value}"'
    return {None: "None", True: "True", False: "False"}.get(value, str(value)) if not isinstance(value, int) \
        or isinstance(value, bool) else str(value)


def _signature_text(p):
    return "[]" if p.optional else p.default


def _agree(name, listed, documented, strict_flags):
    assert [p["name"] for p in listed] == [p.name for p in documented], name
    for lp, dp in zip(listed, documented):
        if lp.get("note"):          # a default the text gives only in prose (``{see docs}``)
            continue
        assert _default_text(lp) == _signature_text(dp), (name, lp["name"])
        if strict_flags:
            assert bool(lp.get("positional_only")) == dp.positional_only, (name, lp["name"])
            assert bool(lp.get("keyword_only")) == dp.keyword_only, (name, lp["name"])


# -- the base spec at edition 3.2 ------------------------------------------------

@NO_SPEC
def test_edition_32_lists_every_directive_of_the_base_spec_and_nothing_else(base):
    assert len(base) >= 30, "the directive parser found too little; is the spec intact?"
    listed = set(apilisting.names(BASE))
    assert sorted(set(base) - listed) == [], "directives of ssl-3.2.rst missing from edition 3.2"
    assert sorted(listed - set(base)) == [], "edition 3.2 entries that are not directives of ssl-3.2.rst"


@NO_SPEC
def test_edition_32_kinds_and_parameters_agree_with_the_base_spec(base):
    for name, d in base.items():
        e = apilisting.entry(name)
        assert e["kind"] == d.kind, name
        if d.kind in CALLABLE:
            _agree(name, apilisting.parameters(name, BASE), d.params, strict_flags=False)
        else:
            assert "parameters" not in e, name


# -- the current documentation at the latest edition ---------------------------------

@NO_CURRENT
def test_every_current_directive_is_listed_and_every_entry_not_removed_is_one(current):
    assert len(current) >= 150, "the directive parser found too little; is the document intact?"
    standing = {e["name"] for e in apilisting.entries() if "removed" not in e}
    assert sorted(set(current) - standing) == [], "current directives missing from the listing"
    assert sorted(standing - set(current)) == [], "entries without 'removed' that the current document lacks"
    later = {n for n, d in current.items() if key(apilisting.entry(n)["added"]) <= key(LATEST)}
    assert set(apilisting.names(LATEST)) == later


@NO_CURRENT
def test_kinds_and_parameters_agree_with_the_current_signatures(current):
    for name, d in current.items():
        e = apilisting.entry(name)
        assert e["kind"] == d.kind, name
        if d.kind == "class" and "bases" in e and "parameters" not in e:
            assert d.args == ", ".join(e["bases"]), name      # ``class:: SSLSocket(socket.socket)``
        elif d.kind in CALLABLE and d.args is not None:
            edition = e["added"] if key(e["added"]) > key(LATEST) else LATEST
            _agree(name, apilisting.parameters(name, edition), d.params, strict_flags=True)
        else:
            assert "parameters" not in e, name
        if d.written != f"{d.kind}:: {name}" and not d.written.startswith(f"{d.kind}:: {name}("):
            assert apilisting.directive(name) == d.written, name


@NO_CURRENT
def test_added_agrees_with_each_directives_versionadded_marker(current, base):
    for name, d in current.items():
        e = apilisting.entry(name)
        marks = d.marker("versionadded")
        if name in base:
            assert e["added"] == BASE, name
        elif marks:
            release = marks[0].release
            edition = directives.release_edition(release)
            if edition == BASE:   # marked 3.2, yet the base spec (written before it) lacks it
                assert (e["added"], e["marker"]) == ("3.3", release), name
                assert e.get("added_note"), name
            else:
                assert e["added"] == edition, name
            assert e.get("added_release") == (release if release != edition else None), name
        else:                     # unmarked: decided by hand, with the reason
            assert e.get("added_note"), f"{name} has no marker: its entry must say why it is {e['added']}"
            assert key(e["added"]) > key(BASE), name


@NO_CURRENT
def test_changed_lists_every_marker_of_each_directives_block(current, base):
    for e in apilisting.entries():
        d = current.get(e["name"]) or base.get(e["name"])
        assert d is not None, e["name"]
        marks = [(m.release, m.kind) for m in d.markers if m.kind != "versionadded" and m.release != UNRELEASED]
        from_text = [(c["release"], c["kind"]) for c in e.get("changed", ()) if "source" not in c]
        assert from_text == marks, e["name"]
        for c in e.get("changed", ()):
            assert c["note"].strip() and c["kind"] in ("versionchanged", "deprecated"), (e["name"], c)
            assert directives.release_edition(c["release"]) in EDITIONS, (e["name"], c)


@NO_CURRENT
def test_every_removal_has_a_source_and_the_current_document_lacks_it(current):
    removed = [e for e in apilisting.entries() if "removed" in e]
    assert {e["name"] for e in removed} >= {"wrap_socket", "RAND_egd", "PROTOCOL_SSLv2"}
    for e in removed:
        assert e["name"] not in current, e["name"]
        assert e.get("removed_source", "").strip(), e["name"]
        assert key(e["added"]) < key(e["removed"]), e["name"]


# -- the listing's own shape (no document needed) ----------------------------------------

def test_entries_are_well_formed():
    seen = set()
    for e in apilisting.entries():
        assert e["name"] not in seen, e["name"]
        seen.add(e["name"])
        assert set(e) >= {"name", "kind", "section", "summary", "added"}, e
        assert e["kind"] in apilisting.KINDS and e["summary"].strip(), e["name"]
        assert e["added"] in EDITIONS or key(e["added"]) > key(LATEST), e["name"]
        assert e.get("removed") is None or e["removed"] in EDITIONS, e["name"]
        for p in e.get("parameters", ()):
            states = [k for k in ("required", "default", "optional") if k in p]
            assert len(states) == 1, (e["name"], p)
            for st in apilisting.param_states(e["name"], p):
                assert st["until"] is None or key(st["since"]) < key(st["until"]), (e["name"], p["name"])
            for change in p.get("changes", ()):
                assert change.get("source", "").strip(), (e["name"], p["name"])
            if "added" in p or "removed" in p:
                assert p.get("added_note", "").strip(), (e["name"], p["name"])


def test_parameters_per_edition_follow_additions_renames_and_default_changes():
    assert [p["name"] for p in apilisting.parameters("SSLContext.load_verify_locations", "3.3")] == ["cafile", "capath"]
    assert [p["name"] for p in apilisting.parameters("SSLContext.load_verify_locations", "3.4")] == [
        "cafile", "capath", "cadata"]
    assert [p["name"] for p in apilisting.parameters("SSLSocket.read", "3.2")] == ["nbytes", "buffer"]
    assert [(p["name"], p["position"]) for p in apilisting.parameters("SSLSocket.read", "3.13")] == [
        ("len", 0), ("buffer", 1)]
    protocol = {ed: apilisting.parameters("SSLContext", ed)[0] for ed in ("3.2", "3.5", "3.6", "3.9", "3.10", "3.13")}
    assert protocol["3.2"].get("required") and protocol["3.5"].get("required")
    assert protocol["3.6"]["default"] == protocol["3.9"]["default"] == "PROTOCOL_TLS"
    assert protocol["3.10"]["default"] is None and "required" not in protocol["3.13"]
    ssl_version = {ed: apilisting.parameters("get_server_certificate", ed)[1]["default"] for ed in ("3.4", "3.5", "3.10")}
    assert ssl_version == {"3.4": "PROTOCOL_SSLv3", "3.5": "PROTOCOL_SSLv23", "3.10": "PROTOCOL_TLS_CLIENT"}
    assert [p["name"] for p in apilisting.parameters("get_server_certificate", "3.9")][-1] == "ca_certs"
    timeout = apilisting.parameters("get_server_certificate", "3.10")[-1]
    assert (timeout["name"], timeout.get("optional"), timeout["position"]) == ("timeout", True, 3)
    assert apilisting.parameters("CERT_NONE", "3.13") is None


def test_documented_and_entries_answer_per_edition():
    assert apilisting.documented("wrap_socket", "3.11") and not apilisting.documented("wrap_socket", "3.12")
    assert not apilisting.documented("RAND_egd", "3.10") and apilisting.documented("RAND_egd", "3.9")
    assert not apilisting.documented("create_default_context", "3.3")
    assert apilisting.documented("create_default_context", "3.4")
    assert not apilisting.documented("HAS_PHA", LATEST)       # 3.14: past the editions the suite knows
    assert not apilisting.documented("no_such_name", LATEST)
    assert len(apilisting.entries(BASE)) == 38
    sizes = [len(apilisting.entries(ed)) for ed in EDITIONS]
    assert sizes[-1] > 140 and sizes != sorted(sizes, reverse=True)
    assert "wrap_socket" not in apilisting.names(LATEST) and "SSLContext.wrap_bio" in apilisting.names("3.5")


# -- the cases ------------------------------------------------------------------

def test_every_entry_is_checked_by_a_case():
    specs = {c.spec for c in cases_for()}
    known = [n for n in apilisting.names() if any(apilisting.documented(n, ed) for ed in EDITIONS)]
    unchecked = [n for n in known if n not in specs]
    assert unchecked == [], "listing entries without a case"


def test_every_case_names_a_listed_entry():
    listed = set(apilisting.names())
    strays = sorted({(c.spec, c.id) for c in cases_for() if c.spec not in listed})
    assert strays == [], "cases whose spec is not in the listing"


def test_every_surface_case_lies_within_the_editions_of_its_entry():
    outside = []
    for c in cases_for():
        if c.func.__module__ != surface.__name__:
            continue
        try:
            added, removed = apilisting.span(c.spec)
        except KeyError:
            continue
        if key(c.since) < key(added) or (removed and (c.until is None or key(c.until) > key(removed))):
            outside.append((c.id, c.since, c.until, added, removed))
    assert outside == [], "cases that run in editions which do not document their entry"
