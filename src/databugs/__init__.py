"""databugs: find and fix data bugs (wrong labels and more) in labelled datasets.

>>> import databugs
>>> callable(databugs.scan)
True
"""

from databugs.api import scan
from databugs.errors import DatabugsError
from databugs.report import Report
from databugs.version import __version__

__all__ = ["DatabugsError", "Report", "__version__", "scan"]
