"""The fault-injecting relay: forwards faithfully unless told otherwise, damages
exactly what it is told to, and leaves nothing behind."""
import os
import socket
import ssl
import struct
import threading
import time

import pytest

from conformance.harness.env import Certs
from conformance.harness.relay import Faults, RecordScanner, Relay, _Direction, relay_pair


def _record(ctype, body):
    return struct.pack("!BHH", ctype, 0x0303, len(body)) + body


RECORDS = [_record(22, b"a" * 10), _record(20, b"\x01"), _record(23, b"b" * 300), _record(21, b"")]
STREAM = b"".join(RECORDS)


def _fds():
    return len(os.listdir("/proc/self/fd"))


def _read_all(sock):
    data = b""
    while True:
        chunk = sock.recv(4096)
        if not chunk:
            return data
        data += chunk


def _send_then_read(payload):
    def client(sock):
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        return _read_all(sock)
    return client


def _echo_all(sock):
    data = _read_all(sock)
    sock.sendall(data)
    return data


# -- the record scanner --------------------------------------------------------

@pytest.mark.parametrize("piece", [1, 2, 5, 7, 1000])
def test_scanner_finds_every_boundary_however_the_stream_is_cut(piece):
    scanner = RecordScanner()
    for i in range(0, len(STREAM), piece):
        scanner.feed(STREAM[i:i + piece])
    ends, pos = [], 0
    for r in RECORDS:
        pos += len(r)
        ends.append(pos)
    assert scanner.boundaries == ends
    assert scanner.starts == [0] + ends[:-1]
    assert [h[0] for h in scanner.headers] == [22, 20, 23, 21]
    assert scanner.headers[2] == (23, 0x0303, 300)


class _Recorder:
    def __init__(self):
        self.sends = []

    def sendall(self, data):
        self.sends.append(bytes(data))


def test_fragment_sends_each_byte_on_its_own():
    d = _Direction("c2s", Faults(fragment=1))
    dst = _Recorder()
    relay = Relay.__new__(Relay)
    relay._cut = threading.Event()
    d.scanner.feed(b"hello")
    Relay._forward(relay, d, dst, 0, b"hello")
    assert dst.sends == [b"h", b"e", b"l", b"l", b"o"]


def test_damage_replaces_bytes_and_headers_at_stream_offsets():
    d = _Direction("s2c", Faults(replace={3: b"XY"}, headers={1: b"\x99\x09\x09\x00\x01"}))
    d.scanner.feed(STREAM)
    out = d.damage(0, STREAM[:20]) + d.damage(20, STREAM[20:])
    second = len(RECORDS[0])
    assert out[3:5] == b"XY"
    assert out[second:second + 5] == b"\x99\x09\x09\x00\x01"
    assert out[:3] + out[5:second] == STREAM[:3] + STREAM[5:second]
    assert out[second + 5:] == STREAM[second + 5:]


@pytest.mark.parametrize("bad", [{"then": "explode"}, {"fragment": 0}, {"headers": {0: b"\x16"}}])
def test_faults_reject_nonsense(bad):
    with pytest.raises(ValueError):
        Faults(**bad)


# -- over real sockets -----------------------------------------------------------

def test_faithful_relay_passes_both_directions_and_the_half_close():
    c, s, relay = relay_pair(_send_then_read(STREAM), _echo_all, timeout=3)
    assert (c.error, s.error) == (None, None)
    assert s.value == STREAM and c.value == STREAM
    assert relay.records("c2s") == relay.records("s2c") == len(RECORDS)
    assert relay.forwarded("c2s") == len(STREAM)


def test_one_byte_fragments_arrive_intact():
    payload = bytes(range(256)) * 4
    c, s, _ = relay_pair(_send_then_read(payload), _echo_all, c2s=Faults(fragment=1),
                         s2c=Faults(fragment=1), timeout=3)
    assert s.value == payload and c.value == payload


def test_delayed_fragments_are_seen_one_at_a_time():
    def server(sock):
        return [sock.recv(100) for _ in range(4)]

    c, s, _ = relay_pair(lambda sock: sock.sendall(b"abcd"), server,
                         c2s=Faults(fragment=1, delay=0.05), timeout=3)
    assert s.value == [b"a", b"b", b"c", b"d"]


@pytest.mark.parametrize("k", range(len(RECORDS) + 1))
def test_cut_at_record_k_delivers_exactly_k_records_then_eof(k):
    c, s, relay = relay_pair(_send_then_read(STREAM), _read_all, c2s=Faults(at_record=k), timeout=3)
    assert s.value == b"".join(RECORDS[:k])
    assert relay.cut_mode == "fin"  # at the limit, even when nothing more was coming
    # the record of the cut: after k records, before the receiver saw its EOF
    assert relay.cut_event.records == {"c2s": k, "s2c": 0}
    assert relay.cut_event.at <= s.ended


