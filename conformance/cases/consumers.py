"""Real consumers: the stdlib's own TLS clients and servers, given the implementation's context.

``http.client.HTTPSConnection(context=ctx)``, ``urllib.request`` (an opener
with ``HTTPSHandler(context=ctx)``), ``smtplib.SMTP.starttls(context=ctx)``
and ``ftplib.FTP_TLS(context=ctx)`` as clients of the local servers of
``conformance.peers.localservers``; ``http.server`` (its listening socket
wrapped by the server's context) as a server for a client of each
implementation.  asyncio is in ``consumers_asyncio``.

Every case is a pair: ``env`` is the client's implementation, ``env.peer``
the server's.  The client's context is made the way these modules' docs and
ssl's "Security considerations" say a client's should be:
``create_default_context(cafile=...)``.  The rows are one table --
(trust, hostname) -- and the outcome of each is derived by
``conformance.judge.consumers.expected``; one loop judges them all
(:func:`judge`).

A consumer that refuses the implementation's context or socket for its type
(``isinstance(ctx, ssl.SSLContext)`` against the *stdlib's* class) or for a
missing attribute fails the case with the consumer's own file, line and
source line (:func:`where`): that is a finding about the implementation's
drop-in use, never hidden.  Each case also fails if a socket or thread it
made outlived it (``conformance.harness.leaks``).
"""
from __future__ import annotations

import ftplib
import http.client
import linecache
import os
import smtplib
import socket
import sysconfig
import traceback
import urllib.error
import urllib.request
from typing import Any, Callable, Dict, List, Optional

from ..harness.leaks import leftovers, snapshot
from ..harness.registry import CaseFailure, table
from ..judge.consumers import HOSTNAME, TRUST, expected
from ..peers.localservers import BODY, LISTING, TOKEN, ftp_server, https_server, smtp_server

__all__ = ["ROWS", "HOST", "client_context", "server_context", "observe", "where", "judge", "cite",
           "register", "SINCE"]

#: the name every client asks for; the ``server`` fixture names it, ``host-exact`` does not
HOST = "localhost"
#: SSLCertVerificationError and check_hostname's rules as the consumers rely on them: 3.7
SINCE = "3.7"

ROWS: List[Dict[str, str]] = [{"trust": t, "hostname": h} for t in TRUST for h in HOSTNAME
                              if not (t == "untrusted" and h == "mismatch")]

CITES = {
    "ok": "It will load the system's trusted CA certificates, enable certificate validation and hostname "
          "checking, and try to choose reasonably secure protocol and cipher settings.",
    "certificate-verify-failed": "A subclass of :exc:`SSLError` raised when certificate validation has failed.",
    "hostname-mismatch": "Whether to match the peer cert's hostname in :meth:`SSLSocket.do_handshake`.",
}
SPECS = {"ok": "create_default_context", "certificate-verify-failed": "SSLCertVerificationError",
         "hostname-mismatch": "SSLContext.check_hostname"}


def cite(row: Dict[str, Any]) -> str:
    return CITES[expected(row["trust"], row["hostname"])]


def client_context(env: Any, trust: str) -> Any:
    """The client's context, as the consumers' docs make it: verification and hostname checks on."""
    cafile = env.certs.path("root-ca" if trust == "trusted" else "untrusted-root-ca.pem")
    make = getattr(env.ssl, "create_default_context", None)
    if make is None:
        raise CaseFailure(f"{env.impl.name} has no create_default_context (documented since 3.4), with "
                          "which the consumers' docs make a client's context", expected="create_default_context",
                          actual="missing")
    return make(cafile=cafile)


def server_context(env: Any, hostname: str) -> Any:
    """The server side's context (``env.peer``): a leaf naming ``HOST``, or one that does not."""
    side = env.peer or env
    return side.context(cert="server" if hostname == "match" else "host-exact")


_STDLIB = os.path.realpath(sysconfig.get_paths()["stdlib"]) + os.sep
#: the consumers' own code under the stdlib: the frames :func:`where` names
CONSUMERS = ("asyncio" + os.sep, "http" + os.sep, "urllib" + os.sep, "smtplib.py", "ftplib.py",
             "socketserver.py")


_SUITE = os.path.realpath(os.path.dirname(os.path.dirname(__file__))) + os.sep


def _consumer_frame(filename: str) -> bool:
    path = os.path.realpath(filename)
    return path.startswith(_STDLIB) and path[len(_STDLIB):].startswith(CONSUMERS)


def _implementation_frame(filename: str) -> bool:
    """A frame of the code under test: ``ssl.py``, or anything outside both the stdlib and the suite."""
    path = os.path.realpath(filename)
    if path.startswith(_STDLIB):
        return os.path.basename(path) == "ssl.py"
    return not path.startswith(_SUITE)


