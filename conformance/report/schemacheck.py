"""A small JSON Schema validator for the subset the suite's schemas use.

``conformance/schema/results.schema.json`` describes results.json (and
``merge`` output reuses it).  The suite must run with the standard library
only, so rather than depend on ``jsonschema`` this module checks the handful
of keywords those schemas use -- and refuses any other keyword, so the
subset cannot silently grow past what is checked:

``type`` (string or list; ``integer``/``number`` exclude booleans), ``const``,
``enum``, ``required``, ``properties``, ``additionalProperties`` (boolean or
schema), ``items``, ``minimum``, ``maximum``, ``minLength``, and ``$ref`` to
``#/$defs/NAME``.  Annotations (``title``, ``description``, ``$schema``,
``$id``, ``$defs``) are ignored.

The test suite cross-checks this validator against ``jsonschema`` where that
is installed.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Mapping

from .. import PACKAGE_DIR

__all__ = ["SchemaError", "validate", "errors", "load_schema", "RESULTS_SCHEMA"]

RESULTS_SCHEMA = PACKAGE_DIR / "schema" / "results.schema.json"

_ANNOTATIONS = {"title", "description", "$schema", "$id", "$defs"}
_TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class SchemaError(ValueError):
    """The document does not match the schema; ``str()`` lists every problem."""


def load_schema(path: Path = RESULTS_SCHEMA) -> Dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def errors(doc: Any, schema: Mapping[str, Any]) -> List[str]:
    """Every way ``doc`` breaks ``schema``, as ``path: problem`` lines."""
    out: List[str] = []
    _check(doc, schema, schema, "$", out)
    return out


def validate(doc: Any, schema: Mapping[str, Any], *, limit: int = 20) -> None:
    """Raise :class:`SchemaError` unless ``doc`` matches ``schema``."""
    problems = errors(doc, schema)
    if problems:
        more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
        raise SchemaError("\n".join(problems[:limit]) + more)


def _resolve(ref: str, root: Mapping[str, Any]) -> Mapping[str, Any]:
    if not ref.startswith("#/$defs/"):
        raise ValueError(f"unsupported $ref {ref!r} (only #/$defs/NAME)")
    return root["$defs"][ref[len("#/$defs/"):]]


def _check(value: Any, schema: Any, root: Mapping[str, Any], path: str, out: List[str]) -> None:
    if schema is True or schema == {}:
        return
    if schema is False:
        out.append(f"{path}: not allowed")
        return
    unknown = set(schema) - _ANNOTATIONS - set(_KEYWORDS)
    if unknown:
        raise ValueError(f"schema at {path} uses unsupported keywords {sorted(unknown)}")
    if "$ref" in schema:
        _check(value, _resolve(schema["$ref"], root), root, path, out)
    for keyword, check in _KEYWORDS.items():
        if keyword in schema and keyword != "$ref":
            check(value, schema, root, path, out)


def _type(value, schema, root, path, out):
    types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not any(_TYPES[t](value) for t in types):
        out.append(f"{path}: expected {' or '.join(types)}, got {type(value).__name__} {_short(value)}")


def _const(value, schema, root, path, out):
    if value != schema["const"] or type(value) is not type(schema["const"]):
        out.append(f"{path}: expected {schema['const']!r}, got {_short(value)}")


def _enum(value, schema, root, path, out):
    if value not in schema["enum"]:
        out.append(f"{path}: {_short(value)} is not one of {schema['enum']}")


def _required(value, schema, root, path, out):
    if isinstance(value, dict):
        for name in schema["required"]:
            if name not in value:
                out.append(f"{path}: missing member {name!r}")


def _properties(value, schema, root, path, out):
    if isinstance(value, dict):
        for name, sub in schema["properties"].items():
            if name in value:
                _check(value[name], sub, root, f"{path}.{name}", out)


def _additional(value, schema, root, path, out):
    if not isinstance(value, dict):
        return
    known = set(schema.get("properties", {}))
    for name, item in value.items():
        if name not in known:
            if schema["additionalProperties"] is False:
                out.append(f"{path}: unexpected member {name!r}")
            else:
                _check(item, schema["additionalProperties"], root, f"{path}.{name}", out)


def _items(value, schema, root, path, out):
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check(item, schema["items"], root, f"{path}[{i}]", out)


def _minimum(value, schema, root, path, out):
    if _TYPES["number"](value) and value < schema["minimum"]:
        out.append(f"{path}: {value} < minimum {schema['minimum']}")


def _maximum(value, schema, root, path, out):
    if _TYPES["number"](value) and value > schema["maximum"]:
        out.append(f"{path}: {value} > maximum {schema['maximum']}")


def _min_length(value, schema, root, path, out):
    if isinstance(value, str) and len(value) < schema["minLength"]:
        out.append(f"{path}: shorter than {schema['minLength']}")


def _short(value: Any) -> str:
    text = json.dumps(value, default=repr)
    return text if len(text) <= 60 else text[:57] + "..."


_KEYWORDS = {
    "$ref": None, "type": _type, "const": _const, "enum": _enum, "required": _required,
    "properties": _properties, "additionalProperties": _additional, "items": _items,
    "minimum": _minimum, "maximum": _maximum, "minLength": _min_length,
}
