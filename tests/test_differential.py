"""``reference`` against the stdlib ``ssl``, on inputs neither of us chose: hypothesis.

Each property feeds the same generated arguments to both modules and compares
what a program can observe -- the value, or the *kind* of exception (``SSLError``,
``TypeError``, ``ValueError``, ``OverflowError``, ``OSError``...).  A difference
is either fixed in ``reference/`` or is one of the reasoned decisions written in
the reference's docstrings and the README ("How the reference reads the spec");
those are listed once here, in ``DECISIONS``, each a predicate that recognises
exactly the inputs it covers, and a test asserts the documented difference
holds there -- a decision that stops being true fails too.

Bounded in time: each property has a fixed example budget and no deadline
(the machine is shared); the whole file runs in a few seconds.  Live
connections (the ``SSLSocket`` methods, I/O sequences) are in
``test_differential_io.py``.
"""
from __future__ import annotations

import re
import socket
import ssl
import string
import warnings
from typing import Any, Callable, Tuple

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reference  # noqa: E402
from test_reference_support import TIMEOUT, cert  # noqa: E402

BUDGET = settings(max_examples=150, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])
PARAM_BUDGET = settings(max_examples=40, deadline=None, derandomize=True,
                        suppress_health_check=[HealthCheck.too_slow])

warnings.filterwarnings("ignore", category=DeprecationWarning, module=__name__)


def kind(module: Any, call: Callable[[], Any]) -> Tuple[str, Any]:
    """``("ok", value)`` or ``(family, None)`` for the exception ``call()`` raised."""
    try:
        return "ok", call()
    except module.SSLError:
        return "SSLError", None
    except Exception as exc:  # noqa: BLE001 - classified below
        for family in (TypeError, ValueError, OverflowError, OSError, AttributeError, NotImplementedError):
            if isinstance(exc, family):
                return family.__name__, None
        return type(exc).__name__, None


def both(call: Callable[[Any], Any]) -> Tuple[Tuple[str, Any], Tuple[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return kind(ssl, lambda: call(ssl)), kind(reference, lambda: call(reference))


# -- cert_time_to_seconds ------------------------------------------------------------------------

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
spaces = st.text(alphabet=" \t\n\u00a0\u2003", min_size=0, max_size=3)
digits = st.text(alphabet=string.digits + "\u0663", min_size=0, max_size=5)
cert_times = st.one_of(
    st.builds(lambda m, s1, d, s2, h, mi, se, s3, y, s4, z, tail: f"{m}{s1}{d}{s2}{h}:{mi}:{se}{s3}{y}{s4}{z}{tail}",
              st.sampled_from(MONTHS + ("may", "MAY", "Mai", "Xyz", " Ma")), spaces, digits, spaces,
              digits, digits, digits, spaces, digits, spaces, st.sampled_from(["GMT", "gmt", "UTC", ""]),
              st.sampled_from(["", " ", "\n", "Z"])),
    st.text(max_size=30),
)


@BUDGET
@given(cert_times)
def test_cert_time_to_seconds_agrees(text):
    std, ref = both(lambda m: m.cert_time_to_seconds(text))
    assert std[0] == ref[0], (text, std, ref)
    if std[0] == "ok":
        assert isinstance(ref[1], float) and ref[1] == std[1], (text, std, ref)


@pytest.mark.parametrize("value", [b"May  9 00:00:00 2007 GMT", bytearray(b"May  9 00:00:00 2007 GMT")])
def test_cert_time_to_seconds_decision_bytes_are_a_type_error(value):
    """Decision (``_not_str`` below): a bytes time is the wrong type; CPython slices it,
    finds no str month and says ValueError."""
    std, ref = both(lambda m: m.cert_time_to_seconds(value))
    assert (std[0], ref[0]) == ("ValueError", "TypeError")


# -- PEM_cert_to_DER_cert / DER_cert_to_PEM_cert -------------------------------------------------

B64 = string.ascii_letters + string.digits + "+/"
pem_bodies = st.text(alphabet=B64 + "=\n \r\t", max_size=120)
pems = st.one_of(
    st.builds(lambda lead, body, tail: lead + reference.PEM_HEADER + body + reference.PEM_FOOTER + tail,
              st.sampled_from(["", "\n", " "]), pem_bodies, st.sampled_from(["", "\n", " \n", "x"])),
    st.builds(lambda der, junk, at: _spliced(reference.DER_cert_to_PEM_cert(der), junk, at),
              st.binary(max_size=90), st.sampled_from(["", "!", "-", "é", "*", "\x00"]), st.integers(0, 200)),
    st.text(max_size=40),
)


def _spliced(pem: str, junk: str, at: int) -> str:
    """``junk`` put into the base64 body of ``pem`` (never into the armor lines)."""
    start, end = len(reference.PEM_HEADER), len(pem) - len(reference.PEM_FOOTER) - 1
    at = start + at % max(1, end - start)
    return pem[:at] + junk + pem[at:]


def _body_not_base64(pem: str) -> bool:
    """True when the PEM's body, whitespace removed, is not base64: a character outside
    the alphabet, or ``=`` anywhere but at the end (CPython's decoder skips or stops)."""
    body = "".join(pem.strip()[len(reference.PEM_HEADER):-len(reference.PEM_FOOTER)].split())
    return not re.fullmatch("[A-Za-z0-9+/]*={0,2}", body)


@BUDGET
@given(pems)
def test_PEM_cert_to_DER_cert_agrees_but_for_the_strict_body(text):
    std, ref = both(lambda m: m.PEM_cert_to_DER_cert(text))
    if std != ref and _body_not_base64(text):
        # Decision (reference/functions.py): a body with other characters is no PEM.
        assert (std[0], ref[0]) == ("ok", "ValueError"), (text, std, ref)
        return
    assert std == ref, (text, std, ref)


@BUDGET
@given(st.one_of(st.binary(max_size=300), st.builds(bytearray, st.binary(max_size=80)),
                 st.builds(memoryview, st.binary(max_size=80)), st.text(max_size=5), st.integers(), st.none()))
def test_DER_cert_to_PEM_cert_agrees_and_round_trips(value):
    std, ref = both(lambda m: m.DER_cert_to_PEM_cert(value))
    assert std == ref, (value, std, ref)
    if ref[0] == "ok":
        assert reference.PEM_cert_to_DER_cert(ref[1]) == bytes(value)


# -- argument validation of the documented parameters -----------------------------------------

boundaries = st.sampled_from([-1, 2**31 - 1, 2**31, -2**31 - 1, 2**63, 2**64, -2**64])
anything = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), boundaries, st.floats(allow_nan=False),
                     st.text(max_size=8), st.binary(max_size=8), st.lists(st.integers(), max_size=2))