def where(exc: BaseException) -> str:
    """Where in a stdlib consumer ``exc`` came from: ``file:line `source```.

    Below the implementation's own frames (those of the module under test,
    or the stdlib's ``ssl.py``), the next frame outwards is who raised or
    called: when that is a consumer's module (:data:`CONSUMERS`), it is the
    consumer's own line -- its type check, the attribute it read, its call
    into the implementation.  Otherwise the error came from the case's own
    client, not from a consumer.
    """
    frames = traceback.extract_tb(exc.__traceback__)
    while frames and _implementation_frame(frames[-1].filename):
        frames.pop()
    if not frames or not _consumer_frame(frames[-1].filename):
        cause = exc.__cause__ or exc.__context__
        return where(cause) if cause is not None and cause is not exc else "not in a stdlib consumer"
    f = frames[-1]
    lineno = f.lineno or 0
    source = linecache.getline(f.filename, lineno).strip() or (f.line or "").strip()
    if source.startswith("raise"):  # name the check that decided to raise
        for back in range(lineno - 1, max(lineno - 4, 0), -1):
            check = linecache.getline(f.filename, back).strip()
            if check.startswith(("if ", "elif ")):
                return f"{os.path.relpath(f.filename, _STDLIB)}:{back} `{check}` -> :{lineno} `{source}`"
    return f"{os.path.relpath(f.filename, _STDLIB)}:{lineno} `{source}`"


def observe(env: Any, exc: Optional[BaseException]) -> str:
    """The outcome an exception of a client stands for (``ok`` for none).

    ``urllib``'s ``URLError`` is unwrapped to its ``reason``, as its docs say
    it carries the underlying error.  A refusal counts only as the
    implementation's ``SSLCertVerificationError``.
    """
    if exc is None:
        return "ok"
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    verify_error = getattr(env.ssl, "SSLCertVerificationError", None)
    if verify_error is not None and isinstance(exc, verify_error):
        text = f"{getattr(exc, 'verify_message', '')} {exc}".lower()
        return "hostname-mismatch" if ("hostname" in text or "ip address mismatch" in text) \
            else "certificate-verify-failed"
    return f"other: {type(exc).__name__}: {exc} [{where(exc)}]"


def judge(env: Any, consumer: str, trust: str, hostname: str, run: Callable[[], Any],
          check: Callable[[Any], Optional[str]], server_errors: Callable[[], str] = lambda: "") -> None:
    """Run the consumer's exchange ``run()``, compare with the derived outcome.

    ``check(evidence)`` says what is wrong with what a completed exchange
    returned (None: the answer arrived intact).
    """
    want = expected(trust, hostname)
    evidence, error = None, None
    try:
        evidence = run()
    except Exception as exc:  # the consumer's error is the observation
        error = exc
    got = observe(env, error)
    extra = server_errors()
    extra = f"; the server side saw: {extra}" if extra else ""
    if got != want:
        detail = (f"{type(error).__name__}: {error} [{where(error)}]" if error is not None
                  else f"completed: {evidence!r}"[:300])
        raise CaseFailure(f"{consumer} with trust={trust}, hostname={hostname}: expected {want}, "
                          f"got {got.split(' [')[0]} -- {detail}{extra}",
                          expected=want, actual=got) from error
    if want == "ok":
        wrong = check(evidence)
        if wrong:
            raise CaseFailure(f"{consumer}: the exchange completed but {wrong}{extra}",
                              expected="the server's answer intact", actual=wrong)


def no_leftovers(env: Any, before: Any, consumer: str) -> None:
    """Fail if a socket or thread the case made is still there.

    Only sockets and threads count: the other descriptors a case may make
    are a cooperative library's hub for the main thread (gevent's epoll and
    eventfd, eventlet's epoll), made on the first blocking call there and
    kept for the process's life by design (``conformance.harness.hubs``).
    """
    left = [x for x in leftovers(before, env.timeout) if "socket:" in x or x.startswith("thread")]
    if left:
        raise CaseFailure(f"{consumer} left behind: {', '.join(left)}", expected="nothing left",
                          actual=left)


def register(consumer: str, template: str, pair_func: Callable[..., None]) -> None:
    """One table of ROWS for ``consumer``: ids ``consumer/<template>/trust=../hostname=..``."""
    table(f"consumer/{template}/trust={{trust}}/hostname={{hostname}}",
          spec="{spec}", basis="spec", cite=cite, since=SINCE, pair=True,
          rows=[dict(row, spec=SPECS[expected(row["trust"], row["hostname"])]) for row in ROWS])(
        _without_spec(pair_func, consumer))


def _without_spec(func: Callable[..., None], consumer: str) -> Callable[..., None]:
    def case(env: Any, trust: str, hostname: str, spec: str) -> None:
        before = snapshot()
        func(env, trust, hostname)
        no_leftovers(env, before, consumer)
    case.__name__ = case.__qualname__ = func.__name__
    case.__doc__ = func.__doc__
    return case


def _body_check(body: Any) -> Optional[str]:
    return None if body == BODY else f"the body arrived as {len(body or b'')} bytes, not the {len(BODY)} sent"


# -- the clients ------------------------------------------------------------

