"""Name -> detector registry. Adding a detector is one module plus one line here."""

from __future__ import annotations

import importlib

from databugs.detectors.base import Detector

DETECTOR_MODULES = (
    "databugs.detectors.label_issues",
    "databugs.detectors.label_spelling",
    "databugs.detectors.class_imbalance",
    "databugs.detectors.rare_class",
    "databugs.detectors.missing_class",
    "databugs.detectors.conflicting_duplicates",
    "databugs.detectors.near_duplicates",
    "databugs.detectors.confusable_classes",
    "databugs.detectors.annotator_disagreement",
    "databugs.detectors.annotator_systematic",
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
