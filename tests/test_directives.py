"""The reader of the documentation's directives (conformance/judge/directives.py), on small texts."""
from conformance.judge import directives

TEXT = """\
Functions, Constants, and Exceptions
------------------------------------

.. function:: create_default_context(purpose=Purpose.SERVER_AUTH, *,\\
                                     cafile=None, capath=None, cadata=None)

   Body.

   .. versionadded:: 3.4

   .. versionchanged:: 3.4.4

     RC4 was dropped.

.. exception:: SSLError

   Body.

   .. versionchanged:: 3.3
      Now OSError.

   .. attribute:: library

      Text.

      .. versionadded:: 3.3

.. data:: ALERT_DESCRIPTION_HANDSHAKE_FAILURE
          ALERT_DESCRIPTION_INTERNAL_ERROR
          ALERT_DESCRIPTION_*

   Alerts.

   .. versionadded:: 3.4

.. attribute:: TLSVersion.MINIMUM_SUPPORTED
.. attribute:: TLSVersion.MAXIMUM_SUPPORTED

   Magic.

   .. deprecated:: 3.10

SSL Contexts
------------

.. versionadded:: 3.2

.. function:: get_server_certificate(addr, ssl_version=PROTOCOL_TLS_CLIENT, \\
                                     ca_certs=None[, timeout])

.. method:: MemoryBIO.read(n=-1, /)

.. method:: SSLSocket.get_channel_binding(cb_type="tls-unique")
"""


def _by_name():
    return {d.name: d for d in directives.read(TEXT)}


def test_names_are_qualified_inside_a_class_or_exception_block_and_wildcards_left_out():
    found = _by_name()
    assert list(found) == ["create_default_context", "SSLError", "SSLError.library",
                           "ALERT_DESCRIPTION_HANDSHAKE_FAILURE", "ALERT_DESCRIPTION_INTERNAL_ERROR",
                           "TLSVersion.MINIMUM_SUPPORTED", "TLSVersion.MAXIMUM_SUPPORTED",
                           "get_server_certificate", "MemoryBIO.read", "SSLSocket.get_channel_binding"]
    assert found["SSLError.library"].written == "attribute:: library"
    assert found["ALERT_DESCRIPTION_INTERNAL_ERROR"].written == (
        "data:: ALERT_DESCRIPTION_HANDSHAKE_FAILURE ALERT_DESCRIPTION_INTERNAL_ERROR")
    assert found["ALERT_DESCRIPTION_INTERNAL_ERROR"].wildcards == ("ALERT_DESCRIPTION_*",)
    assert found["SSLError"].section == "Functions, Constants, and Exceptions"
    assert found["MemoryBIO.read"].section == "SSL Contexts"


def test_markers_belong_to_their_own_directive_and_a_stacked_group_shares_them():
    found = _by_name()
    assert [(m.kind, m.release) for m in found["create_default_context"].markers] == [
        ("versionadded", "3.4"), ("versionchanged", "3.4.4")]
    assert found["create_default_context"].markers[1].text == "RC4 was dropped."
    assert [(m.kind, m.release) for m in found["SSLError"].markers] == [("versionchanged", "3.3")]
    assert [(m.kind, m.release) for m in found["SSLError.library"].markers] == [("versionadded", "3.3")]
    assert found["TLSVersion.MINIMUM_SUPPORTED"].markers == found["TLSVersion.MAXIMUM_SUPPORTED"].markers != []
    assert found["get_server_certificate"].markers == []      # the section's 3.2 is no directive's


def test_signatures_continued_bracketed_positional_and_keyword_only():
    found = _by_name()
    ccd = found["create_default_context"].params
    assert [(p.name, p.default, p.keyword_only) for p in ccd] == [
        ("purpose", "Purpose.SERVER_AUTH", False), ("cafile", "None", True), ("capath", "None", True),
        ("cadata", "None", True)]
    gsc = found["get_server_certificate"].params
    assert [(p.name, p.required, p.optional) for p in gsc] == [
        ("addr", True, False), ("ssl_version", False, False), ("ca_certs", False, False), ("timeout", False, True)]
    (n,) = found["MemoryBIO.read"].params
    assert (n.name, n.default, n.positional_only) == ("n", "-1", True)
    assert found["SSLSocket.get_channel_binding"].params[0].default == '"tls-unique"'
    assert found["SSLError"].params is None


def test_release_edition():
    assert directives.release_edition("3.6.3") == "3.6" and directives.release_edition("3.10") == "3.10"
