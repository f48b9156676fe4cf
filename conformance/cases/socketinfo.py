"""What an ``SSLSocket`` tells about its connection: ``version()``,
``shared_ciphers()``, ``pending()``, ``server_side``, ``server_hostname``,
``get_verified_chain()`` and ``get_unverified_chain()``.

Each case runs one connection over loopback (client ``env``, server
``env.peer``; every ordered pair of implementations runs) and asks both ends,
before the handshake where the documentation says what that gives, and
after.  The spans are the documentation's: ``version()`` and
``shared_ciphers()`` appeared in 3.5, the two chains in 3.13 (as lists of
DER-encoded ``bytes``), the A-label in ``server_hostname`` in 3.7.
``pending()``, ``server_side`` and ``server_hostname`` are not in the base
spec (``ssl-3.2.rst``); the current documentation has them (marked 3.2 or not
marked at all), so they are held from the first edition derived from it, 3.3.
"""
from __future__ import annotations

import socket
from typing import Any, Callable, Dict, List, Optional, Tuple

from ..judge.protocols import pin_options
from ..harness.loopback import read_exactly
from ..harness.registry import Unsupported, case, expect_equal, expect_true, table
from .helpers import documented, pair, server_ctx
from .stateful import nodelay

BOTH = ("client", "server")


def _call(env: Any, tls: Any, name: str) -> Any:
    """``tls.<name>()``, a method the run's edition documents."""
    return documented(env, name, tls)()


def _exchange(env: Any, cctx: Any, sctx: Any, ask: Callable[[Any, Any, bool], Any],
              hostname: Optional[str] = None) -> Tuple[Any, Any]:
    """Handshake ``cctx`` with ``sctx``; ``ask(side_env, tls, server_side)`` on each
    side before (``"before"``) and after (``"after"``) it: ((client before, after),
    (server before, after))."""
    senv = env.peer or env

    def side(side_env: Any, ctx: Any, server_side: bool) -> Callable[[socket.socket], Any]:
        def body(sock: socket.socket) -> Any:
            kwargs = {"server_hostname": hostname} if hostname is not None and not server_side else {}
            tls = ctx.wrap_socket(nodelay(sock), server_side=server_side, do_handshake_on_connect=False, **kwargs)
            try:
                before = ask(side_env, tls, server_side)
                tls.do_handshake()
                tls.write(b"!")
                read_exactly(tls, 1)  # both ends have finished the handshake
                return before, ask(side_env, tls, server_side)
            finally:
                tls.close()
        return body

    return pair(env, side(env, cctx, False), side(senv, sctx, True))


def _impl(env: Any, role: str) -> str:
    return (env if role == "client" else (env.peer or env)).impl.name


# -- version() -------------------------------------------------------------------------------

@table("api/SSLSocket.version/{version}", spec="SSLSocket.version", basis="spec",
       cite="Return the actual SSL protocol version negotiated by the connection as a string, or ``None`` if "
            "no secure connection is established.", since="3.5",
       rows=[{"version": "TLSv1.2"}, {"version": "TLSv1.3"}], pair=True)
def version(env: Any, version: str) -> Dict[str, Any]:
    """The client is held to ``version``; both ends report it, and ``None`` before the handshake."""
    options = pin_options(env.ssl, version)
    if options is None:
        raise Unsupported(version, f"{env.impl.name} cannot hold a client to {version}")
    c, s = _exchange(env, env.context(options=options), server_ctx(env),
                     lambda side_env, tls, _: _call(side_env, tls, "version"))
    for role, (before, after) in zip(BOTH, (c, s)):
        expect_equal(before, None, f"the {role}'s ({_impl(env, role)}) version() before the handshake")
        expect_equal(after, version, f"the {role}'s ({_impl(env, role)}) version() of a {version} connection")
    return {"version": version}


# -- shared_ciphers() ------------------------------------------------------------------------

#: the TLS 1.2 suites the client offers (every default server list has them)
OFFERED = ("ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256")


def _shared_and_cipher(side_env: Any, tls: Any, server_side: bool) -> Any:
    return _call(side_env, tls, "shared_ciphers"), tls.cipher()


@case("api/SSLSocket.shared_ciphers/offered-by-the-client", spec="SSLSocket.shared_ciphers", basis="spec",
      cite="Return the list of ciphers available in both the client and server.  Each entry of the returned list "
           "is a three-value tuple containing the name of the cipher, the version of the SSL protocol that defines "
           "its use, and the number of secret bits the cipher uses.", since="3.5", pair=True)
