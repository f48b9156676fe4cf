"""The module-level functions of the ``ssl`` API.

Decisions where the 3.2 text is dated:

* ``wrap_socket``'s default ``ssl_version`` is ``PROTOCOL_SSLv23`` on both
  sides (the text says SSLv3 for clients, which modern OpenSSL no longer
  has; SSLv23 is what "maximum compatibility" means today, and it reaches
  TLS 1.3).  ``get_server_certificate`` uses the same default (3.5 documents
  it as ``PROTOCOL_TLS``, the same protocol; 3.10 as ``PROTOCOL_TLS_CLIENT``:
  see :mod:`reference.editions`); it verifies the server only when given
  ``ca_certs``, in every edition.
* ``cert_time_to_seconds`` reads the time as UTC, because certificates say
  "GMT".  The 3.2 example's ``1178694000.0`` is what the old implementation
  (``time.mktime``, local time) gave in a UTC-7 zone; the true UTC value for
  ``"May  9 00:00:00 2007 GMT"`` is ``1178668800.0``.  Month names are matched
  from a fixed English list, never through the locale.  The result is a
  float, as documented until 3.5, which reads the time as UTC in so many
  words and returns an integer (the edition's ``cert_time_to_seconds``, see
  :mod:`reference.editions`; :func:`seconds_of_cert_time` is the one reading
  behind both).  What it accepts is exactly what CPython accepts (the
  spec gives no grammar; CPython's is the de-facto one): the month by its first
  three letters in any case, then ``time.strptime``'s fields for
  ``" %d %H:%M:%S %Y GMT"`` -- whitespace as one or more, letters in any case,
  seconds up to 61, and a day up to 31 in every month, counting on into the
  next (``"Feb 31"`` is March 3rd).
* A text argument that is not a ``str`` (``cert_time_to_seconds``,
  ``PEM_cert_to_DER_cert``) is a ``TypeError``; CPython duck-types it and fails
  as the object does (``AttributeError`` for ``None``, ``ValueError`` for bytes).
  ``get_server_certificate``'s ``ca_certs``, when given, must be a path
  (``TypeError`` before connecting); CPython loads only a truthy one, so
  ``False`` or ``0`` go unchecked into a connection that verifies against nothing.
* ``PEM_cert_to_DER_cert`` wants the header at the very start, like CPython,
  and a body of base64 and whitespace only, ``=`` only at its end: CPython's
  ``base64.decodebytes`` silently skips any other character and what follows a
  misplaced ``=`` (so two certificates in one string decode to garbage), where
  the reference raises ``ValueError``.
* ``RAND_egd`` speaks the EGD protocol itself (OpenSSL 1.1.0 removed its own
  EGD client): it asks the daemon for 256 bytes in requests of at most 255
  ("read entropy", command 0x01, reply = count byte + bytes), mixes what it
  got into OpenSSL's generator with ``RAND_add`` and returns the byte count.
"""
from __future__ import annotations

import base64
import calendar
import operator
import os
import re
import socket
from typing import Any, Optional, Tuple

from . import constants as _c
from .context import SSLContext
from .errors import SSLError

PEM_HEADER = "-----BEGIN CERTIFICATE-----"
PEM_FOOTER = "-----END CERTIFICATE-----"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
#: after the month: CPython's ``time.strptime(rest, " %d %H:%M:%S %Y GMT")``, field for field
_CERT_TIME = re.compile(r"\s+(3[01]|[12]\d|0[1-9]|[1-9]| [1-9])\s+(2[0-3]|[0-1]\d|\d):([0-5]\d|\d):"
                        r"(6[0-1]|[0-5]\d|\d)\s+(\d\d\d\d)\s+GMT", re.IGNORECASE)


