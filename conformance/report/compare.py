"""What changed between two runs: regressions, fixes, versions, new cases.

Typical uses: the same suite on OpenSSL 3.1 vs 4.0 (two builds of the
reference), on Python 3.11 vs 3.13 (two stdlib ``ssl``), or yesterday's run
vs today's.  Records are matched by (implementation label, case id): ``ssl``
on one interpreter is compared with ``ssl`` on the other.

The comparison (:func:`compare`) is a JSON-friendly dict:

``regressions``       the case did not fail the run before and does now;
``fixes``             it failed the run before and does not now;
``outcome_changes``   any other change of outcome (e.g. pass -> unsupported,
                      pass -> deviation: a listed difference appeared);
``version_changes``   the negotiated version (``observed.version``) changed
                      -- matrix cells that still pass but now speak another
                      protocol, or stopped connecting (only where both records
                      observed something: a failing record has no ``observed``,
                      and its change shows as a regression or fix instead);
``observed_changes``  anything else a passing case observed that changed,
                      per key (error texts with run-specific noise -- thread
                      ids, source line numbers -- normalised away);
``added``/``removed`` case records present in only one run;
``facts``             implementation facts that changed (OpenSSL version,
                      capabilities: protocols, options, versions reachable).

Both sides name their run's edition (``old.edition``, ``new.edition``).  Runs
of two editions hold the implementations to two documentations: a case of
one edition's span only is added or removed, and a case documented
differently has one id per span, so the comparison is set apart
(``editions_differ``) and its rendering opens with a warning.

``ssl-conformance compare`` exits 1 when there are regressions.
Standard library only.
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Mapping, Tuple

from .results import edition_of
from .summary import GATING, clip, completeness

__all__ = ["compare", "render_comparison"]

_FACTS = ("openssl_version", "openssl_version_number")
_CAPS = ("protocols", "options", "versions_default", "versions_seclevel0")


def _index(doc: Mapping[str, Any]) -> Dict[Tuple[str, str], Mapping[str, Any]]:
    return {(r["impl"], r["id"]): r for r in doc.get("cases", ())}


#: Parts of observed values that differ between any two runs and mean nothing:
#: the thread id OpenSSL prefixes to its error lines, source line numbers.
_NOISE = (re.compile(r"\b[0-9A-F]{8,16}:(?=error:)"), re.compile(r"(\.c):\d+"))


def _normalize(value: Any) -> Any:
    if isinstance(value, str):
        for pattern in _NOISE:
            value = pattern.sub(lambda m: m.group(1) if m.groups() else "", value)
        return value
    if isinstance(value, list):
        return [_normalize(v) for v in value]
    if isinstance(value, dict):
        return {k: _normalize(v) for k, v in value.items()}
    return value


def _changed_keys(old: Any, new: Any) -> Dict[str, Any]:
    """What differs between two observed values (dicts: per key)."""
    old, new = _normalize(old), _normalize(new)
    if old == new:
        return {}
    if isinstance(old, dict) and isinstance(new, dict):
        return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}
    return {"": [old, new]}


def _brief(rec: Mapping[str, Any]) -> Dict[str, Any]:
    return {"impl": rec["impl"], "id": rec["id"], "outcome": rec["outcome"],
            "message": rec.get("message", ""), "expected": rec.get("expected"),
            "actual": rec.get("actual")}


_UNKNOWN = object()


def _version(rec: Mapping[str, Any]) -> Any:
    """``observed.version`` (None: no connection), or ``_UNKNOWN`` when the
    record observed nothing (a failing case keeps only expected/actual)."""
    obs = rec.get("observed")
    return obs.get("version") if isinstance(obs, dict) and "version" in obs else _UNKNOWN


def _facts_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> List[Dict[str, Any]]:
    out = []
    old_impls, new_impls = old.get("implementations") or {}, new.get("implementations") or {}
    for name in sorted(set(old_impls) & set(new_impls)):
        a, b = old_impls[name], new_impls[name]
        pairs = [(k, a.get(k), b.get(k)) for k in _FACTS]
        ca, cb = a.get("capabilities") or {}, b.get("capabilities") or {}
        pairs += [(f"capabilities.{k}", ca.get(k), cb.get(k)) for k in _CAPS]
        pairs.append(("interpreter", _interp(a), _interp(b)))
        for key, va, vb in pairs:
            if va != vb:
                change = {"impl": name, "fact": key, "old": va, "new": vb}
                if isinstance(va, list) and isinstance(vb, list):
                    change["lost"] = [x for x in va if x not in vb]
                    change["gained"] = [x for x in vb if x not in va]
                out.append(change)
    return out


def _interp(facts: Mapping[str, Any]) -> str:
    i = facts.get("interpreter") or {}
    return f"{i.get('implementation', '?')} {i.get('version', '?')}"


def compare(old: Mapping[str, Any], new: Mapping[str, Any]) -> Dict[str, Any]:
    """The differences between two results documents (see the module docstring)."""
    a, b = _index(old), _index(new)
    diff: Dict[str, Any] = {
        "old": {"run": old.get("run", {}).get("id"), "edition": edition_of(old), "facts": _labels(old),
                "incomplete": _unfinished(old)},
        "new": {"run": new.get("run", {}).get("id"), "edition": edition_of(new), "facts": _labels(new),
                "incomplete": _unfinished(new)},
        "editions_differ": edition_of(old) != edition_of(new),
        "regressions": [], "fixes": [], "outcome_changes": [], "version_changes": [],
        "observed_changes": [],
        "added": [_brief(b[k]) for k in sorted(set(b) - set(a))],
        "removed": [_brief(a[k]) for k in sorted(set(a) - set(b))],
        "facts": _facts_changes(old, new),
    }
    for key in sorted(set(a) & set(b)):
        ra, rb = a[key], b[key]
        oa, ob = ra["outcome"], rb["outcome"]
        entry = {**_brief(rb), "old_outcome": oa, "old_message": ra.get("message", "")}
        if oa not in GATING and ob in GATING:
            diff["regressions"].append(entry)
        elif oa in GATING and ob not in GATING:
            diff["fixes"].append(entry)
        elif oa != ob:
            diff["outcome_changes"].append(entry)
        va, vb = _version(ra), _version(rb)
        if _UNKNOWN not in (va, vb) and va != vb:
            diff["version_changes"].append({"impl": key[0], "id": key[1], "old": va, "new": vb,
                                            "old_outcome": oa, "new_outcome": ob})
        elif oa == ob == "pass":
            changed = _changed_keys(ra.get("observed"), rb.get("observed"))
            if changed:
                diff["observed_changes"].append({"impl": key[0], "id": key[1], "changed": changed})
    diff["counts"] = {k: len(v) for k, v in diff.items() if isinstance(v, list)}
    return diff


def _labels(doc: Mapping[str, Any]) -> Dict[str, str]:
    return {name: f"{f.get('openssl_version') or '?'} on {_interp(f)}"
            for name, f in (doc.get("implementations") or {}).items()}


def _unfinished(doc: Mapping[str, Any]) -> List[str]:
    """Why ``doc``'s run is incomplete (empty when it is complete)."""
    done = completeness(doc)
    return [] if done.get("complete", False) else list(done.get("reasons") or ["incomplete"])


