"""The suite's single test function; the plugin makes one item per case.

See ``conformance.plugin`` for how items are generated and
``conformance.harness.runner`` for how each is judged.
"""
import pytest

from conformance.plugin import attach
from conformance.harness.runner import FAILING


def test_conformance(conformance_item, conformance_session, request):
    record = conformance_session.run(conformance_item)
    record.nodeid = request.node.nodeid
    attach(request.node, record.as_json())
    detail = record.message
    if record.expected is not None or record.actual is not None:
        detail += f"\n  expected: {record.expected!r}\n  actual:   {record.actual!r}"
    if record.outcome in FAILING or record.outcome == "flaky":  # a flake is never a pass
        pytest.fail(f"[{record.outcome}] {detail}", pytrace=False)
    if record.outcome == "unsupported":
        pytest.skip(f"unsupported: {record.message}")
    if record.outcome == "deviation":
        pytest.xfail(f"known deviation: {record.reason} ({detail})")
