"""The version capabilities come from a third-party peer, not from the options under test.

``capabilities.probe`` measures the versions an implementation completes
twice: pinned by its own ``OP_NO_*`` against itself, and as a plain client
against a third party pinned to each version (``conformance.probe.third_party``).  The
oracle gets the third party's answer, and ``floor/...`` cases report where
the two differ.
"""
import types

import pytest

from conformance.probe.capabilities import Capabilities, _prefer_third_party
from conformance.cases.floor import floor_cell
from conformance.probe.third_party import third_party_verdicts
from conformance.harness.registry import CaseFailure, Unsupported

FLOOR = {"peer": "openssl-cli (OpenSSL 3.x)", "pinned_by": {v: "openssl-cli" for v in ("TLSv1", "TLSv1.2")},
         "default": {"floor": "TLSv1.2", "versions": {"TLSv1": "refused (protocol-version)", "TLSv1.2": "ok"}},
         "legacy": {"floor": "TLSv1", "versions": {"TLSv1": "ok", "TLSv1.2": "error: OSError: boom"}}}


def test_verdicts_keep_conclusive_answers_in_the_self_probes_form():
    assert third_party_verdicts(FLOOR, "default") == {
        "TLSv1": (False, "failed (protocol-version): refused openssl-cli pinned to TLSv1"),
        "TLSv1.2": (True, "ok")}
    # a client the module would not set up, or a probe that broke, says nothing about the versions
    assert third_party_verdicts(FLOOR, "legacy") == {"TLSv1": (True, "ok")}
    broken = {**FLOOR, "default": {"versions": {"TLSv1.2": "broken: AttributeError: x (at m.py:1 in f)"}}}
    assert third_party_verdicts(broken, "default") == {}
    assert third_party_verdicts({"peer": None, "unavailable": "no openssl"}, "default") == {}


def test_the_third_party_overrides_the_self_probe_and_the_disagreement_is_kept():
    found = {"default": frozenset({"TLSv1.2", "TLSv1.3"}), "legacy": frozenset({"TLSv1.3"})}
    notes = {"legacy/TLSv1": "negotiated TLSv1.3", "legacy/TLSv1.2": "negotiated TLSv1.3"}
    differ = _prefer_third_party(found, notes, FLOOR)
    assert found["legacy"] == {"TLSv1", "TLSv1.3"}            # TLS 1.0 measured ok by the third party
    assert "TLSv1.2" not in found["legacy"]                   # inconclusive: the self-probe stands
    assert found["default"] == {"TLSv1.2", "TLSv1.3"}         # agreement changes nothing
    assert differ == {"legacy/TLSv1": {"self": "negotiated TLSv1.3", "third_party": "ok"}}
    assert "legacy/TLSv1" not in notes and notes["default/TLSv1"].startswith("failed (protocol-version)")


def test_a_refusal_by_the_third_party_is_a_floor_for_the_oracle():
    caps = _caps({})
    caps.versions_default = frozenset({"TLSv1.2", "TLSv1.3"})
    caps.notes = {"default/TLSv1": third_party_verdicts(FLOOR, "default")["TLSv1"][1]}
    assert "TLSv1" in caps.refused("default")


def _caps(disagreements, floor=FLOOR, broken=None):
    return Capabilities(protocols={}, options=[], versions_default=frozenset({"TLSv1.2"}),
                        versions_seclevel0=frozenset({"TLSv1", "TLSv1.2"}), has_version_method=True,
                        has_minimum_version=True, openssl={}, floor=floor, disagreements=disagreements,
                        broken=broken or {}, impl="mod")


def _env(disagreements, floor=FLOOR, broken=None):
    return types.SimpleNamespace(caps=_caps(disagreements, floor, broken),
                                 impl=types.SimpleNamespace(name="mod"))


def test_agreement_passes_and_says_what_was_measured():
    seen = floor_cell(_env({}), policy="default", version="TLSv1")
    assert seen["completes"] is False and seen["floor"] == "TLSv1.2" and seen["peer"] == "openssl-cli"


def test_a_disagreement_fails_naming_the_options():
    env = _env({"default/TLSv1.2": {"self": "negotiated TLSv1", "third_party": "ok"}})
    with pytest.raises(CaseFailure, match="options that pin a version are not honoured") as info:
        floor_cell(env, policy="default", version="TLSv1.2")
    assert info.value.actual == "negotiated TLSv1"


@pytest.mark.parametrize("env, version, capability", [
    (_env({}, {"peer": None, "unavailable": "no openssl binary on PATH"}), "TLSv1", "peer:third-party"),
    (_env({}), "TLSv1.3", "peer:TLSv1.3"),                                       # not measured
    (_env({"default/TLSv1": {"self": "cannot pin this version", "third_party": "ok"}},
          {**FLOOR, "default": {"versions": {"TLSv1": "ok"}}}), "TLSv1", "pin:TLSv1"),
])
def test_what_cannot_be_compared_is_unsupported(env, version, capability):
    with pytest.raises(Unsupported) as info:
        floor_cell(env, policy="default", version=version)
    assert info.value.capability == capability
