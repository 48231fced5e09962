"""The parts of report.html's data block its map and neighbours scripts read (map.js,
neighbours.js), from report.json's ``map`` and ``neighbours``."""

from __future__ import annotations

from typing import Any

from databugs.report.evidence import neighbour_sentence
from databugs.report.report import Report


def view_data(report: Report, corrections: list[dict[str, Any]]) -> dict[str, Any]:
    """``map`` (as report.json holds it) and ``neighbours`` keyed by flagged row, each with the
    sentence that says what its neighbours are labelled (given and suggested: the report's
    ``corrections``)."""
    by_row = {c["row"]: c for c in corrections}
    neighbours = {}
    for entry in report.neighbours or []:
        found = by_row.get(entry["row"])
        given, suggested = (
            (found["given_label"], found["suggested_label"]) if found else (None, None)
        )
        neighbours[entry["row"]] = {
            **entry,
            "sentence": neighbour_sentence(entry, given, suggested),
        }
    return {"map": report.map, "neighbours": neighbours}
