"""Controls and the evidence a fault ended the connection (``conformance.harness.control``)."""
import types

import pytest

from conformance.harness.control import CONTROL_FAILED, control, ended_after, ended_by_cut
from conformance.harness.registry import CaseFailure, Unsupported
from conformance.harness.relay import Cut


def test_a_control_that_completes_hands_its_result_on():
    assert control("an echo", lambda: "echoed", lambda r: None) == "echoed"


def test_a_control_that_does_not_complete_fails_the_case_with_its_cause():
    with pytest.raises(CaseFailure) as info:
        control("an echo", lambda: "garbled", lambda r: f"the echo came back {r}")
    assert info.value.message == f"{CONTROL_FAILED}: an echo: the echo came back garbled"

    def hangs():
        raise CaseFailure("client side did not come back: SSLError: unexpected message", actual="SSLError")

    with pytest.raises(CaseFailure, match=f"^{CONTROL_FAILED}: an echo: client side did not come back") as info:
        control("an echo", hangs, lambda r: None)
    assert info.value.actual == "SSLError"


def test_a_control_that_needs_a_missing_capability_is_unsupported():
    def needs():
        raise Unsupported("OP_NO_TLSv1_3", "no such option")

    with pytest.raises(Unsupported):
        control("an echo", needs, lambda r: None)


def test_a_side_must_stop_after_the_fault():
    ended_after("the reset", 10.0, "server", 10.5)
    with pytest.raises(CaseFailure, match="never happened"):
        ended_after("the reset", None, "server", 10.5)
    with pytest.raises(CaseFailure, match="stopped before the fault"):
        ended_after("the reset", 10.0, "server", 9.0)


def _relay(cut):
    return types.SimpleNamespace(cut_event=cut)


def test_the_cut_must_be_the_one_injected_where_it_was_injected():
    cut = Cut("rst", 10.0, {"c2s": 1, "s2c": 0})
    ended_by_cut(_relay(cut), "server", 10.1, mode="rst", direction="c2s", records=1)
    with pytest.raises(CaseFailure, match="with 'rst', not with the relay's fin"):
        ended_by_cut(_relay(cut), "server", 10.1, mode="fin")
    with pytest.raises(CaseFailure, match="cut after 1 record"):
        ended_by_cut(_relay(cut), "server", 10.1, mode="rst", direction="c2s", records=2)
    with pytest.raises(CaseFailure, match="never happened"):
        ended_by_cut(_relay(None), "server", 10.1, mode="rst", direction="c2s", records=1)
    with pytest.raises(CaseFailure, match="stopped before"):
        ended_by_cut(_relay(cut), "server", 9.9, mode="rst")
