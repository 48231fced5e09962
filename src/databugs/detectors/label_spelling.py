"""One class written several ways: case, spaces, Unicode forms, punctuation, small typos.

Spellings that differ only in case, spaces, Unicode form or punctuation are merged into their
most frequent spelling before any model is trained (so they do not split a class). A slip of a
letter (``postive``, ``sprot``) is another word, which may be another class (``grade`` beside
``trade``): it is trained as its own class, and reported once the out-of-fold model shows it
cannot tell the rare spelling's rows from the frequent class's; so is a number in another form
(``1.10`` beside ``1.1``, ``007`` beside ``7``). Each row written another way is reported with
the canonical spelling as its suggested label, for ``fix`` to accept.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from databugs.detectors.base import Context, Detector, Issue
from databugs.detectors.registry import register
from databugs.text import NUMBER, count

SEPARATORS = re.compile(r"[\s_]+|(?<=[^\W\d_])[-.](?=[^\W\d_])")
"""What a spelling key drops: spaces and underscores, and a hyphen or dot between two letters
(``very-positive``, ``n.a``); every other mark stays, since ``A+``/``A``, ``>50K``/``<=50K``,
``C++``/``C`` and ``3.7%``/``-3.7%`` are different classes."""
TYPO_MIN_LENGTH = 4
SEVERITY = 0.9


NUMBER_KEY = "#"
"""Keys of labels that are numbers start with this."""


def spelling_key(label: str, *, fold_case: bool = True) -> str:
    """What is left of a label once case, spaces, Unicode form and word separators are
    ignored: spellings of one key are one class, merged before training. Case is ignored
    by default: a class written ``No``, ``NO`` and ``no`` (or ``OK``/``ok``, ``TV``/``tv``) is far
    more common than two classes told apart by case alone (``Co`` cobalt, ``CO`` carbon
    monoxide), which ``fold_case=False`` keeps apart (for the model to judge). A number keeps
    the digits that may be a name: ``1``, ``+1``, fullwidth ``1`` and ``1.0`` are one class,
    ``1.10`` and ``1.1`` (section numbers) or ``007`` and ``7`` (codes) two, as are ``-1``
    and ``1``.

    >>> spelling_key(" Very-Positive "), spelling_key("very_positive"), spelling_key(">50K")
    ('verypositive', 'verypositive', '>50k')
    >>> spelling_key("1") == spelling_key(" 1.0"), spelling_key("1.10") == spelling_key("1.1")
    (True, False)
    >>> spelling_key("No") == spelling_key("NO"), spelling_key("\uff11") == spelling_key("1")
    (True, True)
    """
    text = unicodedata.normalize("NFKC", label)
    number = _written_number(text)
    if number is not None:
        return number
    key = SEPARATORS.sub("", text)
    return key.casefold() if fold_case else key


def loose_key(label: str) -> str:
    """The spelling key with case folded and a number read as its value: labels of one loose
    key but two spelling keys (``007``/``7``, ``1.10``/``1.1``, ``Co``/``CO`` where case is
    kept) may be one class, which the model decides (:meth:`LabelSpelling.typos`).

    >>> loose_key("007") == loose_key("7"), loose_key("1.10") == loose_key("1.1")
    (True, True)
    """
    text = unicodedata.normalize("NFKC", label).strip()
    if NUMBER.fullmatch(text):
        return NUMBER_KEY + repr(float(text) + 0.0)  # + 0.0: -0.0 is 0.0
    return spelling_key(label)


def _written_number(label: str) -> str | None:
    """A label written as a number, as its sign and digits with a zero fraction dropped
    (``+1.00`` -> ``#1``, ``-0`` -> ``#0``); None for any other label. Python's ``float``
    would also read ``1_2`` as 12 and ``nan`` as a number: these are names."""
    text = label.strip()
    if not NUMBER.fullmatch(text):
        return None
    sign = "-" if text.startswith("-") and float(text) != 0 else ""
    digits = text.lstrip("+-")
    whole, _, fraction = digits.partition(".")
    if not fraction.strip("0") and "e" not in digits.casefold():
        digits = whole or "0"
    return NUMBER_KEY + sign + digits


def edit_distance(a: str, b: str, limit: int) -> int:
    """Letters added, dropped, changed or two neighbours swapped (optimal string alignment),
    stopping early once the distance exceeds ``limit``.

    >>> edit_distance("postive", "positive", 2), edit_distance("sprot", "sport", 2)
    (1, 1)
    """
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = [], list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        if min(current) > limit:  # a swap reaches back two rows, but never below this one's min
            return limit + 1
        before, previous = previous, current
    return previous[-1]


DIGITS = re.compile(r"\D+")


def typo_edit(rare: str, common: str) -> str | None:
    """How the spelling key ``rare`` is a slip of ``common``, or None if it is not one.

    Both must be words of four letters or more (``B`` and ``D`` are names, not slips), with the
    same digits (``class7`` is no typo of ``class1``), one letter off (two in a word of eight
    letters or more); a changed letter must be a slip onto a neighbouring key, past the first
    letter (:func:`_a_key_slip`).

    >>> typo_edit("sprot", "sport"), typo_edit("positiv", "positive"), typo_edit("grade", "trade")
    ('two letters swapped', 'truncated', None)
    >>> typo_edit("positivr", "positive"), typo_edit("formal", "normal")
    ('one letter changed', None)
    >>> typo_edit("postive", "positive"), typo_edit("class7", "class1"), typo_edit("D", "B")
    ('a letter dropped', None, None)
    """
    if NUMBER_KEY in (rare[:1], common[:1]) or min(len(rare), len(common)) < TYPO_MIN_LENGTH:
        return None
    if DIGITS.sub("", rare) != DIGITS.sub("", common):
        return None
    limit = 1 if len(common) < 8 else 2
    distance = edit_distance(rare, common, limit)
    if distance > limit:
        return None
    if common.startswith(rare):
        return "truncated"
    if distance == 2:
        return "two letters off"
    if len(rare) == len(common):
        if sorted(rare) == sorted(common):
            return "two letters swapped"
        return "one letter changed" if _a_key_slip(rare, common) else None
    return "a letter dropped" if len(rare) < len(common) else "a letter added"


def _variant_edit(rare: tuple[str, str], common: tuple[str, str]) -> str | None:
    """How a label of (spelling key, loose key) ``rare`` may be another way of writing
    ``common``: one loose key (a number's value, or case where it is kept) or a slip."""
    if rare[1] == common[1]:
        return "another form of the number" if rare[1][:1] == NUMBER_KEY else "another case"
    return typo_edit(rare[0], common[0])


KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbour_keys() -> dict[str, set[str]]:
    """Each letter's neighbours on a staggered QWERTY keyboard (same row, and the two keys
    above and below it that touch it)."""
    neighbours: dict[str, set[str]] = {}
    for row, keys in enumerate(KEYBOARD_ROWS):
        for index, key in enumerate(keys):
            near = {keys[index - 1]} if index else set()
            near |= set(keys[index + 1 : index + 2])
            if row:
                near |= set(KEYBOARD_ROWS[row - 1][index : index + 2])
            if row + 1 < len(KEYBOARD_ROWS):
                near |= set(KEYBOARD_ROWS[row + 1][max(index - 1, 0) : index + 1])
            neighbours[key] = near
    return neighbours


NEIGHBOUR_KEYS = _neighbour_keys()


def _a_key_slip(rare: str, common: str) -> bool:
    """Whether the one letter two same-length names differ in could be a finger's slip: not the
    first letter (misspellings rarely change it, and real names often differ only there:
    ``grade`` / ``trade``, ``formal`` / ``normal``), and a key touching the intended one.

    >>> _a_key_slip("positivr", "positive"), _a_key_slip("formal", "normal")
    (True, False)
    >>> _a_key_slip("spirt", "sport"), _a_key_slip("sporh", "sport")
    (True, False)
    """
    index = next(i for i, (a, b) in enumerate(zip(rare, common, strict=True)) if a != b)
    return index > 0 and rare[index] in NEIGHBOUR_KEYS.get(common[index], ())


@dataclass(frozen=True)
class Typo:
    """A rare class that looks like a slip of a frequent one, with the model's evidence:
    ``predicted`` the share of its rows the model puts in ``canonical``, ``likeness`` the
    probability of ``canonical`` on its rows relative to that on ``canonical``'s own rows."""

    variant: int
    canonical: int
    edit: str
    predicted: float
    likeness: float


@register
class LabelSpelling(Detector):
    name = "label_spelling"
    description = (
        "label values that are one class written several ways: case, spaces, punctuation "
        "(merged before training), or a rare slip the model cannot tell from a frequent class"
    )
    renames_classes = True

    def __init__(
        self,
        *,
        max_share: float = 0.1,
        min_likeness: float = 0.5,
        max_own_gain: float = 0.01,
        fold_case: bool = True,
    ) -> None:
        self.max_share = max_share
        self.min_likeness = min_likeness
        self.max_own_gain = max_own_gain
        self.fold_case = fold_case

    def merge_labels(self, labels: Sequence[str | None]) -> dict[str, str]:
        """Variant spelling -> canonical spelling (the most frequent one of its spelling key
        written without spaces around it: a label kept as ``' spam'`` would be written so).

        Only spellings of one key merge: a slip of a letter (``postive``) is another word, which
        only the model can tell means the same class (:meth:`typos`).
        """
        counts = Counter(label for label in labels if label is not None)
        by_key: dict[str, Counter] = {}
        for label, times in counts.items():
            key = spelling_key(label, fold_case=self.fold_case)
            by_key.setdefault(key, Counter())[label] = times
        merges = {}
        for spellings in by_key.values():
            canonical = min(
                spellings, key=lambda label: (label != label.strip(), -spellings[label], label)
            )
            merges.update({label: canonical for label in spellings if label != canonical})
        return merges

    def typos(self, context: Context) -> list[Typo]:
        """Rare classes one slip away from a frequent one whose rows the model cannot tell
        from that class's: it gives them at least ``min_likeness`` of the probability of that
        class it gives the class's own rows, more than it gives their own class, and hardly
        more of their own class than it gives the frequent class's rows (``max_own_gain``):
        out of fold, rows that are the frequent class under another name teach a model nothing
        about the name, whereas a real class, however rare, shows through."""
        counts = context.class_counts()
        keys = [
            (spelling_key(name, fold_case=self.fold_case), loose_key(name))
            for name in context.classes
        ]
        mean = _mean_probabilities(context)
        found = []
        for rare in np.flatnonzero(counts > 0):
            candidates = [
                (int(counts[common]), int(common), edit)
                for common in np.flatnonzero(counts > 0)
                if counts[rare] <= self.max_share * counts[common]
                and (edit := _variant_edit(keys[rare], keys[common])) is not None
            ]
            if not candidates:
                continue
            _, common, edit = max(candidates)  # the most frequent class it may be a slip of
            likeness = mean[rare, common] / max(mean[common, common], 1e-12)
            own_gain = mean[rare, rare] - mean[common, rare]
            alike = likeness >= self.min_likeness and own_gain <= self.max_own_gain
            if alike and mean[rare, common] > mean[rare, rare]:
                rows = context.targets == rare
                predicted = (context.probabilities[rows].argmax(axis=1) == common).mean()
                found.append(Typo(int(rare), common, edit, float(predicted), float(likeness)))
        return found

    def detect(self, context: Context) -> list[Issue]:
        return self._variant_issues(context) + self._typo_issues(context)

    def _variant_issues(self, context: Context) -> list[Issue]:
        """Rows written another way than their class's most frequent spelling."""
        merges = self.merge_labels(context.labels)
        counts = Counter(label for label in context.labels if label is not None)
        issues = []
        for row, label in enumerate(context.labels):
            if label not in merges:
                continue
            canonical = merges[label]
            variants = {v: counts[v] for v in sorted(counts) if merges.get(v, v) == canonical}
            issues.append(
                self._issue(
                    row,
                    label,
                    canonical,
                    f"{label!r} is a spelling of {canonical!r}, the spelling kept "
                    f"(written so in {count(counts[canonical], 'row')})",
                    {"canonical": canonical, "variants": variants},
                )
            )
        return issues

    def _typo_issues(self, context: Context) -> list[Issue]:
        """Rows of a class that is a slip of another, each offered that class's spelling."""
        counts = context.class_counts()
        issues = []
        for typo in self.typos(context):
            variant, canonical = context.classes[typo.variant], context.classes[typo.canonical]
            message = (
                f"{variant!r} looks like {canonical!r}, {typo.edit} ({counts[typo.variant]} "
                f"rows against {counts[typo.canonical]}); the model cannot tell them apart: it "
                f"puts {typo.predicted:.0%} of these rows in {canonical!r}"
            )
            details = {
                "canonical": canonical,
                "variants": {variant: int(counts[typo.variant])},
                "edit": typo.edit,
                "predicted_as_canonical": round(typo.predicted, 6),
                "likeness": round(typo.likeness, 6),
            }
            for row in context.labelled[context.targets == typo.variant]:
                issues.append(
                    self._issue(int(row), context.labels[row], canonical, message, details)
                )
        return issues

    def _issue(
        self, row: int, label: str | None, canonical: str, message: str, details: dict
    ) -> Issue:
        return Issue(
            kind=self.name,
            row=row,
            severity=SEVERITY,
            given_label=label,
            suggested_label=canonical,
            group=f"spelling:{canonical}",
            message=message,
            details=details,
        )


def _mean_probabilities(context: Context) -> np.ndarray:
    """``mean[i, j]``: the mean out-of-fold probability of class j over the rows of class i."""
    size = len(context.classes)
    sums = np.zeros((size, size))
    np.add.at(sums, context.targets, context.probabilities)
    return sums / np.maximum(context.class_counts(), 1)[:, None]
