"""Local servers for the stdlib's own TLS consumers: HTTPS, SMTP with STARTTLS, FTP with AUTH TLS.

Each server takes an ``SSLContext`` of the implementation playing the server
side and runs in one thread on loopback; each is a context manager that
yields ``(host, port)`` and a :class:`Transcript` of what it saw, and on exit
stops, joins its thread (within a bound) and closes every socket.

* :func:`https_server` is ``http.server`` as its documentation shows it: the
  listening socket wrapped with ``ctx.wrap_socket(..., server_side=True)``,
  so the handshake runs in the implementation's ``SSLSocket.accept``.  It
  answers ``GET`` with :data:`BODY`.
* :func:`smtp_server` speaks just enough SMTP (RFC 5321/3207) for
  ``smtplib.SMTP.starttls``: greeting, ``EHLO`` (offering ``STARTTLS``),
  ``STARTTLS``, ``EHLO`` again over TLS (its last line is :data:`TOKEN`),
  ``NOOP``, ``QUIT``.  ``smtpd`` left the stdlib in 3.12, so it is written here.
* :func:`ftp_server` is a minimal FTP control channel with ``AUTH TLS``
  (RFC 4217), ``USER``/``PASS``, ``PBSZ``/``PROT P``, ``PASV`` and ``NLST``,
  whose data connection is TLS too and carries :data:`LISTING`.  The stdlib
  has no FTP server, so this is the only server side ``ftplib.FTP_TLS`` can
  have locally.

Every socket has the case's timeout; nothing here imports outside the stdlib.
"""
from __future__ import annotations

import contextlib
import dataclasses
import http.server
import socket
import sys
import threading
from typing import Any, Callable, Iterator, List, Optional, Tuple

from ..harness.hubs import HarnessThread
from ..harness.loopback import LOOPBACK, serve

__all__ = ["Transcript", "https_server", "smtp_server", "ftp_server", "BODY", "TOKEN", "LISTING"]

#: what the HTTPS server answers to every GET: a client must receive it intact
BODY = b"conformance body \x00\xff " + bytes(range(256)) * 8
#: the last line of the SMTP server's EHLO answer over TLS
TOKEN = "conformance-over-tls"
#: the FTP server's NLST listing, sent over the TLS data connection
LISTING = ["conformance-a.txt", "conformance-b.txt"]


@dataclasses.dataclass
class Transcript:
    """What a server saw: the commands (or request lines) it read, in order,
    and the errors its TLS side raised (handshakes it refused, broken reads)."""

    commands: List[str] = dataclasses.field(default_factory=list)
    errors: List[BaseException] = dataclasses.field(default_factory=list)

    def error_text(self) -> str:
        return "; ".join(f"{type(e).__name__}: {e}" for e in self.errors) or "none"


# -- HTTPS -------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    transcript: Transcript
    timeout: float  # StreamRequestHandler sets it on every connection

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.transcript.commands.append(self.requestline)
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(BODY)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *args: Any) -> None:  # quiet
        pass


class _TLSHTTPServer(http.server.HTTPServer):
    transcript: Transcript

    def get_request(self) -> Tuple[Any, Any]:
        try:
            return super().get_request()  # the implementation's SSLSocket.accept: the handshake
        except Exception as exc:
            self.transcript.errors.append(exc)
            raise

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.transcript.errors.append(sys.exc_info()[1])


@contextlib.contextmanager
def https_server(ctx: Any, *, timeout: float) -> Iterator[Tuple[Tuple[str, int], Transcript]]:
    """``http.server.HTTPServer`` on loopback, its listening socket wrapped by ``ctx``."""
    transcript = Transcript()
    handler = type("Handler", (_Handler,), {"transcript": transcript, "timeout": timeout})
    httpd = _TLSHTTPServer((LOOPBACK[socket.AF_INET], 0), handler, bind_and_activate=True)
    httpd.transcript = transcript
    httpd.timeout = 0.05  # handle_request() waits this long for a connection
    stop = threading.Event()
    try:
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    except BaseException:
        httpd.server_close()
        raise

    def loop() -> None:
        while not stop.is_set():
            httpd.handle_request()

    thread = HarnessThread(loop, name="https-server")  # frees a cooperative library's hub at its end
    thread.start()
    try:
        yield httpd.server_address[:2], transcript
    finally:
        stop.set()
        thread.join(3 * timeout)
        httpd.server_close()
        if thread.is_alive():
            transcript.errors.append(TimeoutError(f"the HTTPS server did not stop within {3 * timeout:g}s"))


# -- line-oriented servers (SMTP, FTP) ---------------------------------------

class _Lines:
    """Read CRLF lines from a socket (plain or TLS) and write replies."""

    def __init__(self, sock: Any, transcript: Transcript):
        self.sock, self.transcript, self.buf = sock, transcript, b""

    def read(self) -> Optional[str]:
        while b"\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        text = line.rstrip(b"\r").decode("ascii", "replace")
        self.transcript.commands.append(text)
        return text

    def reply(self, *lines: str) -> None:
        self.sock.sendall("".join(line + "\r\n" for line in lines).encode("ascii"))


