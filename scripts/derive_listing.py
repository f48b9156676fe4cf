"""Keep ``conformance/judge/api.json`` in step with the documentation it lists.

    python scripts/derive_listing.py            # what the documents say that the listing does not
    python scripts/derive_listing.py --write    # add what is missing, keep everything written by hand

The listing is committed data (a run never reads the documentation).  This
script reads ``ssl-3.2.rst`` and CPython's current ``ssl.rst`` (found as the
tests find them: ``$SSL_CONFORMANCE_SPEC`` / ``$SSL_CONFORMANCE_SPEC_CURRENT``
or ``../shared/spec``) with :mod:`conformance.judge.directives` and derives
the mechanical part of each entry: its kind, section, parameters as the
current signature writes them, the edition of its ``versionadded`` marker and
the releases of its ``versionchanged``/``deprecated`` markers.  What needs a
reader stays by hand in the listing and is never overwritten: summaries and
notes in the project's words, removals (from What's New, with their source),
parameters added or renamed later, defaults that changed, and the editions of
entries the documents do not mark (``added_note`` says why).

Entries marked ``versionadded:: 3.2`` in the current documentation but absent
from the base spec (which predates them: ``HAS_SNI``, ``server_side``,
``server_hostname``) are documented here from edition 3.3, the first edition
after the base; ``marker`` keeps what the documentation says.  Items marked
``next`` are unreleased and left out.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.judge import apilisting, directives  # noqa: E402
from conformance.judge.basis import current_spec_path, spec_path  # noqa: E402
from conformance.judge.editions import BASE  # noqa: E402

UNRELEASED = "next"


def default_value(text: str) -> Dict[str, Any]:
    """A signature's default as the listing stores it (constants by name)."""
    literals = {"None": None, "True": True, "False": False}
    if text in literals:
        return {"default": literals[text]}
    if text.lstrip("-").isdigit():
        return {"default": int(text)}
    if text[:1] in "\"'":
        return {"default": text[1:-1], "literal": True}
    return {"default": text}


def param_record(p: directives.Param) -> Dict[str, Any]:
    rec: Dict[str, Any] = {"name": p.name}
    if p.optional:
        rec["optional"] = True
    elif p.default is None:
        rec["required"] = True
    else:
        rec.update(default_value(p.default))
    if p.positional_only:
        rec["positional_only"] = True
    if p.keyword_only:
        rec["keyword_only"] = True
    return rec


def released(markers: List[directives.Marker]) -> List[directives.Marker]:
    return [m for m in markers if m.release != UNRELEASED]


def skeleton(d: directives.Directive, base_names: set) -> Optional[Dict[str, Any]]:
    """The mechanical entry of current directive ``d`` (None if it is unreleased)."""
    added_markers = d.marker("versionadded")
    if any(m.release == UNRELEASED for m in added_markers):
        return None
    e: Dict[str, Any] = {"name": d.name, "kind": d.kind, "section": d.section, "summary": ""}
    if d.written != f"{d.kind}:: {d.name}" and not d.written.startswith(f"{d.kind}:: {d.name}("):
        e["directive"] = d.written
    if added_markers:
        release = added_markers[0].release
        edition = directives.release_edition(release)
        if edition == BASE and d.name not in base_names:
            e["added"], e["marker"] = "3.3", release
        else:
            e["added"] = edition
        if release != edition:
            e["added_release"] = release
    elif d.name in base_names:
        e["added"] = BASE
    else:
        e["added"], e["added_note"] = "", "TODO: unmarked; decide by hand"
    changes = [m for m in released(d.markers) if m.kind != "versionadded"]
    if changes:
        e["changed"] = [{"release": m.release, "kind": m.kind, "note": ""} for m in changes]
    if d.kind in ("function", "method", "class") and d.args is not None:
        if d.kind == "class" and d.args and "=" not in d.args and "." in d.args:
            e["bases"] = [a.strip() for a in d.args.split(",")]
        else:
            e["parameters"] = [param_record(p) for p in d.params]
    return e


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="add what is missing to the listing")
    args = parser.parse_args(argv)
    base_path, current_path = spec_path(), current_spec_path()
    if base_path is None or current_path is None:
        print("the documents are not here (../shared/spec or $SSL_CONFORMANCE_SPEC[_CURRENT])", file=sys.stderr)
        return 2
    base = directives.read(base_path.read_text(encoding="utf-8"))
    current = directives.read(current_path.read_text(encoding="utf-8"))
    base_names = {d.name for d in base}
    doc = json.loads(apilisting.LISTING_PATH.read_text(encoding="utf-8"))
    listed = {e["name"]: e for e in doc["entries"]}
    todo = 0
    for d in current:
        sk = skeleton(d, base_names)
        if sk is None:
            continue
        have = listed.get(d.name)
        if have is None:
            print(f"new entry: {d.kind} {d.name}")
            todo += 1
            if args.write:
                doc["entries"].append(sk)
                listed[d.name] = sk
            continue
        for key, value in sk.items():
            if key not in have:
                print(f"{d.name}: no {key!r} (the documents give {value!r})")
                todo += 1
                if args.write:
                    have[key] = value
    current_names = {d.name for d in current}
    for name, e in listed.items():
        if name not in current_names and not e.get("removed"):
            print(f"{name}: not in the current documentation, and no 'removed'")
            todo += 1
    if args.write:
        doc["format"] = apilisting.FORMAT
        apilisting.LISTING_PATH.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{todo} difference(s)" + (" written" if args.write and todo else ""))
    return 1 if todo and not args.write else 0


if __name__ == "__main__":
    sys.exit(main())
