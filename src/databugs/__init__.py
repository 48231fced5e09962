"""databugs: find and fix data bugs (wrong labels and more) in labelled datasets.

The functions are imported on first use, so that commands which fit no model (re-checking a
gate, ``fix``, ``diff``) start without loading scikit-learn.

>>> import databugs
>>> callable(databugs.scan), "scan" in dir(databugs)
(True, True)
"""

from typing import Any

from databugs.errors import DatabugsError
from databugs.version import __version__

__all__ = ["DatabugsError", "Report", "__version__", "fix", "label", "next_rows", "rule", "scan"]

_LAZY = {
    "scan": "databugs.api",
    "label": "databugs.api",
    "next_rows": "databugs.api",
    "fix": "databugs.api",
    "rule": "databugs.weak.rules",
    "Report": "databugs.notebook",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'databugs' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
