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
(the machine is shared); the whole file runs in a few seconds.  The socket
sequences run over loopback with a stdlib server, every socket with a timeout.
"""
from __future__ import annotations

import socket
import ssl
import string
import threading
import warnings
from typing import Any, Callable, List, Optional, Tuple

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

import reference  # noqa: E402
from test_reference_support import TIMEOUT, cert, stdlib_server_context  # noqa: E402

BUDGET = settings(max_examples=150, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])
PARAM_BUDGET = settings(max_examples=40, deadline=None, derandomize=True,
                        suppress_health_check=[HealthCheck.too_slow])
IO_BUDGET = settings(max_examples=25, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

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


def _body_has_non_base64(pem: str) -> bool:
    """True when the PEM's body holds a character that is neither base64 nor whitespace."""
    body = pem.strip()[len(reference.PEM_HEADER):-len(reference.PEM_FOOTER)]
    return any(c not in B64 + "=" and not c.isspace() for c in body)


@BUDGET
@given(pems)
def test_PEM_cert_to_DER_cert_agrees_but_for_the_strict_body(text):
    std, ref = both(lambda m: m.PEM_cert_to_DER_cert(text))
    if std != ref and _body_has_non_base64(text):
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

anything = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(allow_nan=False),
                     st.text(max_size=8), st.binary(max_size=8), st.lists(st.integers(), max_size=2))
small_ints = st.one_of(st.integers(-3, 12), anything)


def _context(m: Any) -> Any:
    return m.SSLContext(m.PROTOCOL_SSLv23)


def _not_str(value: Any) -> bool:
    """Decision (reference/functions.py): a text argument that is not a str is a TypeError;
    CPython duck-types it and raises what the object does (AttributeError for None,
    ValueError for bytes...)."""
    return not isinstance(value, str)


def _none(value: Any) -> bool:
    """Decision (reference/context.py): ``SSLContext(None)`` is a TypeError, as in 3.2;
    CPython >= 3.10 takes None for its later default protocol."""
    return value is None


def _options_decision(value: Any) -> bool:
    """Decision (reference/context.py; badinput/SSLContext.options/int-too-large): an int
    that does not fit 64 bits without sign is a ValueError (a wrong value of the right
    type); CPython raises OverflowError."""
    return isinstance(value, int) and not isinstance(value, bool) and (value < 0 or value >> 64)


#: what the reference raises where a decision applies
DECIDED = {_not_str: "TypeError", _none: "TypeError", _options_decision: "ValueError"}

#: parameter: (call of the module, the documented-difference predicate of the argument or None)
PARAMETERS = {
    "SSLContext(protocol)": (lambda m, v: m.SSLContext(v), _none),
    "SSLContext.options": (lambda m, v: setattr(_context(m), "options", v), _options_decision),
    "SSLContext.verify_mode": (lambda m, v: setattr(_context(m), "verify_mode", v), None),
    "SSLContext.set_ciphers(ciphers)": (lambda m, v: _context(m).set_ciphers(v), None),
    "SSLContext.load_cert_chain(certfile)": (lambda m, v: _context(m).load_cert_chain(v), None),
    "SSLContext.load_cert_chain(keyfile)": (
        lambda m, v: _context(m).load_cert_chain(cert("server-chain.pem"), v), None),
    "SSLContext.load_verify_locations(cafile)": (lambda m, v: _context(m).load_verify_locations(v), None),
    "SSLContext.load_verify_locations(capath)": (
        lambda m, v: _context(m).load_verify_locations(None, v), None),
    "RAND_add(bytes)": (lambda m, v: m.RAND_add(v, 0.0), None),
    "RAND_add(entropy)": (lambda m, v: m.RAND_add(b"x", v), None),
    "cert_time_to_seconds(timestring)": (lambda m, v: m.cert_time_to_seconds(v), _not_str),
    "PEM_cert_to_DER_cert(PEM_cert_string)": (lambda m, v: m.PEM_cert_to_DER_cert(v), _not_str),
}


@pytest.mark.parametrize("parameter", sorted(PARAMETERS))
def test_argument_validation_raises_the_same_kind(parameter):
    call, decision = PARAMETERS[parameter]

    @PARAM_BUDGET
    @given(small_ints if "protocol" in parameter or "verify_mode" in parameter else anything)
    def check(value):
        std, ref = both(lambda m: call(m, value))
        if decision is not None and decision(value):
            assert ref[0] == DECIDED[decision], (parameter, value, std, ref)
            return
        assert std[0] == ref[0], (parameter, value, std, ref)

    check()


# -- socket I/O sequences ----------------------------------------------------------------------

RECORD = 16384