def http_client(env: Any, trust: str, hostname: str) -> None:
    """``http.client.HTTPSConnection(host, port, context=ctx)``: GET / against ``http.server``."""
    ctx = client_context(env, trust)
    with https_server(server_context(env, hostname), timeout=env.timeout) as ((_, port), seen):
        def run() -> bytes:
            conn = http.client.HTTPSConnection(HOST, port, timeout=env.timeout, context=ctx)
            try:
                conn.request("GET", "/")
                return conn.getresponse().read()
            finally:
                conn.close()
        judge(env, "http.client.HTTPSConnection", trust, hostname, run, _body_check, seen.error_text)


def urllib_client(env: Any, trust: str, hostname: str) -> None:
    """``urllib.request``: an opener with ``HTTPSHandler(context=ctx)`` (and no proxies) opens https://."""
    ctx = client_context(env, trust)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                         urllib.request.HTTPSHandler(context=ctx))
    with https_server(server_context(env, hostname), timeout=env.timeout) as ((_, port), seen):
        def run() -> bytes:
            with opener.open(f"https://{HOST}:{port}/", timeout=env.timeout) as response:
                return response.read()
        judge(env, "urllib.request HTTPSHandler(context=)", trust, hostname, run, _body_check, seen.error_text)


def smtp_client(env: Any, trust: str, hostname: str) -> None:
    """``smtplib.SMTP(...).starttls(context=ctx)``, then EHLO over TLS, NOOP, QUIT."""
    ctx = client_context(env, trust)
    with smtp_server(server_context(env, hostname), timeout=env.timeout) as ((_, port), seen):
        def run() -> Any:
            smtp = smtplib.SMTP(HOST, port, local_hostname="localhost", timeout=env.timeout)
            try:
                smtp.starttls(context=ctx)
                code, answer = smtp.ehlo()
                noop = smtp.noop()
                smtp.quit()
                return code, answer, noop
            finally:
                smtp.close()

        def check(evidence: Any) -> Optional[str]:
            code, answer, noop = evidence
            if code != 250 or TOKEN.encode() not in answer:
                return f"EHLO over TLS answered {code} {answer!r}, not 250 with {TOKEN!r}"
            return None if noop[0] == 250 else f"NOOP over TLS answered {noop!r}"
        judge(env, "smtplib.SMTP.starttls", trust, hostname, run, check, seen.error_text)


def ftp_client(env: Any, trust: str, hostname: str) -> None:
    """``ftplib.FTP_TLS(context=ctx)``: login (AUTH TLS first), prot_p, nlst over a TLS data channel."""
    ctx = client_context(env, trust)
    with ftp_server(server_context(env, hostname), timeout=env.timeout) as ((_, port), seen):
        def run() -> Any:
            ftp = ftplib.FTP_TLS(context=ctx, timeout=env.timeout)
            try:
                ftp.connect(HOST, port)
                ftp.login("conformance", "conformance")
                ftp.prot_p()
                names = ftp.nlst()
                ftp.quit()
                return names, list(seen.commands)
            finally:
                ftp.close()

        def check(evidence: Any) -> Optional[str]:
            names, commands = evidence
            auths = [c for c in commands if c.upper().startswith("AUTH")]
            if len(auths) != 1:
                return (f"the server saw {len(auths)} AUTH commands ({commands}); ftplib's "
                        "isinstance(self.sock, ssl.SSLSocket) checks decide whether TLS is up")
            return None if names == LISTING else f"NLST over the TLS data channel gave {names!r}, not {LISTING!r}"
        judge(env, "ftplib.FTP_TLS", trust, hostname, run, check, seen.error_text)


def http_server(env: Any, trust: str, hostname: str) -> None:
    """``http.server`` with the server's context on its listening socket, a client of ``env`` sending GET."""
    ctx = client_context(env, trust)
    with https_server(server_context(env, hostname), timeout=env.timeout) as ((_, port), seen):
        def run() -> bytes:
            sock = socket.create_connection(("127.0.0.1", port), timeout=env.timeout)
            try:
                tls = ctx.wrap_socket(sock, server_hostname=HOST)
            except BaseException:
                sock.close()
                raise
            try:
                tls.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
                data = b""
                while True:
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    data += chunk
            finally:
                tls.close()
                sock.close()
            head, _, body = data.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.0 200"):
                raise CaseFailure(f"http.server answered {head[:80]!r}", expected="HTTP/1.0 200",
                                  actual=head[:80].decode("latin-1"))
            return body
        judge(env, "http.server (listening socket wrapped)", trust, hostname, run, _body_check,
              seen.error_text)


for _consumer, _template, _func in (
    ("http.client", "http.client/HTTPSConnection", http_client),
    ("urllib", "urllib/HTTPSHandler", urllib_client),
    ("smtplib", "smtplib/starttls", smtp_client),
    ("ftplib", "ftplib/FTP_TLS", ftp_client),
    ("http.server", "http.server/wrapped-listener", http_server),
):
    register(_consumer, _template, _func)
