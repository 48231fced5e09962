"""Name -> detector registry. Adding a detector is one module plus its line here (the line
fixes where its kind comes in every report).

Detectors are built with their settings (``[tool.databugs.detectors.<name>]``), each checked
against the keyword arguments the detector takes.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Mapping, Sequence
from typing import Any

from databugs.detectors.base import Detector
from databugs.errors import DatabugsError, ErrorCode

DETECTOR_MODULES = (
    "databugs.detectors.label_issues",
    "databugs.detectors.label_spelling",
    "databugs.detectors.class_imbalance",
    "databugs.detectors.rare_class",
    "databugs.detectors.missing_class",
    "databugs.detectors.conflicting_duplicates",
    "databugs.detectors.near_duplicates",
    "databugs.detectors.indistinct_rows",
    "databugs.detectors.split_leakage",
    "databugs.detectors.split_shift",
    "databugs.detectors.confusable_classes",
    "databugs.detectors.outliers",
    "databugs.detectors.empty_cells",
    "databugs.detectors.mixed_types",
    "databugs.detectors.annotator_disagreement",
    "databugs.detectors.annotator_systematic",
    "databugs.detectors.tag_issues",
    "databugs.detectors.indistinct_tags",
    "databugs.detectors.tag_spelling",
    "databugs.detectors.tag_frequency",
    "databugs.detectors.conflicting_tag_duplicates",
)

_REGISTRY: dict[str, type[Detector]] = {}


def register(detector: type[Detector]) -> type[Detector]:
    """Class decorator: a missing or duplicate ``name`` fails at import time."""
    name = getattr(detector, "name", None)
    if not name or not getattr(detector, "description", None):
        raise TypeError(f"{detector.__qualname__} needs a name and a description")
    if name in _REGISTRY:
        raise TypeError(f"two detectors are named {name!r}")
    _REGISTRY[name] = detector
    return detector


def all_detectors() -> dict[str, type[Detector]]:
    """Every registered detector, in the order of ``DETECTOR_MODULES``."""
    for module in DETECTOR_MODULES:
        importlib.import_module(module)
    return dict(_REGISTRY)


def build_detectors(
    names: Sequence[str] | None = None,
    settings: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    source: str = "detector_settings",
) -> list[Detector]:
    """The detectors to run (``names``, default all), each with its settings."""
    known = all_detectors()
    unknown = sorted(set(names or ()) - set(known))
    if unknown:
        raise DatabugsError(
            f"no detector named {unknown[0]!r}",
            code=ErrorCode.BAD_OPTION,
            hint=f"detectors are: {', '.join(known)}",
        )
    check_settings(settings or {}, source=source)
    return [
        detector(**(settings or {}).get(name, {}))
        for name, detector in known.items()
        if names is None or name in names
    ]


def check_settings(settings: Mapping[str, Any], *, source: str) -> dict[str, dict[str, Any]]:
    """Settings per detector name, each a keyword the detector takes, typed like its default.

    >>> check_settings({"label_issue": {"min_gain": 0.3}}, source="x")
    {'label_issue': {'min_gain': 0.3}}
    """
    known = all_detectors()
    for name, values in settings.items():
        if name not in known:
            raise DatabugsError(
                f"{source}: detectors.{name}: no detector of that name",
                code=ErrorCode.BAD_CONFIG,
                hint=f"detectors are: {', '.join(known)}",
            )
        if not isinstance(values, Mapping):
            raise DatabugsError(
                f"{source}: detectors.{name} must be a table of settings", code=ErrorCode.BAD_CONFIG
            )
        defaults = known[name].settings()
        for key, value in values.items():
            if key not in defaults:
                listed = ", ".join(defaults) or "none"
                raise DatabugsError(
                    f"{source}: detectors.{name} has no setting {key!r}",
                    code=ErrorCode.BAD_CONFIG,
                    hint=f"its settings: {listed}",
                )
            if not _same_type(value, defaults[key]):
                raise DatabugsError(
                    f"{source}: detectors.{name}.{key} = {value!r} has the wrong type "
                    f"(expected a {type(defaults[key]).__name__})",
                    code=ErrorCode.BAD_CONFIG,
                )
            _check_range(f"{source}: detectors.{name}.{key}", key, value)
    return {name: dict(values) for name, values in settings.items()}


SHARE_WORDS = ("share", "likeness", "p_value", "quality", "cosine", "gain", "effect", "floor")
"""A setting whose name holds one of these (or is ``alpha``) is a share or probability: 0 to 1.
Every other setting is a count or a threshold on a positive measure: at least 0."""


def _check_range(where: str, key: str, value: object) -> None:
    """A setting out of its range (a share of 5, a negative count) is refused: it would not
    fail, it would silently flag everything or nothing."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    share = key == "alpha" or any(word in key for word in SHARE_WORDS)
    high = 1.0 if share else math.inf
    if not 0 <= value <= high:
        allowed = "0 to 1" if share else "at least 0"
        raise DatabugsError(
            f"{where} = {value!r} is out of range ({allowed})", code=ErrorCode.BAD_CONFIG
        )


def _same_type(value: object, default: object) -> bool:
    """A number where a number goes (an int where a float goes), never a bool for a number."""
    if isinstance(value, bool) or isinstance(default, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def label_flag_kinds() -> frozenset[str]:
    """The kinds whose issues are likely misannotations (see ``Detector.flags_labels``)."""
    return frozenset(name for name, detector in all_detectors().items() if detector.flags_labels)
