"""asyncio as a consumer of the implementation's context: client, STARTTLS upgrade, server.

asyncio does TLS through ``SSLContext.wrap_bio`` (``SSLObject`` over two
``MemoryBIO``s, ``asyncio/sslproto.py``) rather than ``wrap_socket``, and its
``start_tls`` checks ``isinstance(sslcontext, ssl.SSLContext)`` against the
stdlib's class -- an implementation without ``wrap_bio``, or whose context is
another class, fails here with the line of asyncio that refused it
(``consumers.where``).

* ``consumer/asyncio/create_connection/...``: ``loop.create_connection(...,
  sock=..., ssl=ctx, server_hostname=..., ssl_handshake_timeout=...)`` against a
  threaded server of ``env.peer`` that answers one line with ``BODY``;
* ``consumer/asyncio/start_tls/...``: a plain connection to the local SMTP
  server, ``STARTTLS``, then ``loop.start_tls(transport, protocol, ctx)``,
  and EHLO over TLS;
* ``consumer/asyncio/start_server/...``: ``asyncio.start_server(...,
  ssl=ctx)`` with ``env.peer``'s server context, a client of ``env`` (its
  own ``wrap_socket``, in a thread of its own).

Each case runs one ``asyncio.run`` under ``asyncio.wait_for``; errors asyncio
only logs (a server-side handshake that failed) are collected by the loop's
exception handler (the loop runs in debug mode, without which asyncio drops
the error of a connection it accepted) and shown beside the client's verdict.
"""
from __future__ import annotations

import asyncio
import socket
from typing import Any, Callable, Dict, List, Optional

from ..harness.hubs import HarnessThread
from ..harness.loopback import serve
from ..peers.localservers import BODY, TOKEN, Transcript, smtp_server
from .helpers import read_until
from .consumers import HOST, client_context, judge, register, server_context, where

__all__ = ["run_async"]


class _Collect(asyncio.Protocol):
    """Everything received on a connection, and a way to wait for more of it."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.changed = asyncio.Event()
        self.closed: Optional[BaseException] = None
        self.ended = False
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.data += data
        self.changed.set()

    def eof_received(self) -> Optional[bool]:
        self.ended = True
        self.changed.set()
        return None

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        self.ended, self.closed = True, exc
        self.changed.set()

    async def until(self, done: Callable[[bytes], bool], what: str) -> bytes:
        while not done(bytes(self.data)):
            if self.ended:
                raise ConnectionError(f"closed before {what} (received {bytes(self.data)[-120:]!r}, "
                                      f"connection_lost({self.closed!r}))")
            self.changed.clear()
            await self.changed.wait()
        return bytes(self.data)


def run_async(env: Any, main: Callable[[], Any], logged: List[str]) -> Any:
    """``asyncio.run(main())`` bounded by ``3 * env.timeout``; what the loop only
    logged is appended to ``logged``."""
    limit = 3 * env.timeout

    async def bounded() -> Any:
        broken = asyncio.Event()

        def handler(loop: Any, context: Dict[str, Any]) -> None:
            logged.append(_logged(context))
            exc = context.get("exception")
            if "transport creation" in str(context.get("message", "")) and exc is not None \
                    and not isinstance(exc, OSError):  # 3.9 logs a failed handshake so too: an OSError
                broken.set()  # asyncio could not even make the TLS transport: nothing will come

        asyncio.get_running_loop().set_exception_handler(handler)
        # not wait_for: its TimeoutError is the same class as a socket's timeout since 3.11
        task = asyncio.ensure_future(main())
        stop = asyncio.ensure_future(broken.wait())
        done, _ = await asyncio.wait({task, stop}, timeout=limit, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if task not in done:
            task.cancel()
            await asyncio.wait({task}, timeout=env.timeout)
            if broken.is_set():
                raise RuntimeError("asyncio could not create the TLS transport: " + logged[-1])
            raise TimeoutError(f"hung: the asyncio consumer did not finish within {limit:g}s")
        return task.result()

    return asyncio.run(bounded(), debug=True)  # debug: a failed accept is reported, not dropped


async def _in_thread(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` in a harness thread (not the loop's executor: that thread
    would keep a cooperative library's hub open), awaited without blocking the loop."""
    box: Dict[str, Any] = {}

    def body() -> None:
        try:
            box["value"] = fn(*args)
        except BaseException as exc:  # handed to the awaiting coroutine
            box["error"] = exc

    thread = HarnessThread(body, name="asyncio-client")
    thread.start()
    while thread.is_alive():
        await asyncio.sleep(0.005)
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _logged(context: Dict[str, Any]) -> str:
    exc = context.get("exception")
    return f"{context.get('message')}: {exc!r}" + (f" [{where(exc)}]" if exc is not None else "")


def _errors(seen: Transcript, logged: List[str]) -> Callable[[], str]:
    return lambda: "; ".join(x for x in (seen.errors and seen.error_text(), *logged) if x)


