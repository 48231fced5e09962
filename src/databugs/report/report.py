"""The result of a scan: one type, made by a scan or read back from ``report.json``.

A :class:`Report` is plain data; the renderers turn it into JSON, Markdown, HTML, CSV and
terminal output, and :meth:`Report.to_dict` is exactly what ``report.json`` holds. Read back
(:meth:`Report.from_dict`) it lacks what report.json does not keep: the per-row table
(``rows``), the detectors' ``Issue`` objects and the timings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from databugs.data.tags import COLUMNS_JOINER
from databugs.data.validate import check_at_least, label_text
from databugs.detectors.registry import label_flag_kinds
from databugs.errors import DatabugsError, ErrorCode
from databugs.gate.rules import gate_passed, gate_section
from databugs.report.schema import ISSUE_FIELDS, SCHEMA, is_two_file_scan

if TYPE_CHECKING:
    import pandas as pd

    from databugs.detectors.base import Issue


@dataclass(repr=False)
class Report:
    """Everything a scan found.

    ``records`` are the issues as report.json lists them, ranked worst first; ``rows`` has one
    line per data row, in input order, with the columns of ``corrected_labels.csv``.
    """

    input: dict[str, Any]
    options: dict[str, Any]
    summary: dict[str, Any]
    classes: list[dict[str, Any]]
    features: list[dict[str, Any]]
    notes: list[str]
    kinds: dict[str, str]
    records: list[dict[str, Any]]
    models: list[dict[str, Any]] = field(default_factory=list)
    """The models the probabilities come from: name, weight, out-of-fold accuracy, log loss."""
    clusters: list[dict[str, Any]] = field(default_factory=list)
    quality_histogram: dict[str, list] = field(default_factory=dict)
    annotators: list[dict[str, Any]] | None = None
    agreement: dict[str, Any] | None = None
    gate: list[dict[str, Any]] | None = None
    map: dict[str, Any] | None = None
    """The rows as points in 2-D (``pipeline.projection.map_record``), for report.html."""
    neighbours: list[dict[str, Any]] | None = None
    """Each flagged row's nearest labelled rows (``pipeline.neighbours``)."""
    comparison: dict[str, Any] | None = None
    task: dict[str, Any] | None = None
    """The task kind, why it was chosen and how to choose another (report.json's ``task``)."""
    regression: dict[str, Any] | None = None
    """A regression scan's chosen model and given-vs-predicted points (report.json's part)."""
    rows: pd.DataFrame | None = field(default=None, repr=False)
    issues: list[Issue] = field(default_factory=list, repr=False)
    timings: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, content: dict[str, Any]) -> Report:
        """A report read back from the content of a ``report.json``."""
        return cls(
            input=content["input"],
            options=content["options"],
            summary=content["summary"],
            classes=content["classes"],
            features=content["features"],
            notes=content["notes"],
            kinds=content["kinds"],
            records=content["issues"],
            models=content.get("models", []),
            clusters=content.get("clusters", []),
            quality_histogram=content.get("label_quality_histogram", {}),
            annotators=content.get("annotators"),
            agreement=content.get("agreement"),
            gate=content["gate"]["rules"] if content.get("gate") else None,
            comparison=content.get("comparison"),
            task=content.get("task"),
            regression=content.get("regression"),
            map=content.get("map"),
            neighbours=content.get("neighbours"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The content of ``report.json`` (timings are kept out so that it is reproducible)."""
        content = {
            "schema": SCHEMA,
            "input": self.input,
            **({"task": self.task} if self.task is not None else {}),
            "options": self.options,
            "summary": self.summary,
            "classes": self.classes,
            "features": self.features,
            "models": self.models,
            "notes": self.notes,
            "kinds": self.kinds,
            "clusters": self.clusters,
            "label_quality_histogram": self.quality_histogram,
        }
        if self.annotators is not None:
            content["annotators"] = self.annotators
            content["agreement"] = self.agreement
        if self.gate is not None:
            content["gate"] = gate_section(self.gate)
        if self.comparison is not None:
            content["comparison"] = self.comparison
        if self.regression is not None:
            content["regression"] = self.regression
        if self.neighbours is not None:
            content["neighbours"] = self.neighbours
        if self.map is not None:
            content["map"] = self.map
        return {**content, "issues": self.records}

    def __repr__(self) -> str:
        """One line: what was scanned and what was found (the whole report is ``to_dict()``)."""
        summary = self.summary
        counts = ", ".join(f"{k} {n}" for k, n in summary["counts"].items() if n)
        what = "values" if self.regression is not None else f"{summary['classes']} classes"
        return (
            f"<databugs.Report {self.input['path']!r}: {summary['rows']:,} rows, "
            f"{what}, {self.health_text()}; "
            f"{len(self.records):,} issues ({counts or 'none'})>"
        )

    def issues_frame(self, data: pd.DataFrame | None = None) -> pd.DataFrame:
        """The issues as a DataFrame, one row per issue, worst first, in report.json's fields.

        ``row`` is the 0-based position in the data, not its index label (a frame after
        ``train_test_split`` keeps labels that are not positions): ``issues_frame(data)`` adds
        the scanned frame's columns by position (``_data`` after names both have), and its
        index labels as ``index``."""
        import pandas as pd

        frame = pd.DataFrame.from_records(self.records, columns=list(ISSUE_FIELDS))
        frame = frame.astype({"row": "Int64", "rank": "Int64"})
        if data is None:
            return frame
        rows = frame["row"]
        known = rows.notna().to_numpy()
        named = "index" if "index" not in data.columns else "index_data"
        joined = data.iloc[rows[known].astype(int).to_numpy()].reset_index(names=named)
        joined.index = frame.index[known]
        return frame.merge(  # not join(rsuffix=): deprecated in pandas 3.1
            joined, how="left", left_index=True, right_index=True, suffixes=("", "_data")
        )

    def corrections(self) -> list[dict[str, Any]]:
        """The rows the scan proposes to relabel, worst first, each once (its worst finding)."""
        return proposed_corrections(self.records)

    def corrected(
        self, data: pd.DataFrame, *, top: int | None = None, rows: Iterable[int] | None = None
    ) -> pd.DataFrame:
        """A copy of ``data`` (the scanned DataFrame) with the proposed corrections applied:
        all of them, the ``top`` worst, or those of ``rows`` (positions). Each new label is
        written as its class is written elsewhere in the column (``1`` stays a number). Unlike
        ``databugs.fix`` nothing is recorded in a ledger: this is for experiments."""
        chosen = self.corrections()
        if top is not None:
            check_at_least("top", top, 0)
            chosen = chosen[:top]
        if rows is not None:
            chosen = _named_rows(chosen, rows)
        label = self.input["label"]
        if not isinstance(label, str):  # 0/1 tag columns
            return _with_tags_set(data, list(label), self.summary["rows"], chosen)
        _check_scanned(data, label, self.summary["rows"], chosen)
        column = data[label]
        values = _as_written_in(column, [c["suggested_label"] for c in chosen])
        copy = data.copy()
        if any(type(value) is str for value in values) and column.dtype != object:
            copy[label] = copy[label].astype(object)  # a text class in a number column
        elif any(isinstance(value, float) for value in values) and column.dtype.kind in "iub":
            copy[label] = copy[label].astype(float)  # a regression's new value in whole numbers
        copy.iloc[[c["row"] for c in chosen], copy.columns.get_loc(label)] = values
        return copy

    def issue_records(self) -> list[dict[str, Any]]:
        """The issues as report.json lists them, worst first."""
        return self.records

    def worst_labels(self, count: int, *, renumber: bool = False) -> list[dict[str, Any]]:
        """The ``count`` worst-ranked likely misannotations (see ``Detector.flags_labels``).

        ``renumber`` ranks them among themselves (1 = the worst label), as the "10 worst
        labels" lists show them: their ranks among all issues skip the places other kinds hold."""
        kinds = label_flag_kinds()
        worst = [record for record in self.records if record["kind"] in kinds][:count]
        if renumber:
            worst = [{**record, "rank": place} for place, record in enumerate(worst, 1)]
        return worst

    def two_files(self) -> bool:
        """Whether a training and a test file were scanned together (rows named ``test:68``)."""
        return is_two_file_scan(self.input)

    def row_name(self, record: dict[str, Any]) -> str:
        """How a person finds an issue's row (:func:`row_name`)."""
        return row_name(record, two_files=self.two_files())

    def scanned_name(self) -> str:
        """What was scanned: the file, or a training and a test file (``train.csv +
        test.csv``)."""
        files = self.input.get("split_files", ())
        return " + ".join(map(str, files)) if self.two_files() else str(self.input["path"])

    def fit_text(self) -> str:
        """How well the models fit out of fold: accuracy, or a regression's error and R²."""
        summary = self.summary
        if summary.get("model_mae") is not None:
            return (
                f"out-of-fold mean absolute error {summary['model_mae']:.4g}, "
                f"R² {summary['model_r2']:.3f}"
            )
        return f"out-of-fold accuracy {summary['model_accuracy']:.1%}"

    def shown_counts(self) -> dict[str, int]:
        """The summary's counts of the kinds the scan looked for (``kinds``), and of any other
        kind it found: the counts a page shows (``summary.counts`` names every kind)."""
        counts = self.summary["counts"]
        return {kind: n for kind, n in counts.items() if kind in self.kinds or n}

    def health_text(self) -> str:
        """The headline figure: label health for classes and tags; for a number per row, the
        share of values within what the model's error allows (not flagged) and the median
        distance of a value from its prediction (a mean quality of numbers would mean little)."""
        summary = self.summary
        if summary.get("median_residual") is None:
            return f"label health {summary['label_health']:.1%}"
        return (
            f"{summary['label_health']:.1%} of values near their prediction "
            f"(median miss {summary['median_residual']:.4g})"
        )

    def wrong_text(self) -> str:
        """What a flagged row is called: a likely wrong label, or value."""
        return (
            "likely wrong values"
            if self.summary.get("median_residual") is not None
            else ("likely wrong labels")
        )

    def model_mix(self, *, accuracy: bool = True) -> str:
        """The models as a phrase: "extra-trees 71% (out-of-fold accuracy 93.2%), ..." (weights,
        largest first); the model option when the report does not list them."""
        if self.input.get("label_only"):
            return "none fitted (label-only scan)"
        if not self.models:
            return str(self.options["model"])
        shown = [m for m in self.models if m["weight"] >= 0.005] or self.models
        return ", ".join(
            f"{m['name']} {m['weight']:.0%}"
            + (
                f" (out-of-fold accuracy {m['accuracy']:.1%})"
                if accuracy and "accuracy" in m
                else ""
            )
            for m in sorted(shown, key=lambda m: -m["weight"])
        )

    def task_line(self) -> str | None:
        """The task as one line: which, why, and how to choose another; None when not recorded."""
        if self.task is None:
            return None
        how = "chosen automatically" if self.task["chosen_by"] == "auto" else "as given"
        return (
            f"task: {self.task['kind']} ({how}: {self.task['reason']}); "
            f"otherwise give {self.task['override']}"
        )

    def tag_separator(self) -> str:
        """What a multi-label scan's tag sets are joined by in its labels: ``;`` for 0/1 tag
        columns, else the tag column's own separator (``--label-sep``)."""
        if self.options.get("labels"):
            return COLUMNS_JOINER
        return self.options.get("label_sep") or ";"

    def gate_passed(self) -> bool:
        """True unless a ``--fail-on`` rule failed."""
        return gate_passed(self.gate)


def proposed_corrections(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Of ``records`` (ranked issues as report.json lists them), one proposed new label per
    row, worst row first.

    Where two findings suggest different labels for a row (a spelling variant that the model
    also thinks is the wrong class), the model's flag wins: it was made on the merged
    spellings, so accepting it fixes both. The other suggestions are kept in
    ``also_suggested`` so that nobody takes one silently."""
    flag_kinds = label_flag_kinds()
    by_row: dict[int, list[dict[str, Any]]] = {}
    for issue in records:
        suggested, row = issue["suggested_label"], issue["row"]
        if row is not None and suggested is not None and suggested != issue["given_label"]:
            by_row.setdefault(row, []).append(issue)
    found = []
    for findings in by_row.values():
        chosen = next((i for i in findings if i["kind"] in flag_kinds), findings[0])
        others = [
            {"kind": i["kind"], "suggested_label": i["suggested_label"]}
            for i in findings
            if i["suggested_label"] != chosen["suggested_label"]
        ]
        found.append({**chosen, "also_suggested": others} if others else chosen)
    return found


def _named_rows(chosen: list[dict[str, Any]], rows: Iterable[int]) -> list[dict[str, Any]]:
    wanted = set(rows)
    unknown = sorted(wanted - {c["row"] for c in chosen})
    if unknown:
        raise DatabugsError(
            f"row {unknown[0]} has no suggested correction",
            code=ErrorCode.UNKNOWN_ROW,
            hint="report.corrections() lists the rows that have one",
        )
    return [c for c in chosen if c["row"] in wanted]


def _check_scanned(data: pd.DataFrame, label: str, rows: int, chosen: list[dict[str, Any]]) -> None:
    """Corrections apply to the data that was scanned: same rows, same labels where they land."""
    changed = label not in data.columns or len(data) != rows
    if not changed:
        column = data[label]
        changed = any(label_text(column.iat[c["row"]]) != c["given_label"] for c in chosen)
    if changed:
        raise DatabugsError(
            "the data is not the scanned data (its rows or labels differ)",
            code=ErrorCode.DATA_CHANGED,
            hint="pass the DataFrame the report was made from",
        )


def row_name(record: dict[str, Any], *, two_files: bool) -> str:
    """How a person finds an issue's row: in a scan of a training and a test file, by split
    and row in that split's file (``test:68``, as ``fix --accept`` takes it), else by row."""
    if record.get("row") is None:
        return ""
    if two_files and record.get("split") is not None:
        return f"{record['split']}:{record['file_row']}"
    return str(record["row"])


def _as_written_in(column: pd.Series, suggestions: list[Any]) -> list[Any]:
    """Each suggested label as the column writes it: a class as its other rows spell it, a
    new number (a regression's suggested value) as a number in a number column."""
    import pandas as pd

    written = {label_text(value): value for value in column.dropna().unique()}
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    values = []
    for suggestion in suggestions:
        value = written.get(suggestion, suggestion)
        if numeric and isinstance(value, str):
            number = pd.to_numeric(value, errors="coerce")
            value = value if pd.isna(number) else float(number)
        values.append(value)
    return values


def _with_tags_set(
    data: pd.DataFrame, columns: list[str], rows: int, chosen: list[dict[str, Any]]
) -> pd.DataFrame:
    """A copy of ``data`` whose 0/1 tag columns hold the chosen corrections' tag sets, each
    cell in its column's type (a number, a boolean, or its text spelling)."""
    from databugs.data.table import DATAFRAME
    from databugs.data.tags import TRUE_CELLS, scanned_labels, tag_column_cells

    missing = any(name not in data.columns for name in columns) or len(data) != rows
    given = [] if missing else scanned_labels(data, columns, source=DATAFRAME)
    if missing or any(given[c["row"]] != c["given_label"] for c in chosen):
        raise DatabugsError(
            "the data is not the scanned data (its rows or tags differ)",
            code=ErrorCode.DATA_CHANGED,
            hint="pass the DataFrame the report was made from",
        )
    copy = data.copy()
    new = {c["row"]: c["suggested_label"] for c in chosen}
    for row, cells in tag_column_cells(data, columns, new).items():
        for name, cell in cells.items():
            typed = _typed_cell(cell, data[name], cell.strip().casefold() in TRUE_CELLS)
            copy.iloc[row, copy.columns.get_loc(name)] = typed
    return copy


def _typed_cell(cell: str, column: pd.Series, on: bool) -> Any:
    """A 0/1 cell's text (``on``: it sets the tag) as a value of ``column``'s type."""
    import pandas as pd

    if pd.api.types.is_bool_dtype(column):
        return on
    if pd.api.types.is_integer_dtype(column):
        return int(float(cell))
    if pd.api.types.is_numeric_dtype(column):
        return float(cell)
    return cell