def render_comparison(diff: Mapping[str, Any], *, limit: int = 40) -> str:
    """The comparison for a terminal (or a README)."""
    out = [f"compare {diff['old']['run']} (edition {diff['old'].get('edition', '3.2')}) -> {diff['new']['run']} "
           f"(edition {diff['new'].get('edition', '3.2')})"]
    if diff.get("editions_differ"):
        out.append(f"  WARNING: the runs are of different editions ({diff['old']['edition']} -> "
                   f"{diff['new']['edition']}): they hold the implementations to different documentation, so "
                   "an outcome that changed may be the edition's doing, not the implementation's, and the cases "
                   "of one edition only show as added or removed; compare runs of one edition to see what the "
                   "implementations changed")
    for side in ("old", "new"):
        if diff[side].get("incomplete"):
            out.append(f"  {side}: INCOMPLETE run ({'; '.join(diff[side]['incomplete'])}): "
                       "a case it lacks may only be missing, not removed")
    for side in ("old", "new"):
        for name, label in diff[side]["facts"].items():
            out.append(f"  {side}: {name}: {label}")
    for change in diff["facts"]:
        if "lost" in change:
            what = ", ".join([f"-{x}" for x in change["lost"]] + [f"+{x}" for x in change["gained"]])
        else:
            what = f"{change['old']} -> {change['new']}"
        out.append(f"  fact {change['impl']} {change['fact']}: {clip(what)}")
    sections = (
        ("regressions", lambda e: f"{e['old_outcome']} -> {e['outcome']}: {clip(e['message'])}"),
        ("fixes", lambda e: f"{e['old_outcome']} -> {e['outcome']}"),
        ("outcome_changes", lambda e: f"{e['old_outcome']} -> {e['outcome']}: {clip(e['message'])}"),
        ("version_changes", lambda e: f"{e['old'] or 'no connection'} -> {e['new'] or 'no connection'}"),
        ("observed_changes", lambda e: "; ".join(f"{k + ': ' if k else ''}{clip(a, 60)} -> {clip(b, 60)}"
                                                 for k, (a, b) in e["changed"].items())),
        ("added", lambda e: e["outcome"]),
        ("removed", lambda e: e["outcome"]),
    )
    for name, describe in sections:
        entries = diff[name]
        out.append(f"\n{name.replace('_', ' ')}: {len(entries)}")
        for e in entries[:limit]:
            out.append(f"  {e['impl']}: {e['id']}: {describe(e)}")
        if len(entries) > limit:
            out.append(f"  ... and {len(entries) - limit} more (--json for all)")
    n = len(diff["regressions"])
    out.append(f"\n{'REGRESSED' if n else 'OK'}: {n} regression(s), {len(diff['fixes'])} fix(es)")
    return "\n".join(out)
