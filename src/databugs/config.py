"""Scan options from configuration files, so that a CI job needs no flags.

Sources, lowest precedence first: built-in defaults; ``[tool.databugs]`` in the nearest
``pyproject.toml`` (searched from the data's folder upwards); ``databugs.toml`` beside the data;
in each file, a ``datasets."<path>"`` section matching the data; then the command line. Keys
are the long option names with dashes written as underscores; an unknown key is an error.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from databugs.errors import DatabugsError

DEFAULTS: dict[str, Any] = {
    "label": None,
    "id": None,
    "text": [],
    "ignore": [],
    "annotators": [],
    "annotator_col": None,
    "classes": None,
    "folds": 5,
    "model": "auto",
    "text_model": None,
    "seed": 0,
    "fail_on": None,
    "baseline": None,
    "jobs": None,
    "engine": "local",
    "scheduler": None,
    "out": "databugs-report",
}
LIST_KEYS = ("text", "ignore", "annotators", "classes")
FINDING_OPTIONS = tuple(
    name
    for name in DEFAULTS
    if name not in ("fail_on", "baseline", "jobs", "engine", "scheduler", "out")
)
"""The options that decide what a scan finds (the gate, baseline, where the work runs and the
folder do not)."""
MODEL_NAMES = (
    "random-forest",
    "extra-trees",
    "hist-gradient-boosting",
    "logistic",
    "sgd",
    "sgd+nb",
)
"""The names ``--model`` accepts besides ``auto`` (the models themselves are in ``oof``)."""
TYPES: dict[str, tuple[type, ...]] = {
    "label": (str,),
    "id": (str,),
    "text": (list, str),
    "ignore": (list, str),
    "annotators": (list, str),
    "annotator_col": (str,),
    "classes": (list, str),
    "folds": (int,),
    "model": (str,),
    "text_model": (str,),
    "seed": (int,),
    "fail_on": (str, list),
    "baseline": (str,),
    "jobs": (int,),
    "engine": (str,),
    "scheduler": (str,),
    "out": (str,),
}


def resolve_options(data: Path, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every scan option in effect: defaults < pyproject.toml < databugs.toml < ``given``.

    ``given`` holds the options set on the command line (None where not set). Relative paths in
    a file (``baseline``, ``out``) are taken relative to that file's folder.
    """
    options = dict(DEFAULTS)
    for path, table in _config_tables(data):
        for section in (table, _dataset_section(table, path, data)):
            options.update(_checked(section, path))
    options.update({key: value for key, value in given.items() if value is not None})
    for key in LIST_KEYS:
        if isinstance(options[key], str):
            options[key] = [part.strip() for part in options[key].split(",") if part.strip()]
    if isinstance(options["fail_on"], list):
        options["fail_on"] = ",".join(options["fail_on"])
    return options


def _config_tables(data: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    folder = data.resolve().parent
    for candidate in [folder, *folder.parents]:
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            table = _read(pyproject).get("tool", {}).get("databugs")
            if table is not None:
                found.append((pyproject, table))
            break
    beside = folder / "databugs.toml"
    if beside.is_file():
        found.append((beside, _read(beside)))
    return found


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DatabugsError(f"{path}: not valid TOML ({error})", code="bad_config") from None


def _dataset_section(table: dict[str, Any], path: Path, data: Path) -> dict[str, Any]:
    """The ``datasets."<path>"`` entry naming this data (relative to the file, or its name)."""
    sections = table.get("datasets", {})
    if not isinstance(sections, dict):
        raise DatabugsError(f"{path}: 'datasets' must be a table of tables", code="bad_config")
    target = data.resolve()
    for name, section in sections.items():
        if not isinstance(section, dict):
            raise DatabugsError(
                f"{path}: datasets.{name!r} must be a table of options", code="bad_config"
            )
        if (path.parent / name).resolve() == target or name == data.name:
            return section
    return {}


def _checked(section: Mapping[str, Any], path: Path) -> dict[str, Any]:
    """Known keys with values of the right type; relative paths made absolute."""
    checked = {}
    for key, value in section.items():
        if key == "datasets":
            continue
        if key not in TYPES:
            raise DatabugsError(
                f"{path}: unknown key {key!r}",
                code="bad_config",
                hint=f"known keys: {', '.join(TYPES)}",
            )
        wrong_items = isinstance(value, list) and not all(isinstance(v, str) for v in value)
        if not isinstance(value, TYPES[key]) or isinstance(value, bool) or wrong_items:
            raise DatabugsError(f"{path}: {key} = {value!r} has the wrong type", code="bad_config")
        if key in ("baseline", "out"):
            value = str(path.parent / value)
        checked[key] = value
    return checked
