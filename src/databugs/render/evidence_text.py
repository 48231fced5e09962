"""A finding's evidence in words for report.html, not its JSON: "top classes: T 99.9%, V 0.1%;
group size 2; majority O" (each field named in words, shares as percentages, cut short)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import Any

LIST_ITEMS = 6
LIMIT = 240
SHARE_WORDS = ("probability", "share", "agreement", "confidence", "quality")


def _number(name: str, value: float) -> str:
    if isinstance(value, float) and any(word in name for word in SHARE_WORDS):
        return f"{value:.1%}"
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _value(name: str, value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return _number(name, value)
    if isinstance(value, dict):
        shown = islice(value.items(), LIST_ITEMS)  # a group of 18 rows shows 6
        return ", ".join(f"{k} {_value(name, v)}" for k, v in shown)
    if isinstance(value, list):
        shown = [_item(name, item) for item in value[:LIST_ITEMS]]
        return ", ".join(shown) + (
            f" and {len(value) - LIST_ITEMS} more" if len(value) > LIST_ITEMS else ""
        )
    return str(value)


def _item(name: str, item: Any) -> str:
    """A list entry: one that says itself in words (an outlier's unusual column, ``text``) as
    those words, a {label, probability} pair as "T 99.9%", anything else as a value."""
    if isinstance(item, dict) and isinstance(item.get("text"), str):
        return item["text"]
    if isinstance(item, dict) and "label" in item and len(item) == 2:
        other = next(key for key in item if key != "label")
        return f"{item['label']} {_value(other, item[other])}"
    return _value(name, item)


def evidence_text(evidence: dict[str, Any] | None) -> str:
    """The evidence as "name: value" phrases joined by "; " (at most ``LIMIT`` characters; the
    phrases past it are not written)."""
    if not evidence:
        return ""
    phrases, joined = [], -2  # joined: the length of "; ".join(phrases)
    for key, value in evidence.items():
        phrases.append(f"{str(key).replace('_', ' ')}: {_value(str(key), value)}")
        joined += len(phrases[-1]) + 2
        if joined > LIMIT:
            break
    text = "; ".join(phrases)
    return text if len(text) <= LIMIT else text[: LIMIT - 2] + " …"


def evidence_texts(records: Iterable[dict[str, Any]]) -> list[str]:
    """Each record's ``evidence`` in words. A group's members mostly carry the same evidence
    (the copies of one message), put in words once per group: 45,398 of 51,674 findings at
    100,000 resampled messages."""
    said: dict[str, tuple[Any, str]] = {}
    texts = []
    for record in records:
        evidence, group = record.get("evidence"), record.get("group")
        known = said.get(group) if group is not None else None
        if known is None or known[0] != evidence:
            known = (evidence, evidence_text(evidence))
            if group is not None:
                said[group] = known
        texts.append(known[1])
    return texts
