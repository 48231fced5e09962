"""A regression scan (a number per row): out-of-fold predictions, then the detectors that make
sense for numbers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from databugs.detectors.base import Detector
from databugs.errors import DatabugsError, ErrorCode
from databugs.models.engines import Engine
from databugs.pipeline.prepare import Prepared
from databugs.report.report import Report


def scan_regression(
    data: Prepared,
    options: dict[str, Any],
    detectors: Sequence[Detector],
    *,
    engine: Engine | None,
    clock: Any,
) -> Report:
    """The report of a regression scan."""
    raise DatabugsError(
        f"{data.source}: regression scans are being built",
        code=ErrorCode.BAD_OPTION,
        hint=f"{data.choice.reason if data.choice else ''}",
    )
