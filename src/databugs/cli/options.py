"""What several commands share: option types, list parsing, the output format, a progress bar."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class OutputFormat(StrEnum):
    rich = "rich"
    plain = "plain"
    json = "json"


def split_list(values: list[str] | None) -> list[str]:
    """Repeatable options may also be comma-separated: --text a,b --text c."""
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


DataArgument = Annotated[
    Path,
    typer.Argument(
        help="A .csv, .tsv, .parquet or .jsonl file (.gz too), or a folder or quoted glob of "
        "Parquet files."
    ),
]
LabelOption = Annotated[str | None, typer.Option("--label", "-l", help="The label column.")]
IdOption = Annotated[str | None, typer.Option("--id", help="A unique row key column.")]
TextOption = Annotated[
    list[str] | None, typer.Option("--text", help="A free-text column (repeatable).")
]
IgnoreOption = Annotated[
    list[str] | None, typer.Option("--ignore", help="A column that is not a feature.")
]
ReportOption = Annotated[Path, typer.Option("--report", help="The scan's output folder.")]
DataOption = Annotated[
    Path | None, typer.Option("--data", help="The data, if it moved since the scan.")
]


class ProgressBar:
    """A rich progress bar fed by the library's ``progress(stage, done, total)`` callback."""

    def __init__(self, *, enabled: bool, console: Console) -> None:
        self.bar = (
            Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
            )
            if enabled
            else None
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> Callable[[str, int, int], None] | None:
        if self.bar is None:
            return None
        self.bar.start()
        return self.update

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()
