"""Detectors: one module per kind of data bug, each reading a shared :class:`Context`.

``all_detectors()`` imports every detector module listed in ``registry.DETECTOR_MODULES``.
"""

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import all_detectors, build_detectors, register

__all__ = ["Context", "Detector", "Issue", "all_detectors", "build_detectors", "register"]
