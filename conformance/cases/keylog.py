"""``SSLContext.keylog_filename`` (Python 3.8): TLS secrets in the NSS key log format.

Pairs over loopback, held to TLS 1.2 or TLS 1.3 by ``minimum_version`` /
``maximum_version``: the logging side's file gets exactly one line per
secret its version has (``conformance.judge.keylog.LABELS``), all of one
client random; both sides' files name the same client random; a second
connection appends to the file, which keeps what it held.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

from ..harness.loopback import tls_pair
from ..harness.registry import expect_equal, expect_true, table
from ..judge.keylog import LABELS, Line, malformed, parse

SINCE = "3.8"
FORMAT = "The file format is specified by NSS and used by many traffic analyzers such as Wireshark."
APPEND = "The log file is opened in append-only mode."
MEMBER = {"TLSv1.2": "TLSv1_2", "TLSv1.3": "TLSv1_3"}


def _connect(env: Any, version: str, client_log: Any = None, server_log: Any = None) -> None:
    member = MEMBER[version]
    cctx = env.context(minimum=member, maximum=member)
    sctx = (env.peer or env).context(cert="server", minimum=member, maximum=member)
    if client_log is not None:
        cctx.keylog_filename = str(client_log)
    if server_log is not None:
        sctx.keylog_filename = str(server_log)
    out = tls_pair(cctx, sctx, timeout=env.timeout)
    expect_true(out.ok, f"a {version} handshake completes", expected="ok",
                actual={"client": out.client.describe(), "server": out.server.describe()})


def _lines(path: Path) -> List[Line]:
    text = path.read_text(encoding="ascii") if path.exists() else ""
    expect_equal(malformed(text), [], f"lines of {path.name} that are not NSS key log lines")
    return parse(text)


def _one_of_each(lines: List[Line], version: str, what: str, times: int = 1) -> None:
    counts = Counter(label for label, _, _ in lines)
    expect_equal(dict(counts), {label: times for label in LABELS[version]}, f"labels in {what}")


@table("keylog/labels/{side}/{version}", spec="SSLContext.keylog_filename", basis="spec", cite=FORMAT,
       pair=True, since=SINCE, rows=[{"side": s, "version": v} for s in ("client", "server") for v in LABELS])
def labels(env: Any, side: str, version: str) -> Dict[str, Any]:
    """The logging side's file: one line per secret of ``version``, one client random."""
    path = env.tmp_path / f"{side}.keylog"
    _connect(env, version, **{f"{side}_log": path})
    lines = _lines(path)
    _one_of_each(lines, version, f"the {side}'s key log")
    expect_equal(len({random for _, random, _ in lines}), 1, "client randoms in one connection's lines")
    return {"labels": sorted({label for label, _, _ in lines})}


@table("keylog/client-random-matches/{version}", spec="SSLContext.keylog_filename", basis="spec", cite=FORMAT,
       pair=True, since=SINCE, rows=[{"version": v} for v in LABELS])
def client_random_matches(env: Any, version: str) -> None:
    """Both sides log the connection's one client random (and, per label, the same secret)."""
    cpath, spath = env.tmp_path / "client.keylog", env.tmp_path / "server.keylog"
    _connect(env, version, client_log=cpath, server_log=spath)
    mine, theirs = _lines(cpath), _lines(spath)
    expect_equal(sorted(mine), sorted(theirs), "the client's and the server's key log lines")


@table("keylog/appended/{version}", spec="SSLContext.keylog_filename", basis="spec", cite=APPEND,
       pair=True, since=SINCE, rows=[{"version": v} for v in LABELS])
def appended(env: Any, version: str) -> None:
    """What the file held stays; two connections are two sets of lines, of two client randoms."""
    path = env.tmp_path / "client.keylog"
    path.write_text("# kept\n", encoding="ascii")
    _connect(env, version, client_log=path)
    _connect(env, version, client_log=path)
    expect_equal(path.read_text(encoding="ascii").splitlines()[0], "# kept", "the file's first line")
    lines = _lines(path)
    _one_of_each(lines, version, "the key log of two connections", times=2)
    expect_equal(len({random for _, random, _ in lines}), 2, "client randoms of two connections")
