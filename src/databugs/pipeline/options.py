"""Scan options: their defaults and types, which of them shape the findings, and configuration
files, so that a CI job needs no flags.

Sources, lowest precedence first: built-in defaults; ``[tool.databugs]`` in the nearest
``pyproject.toml`` that has one (searched from the data's folder upwards: a ``pyproject.toml``
of a package in a data folder hid the repository's gate); ``databugs.toml`` beside the data;
in each file, a ``datasets."<path>"`` section matching the data; then the command line. Keys
are the long option names with dashes written as underscores; an unknown key is an error.
Detector settings are tables of their own: ``[tool.databugs.detectors.<kind>]``.

A file a pull request adding data could add too (``databugs.toml``, or a ``pyproject.toml``
below the root of the data's git repository) is not trusted with more than the data: its
``out``, ``baseline``, ``test`` and ``gold`` must stay inside that repository (the data's
folder when there is no repository), and it may not name a ``scheduler`` (an address the scan
would connect to) nor a ``text_model`` other than a packaged one (a model folder's files
name the code that loads them).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from databugs.detectors.registry import check_settings
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.models.embeddings import packaged_model
from databugs.models.zoo import MODELS, REGRESSORS

DEFAULTS: dict[str, Any] = {
    "label": None,
    "task": "auto",
    "label_sep": ";",
    "labels": None,
    "test": None,
    "split_col": None,
    "id": None,
    "text": [],
    "ignore": [],
    "annotators": [],
    "annotator_col": None,
    "gold": None,
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
    "detector_settings": {},
}
LIST_KEYS = ("labels", "text", "ignore", "annotators", "classes")
FINDING_OPTIONS = tuple(
    name
    for name in DEFAULTS
    if name not in ("fail_on", "baseline", "jobs", "engine", "scheduler", "out")
)
"""The options that decide what a scan finds (the gate, baseline, where the work runs and the
folder do not)."""
RUN_OPTIONS = ("jobs", "engine", "scheduler", "out")
"""Where and how the work runs and where outputs go: report.json does not record them, so that
it is the same whichever."""
MODEL_OPTIONS = (
    *(o for o in FINDING_OPTIONS if o not in ("classes", "detector_settings")),
    "classes_found",
)
"""What shapes the models: the finding options but the detectors', with the classes found
instead of the classes declared."""
MODEL_NAMES = tuple(MODELS)
"""The classifiers ``--model`` accepts besides ``auto``."""
REGRESSOR_NAMES = tuple(REGRESSORS)
"""The regressors ``--model`` accepts for a regression scan."""
TYPES: dict[str, tuple[type, ...]] = {
    "label": (str,),
    "task": (str,),
    "label_sep": (str,),
    "labels": (list, str),
    "test": (str,),
    "split_col": (str,),
    "id": (str,),
    "text": (list, str),
    "ignore": (list, str),
    "annotators": (list, str),
    "annotator_col": (str,),
    "gold": (str,),
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
    "detector_settings": (dict,),
}
CONFIG_TABLES = {"detectors": "detector_settings"}
"""Tables of a configuration file that hold an option: ``[tool.databugs.detectors.<kind>]``."""


def recorded_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options report.json records, in its order: every option but ``RUN_OPTIONS``, lists
    as lists, paths as text, detector settings only when some are set."""
    recorded: dict[str, Any] = {}
    for name, default in DEFAULTS.items():
        value = options.get(name, default)
        if name in RUN_OPTIONS or (name == "detector_settings" and not value):
            continue
        if name in LIST_KEYS and value is not None:
            value = [value] if isinstance(value, str) else list(value)
        if name in ("baseline", "test") and value is not None:
            value = "<dataframe>" if name == "test" and hasattr(value, "columns") else str(value)
        if name == "detector_settings":
            value = {kind: dict(settings) for kind, settings in value.items()}
        recorded[name] = value
    return recorded


