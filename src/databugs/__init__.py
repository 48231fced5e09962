"""databugs: find and fix data bugs (wrong labels and more) in labelled datasets.

``scan`` and ``Report`` are imported on first use, so that commands which fit no model (re-checking
a gate, ``fix``, ``diff``) start without loading scikit-learn.

>>> import databugs
>>> callable(databugs.scan)
True
"""

from typing import Any

from databugs.errors import DatabugsError
from databugs.version import __version__

__all__ = ["DatabugsError", "Report", "__version__", "rule", "scan"]


def __getattr__(name: str) -> Any:
    if name == "scan":
        from databugs.api import scan

        return scan
    if name == "rule":
        from databugs.rules import rule

        return rule
    if name == "Report":
        from databugs.report import Report

        return Report
    raise AttributeError(f"module 'databugs' has no attribute {name!r}")