small_ints = st.one_of(st.integers(-3, 12), boundaries, anything)


def _context(m: Any) -> Any:
    return m.SSLContext(m.PROTOCOL_SSLv23)


# The reasoned decisions, each recognising exactly the arguments it covers; DECIDED says
# what the reference raises there (the stdlib raises something else, or nothing).

def _not_str(value: Any) -> bool:
    """reference/functions.py: a text argument that is not a str is a TypeError; CPython
    duck-types it and raises what the object does (AttributeError for None, ValueError for
    bytes...)."""
    return not isinstance(value, str)


def _none(value: Any) -> bool:
    """reference/context.py: ``SSLContext(None)`` is a TypeError, as in 3.2; CPython >= 3.10
    takes None for its later default protocol."""
    return value is None


def _beyond_c_int(value: Any) -> bool:
    """reference/context.py: an int out of range is a ValueError (a wrong value of the right
    type); CPython converts protocol, verify_mode, cert_reqs and ssl_version to a C int
    first and raises OverflowError beyond it."""
    return type(value) is int and not -2**31 <= value < 2**31


def _beyond_64_bits(value: Any) -> bool:
    """reference/context.py (badinput/SSLContext.options/int-too-large): options are OpenSSL's
    64 bits without sign; anything else is a ValueError.  CPython converts to a signed C
    long: it takes a negative value and raises OverflowError past 63 bits."""
    return type(value) is int and (value < 0 or value >> 64)


def _top_bit(value: Any) -> bool:
    """The other side of ``_beyond_64_bits``: the reference takes bit 63, CPython's signed
    C long cannot hold it (OverflowError)."""
    return type(value) is int and 2**63 <= value < 2**64


def _not_a_socket(value: Any) -> bool:
    """reference/sslsocket.py: wrapping what is not a ``socket.socket`` is a TypeError;
    CPython duck-types it (AttributeError for most objects)."""
    return not isinstance(value, socket.socket)


def _falsy_non_path(value: Any) -> bool:
    """reference/functions.py: a ``ca_certs`` that is no path is a TypeError before anything
    connects; CPython loads only a truthy one, so ``False``, ``0`` or ``[]`` slip through to
    the connection (refused here: OSError)."""
    return value is not None and not value and not isinstance(value, (str, bytes))


def _cipher_text(value: Any) -> bool:
    """Not a decision of ours: what a cipher string selects is OpenSSL's to say, and the
    two modules run different OpenSSL releases (4.0 takes ``"sHA256"``, 3.0 selects
    nothing); either way the reference answers as OpenSSL does."""
    return isinstance(value, str) and "\0" not in value


#: what the reference does where a decision applies (one of these kinds)
DECIDED = {_not_str: ("TypeError",), _none: ("TypeError",), _beyond_c_int: ("ValueError",),
           _beyond_64_bits: ("ValueError",), _top_bit: ("ok",), _not_a_socket: ("TypeError",),
           _falsy_non_path: ("TypeError",), _cipher_text: ("ok", "SSLError")}


def _wrapped(m: Any, **kwargs: Any) -> None:
    """Module-level ``wrap_socket`` of an unconnected socket (no I/O) with ``kwargs``."""
    sock = socket.socket()
    try:
        m.wrap_socket(sock, **kwargs).close()
    finally:
        sock.close()


