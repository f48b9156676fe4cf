"""What several case tables share: a server context of the server side, a
loopback pair whose side that raised fails the case, a serving body, a
client's view before and after its handshake, a read to a mark or to EOF, a call that must raise, and a name the run's edition documents."""
from __future__ import annotations

import socket
import sys
from typing import Any, Callable, Optional, Tuple

from ..harness.loopback import run_pair
from ..harness.reasons import classify
from ..harness.registry import CaseFailure, Unsupported, expect_equal
from ..judge import availability

__all__ = ["server_ctx", "pair", "side_raised", "serve_tls", "before_and_after", "read_until", "drain", "expect_raises", "absent", "documented",
           "SUPPRESS_RAGGED_EOFS"]

#: the spec's sentence every ragged-EOF case checks
SUPPRESS_RAGGED_EOFS = ("If specified as :const:`True` (the default), it returns a normal EOF in response to "
                        "unexpected EOF errors raised from the underlying socket; if :const:`False`, it will "
                        "raise the exceptions back to the caller.")


def server_ctx(env: Any, verify: str = "NONE", cert: str = "server") -> Any:
    """A server context of the server side's implementation (``env.peer`` in a pair case)."""
    return (env.peer or env).context(cert=cert, trust="root-ca", verify=verify)


def pair(env: Any, client_fn: Callable, server_fn: Callable) -> Tuple[Any, Any]:
    """Run both sides; a side that raised fails the case, naming that side (a side
    whose own check failed first: what the other side met follows from it)."""
    c, s = run_pair(client_fn, server_fn, timeout=env.timeout)
    sides = sorted((("client", c), ("server", s)), key=lambda item: not isinstance(item[1].error, CaseFailure))
    for side, res in sides:
        if res.error is not None:
            raise side_raised(side, res.error) from res.error
    return c.value, s.value


def side_raised(side: str, error: BaseException) -> CaseFailure:
    """The failure of a case whose ``side`` ("client", "server") raised ``error``."""
    return CaseFailure(f"{side} side raised {type(error).__name__}: {error}",
                       actual=f"{type(error).__name__}: {error}")


def serve_tls(ctx: Any, then: Optional[Callable[[Any], Any]] = None) -> Callable:
    """A server body: wrap the accepted socket, run ``then(tls)``, close."""
    def server(sock: socket.socket) -> Any:
        tls = ctx.wrap_socket(sock, server_side=True)
        try:
            return then(tls) if then else None
        finally:
            tls.close()
    return server


def before_and_after(env: Any, client_ctx: Any, server: Any, ask: Callable[[Any], Any]) -> Tuple[Any, Any]:
    """``ask(tls)`` of a client socket of ``client_ctx`` before and after its handshake with
    the server context ``server``: the pair of answers."""
    def client(sock: socket.socket) -> Any:
        tls = client_ctx.wrap_socket(sock, do_handshake_on_connect=False)
        try:
            before = ask(tls)
            tls.do_handshake()
            return before, ask(tls)
        finally:
            tls.close()

    return pair(env, client, serve_tls(server))[0]


def read_until(tls: Any, done: Callable[[bytes], bool], size: int = 1024) -> bytes:
    """Read from ``tls`` until ``done(data)`` or an EOF; what was read (``done`` false at an EOF)."""
    data = b""
    while not done(data):
        chunk = tls.recv(size)
        if not chunk:
            break
        data += chunk
    return data


def drain(tls: Any) -> bytes:
    """Everything ``tls`` reads until EOF."""
    data = b""
    while True:
        chunk = tls.read(4096)
        if not chunk:
            return data
        data += chunk


def expect_raises(env: Any, exc_type: Any, fn: Any, what: str, reason: Optional[str] = None) -> BaseException:
    """Call ``fn``; it must raise ``exc_type`` (and, if given, of ``reason`` category)."""
    try:
        fn()
    except exc_type as exc:
        if reason is not None:
            expect_equal(classify(exc), reason, f"{what}: reason category of {type(exc).__name__}: {exc}")
        return exc
    except Exception as exc:
        raise CaseFailure(f"{what}: expected {exc_type.__name__}, got {type(exc).__name__}: {exc}",
                          expected=exc_type.__name__, actual=f"{type(exc).__name__}: {exc}") from exc
    raise CaseFailure(f"{what}: expected {exc_type.__name__}, nothing was raised",
                      expected=exc_type.__name__, actual="no exception")


def absent(env: Any, name: str, where: str = "") -> Exception:
    """What a missing documented ``name`` is in this run (the exception to raise).

    Inside a case's span of editions a documented name the implementation
    lacks is a failure (``CaseFailure``): the module does not offer that
    edition's API.  The exceptions are the names whose documentation makes
    them conditional, and the condition holds (``judge.availability``: a
    protocol this OpenSSL cannot speak, ``RAND_egd`` on OpenSSL >= 1.1.0, the
    module-level ``wrap_socket`` at the base edition): those are
    ``Unsupported``, with the reason.
    """
    why = availability.excused(name, env.impl.edition, openssl=getattr(env.ssl, "OPENSSL_VERSION_INFO", None),
                               platform=sys.platform,
                               flags={k: getattr(env.ssl, k) for k in dir(env.ssl) if k.startswith("HAS_")})
    if why is not None:
        return Unsupported(name, f"{env.impl.name} does not provide {name} ({why})")
    return CaseFailure(f"{name} is missing from {env.impl.name} {where}".rstrip(), expected="present",
                       actual="absent")


def documented(env: Any, name: str, owner: Any = None) -> Any:
    """``owner.<name>`` (``owner`` defaults to the module under test): a name the
    run's edition documents, so its absence is a failure -- or ``Unsupported``
    where :func:`absent` says its documentation makes it conditional."""
    target = env.ssl if owner is None else owner
    try:
        return getattr(target, name)
    except AttributeError:
        qualified = name if owner is None else f"{type(owner).__name__}.{name}"
        raise absent(env, qualified, f"(documented at edition {env.impl.edition})") from None