def wrap_socket(
    sock: socket.socket,
    keyfile: Any = None,
    certfile: Any = None,
    server_side: bool = False,
    cert_reqs: int = _c.CERT_NONE,
    ssl_version: Optional[int] = None,
    ca_certs: Any = None,
    do_handshake_on_connect: bool = True,
    suppress_ragged_eofs: bool = True,
    ciphers: Optional[str] = None,
) -> Any:
    """Wrap ``sock`` in an ``SSLSocket`` with a context built from the arguments."""
    if ssl_version is None:
        ssl_version = _c.PROTOCOL_SSLv23
    if server_side and not certfile:
        raise ValueError("certfile must be specified for server-side operations")
    if keyfile and not certfile:
        raise ValueError("certfile must be specified")
    context = SSLContext(ssl_version)
    context.verify_mode = cert_reqs
    if ca_certs:
        context.load_verify_locations(ca_certs)
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    if ciphers:
        context.set_ciphers(ciphers)
    return context.wrap_socket(
        sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake_on_connect,
        suppress_ragged_eofs=suppress_ragged_eofs,
    )


# -- random numbers ----------------------------------------------------------------------
def _lib() -> Any:
    from OpenSSL._util import lib

    return lib


def RAND_status() -> bool:
    """True when OpenSSL's generator has been seeded with enough randomness."""
    return bool(_lib().RAND_status())


def RAND_bytes(num: int, /) -> bytes:
    """``num`` cryptographically strong random bytes (3.3).

    The binding under the reference has no ``RAND_bytes``; the bytes come from
    the operating system's generator (``os.urandom``), which is what OpenSSL 3
    seeds its own from."""
    num = operator.index(num)
    if num < 0:
        raise ValueError("num must be positive")
    return os.urandom(num)


def RAND_add(bytes: Any, entropy: float) -> None:  # noqa: A002 - the documented name
    """Mix ``bytes`` (str or bytes-like) into the generator, crediting ``entropy`` bytes."""
    if isinstance(bytes, str):
        data = bytes.encode("utf-8")
    else:
        try:
            data = memoryview(bytes).tobytes()
        except TypeError:
            raise TypeError("RAND_add() argument 1 must be str or bytes-like, not %s" % type(bytes).__name__) from None
    _lib().RAND_add(data, len(data), _real(entropy, "RAND_add() argument 2"))


_STRINGS = (str, bytes, bytearray)


def _real(value: Any, what: str) -> float:
    """``value`` as a float when it is a real number (``__float__`` or ``__index__``, bool
    included), as CPython's ``"d"`` argument converter takes it; a string is none."""
    kind = type(value)
    if isinstance(value, _STRINGS) or not (hasattr(kind, "__float__") or hasattr(kind, "__index__")):
        raise TypeError("%s must be a float, not %s" % (what, kind.__name__))
    return float(value)


def RAND_egd(path: Any, timeout: float = 5.0) -> int:
    """Read 256 bytes from the entropy-gathering daemon at ``path`` and mix them in.

    Returns the number of bytes obtained; raises ``SSLError`` when the daemon
    cannot be reached or gives nothing.
    """
    try:
        address = os.fspath(path)
    except TypeError:
        raise TypeError("RAND_egd() path must be str or bytes, not %s" % type(path).__name__) from None
    wanted, data = 256, b""
    failure = "EGD connection failed or EGD did not return enough data to seed the PRNG"
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as egd:
            egd.settimeout(timeout)
            egd.connect(address)
            while len(data) < wanted:
                ask = min(255, wanted - len(data))
                egd.sendall(bytes((0x01, ask)))
                count = _recv_exactly(egd, 1)[0]
                if count == 0:
                    break
                data += _recv_exactly(egd, count)
    except OSError as exc:
        if not data:
            raise SSLError(_c.SSL_ERROR_SYSCALL, "%s (%s)" % (failure, exc)) from None
    if not data:
        raise SSLError(_c.SSL_ERROR_SSL, failure)
    RAND_add(data, float(len(data)))
    return len(data)


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = b""
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise OSError("EGD closed the connection")
        chunks += chunk
    return chunks