def _upgrade(ctx: Any, conn: socket.socket, lines: _Lines) -> Optional[_Lines]:
    """Wrap ``conn`` as a TLS server; None (and the error kept) if the handshake fails."""
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except Exception as exc:
        lines.transcript.errors.append(exc)
        return None
    return _Lines(tls, lines.transcript)


@contextlib.contextmanager
def _line_server(body: Any, *, timeout: float) -> Iterator[Tuple[Tuple[str, int], Transcript]]:
    transcript = Transcript()

    def server(conn: socket.socket) -> None:
        try:
            body(conn, _Lines(conn, transcript))
        except Exception as exc:
            transcript.errors.append(exc)

    with serve(server, timeout=timeout) as address:
        yield address, transcript


#: what a command's answer asks of the loop after it: nothing, the TLS handshake, the end
_UPGRADE, _QUIT = "upgrade", "quit"


def _command_loop(ctx: Any, conn: socket.socket, lines: _Lines,
                  answer: Callable[[str, _Lines, bool], Optional[str]]) -> None:
    """Read commands until the client's end or one whose answer is :data:`_QUIT`.

    ``answer(verb, lines, secured)`` replies to one command (its verb in upper
    case, ``secured`` once the handshake is done); :data:`_UPGRADE` makes
    ``ctx`` the server of ``conn`` from then on (STARTTLS, AUTH TLS), the
    session ends if that handshake fails.
    """
    secured = False
    while True:
        cmd = lines.read()
        if cmd is None:
            return
        step = answer(cmd.split(" ", 1)[0].upper(), lines, secured)
        if step == _QUIT:
            return
        if step == _UPGRADE:
            upgraded = _upgrade(ctx, conn, lines)
            if upgraded is None:
                return
            lines, secured = upgraded, True


def smtp_server(ctx: Any, *, timeout: float) -> Any:
    """One SMTP session whose ``STARTTLS`` makes ``ctx`` the server of the rest."""

    def answer(verb: str, lines: _Lines, secured: bool) -> Optional[str]:
        if verb in ("EHLO", "HELO"):
            lines.reply("250-localhost", "250 " + (TOKEN if secured else "STARTTLS"))
        elif verb == "STARTTLS":
            lines.reply("220 2.0.0 Ready to start TLS")
            return _UPGRADE
        elif verb == "NOOP":
            lines.reply("250 2.0.0 OK")
        elif verb == "QUIT":
            lines.reply("221 2.0.0 Bye")
            return _QUIT
        else:
            lines.reply("502 5.5.1 not implemented")
        return None

    def session(conn: socket.socket, lines: _Lines) -> None:
        lines.reply("220 localhost ESMTP conformance")
        _command_loop(ctx, conn, lines, answer)

    return _line_server(session, timeout=timeout)


def ftp_server(ctx: Any, *, timeout: float) -> Any:
    """One FTP session: ``AUTH TLS`` on the control channel, ``PROT P`` data over TLS."""

    def session(conn: socket.socket, lines: _Lines) -> None:
        data: Optional[socket.socket] = None

        def answer(verb: str, lines: _Lines, secured: bool) -> Optional[str]:
            nonlocal data
            if verb == "AUTH":
                if secured:
                    lines.reply("503 AUTH TLS already done: the control channel is TLS")
                    return None
                lines.reply("234 AUTH TLS successful")
                return _UPGRADE
            elif verb == "USER":
                lines.reply("331 password please")
            elif verb == "PASS":
                lines.reply("230 logged in")
            elif verb in ("PBSZ", "PROT", "TYPE"):
                lines.reply("200 OK")
            elif verb == "PASV":
                data = socket.socket()
                data.settimeout(timeout)
                data.bind((LOOPBACK[socket.AF_INET], 0))
                data.listen(1)
                port = data.getsockname()[1]
                lines.reply("227 Entering Passive Mode (127,0,0,1,%d,%d)" % (port >> 8, port & 255))
            elif verb == "NLST" and data is not None:
                lines.reply("150 listing follows")
                _send_listing(ctx, data, lines.transcript)
                data.close()
                data = None
                lines.reply("226 done")
            elif verb == "QUIT":
                lines.reply("221 bye")
                return _QUIT
            else:
                lines.reply("502 not implemented")
            return None

        lines.reply("220 conformance FTP")
        try:
            _command_loop(ctx, conn, lines, answer)
        finally:
            if data is not None:
                data.close()

    return _line_server(session, timeout=timeout)


def _send_listing(ctx: Any, listener: socket.socket, transcript: Transcript) -> None:
    conn, _ = listener.accept()
    conn.settimeout(listener.gettimeout())
    with conn:
        try:
            tls = ctx.wrap_socket(conn, server_side=True)
        except Exception as exc:
            transcript.errors.append(exc)
            return
        try:
            tls.sendall("".join(name + "\r\n" for name in LISTING).encode("ascii"))
            with contextlib.suppress(OSError, ValueError):
                tls.unwrap()  # close_notify; the client answers it if it unwraps too
        finally:
            tls.close()
