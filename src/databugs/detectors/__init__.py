"""Detectors: one module per kind of data bug, each reading a shared :class:`Context`.

Importing this package registers every detector module listed in ``registry.DETECTOR_MODULES``.
"""

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import all_detectors, register

__all__ = ["Context", "Detector", "Issue", "all_detectors", "register"]