@st.composite
def io_sequences(draw: Any) -> Tuple[bool, List[Tuple[Any, ...]]]:
    """``(suppress_ragged_eofs, steps)``: a client's calls interleaved with a stdlib server's.

    A model of the connection keeps every step answerable without waiting on chance: the
    client reads only what the server has written (at most what is left of the current
    record, so one call returns exactly that much with any OpenSSL) or, once the server
    has closed, as often as it likes; it writes only while the server is there.
    """
    suppress = draw(st.booleans())
    records: List[int] = []  # what is left of each record the server wrote, unread
    to_server, closed, steps = 0, False, []
    for _ in range(draw(st.integers(1, 12))):
        choices = ["server_write", "server_close"] if not closed else []
        if not closed:
            choices += ["write", "sendall"]
        if to_server:
            choices.append("server_read")
        if records or closed:
            choices += ["read", "recv", "recv_into", "read_buffer"]
        if closed and not records:
            choices.append("makefile_read")
        if not choices:
            break
        op = draw(st.sampled_from(choices))
        if op == "server_write":
            n = draw(st.integers(1, RECORD))
            records.append(n)
            steps.append((op, n))
        elif op in ("write", "sendall"):
            n = draw(st.integers(1, 70000))
            to_server += n
            steps.append((op, n))
        elif op == "server_read":
            steps.append((op, to_server))
            to_server = 0
        elif op == "server_close":
            steps.append((op, draw(st.sampled_from(["clean", "ragged"]))))
            closed = True
            if to_server:  # the server reads what it was sent before it goes
                steps.insert(-1, ("server_read", to_server))
                to_server = 0
        elif records:
            n = draw(st.integers(1, records[0]))
            records[0] -= n
            if not records[0]:
                records.pop(0)
            steps.append((op, n))
        else:
            steps.append((op, draw(st.integers(1, 100))))
    return suppress, steps


SERVER_STEPS = ("server_write", "server_read", "server_close")


def _server(ctx: Any, conn: socket.socket, orders: "queue.Queue", answers: "queue.Queue") -> None:
    """The stdlib side: carries out server steps as they come, answers each."""
    raw = conn.dup()
    tls = ctx.wrap_socket(conn, server_side=True)
    try:
        while True:
            step = orders.get(timeout=TIMEOUT)
            if step is None:
                return
            op, arg = step
            if op == "server_write":
                tls.sendall(_bytes(arg, 7))
                answers.put(None)
            elif op == "server_read":
                got = b""
                while len(got) < arg:
                    chunk = tls.recv(arg - len(got))
                    if not chunk:
                        break
                    got += chunk
                answers.put(got)
            else:  # server_close
                if arg == "clean":
                    tls.setblocking(False)
                    try:
                        tls.unwrap()  # sends close_notify, then would wait for ours
                    except ssl.SSLError:
                        pass
                else:
                    raw.shutdown(socket.SHUT_RDWR)
                answers.put(None)
    finally:
        tls.close()
        raw.close()


def _bytes(n: int, seed: int) -> bytes:
    return bytes((i * 31 + seed) & 0xFF for i in range(n))


CLIENT_CALLS = {
    "write": lambda tls, n: tls.write(_bytes(n, 3)),
    "sendall": lambda tls, n: tls.sendall(_bytes(n, 3)),
    "read": lambda tls, n: tls.read(n),
    "recv": lambda tls, n: tls.recv(n),
    "recv_into": lambda tls, n: _into(lambda b: tls.recv_into(b, n), n),
    "read_buffer": lambda tls, n: _into(lambda b: tls.read(n, b), n),
    "makefile_read": lambda tls, n: _makefile_read(tls),
}


def _into(call: Callable[[bytearray], int], n: int) -> Tuple[int, bytes]:
    buf = bytearray(n)
    count = call(buf)
    return count, bytes(buf[:count])


def _makefile_read(tls: Any) -> bytes:
    with tls.makefile("rb") as f:
        return f.read()


def run_sequence(module: Any, suppress: bool, steps: List[Tuple[Any, ...]]) -> List[Any]:
    """What the client of ``module`` observed at each step, against a stdlib server."""
    import queue

    orders: queue.Queue = queue.Queue()
    answers: queue.Queue = queue.Queue()
    listener = socket.socket()
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    box: List[BaseException] = []

    def serve() -> None:
        try:
            conn, _ = listener.accept()
            conn.settimeout(TIMEOUT)
            _server(stdlib_server_context(), conn, orders, answers)
        except BaseException as exc:  # reported below
            box.append(exc)
            answers.put(exc)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    seen: List[Any] = []
    try:
        sock = socket.create_connection(listener.getsockname(), timeout=TIMEOUT)
        ctx = module.SSLContext(module.PROTOCOL_SSLv23)
        tls = ctx.wrap_socket(sock, suppress_ragged_eofs=suppress)
        try:
            for op, arg in steps:
                if op in SERVER_STEPS:
                    orders.put((op, arg))
                    seen.append((op, answers.get(timeout=TIMEOUT)))
                else:
                    seen.append((op,) + kind(module, lambda: CLIENT_CALLS[op](tls, arg)))
        finally:
            orders.put(None)
            tls.close()
    finally:
        thread.join(2 * TIMEOUT)
        listener.close()
    assert not box, box
    return seen


@IO_BUDGET
@given(io_sequences())
def test_socket_io_sequences_agree(sequence):
    suppress, steps = sequence
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        std = run_sequence(ssl, suppress, steps)
    ref = run_sequence(reference, suppress, steps)
    assert ref == std, (suppress, steps)
