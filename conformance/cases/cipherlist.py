"""A context's ciphers, ECDH curve and security level: ``get_ciphers`` (3.6), ``set_ecdh_curve`` (3.3),
``security_level`` (3.10).

* ``context/get_ciphers/...``: the documented dict keys; the documentation's
  own example reproduced (``set_ciphers('ECDHE+AESGCM:!ECDSA')``: the two
  ECDHE-RSA AES-GCM suites, with the example's ids, bits and names; TLS 1.3
  suites, which ``set_ciphers`` does not govern, are set aside); the order
  following ``set_ciphers``; and over loopback, the cipher a TLS 1.2
  connection negotiates is one the context listed, with the bits listed.
* ``context/set_ecdh_curve/...``: a server restricted to one curve completes
  ECDHE handshakes (TLS 1.2 and 1.3) with a default client; a name that is no
  curve is refused.
* ``context/security_level/...``: ``@SECLEVEL=n`` in the cipher string is the
  level read back, and it is the level OpenSSL applies: the RSA-1024
  ``weak-key`` leaf (80 bits of security) loads below level 2 and not from
  it.
"""
from __future__ import annotations

from typing import Any, Dict, List

from ..harness.loopback import tls_pair
from ..harness.registry import case, expect_equal, expect_true, table
from .helpers import expect_raises

GET_CIPHERS_CITE = "Get a list of enabled ciphers. The list is in order of cipher priority."

#: the keys of every entry in the documentation's example
KEYS = ["aead", "alg_bits", "auth", "description", "digest", "id", "kea", "name", "protocol", "strength_bits",
        "symmetric"]

#: the documentation's example, all but ``description`` (whose column widths vary between OpenSSL releases)
EXAMPLE = [
    {"aead": True, "alg_bits": 256, "auth": "auth-rsa", "digest": None, "id": 50380848, "kea": "kx-ecdhe",
     "name": "ECDHE-RSA-AES256-GCM-SHA384", "protocol": "TLSv1.2", "strength_bits": 256,
     "symmetric": "aes-256-gcm"},
    {"aead": True, "alg_bits": 128, "auth": "auth-rsa", "digest": None, "id": 50380847, "kea": "kx-ecdhe",
     "name": "ECDHE-RSA-AES128-GCM-SHA256", "protocol": "TLSv1.2", "strength_bits": 128,
     "symmetric": "aes-128-gcm"},
]


def _ciphers(env: Any, selection: str = "") -> List[Dict[str, Any]]:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    if selection:
        ctx.set_ciphers(selection)
    return ctx.get_ciphers()


