"""A failure's one-line message stays readable whatever the values compared."""
import pytest

from conformance.harness.registry import SHOWN_MAX, CaseFailure, expect_equal

PAYLOAD = bytes(range(256)) * 80


def _message(actual, expected) -> str:
    with pytest.raises(CaseFailure) as info:
        expect_equal(actual, expected, "bytes the peer read")
    return str(info.value)


def test_a_short_value_is_shown_whole():
    assert _message(b"ab", b"ac") == "bytes the peer read: expected b'ac', got b'ab'"


def test_long_byte_strings_are_cut_and_say_where_they_first_differ():
    # the peer read only the first TLS record of a 20,480-byte write
    message = _message(PAYLOAD[:16384], PAYLOAD)
    assert len(message) < 3 * SHOWN_MAX + 200
    assert "(20480 bytes, " in message and "(16384 bytes, " in message
    assert message.endswith("(length 16384, expected 20480; the first difference at offset 16384)")


def test_a_difference_inside_a_long_value_is_located():
    changed = PAYLOAD[:1000] + b"X" + PAYLOAD[1001:]
    assert "the first difference at offset 1000" in _message(changed, PAYLOAD)


def test_the_record_keeps_the_values_in_its_own_form():
    with pytest.raises(CaseFailure) as info:
        expect_equal(PAYLOAD[:16384], PAYLOAD, "bytes")
    assert (info.value.expected, info.value.actual) == ("<20480 bytes>", "<16384 bytes>")