_PLAIN = object()  #: "wrap a fresh unconnected socket"


def _context_wrapped(m: Any, sock: Any = _PLAIN, **kwargs: Any) -> None:
    plain = socket.socket()
    try:
        _context(m).wrap_socket(plain if sock is _PLAIN else sock, **kwargs).close()
    finally:
        plain.close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _refused(m: Any, **kwargs: Any) -> Any:
    return m.get_server_certificate(("127.0.0.1", _closed_port()), **kwargs)


@pytest.fixture(autouse=True)
def _bounded_connects() -> Any:
    """``get_server_certificate`` has no timeout in 3.2: both modules take the default one."""
    before = socket.getdefaulttimeout()
    socket.setdefaulttimeout(TIMEOUT)
    yield
    socket.setdefaulttimeout(before)


#: get_server_certificate connects: only addresses that cannot reach anyone (a closed
#: port on loopback, ports out of range, no address at all); never a host name
addresses = st.one_of(st.none(), st.integers(), st.binary(max_size=4), st.lists(st.integers(), max_size=2),
                      st.builds(lambda p: ("127.0.0.1", p), st.sampled_from([-1, 65536, 1 << 40])),
                      st.builds(lambda: ("127.0.0.1", _closed_port())))

#: parameter: (call of the module with the value, the values, the decisions that cover some)
PARAMETERS: dict = {
    "SSLContext(protocol)": (lambda m, v: m.SSLContext(v), small_ints, (_none, _beyond_c_int)),
    "SSLContext.options": (lambda m, v: setattr(_context(m), "options", v), anything,
                           (_beyond_64_bits, _top_bit)),
    "SSLContext.verify_mode": (lambda m, v: setattr(_context(m), "verify_mode", v), small_ints,
                               (_beyond_c_int,)),
    "SSLContext.set_ciphers(ciphers)": (lambda m, v: _context(m).set_ciphers(v), anything, (_cipher_text,)),
    "SSLContext.load_cert_chain(certfile)": (lambda m, v: _context(m).load_cert_chain(v), anything, ()),
    "SSLContext.load_cert_chain(keyfile)": (
        lambda m, v: _context(m).load_cert_chain(cert("server-chain.pem"), v), anything, ()),
    "SSLContext.load_verify_locations(cafile)": (
        lambda m, v: _context(m).load_verify_locations(v), anything, ()),
    "SSLContext.load_verify_locations(capath)": (
        lambda m, v: _context(m).load_verify_locations(None, v), anything, ()),
    "SSLContext.wrap_socket(sock)": (lambda m, v: _context_wrapped(m, v), anything, (_not_a_socket,)),
    "RAND_add(bytes)": (lambda m, v: m.RAND_add(v, 0.0), anything, ()),
    "RAND_add(entropy)": (lambda m, v: m.RAND_add(b"x", v), anything, ()),
    "cert_time_to_seconds(timestring)": (lambda m, v: m.cert_time_to_seconds(v), anything, (_not_str,)),
    "PEM_cert_to_DER_cert(PEM_cert_string)": (lambda m, v: m.PEM_cert_to_DER_cert(v), anything, (_not_str,)),
    "get_server_certificate(addr)": (lambda m, v: m.get_server_certificate(v), addresses, ()),
    "get_server_certificate(ssl_version)": (lambda m, v: _refused(m, ssl_version=v), small_ints,
                                            (_beyond_c_int,)),
    "get_server_certificate(ca_certs)": (lambda m, v: _refused(m, ca_certs=v), anything, (_falsy_non_path,)),
}
for _name in ("server_side", "do_handshake_on_connect", "suppress_ragged_eofs"):
    PARAMETERS[f"SSLContext.wrap_socket({_name})"] = (
        lambda m, v, name=_name: _context_wrapped(m, **{name: v}), anything, ())
for _name in ("keyfile", "certfile", "server_side", "cert_reqs", "ssl_version", "ca_certs",
              "do_handshake_on_connect", "suppress_ragged_eofs", "ciphers"):
    _ints = _name in ("cert_reqs", "ssl_version")
    PARAMETERS[f"wrap_socket({_name})"] = (lambda m, v, name=_name: _wrapped(m, **{name: v}),
                                           small_ints if _ints else anything, (_beyond_c_int,) if _ints else ())


@pytest.mark.parametrize("parameter", sorted(PARAMETERS))
def test_argument_validation_raises_the_same_kind(parameter):
    call, values, decisions = PARAMETERS[parameter]

    @PARAM_BUDGET
    @given(values)
    def check(value):
        std, ref = both(lambda m: call(m, value))
        decided = [DECIDED[d] for d in decisions if d(value)]
        if decided:
            assert ref[0] in decided[0], (parameter, value, std, ref)
            return
        assert std[0] == ref[0], (parameter, value, std, ref)

    check()
