"""Gold items: items whose true class is known (``--gold FILE`` or a ``gold`` column).

They anchor the truth-inference model (their posterior is their class), give each annotator an
accuracy measured rather than estimated, and are never flagged.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from databugs.annotators.agreement import MISSING
from databugs.data.io import read_table
from databugs.data.validate import label_text, label_texts
from databugs.errors import DatabugsError, ErrorCode, option
from databugs.text import columns_hint

GOLD_COLUMN = "gold"
"""A column of the annotated data holding an item's true class (empty: not a gold item)."""
GOLD_LABELS = ("label", "gold", "true_label")
"""The column of a ``--gold`` file that holds the true class, the first found."""


def gold_labels(
    items: pd.DataFrame,
    id_column: str | None,
    gold_file: str | os.PathLike[str] | None,
    source: str,
) -> list[str | None] | None:
    """Per item, its true class as written (None: not gold); None when there is no gold."""
    if gold_file is None:
        if GOLD_COLUMN not in items.columns:
            return None
        return label_texts(items[GOLD_COLUMN])
    if id_column is None:
        raise DatabugsError(
            f"{option('gold')} needs {option('id')}: the column its items are named by",
            code=ErrorCode.BAD_OPTION,
        )
    gold = read_table(gold_file).frame
    where = str(gold_file)
    label = next((name for name in GOLD_LABELS if name in gold.columns), None)
    if id_column not in gold.columns or label is None:
        raise DatabugsError(
            f"{where}: a gold file needs the {id_column!r} column ({option('id')}) and a "
            f"{'/'.join(GOLD_LABELS)} column",
            code=ErrorCode.UNKNOWN_COLUMN,
            hint=columns_hint(GOLD_LABELS[0] if label is None else id_column, gold.columns),
        )
    known = dict(zip(gold[id_column].map(label_text), label_texts(gold[label]), strict=True))
    found = [known.get(key) for key in items[id_column].map(label_text)]
    if all(text is None for text in found):
        raise DatabugsError(
            f"{where}: no item of {source} is in the gold file", code=ErrorCode.BAD_ID
        )
    return found


def gold_indices(labels: list[str | None], class_index: dict[str, int], where: str) -> np.ndarray:
    """Class index per item (-1: not gold); a gold class no annotator used is refused."""
    for text in labels:
        if text is not None and text not in class_index:
            raise DatabugsError(
                f"{where}: gold label {text!r} is not a class any annotator used",
                code=ErrorCode.BAD_LABEL,
            )
    return np.array([MISSING if t is None else class_index[t] for t in labels], dtype=int)
