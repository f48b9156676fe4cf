"""The matrix and verify cells catch implementations that ignore what they are told.

Two deliberately broken variants of ``reference``, built here as modules:

* ``broken_no_tlsv1``: ``SSLContext.options`` reports ``OP_NO_TLSv1`` once set,
  but the connection never gets it;
* ``broken_verify_mode``: ``SSLContext.verify_mode`` reports the mode set,
  but connections are made with ``CERT_NONE``.

Each runs through the real session (probe, oracle, loopback) on a few cells;
the cells that depend on the ignored setting must fail with a message naming
the difference, and the ones that do not must still pass.
"""
import sys
import types

import pytest

import reference
from conformance.harness.env import Certs
from conformance.session import Session


class IgnoresNoTLSv1(reference.SSLContext):
    @property
    def options(self):
        return self._shown_options if hasattr(self, "_shown_options") else reference.SSLContext.options.fget(self)

    @options.setter
    def options(self, value):
        self._shown_options = value
        reference.SSLContext.options.fset(self, value & ~reference.OP_NO_TLSv1)


class IgnoresVerifyMode(reference.SSLContext):
    @property
    def verify_mode(self):
        return getattr(self, "_shown_mode", reference.CERT_NONE)

    @verify_mode.setter
    def verify_mode(self, value):
        self._shown_mode = value
        reference.SSLContext.verify_mode.fset(self, reference.CERT_NONE)


def variant(name, context_class):
    module = types.ModuleType(name)
    module.__dict__.update({n: getattr(reference, n) for n in reference.__all__})
    module.SSLContext = context_class
    module.__file__ = __file__
    sys.modules[name] = module
    return name


def run(impl, *patterns):
    session = Session([impl], [], None, 5.0, Certs(), list(patterns))
    items = [i for i in session.items() if i.kind == "case"]
    assert items, f"no cell matched {patterns}"
    return {i.case.id: session.run(i) for i in items}


@pytest.fixture(scope="module")
def no_tlsv1():
    return variant("broken_no_tlsv1", IgnoresNoTLSv1)


@pytest.fixture(scope="module")
def no_verify():
    return variant("broken_verify_mode", IgnoresVerifyMode)


def test_ignoring_op_no_tlsv1_fails_the_cells_that_set_it(no_tlsv1):
    records = run(no_tlsv1, "matrix/legacy/client=SSLv23+NO_TLSv1/server=TLSv1",
                  "matrix/legacy/client=TLSv1/server=SSLv23+NO_TLSv1")
    for rec in records.values():
        assert rec.outcome == "fail", (rec.id, rec.outcome, rec.message)
        assert "NO_TLSv1" in rec.message and "succeeded with TLSv1" in rec.message, rec.message


def test_the_legacy_policy_is_what_exposes_it(no_tlsv1):
    """Under the default policy the floor already refuses TLS 1.0, so the same
    cell passes: that is why the matrix runs a legacy policy too."""
    records = run(no_tlsv1, "matrix/default/client=SSLv23+NO_TLSv1/server=TLSv1",
                  "matrix/legacy/client=SSLv23/server=TLSv1")
    assert {r.outcome for r in records.values()} == {"pass"}, {r.id: r.message for r in records.values()}


def test_ignoring_op_no_tlsv1_against_a_real_tls1_offer(no_tlsv1):
    records = run(no_tlsv1, "peers/tlslite/legacy/client=tlslite:TLSv1/server=SSLv23+NO_TLSv1")
    (rec,) = records.values()
    assert rec.outcome == "fail" and "succeeded with TLSv1" in rec.message, rec.message


def test_ignoring_verify_mode_fails_the_verifying_cells(no_verify):
    records = run(no_verify, "verify/server-cert/TLSv1.3/REQUIRED/peer=untrusted/trust=cafile",
                  "verify/server-cert/TLSv1.2/OPTIONAL/peer=expired/trust=capath",
                  "verify/client-cert/TLSv1.3/REQUIRED/peer=none/trust=cafile")
    for rec in records.values():
        assert rec.outcome == "fail", (rec.id, rec.outcome, rec.message)
        assert "succeeded" in rec.message, rec.message
    assert "certificate-verify-failed" in records[
        "verify/server-cert/TLSv1.3/REQUIRED/peer=untrusted/trust=cafile"].message
    assert "certificate-required" in records["verify/client-cert/TLSv1.3/REQUIRED/peer=none/trust=cafile"].message


def test_ignoring_verify_mode_shows_in_getpeercert(no_verify):
    """A trusted peer still connects, but the certificate comes back unvalidated."""
    records = run(no_verify, "verify/server-cert/TLSv1.3/REQUIRED/peer=trusted/trust=cafile")
    (rec,) = records.values()
    assert rec.outcome == "fail" and "getpeercert() is unvalidated" in rec.message, rec.message


def test_cells_where_nobody_verifies_still_pass(no_verify):
    records = run(no_verify, "verify/server-cert/TLSv1.3/NONE/peer=untrusted/trust=cafile",
                  "verify/client-cert/TLSv1.2/NONE/peer=expired/trust=capath")
    assert {r.outcome for r in records.values()} == {"pass"}, {r.id: r.message for r in records.values()}


def test_the_oracle_learns_the_versions_from_a_third_party_not_from_the_ignored_option(no_tlsv1):
    """Pinned by its own (ignored) OP_NO_TLSv1 against itself, the variant
    seems unable to reach TLS 1.2 or 1.3 under the legacy policy; a third
    party pinned to each version says otherwise.  The floor case names the
    ignored options, and cells that do not depend on OP_NO_TLSv1 still pass."""
    records = run(no_tlsv1, "floor/legacy/TLSv1.2", "matrix/legacy/client=SSLv23/server=SSLv23",
                  "matrix/legacy/client=TLSv1_2/server=TLSv1_2")
    floor = records["floor/legacy/TLSv1.2"]
    assert floor.outcome == "fail" and "options that pin a version are not honoured" in floor.message, floor.message
    for case_id in ("matrix/legacy/client=SSLv23/server=SSLv23", "matrix/legacy/client=TLSv1_2/server=TLSv1_2"):
        assert records[case_id].outcome == "pass", records[case_id].message
