"""``OP_NO_*`` on both sides at once: the rules the single-option matrix cannot reach.

With one option per side the matrix never shows what happens when both ends
have a hole in their versions: a client keeps only its lowest contiguous run
(``SSLv23+NO_TLSv1_2`` offers TLS 1.0-1.1 only), a server keeps everything
not disabled, and a server that settles below TLS 1.2 while it has TLS 1.2
marks the downgrade, which a client able to go higher must refuse
("inappropriate fallback").  Every pair of single-option SSLv23 labels, both
policies; judged by the oracle exactly as the matrix is (same observed keys).
"""
from __future__ import annotations

from typing import Any, Dict

from ..judge.protocols import OPTIONS, POLICIES
from .matrix import matrix_cell
from ..harness.registry import table

ROWS = [{"policy": p, "client": f"SSLv23+{c}", "server": f"SSLv23+{s}"}
        for p in POLICIES for c in OPTIONS for s in OPTIONS]


@table("options/{policy}/client={client}/server={server}", spec="SSLContext.options",
       basis="spec",
       cite="It prevents the peers from choosing TLSv1 as the protocol version.", rows=ROWS, pair=True)
def both_sides(env: Any, policy: str, client: str, server: str) -> Dict[str, Any]:
    return matrix_cell(env, policy=policy, client=client, server=server)
