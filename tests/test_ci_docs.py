"""docs/ci.md's GitHub Actions workflow: valid YAML, gating, and in step with tox.ini."""
import configparser
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def workflow():
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    return yaml.safe_load(re.search(r"```yaml\n(.*?)\n```\n", text, re.S).group(1))


def steps(job):
    return [s.get("run", "") for s in workflow()["jobs"][job]["steps"]]


def test_the_workflow_has_every_job_and_the_merge_waits_for_them():
    jobs = workflow()["jobs"]
    assert set(jobs) == {"stdlib", "reference", "interop", "merge"}
    assert set(jobs["merge"]["needs"]) == {"stdlib", "reference", "interop"}
    assert jobs["merge"]["if"] == "always()"


def test_piped_commands_keep_their_exit_status():
    """``cmd | tee`` fails the step only under ``pipefail``: an explicit bash shell."""
    assert workflow()["defaults"]["run"]["shell"] == "bash"
    piped = [run for job in workflow()["jobs"] for run in steps(job) if "| tee" in run]
    assert any("ssl-conformance run" in r for r in piped) and any("merge" in r for r in piped)


def test_the_interop_job_runs_the_documented_peers():
    (run,) = [r for r in steps("interop") if "ssl-conformance run" in r]
    for peer in ("pypy3:ssl", "python3.9:ssl", "openssl-cli"):
        assert f"--peer {peer}" in run
    assert "--impl reference --impl ssl" in run


def test_the_openssl_builds_are_the_ones_tox_pins():
    builds = {(b["cryptography"], b["pyopenssl"])
              for b in workflow()["jobs"]["reference"]["strategy"]["matrix"]["include"]}
    tox = configparser.ConfigParser(interpolation=None)
    tox.read(ROOT / "tox.ini")
    deps = tox["testenv:reference-openssl{31,32,34,35,40}"]["deps"]
    pins = {}
    for env, package, version in re.findall(r"openssl(\d+): (cryptography|pyOpenSSL)==(\S+)", deps):
        pins.setdefault(env, {})[package] = version
    assert builds == {(p["cryptography"], p["pyOpenSSL"]) for p in pins.values()}
    assert len(builds) >= 4
