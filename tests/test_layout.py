"""The package's shape: imports only go downward, no function is over 60 lines, the public
names are where users look for them."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import databugs

PACKAGE = Path(databugs.__file__).parent
FLOORS = {
    "errors": 1,
    "version": 1,
    "text": 1,
    "data": 2,
    "gate": 2,
    "models": 3,
    "annotators": 3,
    "detectors": 4,
    "report": 5,
    "render": 6,
    "corrections": 6,
    "pipeline": 7,
    "review": 7,
    "weak": 7,
    "active": 8,
    "notebook": 8,
    "api": 9,
    "cli": 9,
    "__init__": 9,
    "__main__": 10,
}
"""Each room (a top-level module or subpackage) and its floor: a room may import rooms on lower
floors, and itself, nothing else. docs/architecture.md draws the same picture."""


def _room(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every ``databugs`` import in a file, type-checking ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.startswith("databugs.")]
    return found


def _sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_every_room_has_a_floor() -> None:
    rooms = {path.relative_to(PACKAGE).parts[0].removesuffix(".py") for path in _sources()}
    assert rooms == set(FLOORS)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_only_go_downward(path: Path) -> None:
    room = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    for line, module in _imports(path):
        target = _room(module)
        assert target == room or FLOORS[target] < FLOORS[room], (
            f"{path.name}:{line} ({room}, floor {FLOORS[room]}) imports {module} "
            f"({target}, floor {FLOORS[target]})"
        )


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_is_over_60_lines(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > 60
    ]
    assert not long


def test_public_names_are_listed_and_resolve() -> None:
    public = {"scan", "rule", "DatabugsError", "Report", "__version__", "label", "next_rows", "fix"}
    assert public <= set(dir(databugs))
    assert all(getattr(databugs, name) is not None for name in public)


def test_the_facade_stays_callable_after_every_room_is_imported() -> None:
    """A subpackage named like a function would replace it on the package once imported."""
    for path in _sources():
        if path.name != "__main__.py":
            module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
            __import__(module.removesuffix(".__init__"))
    assert all(callable(getattr(databugs, name)) for name in ("scan", "label", "next_rows", "fix"))