def resolve_options(data: Path, given: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every scan option in effect: defaults < pyproject.toml < databugs.toml < ``given``; and
    the configuration file that set each option ``given`` does not (what a refusal of its
    value names: :func:`databugs.errors.options_set_in`).

    ``given`` holds the options set on the command line (None where not set). Relative paths in
    a file (``baseline``, ``out``) are taken relative to that file's folder.
    """
    options = dict(DEFAULTS)
    set_in: dict[str, str] = {}
    root = _repository_root(data.resolve().parent)
    for path, table in _config_tables(data):
        confined_to = root if _data_side(path, root) else None
        for section in (table, _dataset_section(table, path, data)):
            checked = _checked(section, path, confined_to)
            settings = checked.pop("detector_settings", {})
            options.update(checked)
            set_in.update(dict.fromkeys(checked, str(path)))
            options["detector_settings"] = _merged(options["detector_settings"], settings)
    from_command_line = {key: value for key, value in given.items() if value is not None}
    options.update(from_command_line)
    for key in LIST_KEYS:
        if isinstance(options[key], str):
            options[key] = [part.strip() for part in options[key].split(",") if part.strip()]
    if isinstance(options["fail_on"], list):
        options["fail_on"] = ",".join(options["fail_on"])
    return options, {key: file for key, file in set_in.items() if key not in from_command_line}


def _config_tables(data: Path) -> list[tuple[Path, dict[str, Any]]]:
    found = []
    folder = data.resolve().parent
    for candidate in [folder, *folder.parents]:
        pyproject = candidate / "pyproject.toml"
        table = _read(pyproject).get("tool", {}).get("databugs") if pyproject.is_file() else None
        if table is not None:  # one without [tool.databugs] (a package's own) is passed by
            found.append((pyproject, table))
            break
    beside = folder / "databugs.toml"
    if beside.is_file():
        found.append((beside, _read(beside)))
    return found


def _repository_root(folder: Path) -> Path:
    """The top of the git repository holding ``folder`` (its nearest parent with ``.git``), or
    ``folder`` itself outside one: as far as a file beside the data may reach."""
    for candidate in [folder, *folder.parents]:
        if (candidate / ".git").exists():
            return candidate
    return folder


def _data_side(config: Path, root: Path) -> bool:
    """``databugs.toml``, or a ``pyproject.toml`` below the repository's root."""
    below_root = config.parent != root and config.parent.is_relative_to(root)
    return config.name == "databugs.toml" or below_root


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise DatabugsError(
            f"{path}: not valid TOML ({error})", code=ErrorCode.BAD_CONFIG
        ) from None
    except OSError as error:  # permission denied: one line, not a traceback (exit 1 = gate)
        raise DatabugsError(
            f"{path}: cannot be read ({error.strerror or error})", code=ErrorCode.BAD_CONFIG
        ) from None


def _dataset_section(table: dict[str, Any], path: Path, data: Path) -> dict[str, Any]:
    """The ``datasets."<path>"`` entry naming this data (relative to the file, or its name)."""
    sections = table.get("datasets", {})
    if not isinstance(sections, dict):
        raise DatabugsError(
            f"{path}: 'datasets' must be a table of tables", code=ErrorCode.BAD_CONFIG
        )
    target = data.resolve()
    for name, section in sections.items():
        if not isinstance(section, dict):
            raise DatabugsError(
                f"{path}: datasets.{name!r} must be a table of options", code=ErrorCode.BAD_CONFIG
            )
        if (path.parent / name).resolve() == target or name == data.name:
            return section
    return {}


def _checked(section: Mapping[str, Any], path: Path, confined_to: Path | None) -> dict[str, Any]:
    """Known keys with values of the right type; relative paths made absolute (and kept inside
    ``confined_to`` when the file is data-side, which may not name a scheduler)."""
    checked = {}
    for key, value in section.items():
        if key == "datasets":
            continue
        if key in CONFIG_TABLES:
            checked[CONFIG_TABLES[key]] = _table(value, key, path)
            continue
        if key not in TYPES or key in CONFIG_TABLES.values():
            raise DatabugsError(
                f"{path}: unknown key {key!r}",
                code=ErrorCode.BAD_CONFIG,
                hint=f"known keys: {', '.join(_config_keys())}",
            )
        wrong_items = isinstance(value, list) and not all(isinstance(v, str) for v in value)
        if not isinstance(value, TYPES[key]) or isinstance(value, bool) or wrong_items:
            raise DatabugsError(
                f"{path}: {key} = {value!r} has the wrong type", code=ErrorCode.BAD_CONFIG
            )
        if key == "scheduler" and confined_to is not None:
            raise DatabugsError(
                f"{path}: scheduler is taken only from the command line or from pyproject.toml "
                f"at the repository's root ({confined_to})",
                code=ErrorCode.BAD_CONFIG,
                hint=f"remove it from this file; give {option('scheduler')}",
            )
        if key == "text_model" and confined_to is not None and packaged_model(value) is None:
            raise DatabugsError(  # a model folder's files name the code that loads them
                f"{path}: text_model = {value!r} is no packaged model; a model folder is taken "
                f"only from the command line or from pyproject.toml at the repository's root "
                f"({confined_to})",
                code=ErrorCode.BAD_CONFIG,
                hint=f"remove it from this file; give {option('text_model')}",
            )
        if key in ("baseline", "out", "test", "gold"):
            value = _path_in(path, key, value, confined_to)
        checked[key] = value
    return checked


def _path_in(config: Path, key: str, value: str, confined_to: Path | None) -> str:
    """``value`` relative to the file naming it; refused outside ``confined_to`` (symbolic
    links followed)."""
    path = config.parent / value
    if confined_to is not None and not path.resolve().is_relative_to(confined_to):
        raise DatabugsError(
            f"{config}: {key} = {value!r} is outside the data's repository ({confined_to})",
            code=ErrorCode.BAD_CONFIG,
            hint=f"give {option(key)} on the command line to go elsewhere",
        )
    return str(path)


def _table(value: Any, key: str, path: Path) -> dict[str, Any]:
    """A table option (detector settings), checked."""
    if not isinstance(value, dict):
        raise DatabugsError(f"{path}: {key!r} must be a table", code=ErrorCode.BAD_CONFIG)
    return check_settings(value, source=str(path))


def _merged(settings: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Detector settings of a later file over an earlier one's, setting by setting."""
    return {kind: {**settings.get(kind, {}), **more.get(kind, {})} for kind in {**settings, **more}}


def _config_keys() -> list[str]:
    """The keys a configuration file may hold."""
    return [key for key in TYPES if key not in CONFIG_TABLES.values()] + list(CONFIG_TABLES)
