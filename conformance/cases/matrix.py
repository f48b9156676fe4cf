"""The protocol-version matrix: the spec's table, generalised, over loopback.

Every cell connects a client context to a server context, each described by a
*label*: a ``PROTOCOL_*`` suffix (``TLSv1_2``), or ``SSLv23`` with one
``OP_NO_*`` option (``SSLv23+NO_TLSv1``).  Rows: every protocol against every
protocol, and SSLv23 with each option on either side against every protocol,
under two cipher policies:

``default``  the implementation's own defaults;
``legacy``   ``DEFAULT:@SECLEVEL=0`` through ``set_ciphers`` and, where the
             context has ``minimum_version`` (post-3.2), the floor lowered to
             the minimum supported, so old versions are tested wherever the
             library still has them (without it, ``OP_NO_TLSv1`` has no
             observable effect on CPython >= 3.10 and ignoring it would pass).

The expected outcome comes from ``conformance.judge.oracle`` given both sides'
configuration and their probed capabilities.  Pair case: the client is
``env``, the server ``env.peer``.  A label whose ``PROTOCOL_*`` or ``OP_NO_*``
the implementation lacks makes the cell ``unsupported``.

Contract for report views: ids ``matrix/{policy}/client={client}/server={server}``;
params ``policy``, ``client``, ``server``; observed ``version`` (negotiated or
None), ``expected`` (``Verdict.short()``), ``client`` / ``server`` (impl and
label) and a few details.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from ..judge.protocols import OPTIONS, POLICIES, PROTOCOL_NAMES, VERSIONS
from ..judge import oracle
from ..harness.measurement import describe as describe_cause, non_tls_cause
from ..harness.loopback import TLSSide, tls_pair
from ..harness.registry import CaseFailure, table

PROTOCOLS = PROTOCOL_NAMES
SPEC = "wrap_socket"
#: what every protocol-matrix cell generalises (cells are judged by the oracle, which reads the
#: spec's table for the versions the OpenSSL in use still has)
MATRIX_CITE = ("Here's a table showing which versions in a client (down the side) can connect to which "
               "versions in a server (along the top)")


def parse_label(label: str) -> Tuple[str, Tuple[str, ...]]:
    """``"SSLv23+NO_TLSv1"`` -> ``("SSLv23", ("NO_TLSv1",))``."""
    protocol, *options = label.split("+")
    return protocol, tuple(options)


def _rows() -> List[Dict[str, str]]:
    option_labels = [f"SSLv23+{o}" for o in OPTIONS]
    pairs = [(c, s) for c in PROTOCOLS for s in PROTOCOLS]
    pairs += [(o, s) for o in option_labels for s in PROTOCOLS]
    pairs += [(c, o) for c in PROTOCOLS for o in option_labels]
    return [{"policy": p, "client": c, "server": s} for p in POLICIES for c, s in pairs]


ROWS = _rows()


def require_label(env: Any, label: str) -> None:
    """``Unsupported`` unless ``env.ssl`` has the label's protocol and options."""
    protocol, options = parse_label(label)
    env.const("PROTOCOL_" + protocol)
    for option in options:
        env.const("OP_" + option)


def oracle_side(env: Any, label: str, policy: str, **extra: Any) -> oracle.Side:
    """The oracle's view of ``env``'s context for ``label`` under ``policy``."""
    protocol, options = parse_label(label)
    return oracle.Side(protocol=protocol, options=frozenset(options),
                       capable=frozenset(env.caps.versions(policy)),
                       refused=env.caps.refused(policy), **extra)


def _trusted_chain(env: Any, name: str) -> oracle.Chain:
    from .verify import chain_of
    return chain_of(env.certs, name, "chain")


def side_error(side: Any, ssl_module: Any) -> Optional[str]:
    """What is wrong with a failing side's error, or None if it is a timely SSLError.

    ``ssl_module`` None means a third-party peer: any timely failure will do.
    """
    if side.timed_out:
        return "timed out instead of failing promptly"
    if side.ok or not side.error:
        return "raised nothing"
    if ssl_module is not None and not isinstance(side.error, ssl_module.SSLError):
        return f"raised {type(side.error).__name__} ({side.error}), not SSLError"
    return None


def _check_failure(verdict: oracle.Verdict, sides: Dict[str, Tuple[Any, Any]], what: str,
                   seen: Dict[str, str]) -> None:
    """Some acceptable side failed with an acceptable reason (see ``Verdict.failures``)."""
    problems = []
    for name, reasons in verdict.failures():
        side, ssl_module = sides[name]
        problem = side_error(side, ssl_module)
        if problem is None and ssl_module is not None and side.reason not in reasons:
            problem = f"failed for another reason: {side.reason} ({side.error})"
        if problem is None:
            return
        problems.append(f"the {name} ({'/'.join(reasons)}) {problem}")
    raise CaseFailure(f"{what}: expected {verdict.short()} ({verdict.why}); " + "; ".join(problems),
                      expected=verdict.short(), actual=seen)