def test_a_faithful_relay_never_cuts_and_damages_nothing():
    c, s, relay = relay_pair(_send_then_read(STREAM), _echo_all, timeout=3)
    assert relay.cut_event is None and relay.cut_mode is None
    assert relay.damaged_records("c2s") == relay.damaged_records("s2c") == []


def test_damaged_records_are_the_ones_whose_header_was_replaced():
    c, s, relay = relay_pair(_send_then_read(STREAM), _read_all, timeout=3,
                             c2s=Faults(fragment=3, headers={2: b"\x63\x09\x09\x00\x01"}))
    assert relay.damaged_records("c2s") == [2]
    assert s.value[len(RECORDS[0]) + len(RECORDS[1]):][:5] == b"\x63\x09\x09\x00\x01"


def test_limit_with_fin_delivers_n_bytes_then_eof():
    c, s, relay = relay_pair(_send_then_read(STREAM), _read_all, c2s=Faults(limit=7), timeout=3)
    assert s.value == STREAM[:7] and relay.cut_mode == "fin"


def test_limit_with_rst_resets_the_receiver():
    def server(sock):
        got = sock.recv(100)
        with pytest.raises(ConnectionResetError):
            while sock.recv(100):
                pass
        return got

    def client(sock):
        sock.sendall(STREAM[:7])
        with pytest.raises(ConnectionResetError):
            while sock.recv(100):
                pass

    c, s, relay = relay_pair(client, server, c2s=Faults(limit=7, then="rst"), timeout=3)
    assert (c.error, s.error) == (None, None)
    assert s.value == STREAM[:7] and relay.cut_mode == "rst"


def test_stall_keeps_the_connection_open_and_silent():
    def server(sock):
        got = sock.recv(100)
        sock.settimeout(0.2)
        with pytest.raises(socket.timeout):
            sock.recv(100)
        return got

    def client(sock):
        sock.sendall(STREAM)
        return sock.recv(1)  # the server closes: EOF

    c, s, relay = relay_pair(client, server, c2s=Faults(limit=3, then="stall"), timeout=3)
    assert s.error is None and s.value == STREAM[:3] and relay.cut_mode is None


def test_manual_cut_and_half_close_from_inside_a_side():
    ref = []

    def client(sock):
        sock.sendall(b"ping")
        assert sock.recv(4) == b"pong"
        ref[0].half_close("c2s")
        return sock.recv(100)  # the server sees EOF, answers and closes

    def server(sock):
        assert sock.recv(4) == b"ping"
        sock.sendall(b"pong")
        assert sock.recv(100) == b""
        sock.sendall(b"bye")

    c, s, _ = relay_pair(client, server, timeout=3, relay_ref=ref)
    assert (c.error, s.error) == (None, None) and c.value == b"bye"


def test_tls_handshake_through_one_byte_fragments():
    certs = Certs()
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.load_cert_chain(certs.path("server", "chain"), certs.path("server", "key"))
    cctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    cctx.load_verify_locations(certs.path("root-ca"))

    def client(sock):
        with cctx.wrap_socket(sock, server_hostname="localhost") as tls:
            tls.sendall(b"x" * 3000)
            return len(tls.recv(10)), tls.version()

    def server(sock):
        with sctx.wrap_socket(sock, server_side=True) as tls:
            data = b""
            while len(data) < 3000:
                data += tls.recv(3000)
            tls.sendall(b"ok")
            return len(data)

    c, s, relay = relay_pair(client, server, c2s=Faults(fragment=1), s2c=Faults(fragment=1), timeout=3)
    assert (c.error, s.error) == (None, None)
    assert s.value == 3000 and c.value[0] == 2
    assert relay.records("c2s") >= 2 and relay.records("s2c") >= 2


def test_nothing_left_behind():
    relay_pair(_send_then_read(STREAM), _read_all, timeout=3)  # warm up lazy imports
    fds, threads = _fds(), threading.active_count()
    for faults in (Faults(), Faults(limit=5, then="rst"), Faults(limit=5, then="stall"),
                   Faults(at_record=1)):
        relay_pair(_send_then_read(STREAM), _read_all, c2s=faults, timeout=1)
    with Relay(("127.0.0.1", 9), timeout=1):
        pass  # never connected to
    deadline = time.monotonic() + 2  # a side thread may still be returning from its last close()
    while (_fds(), threading.active_count()) != (fds, threads) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert (_fds(), threading.active_count()) == (fds, threads)