def create_connection(env: Any, trust: str, hostname: str) -> None:
    """``loop.create_connection(protocol, host, port, ssl=ctx, ...)``: one line out, ``BODY`` back."""
    ctx = client_context(env, trust)
    seen, logged = Transcript(), []

    def server(conn: socket.socket) -> None:
        try:
            tls = server_context(env, hostname).wrap_socket(conn, server_side=True)
        except Exception as exc:
            seen.errors.append(exc)
            return
        try:
            line = read_until(tls, lambda data: data.endswith(b"\n"))
            if not line.endswith(b"\n"):
                return
            seen.commands.append(line.decode("ascii", "replace").strip())
            tls.sendall(BODY)
        except Exception as exc:
            seen.errors.append(exc)
        finally:
            tls.close()

    with serve(server, timeout=env.timeout) as address:
        async def main() -> bytes:
            # The case owns the socket: asyncio leaves it open when the context
            # refuses to make its SSLObject, and the server would wait on it.
            loop = asyncio.get_running_loop()
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                sock.setblocking(False)
                await loop.sock_connect(sock, address)
                transport, proto = await loop.create_connection(
                    _Collect, sock=sock, ssl=ctx, server_hostname=HOST, ssl_handshake_timeout=env.timeout)
                try:
                    transport.write(b"hello\n")
                    return (await proto.until(lambda d: len(d) >= len(BODY), "the whole body"))
                finally:
                    transport.close()

        judge(env, "asyncio loop.create_connection(ssl=)", trust, hostname,
              lambda: run_async(env, main, logged),
              lambda body: None if body == BODY else f"{len(body)} bytes arrived, not the {len(BODY)} sent",
              _errors(seen, logged))


def start_tls(env: Any, trust: str, hostname: str) -> None:
    """SMTP's STARTTLS by hand, the upgrade by ``loop.start_tls(transport, protocol, ctx)``."""
    ctx = client_context(env, trust)
    logged: List[str] = []
    with smtp_server(server_context(env, hostname), timeout=env.timeout) as ((_, port), seen):
        async def main() -> bytes:
            loop = asyncio.get_running_loop()
            transport, proto = await loop.create_connection(_Collect, HOST, port)
            try:
                await proto.until(lambda d: d.endswith(b"\r\n"), "the greeting")
                transport.write(b"EHLO localhost\r\n")
                await proto.until(lambda d: b"250 STARTTLS" in d, "EHLO's answer")
                transport.write(b"STARTTLS\r\n")
                await proto.until(lambda d: b"220 2.0.0" in d, "STARTTLS's answer")
                proto.data.clear()
                transport = await loop.start_tls(transport, proto, ctx, server_hostname=HOST,
                                                 ssl_handshake_timeout=env.timeout)
                transport.write(b"EHLO localhost\r\n")
                answer = await proto.until(lambda d: d.endswith(b"\r\n") and b"250 " in d, "EHLO over TLS")
                transport.write(b"QUIT\r\n")
                await proto.until(lambda d: b"221 " in d, "QUIT's answer")
                return answer
            finally:
                transport.close()

        judge(env, "asyncio loop.start_tls", trust, hostname, lambda: run_async(env, main, logged),
              lambda answer: None if TOKEN.encode() in answer else f"EHLO over TLS answered {answer!r}",
              _errors(seen, logged))


def start_server(env: Any, trust: str, hostname: str) -> None:
    """``asyncio.start_server(handler, ssl=ctx)``; a client of ``env`` sends a line, reads ``BODY``."""
    ctx = client_context(env, trust)
    server_ctx = server_context(env, hostname)
    seen, logged = Transcript(), []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            seen.commands.append((await reader.readline()).decode("ascii", "replace").strip())
            writer.write(BODY)
            await writer.drain()
        except Exception as exc:
            seen.errors.append(exc)
        finally:
            writer.close()

    def client(port: int) -> bytes:
        with socket.create_connection(("127.0.0.1", port), timeout=env.timeout) as sock:
            tls = ctx.wrap_socket(sock, server_hostname=HOST)
            try:
                tls.sendall(b"hello\n")
                data = b""
                while len(data) < len(BODY):
                    chunk = tls.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                return data
            finally:
                tls.close()

    async def main() -> bytes:
        server = await asyncio.start_server(handle, "127.0.0.1", 0, ssl=server_ctx,
                                            ssl_handshake_timeout=env.timeout)
        try:
            port = server.sockets[0].getsockname()[1]
            return await _in_thread(client, port)
        finally:
            server.close()
            await server.wait_closed()

    judge(env, "asyncio.start_server(ssl=)", trust, hostname, lambda: run_async(env, main, logged),
          lambda body: None if body == BODY else f"{len(body)} bytes arrived, not the {len(BODY)} sent",
          _errors(seen, logged))


for _template, _func in (("asyncio/create_connection", create_connection),
                         ("asyncio/start_tls", start_tls),
                         ("asyncio/start_server", start_server)):
    register("asyncio", _template, _func)