def shared_ciphers(env: Any) -> Dict[str, Any]:
    """A TLS 1.2 client offering three suites a default server has: the server's list is
    those three, as (name, protocol, bits) tuples, the negotiated one among them."""
    options = pin_options(env.ssl, "TLSv1.2")
    if options is None:
        raise Unsupported("TLSv1.2", f"{env.impl.name} cannot hold a client to TLSv1.2")
    _, (_, (shared, cipher)) = _exchange(env, env.context(options=options, ciphers=":".join(OFFERED)),
                                         server_ctx(env), _shared_and_cipher)
    who = f"the server's ({_impl(env, 'server')}) shared_ciphers()"
    expect_true(isinstance(shared, list) and all(isinstance(t, tuple) and len(t) == 3 for t in shared),
                f"{who} is a list of 3-tuples", actual=repr(shared)[:300])
    expect_true(all(isinstance(n, str) and isinstance(v, str) and isinstance(b, int) for n, v, b in shared),
                f"{who}: (name str, protocol str, secret bits int)", actual=shared)
    expect_equal(sorted(n for n, _, _ in shared), sorted(OFFERED), f"{who}: the names of the suites both have")
    expect_true(tuple(cipher) in [tuple(t) for t in shared], f"{who} holds the negotiated cipher()",
                expected=list(cipher), actual=shared)
    return {"shared": len(shared)}


@case("api/SSLSocket.shared_ciphers/None-client-or-before-handshake", spec="SSLSocket.shared_ciphers",
      basis="spec",
      cite=":meth:`~SSLSocket.shared_ciphers` returns ``None`` if no connection has been established, the socket "
           "is a client socket, or the session has been reused.", since="3.5", pair=True)
def shared_ciphers_none(env: Any) -> None:
    c, s = _exchange(env, env.context(), server_ctx(env), lambda side_env, tls, _: _call(side_env, tls,
                                                                                         "shared_ciphers"))
    expect_equal(c, (None, None), f"the client's ({_impl(env, 'client')}) shared_ciphers() before and after")
    expect_equal(s[0], None, f"the server's ({_impl(env, 'server')}) shared_ciphers() before the handshake")


# -- pending() ---------------------------------------------------------------------------------

@case("api/SSLSocket.pending/decrypted-bytes", spec="SSLSocket.pending", basis="spec",
      cite="Returns the number of already decrypted bytes available for read, pending on the connection.",
      since="3.3", pair=True)
def pending(env: Any) -> None:
    """Each end writes 100 bytes in one record; the other reads 10 of them: 90 are pending
    (the record is decrypted whole), then 0 once they are read."""
    def side(side_env: Any, ctx: Any, server_side: bool) -> Callable[[socket.socket], List[int]]:
        def body(sock: socket.socket) -> List[int]:
            tls = ctx.wrap_socket(nodelay(sock), server_side=server_side)
            try:
                seen = [_call(side_env, tls, "pending")]
                if server_side:
                    tls.write(bytes(100))
                got = tls.read(10)
                seen += [len(got), _call(side_env, tls, "pending")]
                read_exactly(tls, 90)
                seen.append(_call(side_env, tls, "pending"))
                if not server_side:
                    tls.write(bytes(100))
                    read_exactly(tls, 1)  # until the server has read it all and closed
                return seen
            finally:
                tls.close()
        return body

    senv = env.peer or env
    c, s = pair(env, side(env, env.context(), False), side(senv, server_ctx(env), True))
    for role, seen in zip(BOTH, (c, s)):
        expect_equal(seen, [0, 10, 90, 0], f"the {role}'s ({_impl(env, role)}) pending() before any data, "
                     "the bytes read(10) returned, pending() after it, and after reading the rest")


# -- server_side / server_hostname --------------------------------------------------------------

@case("api/SSLSocket.server_side/client-and-server", spec="SSLSocket.server_side", basis="spec",
      cite="A boolean which is ``True`` for server-side sockets and ``False`` for client-side sockets.",
      since="3.3", pair=True)
def server_side(env: Any) -> None:
    c, s = _exchange(env, env.context(), server_ctx(env),
                     lambda side_env, tls, _: documented(side_env, "server_side", tls))
    for role, seen, want in (("client", c, False), ("server", s, True)):
        expect_true(all(type(v) is bool for v in seen) and seen == (want, want),
                    f"the {role}'s ({_impl(env, role)}) server_side before and after the handshake",
                    expected=[want, want], actual=list(seen))


_HOSTNAME_CITE = ("Hostname of the server: :class:`str` type, or ``None`` for server-side socket or if the "
                  "hostname was not specified in the constructor.")
HOSTNAMES = [
    {"form": "given", "hostname": "localhost", "want": "localhost", "fixture": "server", "since": "3.3",
     "cite": _HOSTNAME_CITE},
    {"form": "not-given", "hostname": None, "want": None, "fixture": "server", "since": "3.3",
     "cite": _HOSTNAME_CITE},
    {"form": "idn-a-label", "hostname": "b\u00fccher.example", "want": "xn--bcher-kva.example",
     "fixture": "host-idn", "since": "3.7",
     "cite": "When ``server_hostname`` is an internationalized domain name (IDN), this attribute now stores the "
             "A-label form (``\"xn--pythn-mua.org\"``), rather than the U-label form (``\"pyth\u00f6n.org\"``)."},
]


@table("api/SSLSocket.server_hostname/{form}", spec="SSLSocket.server_hostname", basis="spec",
       cite=lambda row: row["cite"], since=lambda row: row["since"], rows=HOSTNAMES, pair=True)
