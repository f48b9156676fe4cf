"""The package's architecture, held: wings in layers, no circle, no import back up.

``conformance/`` is a folder per role (see ``conformance/README.md``).  The
wings stack in one order -- what should happen (``judge``) knows nothing of
how a case runs (``harness``), which knows nothing of the endpoints
(``peers``), the probes (``probe``), the case tables (``cases``), the views
(``report``), the session that ties them together or the tools and entry
points above it.  An import may only go down that stack or stay in its wing;
the imports between modules form no circle; and no module hides an import of
the project inside a function (the one exception: ``cli.py`` imports each
subcommand's module when that subcommand runs).  The shim runs alone in other
interpreters and imports nothing of the project at all.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"

#: wing (or top-level module) -> its layer; an import may go to the same layer or lower
LAYERS: Dict[str, int] = {
    "__init__": 0, "mutants": 0,
    "judge": 1,
    "harness": 2,
    "peers": 3,
    "probe": 4,
    "cases": 5,
    "report": 6,
    "session": 7,
    "tools": 8,
    "plugin": 9, "cli": 9, "__main__": 9, "test_conformance": 9,
}
#: modules that may import nothing of the project
ALONE = {"conformance.shim"}
#: modules allowed to import project modules inside functions (lazy subcommands)
LAZY = {"conformance.cli"}


def _modules() -> Dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = _modules()


def _wing(module: str) -> str:
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def _imports(module: str, path: Path) -> Iterator[Tuple[str, int, bool]]:
    """(imported project module, line, inside a function?) for every import of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    in_function: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_function |= {id(n) for n in ast.walk(node) if n is not node}
    for node in ast.walk(tree):
        targets: List[str] = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            if not prefix.startswith("conformance"):
                continue
            for alias in node.names:
                sub = f"{prefix}.{alias.name}"
                targets.append(sub if sub in MODULES else prefix)
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names if a.name.startswith("conformance")]
        for target in targets:
            yield target, node.lineno, id(node) in in_function


def test_every_module_belongs_to_a_layer() -> None:
    assert sorted({_wing(m) for m in MODULES} - set(LAYERS) - {"shim"}) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers_only(module: str) -> None:
    mine = LAYERS.get(_wing(module))
    for target, line, lazy in _imports(module, MODULES[module]):
        assert module not in ALONE, f"{module}:{line} imports {target}: the shim must run alone"
        assert not lazy or module in LAZY, f"{module}:{line} imports {target} inside a function"
        theirs = LAYERS[_wing(target)]
        assert theirs <= mine, (f"{module}:{line} imports {target}: {_wing(target)} (layer {theirs}) is above "
                                f"{_wing(module)} (layer {mine})")


def test_no_import_circle() -> None:
    graph = {m: {t for t, _, lazy in _imports(m, p) if not lazy and t != m} for m, p in MODULES.items()}
    for start in graph:  # can ``start`` reach itself?
        paths, seen = [[start]], {start}
        while paths:
            path = paths.pop()
            for nxt in sorted(graph.get(path[-1], ())):
                assert nxt != start, "import circle: " + " -> ".join(path + [start])
                if nxt not in seen:
                    seen.add(nxt)
                    paths.append(path + [nxt])


def test_a_newcomer_reads_the_architecture_off_the_folders() -> None:
    wings = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert wings == ["cases", "harness", "judge", "mutants", "peers", "probe", "report", "tools"]
    assert (PACKAGE / "README.md").is_file()
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert top == ["__init__.py", "__main__.py", "cli.py", "plugin.py", "session.py", "shim.py", "test_conformance.py"]


def test_the_shim_keeps_the_one_constant_it_copies() -> None:
    """The shim runs alone in other interpreters, so it repeats the legacy
    cipher string of the protocol vocabulary; the two must not drift apart."""
    from conformance import shim
    from conformance.judge import protocols
    assert shim.LEGACY_CIPHERS == protocols.LEGACY_CIPHERS
