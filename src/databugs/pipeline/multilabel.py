"""Multi-label scans (several tags per row): where that path starts.

Not built in this branch: a scan whose task is ``multilabel`` stops here with one line.
"""

from __future__ import annotations

from typing import Any

from databugs.data.io import LoadedTable
from databugs.data.task import TaskChoice
from databugs.errors import DatabugsError, ErrorCode


def prepare_multilabel(table: LoadedTable, options: dict[str, Any], choice: TaskChoice) -> Any:
    """The checked table of a multi-label scan (``choice.reason`` says why it is one)."""
    raise DatabugsError(
        f"{table.path}: multi-label scans: not built in this branch ({choice.reason})",
        code=ErrorCode.BAD_OPTION,
        hint=f"give {choice.override()}",
    )