def server_hostname(env: Any, form: str, hostname: Optional[str], want: Optional[str], fixture: str,
                    since: str, cite: str) -> None:
    """The client names the server (or not); the server side's attribute is ``None`` regardless."""
    sctx = (env.peer or env).context(cert=fixture)
    c, s = _exchange(env, env.context(), sctx, lambda side_env, tls, _: documented(side_env, "server_hostname", tls),
                     hostname=hostname)
    expect_equal(c, (want, want), f"the client's ({_impl(env, 'client')}) server_hostname before and after "
                 f"the handshake, given {hostname!r}")
    expect_true(want is None or all(type(v) is str for v in c), "server_hostname is a str", actual=list(c))
    expect_equal(s, (None, None), f"the server's ({_impl(env, 'server')}) server_hostname")


# -- get_verified_chain() / get_unverified_chain() ---------------------------------------------

def _ders(env: Any, *names: str) -> List[bytes]:
    return [env.ssl.PEM_cert_to_DER_cert(env.certs.read(n)) for n in names]


def _leaf_and_intermediate(env: Any, name: str) -> str:
    """A certfile with ``name``'s leaf and the intermediate, not the root: the chain a peer
    sends then differs from the one verification builds."""
    path = env.tmp_path / f"{name}+intermediate.pem"
    path.write_text(env.certs.read(name) + env.certs.read("intermediate-ca"), encoding="ascii")
    return str(path)


def _chains(env: Any, verify: bool, *methods: str) -> Tuple[Any, Any]:
    """``methods`` (``get_verified_chain`` ...) asked on both ends of a connection in which
    each end sends its leaf and the intermediate; with ``verify``, each verifies the other
    against the root."""
    senv = env.peer or env
    cctx = env.context(certfile=_leaf_and_intermediate(env, "client"), keyfile=env.certs.path("client", "key"))
    sctx = senv.context(certfile=_leaf_and_intermediate(senv, "server"), keyfile=senv.certs.path("server", "key"))
    if verify:
        for ctx, e in ((cctx, env), (sctx, senv)):
            ctx.load_verify_locations(e.certs.path("root-ca"))
            ctx.verify_mode = e.const("CERT_REQUIRED")

    def ask(side_env: Any, tls: Any, server_side: bool) -> Any:
        return tuple(_call(side_env, tls, m) for m in methods)

    return _exchange(env, cctx, sctx, ask)


def _expect_ders(got: Any, want: List[bytes], what: str) -> None:
    expect_true(isinstance(got, list) and all(type(d) is bytes for d in got), f"{what} is a list of bytes",
                actual=repr(got)[:200])
    expect_equal([d.hex()[:64] for d in got], [d.hex()[:64] for d in want], f"{what} (DER, leaf first)")
    expect_true(got == want, f"{what}: the DER of each certificate, byte for byte")


@case("api/SSLSocket.get_unverified_chain/as-sent", spec="SSLSocket.get_unverified_chain", basis="spec",
      cite="Returns raw certificate chain provided by the other end of the SSL channel as a list of DER-encoded "
           "bytes.", since="3.13", pair=True)
def unverified_chain(env: Any) -> None:
    c, s = _chains(env, True, "get_unverified_chain")
    _expect_ders(c[1][0], _ders(env, "server", "intermediate-ca"),
                 f"the client's ({_impl(env, 'client')}) get_unverified_chain()")
    _expect_ders(s[1][0], _ders(env, "client", "intermediate-ca"),
                 f"the server's ({_impl(env, 'server')}) get_unverified_chain()")


@case("api/SSLSocket.get_verified_chain/to-the-root", spec="SSLSocket.get_verified_chain", basis="spec",
      cite="Returns verified certificate chain provided by the other end of the SSL channel as a list of "
           "DER-encoded bytes.", since="3.13", pair=True)
def verified_chain(env: Any) -> None:
    """Verification completes the sent chain with the trusted root."""
    c, s = _chains(env, True, "get_verified_chain")
    _expect_ders(c[1][0], _ders(env, "server", "intermediate-ca", "root-ca"),
                 f"the client's ({_impl(env, 'client')}) get_verified_chain()")
    _expect_ders(s[1][0], _ders(env, "client", "intermediate-ca", "root-ca"),
                 f"the server's ({_impl(env, 'server')}) get_verified_chain()")


@case("api/SSLSocket.get_verified_chain/verification-disabled", spec="SSLSocket.get_verified_chain",
      basis="spec",
      cite="If certificate verification was disabled method acts the same as :meth:`~SSLSocket.get_unverified_chain`.",
      since="3.13", pair=True)
def verified_chain_unverified(env: Any) -> None:
    c, _ = _chains(env, False, "get_verified_chain", "get_unverified_chain")
    verified, unverified = c[1]
    _expect_ders(unverified, _ders(env, "server", "intermediate-ca"),
                 f"the CERT_NONE client's ({_impl(env, 'client')}) get_unverified_chain()")
    _expect_ders(verified, unverified, f"the CERT_NONE client's ({_impl(env, 'client')}) get_verified_chain()")
