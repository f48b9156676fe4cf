"""What a CPython's own ssl decides for every fixture x name (run by tests/test_hostnames_oracle.py).

Run as ``python hostnames_cpython.py INPUT.json`` under any CPython from 3.6;
standard library only, no sockets: each handshake runs over memory BIOs.
INPUT holds the fixture directory, each hostname fixture's ``getpeercert()``
dict and the names.  Printed: one JSON object with, per check, per fixture,
per name, ``"accepted"``, ``"refused"`` or ``"error: ..."``:

``handshake``     a client with check_hostname on, server_hostname=name;
``handshake-cn-off``  the same with hostname_checks_common_name off (3.7+);
``match_hostname``    ssl.match_hostname(cert, name) (until 3.11).
"""
import json
import os
import ssl
import sys
import warnings

warnings.simplefilter("ignore")
REFUSED = tuple({ssl.CertificateError, getattr(ssl, "SSLCertVerificationError", ssl.CertificateError)})


def tuples(value):
    if isinstance(value, list):
        return tuple(tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: tuples(v) for k, v in value.items()}
    return value


def handshake(client, server, name):
    ci, co, si, so = (ssl.MemoryBIO() for _ in range(4))
    c = client.wrap_bio(ci, co, server_hostname=name)
    s = server.wrap_bio(si, so, server_side=True)
    c_done = s_done = False
    for _ in range(20):
        if not c_done:
            try:
                c.do_handshake()
                c_done = True
            except ssl.SSLWantReadError:
                pass
            except REFUSED:
                return "refused"
            except Exception as exc:
                return "error: %s: %s" % (type(exc).__name__, exc)
        si.write(co.read())
        if not s_done:
            try:
                s.do_handshake()
                s_done = True
            except ssl.SSLWantReadError:
                pass
            except ssl.SSLError as exc:
                return "error: server: %s" % exc
        ci.write(so.read())
        if c_done and s_done:
            return "accepted"
    return "error: no end"


def main():
    with open(sys.argv[1]) as f:
        given = json.load(f)
    certs = given["certs"]
    out = {}
    clients = {}
    for check, common_name in (("handshake", None), ("handshake-cn-off", False)):
        if common_name is False and not getattr(ssl, "HAS_NEVER_CHECK_COMMON_NAME", False):
            continue
        client = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
        client.verify_mode = ssl.CERT_REQUIRED
        client.check_hostname = True
        client.load_verify_locations(os.path.join(certs, "root-ca.pem"))
        if common_name is not None:
            client.hostname_checks_common_name = common_name
        clients[check] = client
    for fixture, peercert in given["fixtures"].items():
        server = ssl.SSLContext(ssl.PROTOCOL_SSLv23)
        server.load_cert_chain(os.path.join(certs, fixture + "-chain.pem"), os.path.join(certs, fixture + ".key"))
        for check, client in clients.items():
            out.setdefault(check, {})[fixture] = {n: handshake(client, server, n) for n in given["names"]}
        if hasattr(ssl, "match_hostname"):
            seen = {}
            for name in given["names"]:
                try:
                    ssl.match_hostname(tuples(peercert), name)
                    seen[name] = "accepted"
                except ssl.CertificateError:
                    seen[name] = "refused"
                except Exception as exc:
                    seen[name] = "error: %s: %s" % (type(exc).__name__, exc)
            out.setdefault("match_hostname", {})[fixture] = seen
    print(json.dumps({"version": list(sys.version_info[:2]), "results": out}))


if __name__ == "__main__":
    main()
