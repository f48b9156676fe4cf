"""What a key log file (``SSLContext.keylog_filename``, Python 3.8) holds after a connection.

The NSS key log format: one line per secret, ``LABEL <client random> <secret>``
in hex (the client random is 32 bytes: 64 hex digits), ``#`` lines are
comments.  TLS 1.3 logs five secrets per connection, TLS 1.2 (and earlier)
one, ``CLIENT_RANDOM`` (the master secret).  Both sides of one connection log
the same client random.
"""
from __future__ import annotations

import re
from typing import Dict, List, Tuple

__all__ = ["LABELS", "Line", "parse", "malformed"]

LABELS: Dict[str, Tuple[str, ...]] = {
    "TLSv1.3": ("CLIENT_HANDSHAKE_TRAFFIC_SECRET", "SERVER_HANDSHAKE_TRAFFIC_SECRET",
                "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0", "EXPORTER_SECRET"),
    "TLSv1.2": ("CLIENT_RANDOM",),
}

#: (label, client random, secret), hex as written
Line = Tuple[str, str, str]
_LINE = re.compile(r"^([A-Z_0-9]+) ([0-9a-fA-F]{64}) ([0-9a-fA-F]+)$")


def parse(text: str) -> List[Line]:
    """The secret lines of a key log, comments and blank lines left out (malformed ones too:
    see :func:`malformed`)."""
    out = []
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if m:
            out.append((m.group(1), m.group(2).lower(), m.group(3)))
    return out


def malformed(text: str) -> List[str]:
    """Lines that are neither comments, blank, nor NSS secret lines."""
    return [ln for ln in text.splitlines()
            if ln.strip() and not ln.startswith("#") and not _LINE.match(ln.strip())]
