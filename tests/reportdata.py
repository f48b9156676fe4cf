"""Synthetic results documents for the report tests (valid per the schema)."""
import copy

PROTOCOLS = ["SSLv3", "SSLv23", "TLSv1", "TLSv1_1", "TLSv1_2"]
_OFFERS = {"SSLv3": [], "SSLv23": ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"], "TLSv1": ["TLSv1"],
           "TLSv1_1": ["TLSv1.1"], "TLSv1_2": ["TLSv1.2"]}
ORDER = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]


def oracle(client, server, policy):
    """A toy oracle: the highest version both offer (default policy: TLS 1.2 floor)."""
    floor = 0 if policy == "legacy" else 2
    both = [v for v in _OFFERS[client] if v in _OFFERS[server] and ORDER.index(v) >= floor]
    return max(both, key=ORDER.index) if both else None


def record(case_id, impl, outcome="pass", **kw):
    rec = {"id": case_id, "impl": impl, "area": case_id.split("/")[0], "spec": kw.pop("spec", "wrap_socket"),
           "params": {}, "outcome": outcome, "expected": None, "actual": None, "message": "",
           "observed": None, "reason": None, "flaky_rate": None, "duration": 0.01,
           "nodeid": f"conformance/test_conformance.py::test_conformance[{impl}:{case_id}]"}
    rec.update(kw)
    return rec


def matrix_records(impl, policy, overrides=None):
    """Matrix cells; ``overrides[(client, server)]`` = dict of record fields to change."""
    out = []
    for c in PROTOCOLS:
        for s in PROTOCOLS:
            expected = oracle(c, s, policy)
            rec = record(f"matrix/{policy}/client={c}/server={s}", impl, spec="PROTOCOL_" + c,
                         params={"policy": policy, "client": c, "server": s})
            if c == "SSLv3" or s == "SSLv3":
                rec.update(outcome="unsupported", message="PROTOCOL_SSLv3: not provided", reason="PROTOCOL_SSLv3")
            else:
                rec["observed"] = {"version": expected, "expected": expected}
            rec.update((overrides or {}).get((c, s), {}))
            out.append(rec)
    return out


def impl_facts(name, openssl="OpenSSL 3.0.2 15 Mar 2022", number=0x30000020, python="3.11.7"):
    return {"module": name, "module_file": f"/usr/lib/python3/{name}.py",
            "interpreter": {"implementation": "CPython", "version": python, "executable": "/usr/bin/python3"},
            "openssl_version": openssl, "openssl_version_number": number, "openssl_version_info": [3, 0, 0, 2, 0],
            "capabilities": {"protocols": ["SSLv23", "TLSv1", "TLSv1_1", "TLSv1_2"], "options": ["OP_ALL"],
                             "versions_default": ["TLSv1.2", "TLSv1.3"],
                             "versions_seclevel0": ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"]}}


def make_doc(cases, impls=("ssl",), run_id="20260101T000000Z-abcd", facts=None, load_problems=None, edition=None):
    """A results document; ``edition`` sets ``run.edition`` (without it the document is one written
    before editions existed, read as 3.2)."""
    facts = facts or {}
    doc = copy.deepcopy({
        "format": "ssl-conformance-results", "version": 1,
        "run": {"id": run_id, "started": "2026-01-01T00:00:00+00:00", "duration": 3.5,
                "harness_version": "0.1.0", "command": ["ssl-conformance", "run"], "platform": "Linux",
                "interpreter": {"implementation": "CPython", "version": "3.11.7", "executable": "/usr/bin/python3"},
                "options": {"impls": list(impls), "expectations": ["ssl.json"], "timeout": 5.0}},
        "implementations": {n: facts.get(n, impl_facts(n)) for n in impls},
        "load_problems": load_problems or {},
        "cases": sorted(cases, key=lambda r: (r["id"], r["impl"])),
    })
    if edition is not None:
        doc["run"]["edition"] = doc["run"]["options"]["edition"] = edition
    return doc


def sample_doc():
    """Two implementations, both policies, a failing cell, a deviation, a flaky case, api cases."""
    cases = []
    for impl in ("ssl", "reference"):
        for policy in ("default", "legacy"):
            over = {}
            if impl == "reference" and policy == "legacy":
                over[("TLSv1", "SSLv23")] = {"outcome": "fail", "observed": None,
                                             "message": "client TLSv1 -> server SSLv23: expected TLSv1, got no connection",
                                             "expected": "TLSv1", "actual": "refused (protocol-version)"}
            if impl == "ssl" and policy == "default":
                over[("TLSv1_1", "TLSv1_1")] = {"outcome": "deviation", "reason": "Debian build has no TLS 1.1",
                                                "message": "expected TLSv1.1", "expected": "TLSv1.1",
                                                "actual": "refused"}
            cases += matrix_records(impl, policy, over)
        cases.append(record("api/cert_time_to_seconds/spec-example", impl, spec="cert_time_to_seconds"))
        cases.append(record("api/SSLContext.options/default", impl, spec="SSLContext.options"))
    cases.append(record("api/SSLSocket.read/len", "reference", "flaky", spec="SSLSocket.read", flaky_rate=0.5,
                        message="flaky: 1 of 2 attempts failed (fail, pass); first failure: short read",
                        expected=10, actual=3))
    return make_doc(cases, impls=("ssl", "reference"))
