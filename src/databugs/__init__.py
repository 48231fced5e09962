"""databugs: find and fix data bugs (wrong labels and more) in labelled datasets.

>>> import databugs
>>> callable(databugs.scan)
True
"""

from databugs.api import scan
from databugs.errors import DatabugsError
from databugs.report import Report

__version__ = "0.1.0"

__all__ = ["DatabugsError", "Report", "__version__", "scan"]