# -- certificates -----------------------------------------------------------------------------
def seconds_of_cert_time(text: str) -> int:
    """Whole seconds since the epoch for a certificate time like ``"May  9 00:00:00 2007 GMT"`` (UTC).

    The one reading of a certificate time: ``cert_time_to_seconds`` of every
    edition calls it (a float until 3.5, an int from then on).
    """
    if not isinstance(text, str):
        raise TypeError("cert_time_to_seconds() needs a str, not %s" % type(text).__name__)
    month = text[:3].title()
    match = _CERT_TIME.fullmatch(text, 3)
    if month not in _MONTHS or match is None:
        raise ValueError("time data %r does not match format \"%%b %%d %%H:%%M:%%S %%Y GMT\"" % (text,))
    day, hour, minute, second, year = (int(field) for field in match.groups())
    try:
        return calendar.timegm((year, _MONTHS.index(month) + 1, day, hour, minute, second, 0, 0, 0))
    except ValueError:  # year 0000
        raise ValueError("time data %r is out of range" % (text,)) from None


def cert_time_to_seconds(timestring: str) -> float:
    """Seconds since the epoch for a certificate time like ``"May  9 00:00:00 2007 GMT"``, as a float
    (the 3.2 text; read as UTC, see the module docstring)."""
    return float(seconds_of_cert_time(timestring))


def DER_cert_to_PEM_cert(der_cert_bytes: Any) -> str:
    """PEM text (64-column base64 between the CERTIFICATE armor lines) for DER bytes."""
    try:
        raw = memoryview(der_cert_bytes).tobytes()
    except TypeError:
        raise TypeError("DER_cert_to_PEM_cert() needs bytes, not %s" % type(der_cert_bytes).__name__) from None
    body = base64.standard_b64encode(raw).decode("ascii")
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return "\n".join([PEM_HEADER, *lines, PEM_FOOTER]) + "\n"


def PEM_cert_to_DER_cert(pem_cert_string: str) -> bytes:
    """The DER bytes inside a PEM certificate; ``ValueError`` when it is not one."""
    if not isinstance(pem_cert_string, str):
        raise TypeError("PEM_cert_to_DER_cert() needs a str, not %s" % type(pem_cert_string).__name__)
    text = pem_cert_string.strip()
    if not pem_cert_string.startswith(PEM_HEADER):
        raise ValueError("Invalid PEM encoding; must start with %s" % PEM_HEADER)
    if not text.endswith(PEM_FOOTER):
        raise ValueError("Invalid PEM encoding; must end with %s" % PEM_FOOTER)
    body = "".join(text[len(PEM_HEADER):-len(PEM_FOOTER)].split())
    try:
        return base64.b64decode(body.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise ValueError("Invalid PEM encoding; the base64 body does not decode: %s" % exc) from None


def get_server_certificate(
    addr: Tuple[str, int],
    ssl_version: Optional[int] = None,
    ca_certs: Any = None,
    timeout: Optional[float] = None,
) -> str:
    """Connect to ``addr``, fetch the server's certificate and return it as PEM.

    With ``ca_certs`` the certificate must validate against those roots, or
    ``SSLError`` is raised.  ``timeout`` (an addition) bounds every socket
    operation; by default the global socket timeout applies.
    """
    return fetch_server_certificate(addr, _c.PROTOCOL_SSLv23 if ssl_version is None else ssl_version, ca_certs,
                                    timeout)


def fetch_server_certificate(addr: Tuple[str, int], ssl_version: int, ca_certs: Any,
                             timeout: Optional[float]) -> str:
    """What ``get_server_certificate`` of every edition does once its defaults are filled in.

    The context verifies the server against ``ca_certs`` when they are given
    and not at all otherwise, whatever the protocol's own defaults (3.10's
    ``PROTOCOL_TLS_CLIENT`` verifies and checks the host name by itself).
    """
    host, port = addr
    context = SSLContext(ssl_version)
    if getattr(context, "check_hostname", False):
        context.check_hostname = False
    if ca_certs is not None:
        context.verify_mode = _c.CERT_REQUIRED
        context.load_verify_locations(ca_certs)
    else:
        context.verify_mode = _c.CERT_NONE
    sock = socket.create_connection((host, port), timeout if timeout is not None else socket.getdefaulttimeout())
    try:
        with context.wrap_socket(sock) as tls:
            der = tls.getpeercert(True)
    finally:
        sock.close()
    return DER_cert_to_PEM_cert(der)
