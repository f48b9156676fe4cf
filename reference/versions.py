"""``TLSVersion``: names for TLS protocol versions (an addition beyond 3.2).

Values are the wire version numbers, like CPython's; ``MINIMUM_SUPPORTED`` and
``MAXIMUM_SUPPORTED`` mean "no bound" for ``SSLContext.minimum_version`` and
``maximum_version``.
"""
from __future__ import annotations

import enum


class TLSVersion(enum.IntEnum):
    MINIMUM_SUPPORTED = -2
    MAXIMUM_SUPPORTED = -1
    SSLv3 = 0x0300
    TLSv1 = 0x0301
    TLSv1_1 = 0x0302
    TLSv1_2 = 0x0303
    TLSv1_3 = 0x0304