def _below_13(entries: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The entries ``set_ciphers`` governs: not TLS 1.3's suites."""
    return [e for e in entries if e.get("protocol") != "TLSv1.3"]


@case("context/get_ciphers/documented-keys", spec="SSLContext.get_ciphers", basis="spec", cite=GET_CIPHERS_CITE,
      since="3.6")
def documented_keys(env: Any) -> None:
    entries = _ciphers(env)
    expect_true(isinstance(entries, list) and entries, "get_ciphers() is a non-empty list", actual=repr(entries)[:80])
    wrong = [(e.get("name"), sorted(e)) for e in entries if not isinstance(e, dict) or sorted(e) != KEYS]
    expect_equal(wrong, [], "entries whose keys are not the documented ones")
    for e in entries:
        expect_true(isinstance(e["name"], str) and isinstance(e["id"], int) and isinstance(e["aead"], bool)
                    and isinstance(e["strength_bits"], int) and isinstance(e["description"], str)
                    and e["description"].startswith(e["name"]),
                    f"the entry of {e['name']} has the example's types and a description naming it", actual=e)


@case("context/get_ciphers/documented-example", spec="SSLContext.get_ciphers", basis="spec", cite=GET_CIPHERS_CITE,
      since="3.6")
def documented_example(env: Any) -> None:
    entries = _below_13(_ciphers(env, "ECDHE+AESGCM:!ECDSA"))
    got = [{k: v for k, v in e.items() if k != "description"} for e in entries]
    expect_equal(got, EXAMPLE, "get_ciphers() after set_ciphers('ECDHE+AESGCM:!ECDSA') (TLS 1.2 suites)")
    for e in entries:
        expect_true("TLSv1.2" in e["description"] and "AESGCM" in e["description"],
                    f"the description of {e['name']} names its protocol and cipher", actual=e["description"])


ORDERS = {"aes256-first": ["AES256-GCM-SHA384", "AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384"],
          "aes128-first": ["ECDHE-RSA-AES256-GCM-SHA384", "AES128-GCM-SHA256", "AES256-GCM-SHA384"]}


@table("context/get_ciphers/order-of-set_ciphers/{label}", spec="SSLContext.get_ciphers", basis="spec",
       cite=GET_CIPHERS_CITE, rows=[{"label": label} for label in ORDERS], since="3.6")
def cipher_order(env: Any, label: str) -> None:
    names = ORDERS[label]
    got = [e["name"] for e in _below_13(_ciphers(env, ":".join(names)))]
    expect_equal(got, names, f"get_ciphers() names after set_ciphers({':'.join(names)!r})")


@table("context/get_ciphers/negotiated-is-listed/{selection}", spec="SSLContext.get_ciphers", basis="spec",
       cite=GET_CIPHERS_CITE, since="3.6", pair=True,
       rows=[{"selection": s} for s in ("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
                                         "ECDHE+AESGCM")])
def negotiated_listed(env: Any, selection: str) -> None:
    """A TLS 1.2 connection (the server's ciphers restricted) uses a cipher both contexts list, with its bits."""
    senv = env.peer or env
    client = env.context(trust="root-ca", verify="REQUIRED", options=("NO_TLSv1_3",))
    server = senv.context(cert="server", ciphers=selection)
    out = tls_pair(client, server, timeout=env.timeout)
    expect_true(out.ok, f"a TLS 1.2 handshake with the server's ciphers {selection}", expected="ok",
                actual={"client": out.client.describe(), "server": out.server.describe()})
    for side, ctx in (("client", client), ("server", server)):
        name, _protocol, bits = getattr(out, side).cipher
        listed = {e["name"]: e for e in ctx.get_ciphers()}
        expect_true(name in listed, f"the {side}'s negotiated cipher {name} is in its get_ciphers()",
                    actual=sorted(listed))
        expect_equal(listed[name]["strength_bits"], bits, f"strength_bits of {name} against cipher()[2]")


CURVES = ("prime256v1", "secp384r1", "secp521r1")


@table("context/set_ecdh_curve/{curve}/{version}", spec="SSLContext.set_ecdh_curve", basis="spec",
       cite="The *curve_name* parameter should be a string describing a well-known elliptic curve, for example "
            "``prime256v1`` for a widely supported curve.",
       rows=[{"curve": c, "version": v} for c in CURVES for v in ("TLSv1.2", "TLSv1.3")], since="3.3", pair=True)
def ecdh_curve(env: Any, curve: str, version: str) -> None:
    senv = env.peer or env
    client = env.context(trust="root-ca", verify="REQUIRED", options=("NO_TLSv1_3",) if version == "TLSv1.2" else ())
    server = senv.context(cert="server")
    server.set_ecdh_curve(curve)
    out = tls_pair(client, server, timeout=env.timeout)
    expect_true(out.ok, f"a {version} handshake with a server restricted to {curve}", expected="ok",
                actual={"client": out.client.describe(), "server": out.server.describe()})
    expect_equal(out.client.version, version, "negotiated version")
    if version == "TLSv1.2":
        expect_true(out.client.cipher[0].startswith("ECDHE"), "the TLS 1.2 key exchange is ECDHE",
                    actual=out.client.cipher[0])


@table("context/set_ecdh_curve/unknown-{label}", spec="SSLContext.set_ecdh_curve", basis="cpython",
       cite="CPython raises ValueError for a name that is no OpenSSL curve short name",
       rows=[{"label": "no-such-curve", "name": "no-such-curve"}, {"label": "empty", "name": ""}], since="3.3")
def ecdh_unknown(env: Any, label: str, name: str) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    expect_raises(env, ValueError, lambda: ctx.set_ecdh_curve(name), f"set_ecdh_curve({name!r})")


@table("context/security_level/SECLEVEL-{level}", spec="SSLContext.security_level", basis="spec",
       cite="An integer representing the `security level "
            "<https://docs.openssl.org/master/man3/SSL_CTX_get_security_level/>`_ for the context.",
       rows=[{"level": n} for n in range(4)], since="3.10")
def security_level(env: Any, level: int) -> None:
    """The level set by the cipher string is the one read, and the one OpenSSL enforces on keys."""
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    ctx.set_ciphers(f"DEFAULT:@SECLEVEL={level}")
    value = ctx.security_level
    expect_true(type(value) is int, "security_level is an int", actual=type(value).__name__)
    expect_equal(value, level, f"security_level after @SECLEVEL={level}")
    weak = (env.certs.path("weak-key", "chain"), env.certs.path("weak-key", "key"))
    if level < 2:
        ctx.load_cert_chain(*weak)
    else:
        expect_raises(env, env.ssl.SSLError, lambda: ctx.load_cert_chain(*weak),
                      f"loading an RSA-1024 certificate at security level {level}")


@case("context/security_level/read-only", spec="SSLContext.security_level", basis="cpython",
      cite="CPython refuses assignment to the read-only security_level with AttributeError; the documentation "
           "names no exception", since="3.10")
def security_level_read_only(env: Any) -> None:
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_SSLv23"))
    before = ctx.security_level
    expect_raises(env, AttributeError, lambda: setattr(ctx, "security_level", before + 1), "assigning security_level")
    expect_equal(ctx.security_level, before, "security_level after a refused assignment")


# -- a new context's default cipher list, per edition -----------------------------------------
#: the documentation of SSLContext's defaults: 3.6's sentence, then 3.10's
DEFAULT_CITES = {
    "HIGH-no-NULL-no-MD5": "The initial cipher suite list contains only ``HIGH`` ciphers, no ``NULL`` ciphers and "
                           "no ``MD5`` ciphers.",
    "AES-ChaCha20-forward-secrecy": "The default cipher suites now include only secure AES and ChaCha20 ciphers "
                                    "with forward secrecy and security level 2.",
    "security-level-2": "RSA and DH keys with less than 2048 bits and ECC keys with less than 224 bits are "
                        "prohibited.",
}
DEFAULT_SINCE = {"HIGH-no-NULL-no-MD5": "3.6", "AES-ChaCha20-forward-secrecy": "3.10", "security-level-2": "3.10"}
#: OpenSSL's symmetric ciphers below HIGH (RC4, DES and 3DES, SEED, IDEA) and the only two 3.10 keeps;
#: HIGH is judged by the key (``alg_bits`` of 128 or more), not ``strength_bits``, which OpenSSL 3.5 and
#: later give as 64 for the CCM8 suites it still counts as HIGH
NOT_HIGH = ("rc4", "des", "seed", "idea")
SECURE = ("aes", "chacha20")
#: the key exchanges with forward secrecy (TLS 1.3's suites say ``kx-any``: every TLS 1.3 exchange has it)
FORWARD_SECRET = ("kx-ecdhe", "kx-dhe", "kx-any")


def well_formed(ciphers: List[Dict[str, Any]], keys: Any = ("name", "auth", "symmetric", "kea", "digest")) -> None:
    """Fail naming the keys of ``get_ciphers()`` dicts that are missing or not text (a malformed dict
    would otherwise count as a weak cipher, and the message name the wrong cause)."""
    malformed = sorted({f"{key}: {type(c.get(key)).__name__ if key in c else 'missing'}" for c in ciphers
                        for key in keys if key not in c or not isinstance(c[key], (str, type(None)))})
    expect_equal(malformed, [], "get_ciphers() keys that are missing or not str/None")


def _breaks(rule: str, c: Dict[str, Any]) -> bool:
    symmetric, name = str(c.get("symmetric") or "none"), str(c.get("name"))
    if rule == "HIGH-no-NULL-no-MD5":
        return (symmetric == "none" or "NULL" in name or c.get("digest") == "md5" or name.endswith("MD5")
                or symmetric.startswith(NOT_HIGH) or not isinstance(c.get("alg_bits"), int) or c["alg_bits"] < 128)
    return not symmetric.startswith(SECURE) or c.get("kea") not in FORWARD_SECRET


@table("context/SSLContext/default-ciphers/PROTOCOL_{protocol}/{rule}", spec="SSLContext", basis="spec",
       cite=lambda row: DEFAULT_CITES[row["rule"]], since=lambda row: DEFAULT_SINCE[row["rule"]],
       rows=[{"protocol": p, "rule": r} for p in ("SSLv23", "TLS_CLIENT", "TLS_SERVER") for r in DEFAULT_CITES])
def default_cipher_list(env: Any, protocol: str, rule: str) -> Dict[str, Any]:
    """A new context's ``get_ciphers()`` (before any ``set_ciphers``) keeps the edition's rule."""
    ctx = env.ssl.SSLContext(env.const("PROTOCOL_" + protocol))
    if rule == "security-level-2":
        expect_equal(ctx.security_level, 2, f"security_level of a new PROTOCOL_{protocol} context")
        expect_raises(env, env.ssl.SSLError, lambda: ctx.load_cert_chain(
            env.certs.path("weak-key", "chain"), env.certs.path("weak-key", "key")),
            "loading an RSA-1024 certificate into a new context")
        return {"security_level": 2}
    ciphers = ctx.get_ciphers()
    well_formed(ciphers)
    expect_true(bool(ciphers), f"a new PROTOCOL_{protocol} context enables some cipher", actual=ciphers)
    against = [c.get("name") for c in ciphers if _breaks(rule, c)]
    expect_equal(against, [], f"default ciphers of PROTOCOL_{protocol} against {rule}")
    return {"ciphers": len(ciphers)}