def non_tls_lead(sides: Dict[str, Tuple[Any, Any]]) -> str:
    """``"the server raised AttributeError: ... (at x.py:3 in f) -- "`` for the
    first side of the implementation under test that stopped other than with
    a TLS outcome (``conformance.harness.causes``); ``""`` if none did.  A failing
    cell's message starts with it: it is the cause, whatever the oracle said."""
    for name, (side, ssl_module) in sides.items():
        cause = ssl_module is not None and non_tls_cause(side.error, ssl_module)
        if cause:
            return f"the {name} raised {describe_cause(cause)} -- "
    return ""


def judge(verdict: oracle.Verdict, client: Any, server: Any, client_ssl: Any,
          server_ssl: Any, what: str, *, peer: Optional[str] = None) -> None:
    """Compare one connection with the oracle's verdict; raise ``CaseFailure``.

    ``client``/``server`` are ``TLSSide``s, or a ``PeerResult`` for the side
    named by ``peer`` (its ``*_ssl`` is None: a third party's errors are not
    SSLError and its peercert is not judged).  A side that stopped with
    something other than a TLS outcome is named first (:func:`non_tls_lead`).
    """
    sides = {"client": (client, client_ssl), "server": (server, server_ssl)}
    what = non_tls_lead(sides) + what  # every message below starts with it
    seen = {"client": client.describe(), "server": server.describe()}
    if verdict.ok:
        if not (client.ok and server.ok):
            raise CaseFailure(f"{what}: expected a connection with {verdict.version} ({verdict.why}), "
                              f"but it failed", expected=verdict.short(), actual=seen)
        for name, side in (("client", client), ("server", server)):
            if name != peer and side.version != verdict.version:
                raise CaseFailure(f"{what}: {name} negotiated {side.version}, expected {verdict.version} "
                                  f"({verdict.why})", expected=verdict.version, actual=side.version)
        for name, side, form in (("client", client, verdict.client_peercert),
                                 ("server", server, verdict.server_peercert)):
            got = peercert_form(side.peercert) if name != peer else None
            if got is not None and form is not None and got != form:
                raise CaseFailure(f"{what}: the {name}'s getpeercert() is {got} "
                                  f"({side.peercert!r:.80}), expected {form}",
                                  expected=form, actual=got)
        return
    if client.ok and server.ok:
        raise CaseFailure(f"{what}: expected {verdict.short()} ({verdict.why}), "
                          f"but the connection succeeded with {client.version}",
                          expected=verdict.short(), actual=client.version)
    _check_failure(verdict, sides, what, seen)


def judge_impl_side(verdict: oracle.Verdict, mine: TLSSide, theirs: Any, role: str, ssl_module: Any,
                    what: str) -> None:
    """:func:`judge` when only ``role`` is the implementation under test and
    the other side is a third-party peer (``theirs``: a ``PeerResult``)."""
    if role == "client":
        judge(verdict, mine, theirs, ssl_module, None, what, peer="server")
    else:
        judge(verdict, theirs, mine, None, ssl_module, what, peer="client")


def peercert_form(value: Any) -> str:
    """getpeercert() -> "none" / "unvalidated" ({}) / "validated" (dict with subject)."""
    if value is None:
        return "none"
    if value == {}:
        return "unvalidated"
    if isinstance(value, dict) and "subject" in value:
        return "validated"
    return f"unexpected {type(value).__name__}"


def observed(verdict: oracle.Verdict, out: Any, client: str, server: str) -> Dict[str, Any]:
    return {"version": out.client.version if out.ok else None, "expected": verdict.short(),
            "client": client, "server": server,
            "cipher": list(out.client.cipher) if out.ok and out.client.cipher else None,
            "client_reason": out.client.reason, "server_reason": out.server.reason}


@table("matrix/{policy}/client={client}/server={server}", spec=SPEC,
       basis="spec",
       cite=MATRIX_CITE, rows=ROWS, pair=True)
def matrix_cell(env: Any, policy: str, client: str, server: str) -> Dict[str, Any]:
    senv = env.peer or env
    require_label(env, client)
    require_label(senv, server)
    chain = _trusted_chain(env, "server")
    verdict = oracle.expect(
        oracle_side(env, client, policy, verify="REQUIRED", trusts=frozenset({"root-ca"})),
        oracle_side(senv, server, policy, cert=chain))
    cproto, copts = parse_label(client)
    sproto, sopts = parse_label(server)
    cctx = env.context(cproto, options=copts, policy=policy, trust="root-ca", verify="REQUIRED")
    sctx = senv.context(sproto, options=sopts, policy=policy, cert="server")
    out = tls_pair(cctx, sctx, timeout=env.timeout)
    what = f"client {env.impl.name} {client} -> server {senv.impl.name} {server} ({policy} policy)"
    judge(verdict, out.client, out.server, env.ssl, senv.ssl, what)
    return observed(verdict, out, f"{env.impl.name} {client}", f"{senv.impl.name} {server}")
