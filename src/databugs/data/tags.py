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

from databugs.data.validate import label_text, label_texts
from databugs.errors import DatabugsError, ErrorCode
from databugs.text import columns_hint, listed

JOINED = "joined"
COLUMNS = "columns"
TRUE_CELLS = frozenset({"1", "1.0", "true", "yes"})
FALSE_CELLS = frozenset({"0", "0.0", "false", "no"})
NO_TAGS = "(no tags)"
"""A row of 0/1 tag columns with every tag off, as one text (an empty text is unlabelled)."""
COLUMNS_JOINER = ";"
"""How the tags set in 0/1 columns are joined into one text, for the reports and the ledger."""
_OPPOSITE = {"0": "1", "0.0": "1.0", "false": "true", "no": "yes"}


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
    joined = [name for name in columns if COLUMNS_JOINER in name]
    if joined:
        raise DatabugsError(
            f"{source}: tag column {joined[0]!r} has {COLUMNS_JOINER!r} in its name",
            code=ErrorCode.BAD_OPTION,
            hint="rename the column: tags are joined with it in the reports",
        )
    if missing:
        raise DatabugsError(
            f"{source}: no column {missing[0]!r}",
            code=ErrorCode.UNKNOWN_COLUMN,
            hint=columns_hint(missing[0], frame.columns),
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
        separator=COLUMNS_JOINER,
        joiner=COLUMNS_JOINER,
    )


def row_labels(tag_sets: TagSets, rows: int) -> list[str | None]:
    """Each of ``rows`` rows' tags as one text (:func:`given_cell`), None where unlabelled."""
    labels: list[str | None] = [None] * rows
    for position, row in enumerate(tag_sets.labelled):
        labels[row] = given_cell(tag_sets, position)
    return labels


def scanned_labels(
    frame: pd.DataFrame, label: str | Sequence[str], *, source: str
) -> list[str | None]:
    """The labels a scan saw in ``frame``: the label column's cells, or (``label`` a list of
    0/1 tag columns, as report.json's ``input.label`` names them) each row's tags as one text."""
    if isinstance(label, str):
        return label_texts(frame[label])
    return row_labels(column_tag_sets(frame, list(label), source=source), len(frame))


def tag_column_cells(
    frame: pd.DataFrame, columns: Sequence[str], new_labels: dict[int, str]
) -> dict[int, dict[str, str]]:
    """The 0/1 cells to write for each row's corrected tags (a text as :func:`given_cell`
    writes it), only where a tag changes, each in its column's own spelling (``0``/``1``,
    ``False``/``True``, ...)."""
    spellings = {name: _spellings(label_texts(frame[name])) for name in columns}
    cells: dict[int, dict[str, str]] = {}
    for row, text in new_labels.items():
        wanted = set() if text == NO_TAGS else {tag.strip() for tag in text.split(COLUMNS_JOINER)}
        for name in columns:
            old = _flag(label_text(frame[name].iat[row]), "", name, row)
            if old != (name in wanted):
                cells.setdefault(row, {})[name] = spellings[name][name in wanted]
    return cells


def _spellings(cells: list[str | None]) -> tuple[str, str]:
    """A 0/1 column's usual (false, true) spelling; the one it never holds follows the other."""
    found = Counter(cell.strip() for cell in cells if cell is not None)
    false = [c for c, _ in found.most_common() if c.casefold() in FALSE_CELLS]
    true = [c for c, _ in found.most_common() if c.casefold() in TRUE_CELLS]
    off = false[0] if false else _respelled_like(true[0] if true else "1", invert=True)
    on = true[0] if true else _respelled_like(off, invert=False)
    return off, on


def _respelled_like(cell: str, *, invert: bool) -> str:
    """The other value of a 0/1 cell, in its case: ``False`` for ``True``, ``1`` for ``0``."""
    pairs = {v: k for k, v in _OPPOSITE.items()} if invert else _OPPOSITE
    other = pairs.get(cell.casefold(), "0" if invert else "1")
    return (
        other.upper()
        if cell.isupper() and len(cell) > 1
        else other.title()
        if cell.istitle()
        else other
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
    if tag_sets.form == COLUMNS:
        tags = [tag for tag in tag_sets.tags if tag in tags]  # the columns' order
    return _joined(tag_sets, tags)


def given_cell(tag_sets: TagSets, position: int) -> str:
    """Labelled row ``position``'s tags as one text: the cell itself, or the 0/1 columns set."""
    return _joined(tag_sets, tag_sets.written[position])


def _joined(tag_sets: TagSets, tags: list[str]) -> str:
    if tag_sets.form == COLUMNS and not tags:
        return NO_TAGS
    return tag_sets.joiner.join(tags)


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


def scanned_tag_sets(
    frame: pd.DataFrame, label: str | Sequence[str], separator: str, *, source: str
) -> TagSets:
    """The tag sets a multi-label scan read from ``frame``: the 0/1 columns report.json's
    ``input.label`` names, or its one column of tags joined by ``separator``."""
    if isinstance(label, str):
        return joined_tag_sets(frame[label], separator, source=source, column=label)
    return column_tag_sets(frame, list(label), source=source)


def edited_cell(
    tag_sets: TagSets, row: int, typed: str, *, known: Sequence[str], new: bool = False
) -> str:
    """The cell row ``row`` gets when a reviewer types its tags: tags joined by the column's
    separator, each a known tag, or a new one marked ``+tag`` (or its number in ``known``);
    with ``new``, every unknown tag is new on purpose and taken as written. A new tag needs a
    joined column (0/1 columns would need another column). Written in the column's own form,
    like a suggestion; with 0/1 columns an empty text (or ``(no tags)``) turns every tag off."""
    position = int(np.searchsorted(tag_sets.labelled, row))
    if position == len(tag_sets.labelled) or tag_sets.labelled[position] != row:
        raise DatabugsError(f"row {row} has no tags to edit", code=ErrorCode.BAD_LABEL)
    text = typed.strip()
    if tag_sets.form == COLUMNS and text in ("", NO_TAGS):
        return written_correction(tag_sets, position, [])
    pieces = [piece.strip() for piece in text.split(tag_sets.separator)]
    if "" in pieces:
        raise DatabugsError(
            f"{text!r}: an empty tag (tags are joined by {tag_sets.separator!r})",
            code=ErrorCode.BAD_LABEL,
            hint="a row keeps at least one tag; an empty cell would make it unlabelled",
        )
    wanted = [_typed_tag(piece, tag_sets, known, new) for piece in pieces]
    return written_correction(tag_sets, position, dict.fromkeys(wanted))


def _typed_tag(piece: str, tag_sets: TagSets, known: Sequence[str], new: bool) -> str:
    """One typed tag as the tag it is counted as (see :func:`edited_cell`)."""
    if piece in known or piece in tag_sets.tags:
        return tag_sets.merges.get(piece, piece)
    if not new and piece.isdigit() and 1 <= int(piece) <= len(known):
        return known[int(piece) - 1]
    name = piece if new else piece.removeprefix("+").strip()
    if not (new or piece.startswith("+")) or not name:
        raise DatabugsError(
            f"{piece!r} is not a tag of this data and not marked new",
            code=ErrorCode.BAD_LABEL,
            hint=f"tags are {listed(known, limit=8)}; type +name for a new one",
        )
    if tag_sets.form == COLUMNS:
        raise DatabugsError(
            f"{name!r}: the tags are 0/1 columns and none is named so",
            code=ErrorCode.BAD_LABEL,
            hint="add the column to the data and scan again",
        )
    return name
