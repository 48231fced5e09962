"""Multi-label data: each row's set of tags, read from one joined column or several 0/1 columns,
and a corrected tag set written back in the column's own form.

A joined cell (``billing; refund``) is split at the separator and each tag stripped; an empty
cell is an unlabelled row, an empty tag between separators is refused (it is a slip, and no
reading of it is safe). A correction keeps the tags the cell kept, in the order and spelling the
cell wrote them, with the separator as the cell wrote it; added tags go where the column's
convention puts them (in sorted order if the column's cells list their tags sorted, else last).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from databugs.data.validate import label_texts
from databugs.errors import DatabugsError, ErrorCode

JOINED = "joined"
COLUMNS = "columns"
TRUE_CELLS = frozenset({"1", "1.0", "true", "yes"})
FALSE_CELLS = frozenset({"0", "0.0", "false", "no"})


@dataclass(frozen=True)
class TagSets:
    """The labelled rows' tag sets as a 0/1 matrix (``labelled`` x ``tags``).

    ``written`` holds each labelled row's tags as the cell wrote them (joined form); ``form`` is
    ``joined`` (one column, ``separator``) or ``columns`` (one 0/1 column per tag, ``tags`` are
    the column names); ``joiner`` is the separator with the spaces most cells put around it and
    ``sorted_cells`` whether every cell lists its tags sorted (ignoring case).
    """

    tags: list[str]
    labelled: np.ndarray
    matrix: np.ndarray
    written: list[list[str]]
    form: str
    separator: str = ";"
    joiner: str = ";"
    sorted_cells: bool = False
    merges: dict[str, str] = field(default_factory=dict)

    def tag_sets(self) -> list[list[int]]:
        """Each labelled row's tags as indices into ``tags`` (cleanlab's multi-label form)."""
        return [np.flatnonzero(row).tolist() for row in self.matrix]

    def counts(self) -> np.ndarray:
        """Rows carrying each tag."""
        return self.matrix.sum(axis=0)


def split_cell(text: str, separator: str, *, source: str, column: str, row: int) -> list[str]:
    """The tags of one cell, stripped; an empty tag between separators is refused.

    >>> split_cell(" billing ; refund", ";", source="d.csv", column="tags", row=0)
    ['billing', 'refund']
    """
    tags = [tag.strip() for tag in text.split(separator)]
    if "" in tags:
        raise DatabugsError(
            f"{source}: row {row} of column {column!r} has an empty tag between separators "
            f"({text.strip()!r})",
            code=ErrorCode.BAD_LABEL,
            hint=f"remove the extra {separator!r}, or name another separator with --label-sep",
        )
    return tags


def joined_tag_sets(
    values: pd.Series,
    separator: str,
    *,
    source: str,
    column: str,
    merges: dict[str, str] | None = None,
) -> TagSets:
    """Tag sets from one column of joined tags; ``merges`` maps a tag spelling to the tag it is
    counted as (spelling variants), applied to the matrix, never to ``written``."""
    if not separator:
        raise DatabugsError("--label-sep cannot be empty", code=ErrorCode.BAD_OPTION)
    texts = label_texts(values)
    labelled = np.array([row for row, text in enumerate(texts) if text is not None], dtype=int)
    written = [
        split_cell(texts[row], separator, source=source, column=column, row=int(row))
        for row in labelled
    ]
    merges = merges or {}
    canonical = [[merges.get(tag, tag) for tag in row] for row in written]
    tags = sorted({tag for row in canonical for tag in row})
    return TagSets(
        tags=tags,
        labelled=labelled,
        matrix=_indicator(canonical, tags),
        written=written,
        form=JOINED,
        separator=separator,
        joiner=_usual_joiner([texts[row] for row in labelled], separator),
        sorted_cells=all(row == sorted(row, key=str.casefold) for row in written),
        merges=merges,
    )


def column_tag_sets(frame: pd.DataFrame, columns: Sequence[str], *, source: str) -> TagSets:
    """Tag sets from one 0/1 column per tag (``--labels a,b,c``); a row with any empty cell
    among them is unlabelled, a cell that is not 0/1 (or true/false, yes/no) is refused."""
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        raise DatabugsError(
            f"{source}: no column {missing[0]!r}",
            code=ErrorCode.UNKNOWN_COLUMN,
            hint=f"columns are: {', '.join(map(str, frame.columns))}",
        )
    cells = [label_texts(frame[name]) for name in columns]
    labelled = np.array(
        [row for row in range(len(frame)) if all(c[row] is not None for c in cells)], dtype=int
    )
    matrix = np.zeros((len(labelled), len(columns)), dtype=np.int8)
    for index, (name, column) in enumerate(zip(columns, cells, strict=True)):
        matrix[:, index] = [_flag(column[row], source, name, int(row)) for row in labelled]
    return TagSets(
        tags=list(columns),
        labelled=labelled,
        matrix=matrix,
        written=[[columns[i] for i in np.flatnonzero(row)] for row in matrix],
        form=COLUMNS,
    )


def written_correction(tag_sets: TagSets, position: int, wanted: Iterable[str]) -> str:
    """The corrected cell of labelled row ``position`` whose tags should be ``wanted``
    (canonical tags), in the column's own form: kept tags as written, added ones appended
    (or in sorted place if the column sorts its cells), the cell's own separator spacing."""
    wanted = list(wanted)
    kept = [tag for tag in tag_sets.written[position] if tag_sets.merges.get(tag, tag) in wanted]
    have = {tag_sets.merges.get(tag, tag) for tag in kept}
    tags = kept + [tag for tag in wanted if tag not in have]
    if tag_sets.sorted_cells:
        tags = sorted(tags, key=str.casefold)
    return tag_sets.joiner.join(tags)


def given_cell(tag_sets: TagSets, position: int) -> str:
    """Labelled row ``position``'s tags as one text: the cell itself, or the 0/1 columns set."""
    return tag_sets.joiner.join(tag_sets.written[position])


def _indicator(rows: list[list[str]], tags: list[str]) -> np.ndarray:
    index = {tag: i for i, tag in enumerate(tags)}
    matrix = np.zeros((len(rows), len(tags)), dtype=np.int8)
    for position, row in enumerate(rows):
        matrix[position, [index[tag] for tag in row]] = 1
    return matrix


def _usual_joiner(texts: list[str], separator: str) -> str:
    """The separator with the spaces around it that most cells use (``;`` or ``; ``)."""
    spaced = re.compile(rf"\s*{re.escape(separator)}\s*")
    found = Counter(m.group(0) for text in texts for m in spaced.finditer(text.strip()))
    return min(found, key=lambda j: (-found[j], j)) if found else separator


def _flag(text: str | None, source: str, column: str, row: int) -> int:
    value = (text or "").strip().casefold()
    if value in TRUE_CELLS:
        return 1
    if value in FALSE_CELLS:
        return 0
    raise DatabugsError(
        f"{source}: row {row} of column {column!r} is {text!r}, not 0 or 1",
        code=ErrorCode.BAD_LABEL,
        hint="a tag column holds 0/1 (or true/false) in every labelled row",
    )


def respelled(tag_sets: TagSets, position: int) -> str:
    """Labelled row ``position``'s cell with every tag in the spelling it is counted as."""
    tags = [tag_sets.merges.get(tag, tag) for tag in tag_sets.written[position]]
    return tag_sets.joiner.join(dict.fromkeys(tags))
