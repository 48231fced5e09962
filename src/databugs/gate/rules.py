"""The CI gate: rules such as ``label_issues>2%`` over the figures of a report's summary.

Grammar: rules separated by commas; each is ``FIGURE OP NUMBER[%]`` with OP one of
``> >= < <= == !=``. FIGURE is any number in ``summary`` (e.g. ``label_health``,
``min_class_count``), any issue kind (its count, e.g. ``conflicting_duplicates``), or, with a
baseline, ``new_<kind>`` / ``fixed_<kind>`` (and ``new_label_issues``, ``fixed_label_issues``:
see ``ALIASES``). A ``%`` value compares a count as a share of the labelled rows
(``label_issues>2%``), or a share figure as a percentage (``label_health<90%``). A rule
*fails* when its comparison is true: the rules say what must not happen.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from databugs.errors import DatabugsError, ErrorCode, option, where_set

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    "<": operator.lt,
}
RULE = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*([0-9]*\.?[0-9]+)\s*(%?)\s*$")
SHARES = {
    "label_health",
    "label_issue_share",
    "model_accuracy",
    "annotator_agreement",
    "alpha",
    "fleiss_kappa",
}
"""Figures that are already fractions: ``alpha<60%`` compares them with 0.6, not per row."""


ALIASES = {
    f"{change}_label_issues": (f"{change}_label_issue", f"{change}_tag_issue")
    for change in ("new", "fixed")
}
"""Figures summed under another name: the plural reads as the summary's ``label_issues`` does,
the rows the model flags, which are ``tag_issue`` rows in a multi-label scan (there
``new_label_issue`` is always 0, so a gate on it never failed)."""
FIGURES = "figures are the numbers in report.json's summary and the issue kinds"
"""What a refused rule's hint says the figures are (their list is 30-odd names long)."""


@dataclass(frozen=True)
class GateRule:
    """One parsed rule."""

    text: str
    figure: str
    op: str
    value: float
    percent: bool


def parse_rules(text: str | None) -> list[GateRule]:
    """Parse ``--fail-on``; a bad rule is an error naming it.

    >>> [r.figure for r in parse_rules("label_issues>2%, conflicting_duplicates>0")]
    ['label_issues', 'conflicting_duplicates']
    """
    rules = []
    for part in (text or "").split(","):
        if not part.strip():
            continue
        found = RULE.match(part)
        if not found:
            raise DatabugsError(
                f"{where_set('fail_on')}: cannot read the rule {part.strip()!r}",
                code=ErrorCode.BAD_GATE_RULE,
                hint="write FIGURE OP NUMBER, e.g. label_issues>2% or label_health<0.9",
            )
        figure, op, value, percent = found.groups()
        rules.append(GateRule(part.strip(), figure, op, float(value), percent == "%"))
    if not rules and text and text.strip():  # "," read as no gate: a CI job passed unguarded
        raise DatabugsError(
            f"{where_set('fail_on')}: {text.strip()!r} names no rule",
            code=ErrorCode.BAD_GATE_RULE,
            hint="write FIGURE OP NUMBER, e.g. label_issues>2% or label_health<0.9",
        )
    return rules


def gate_passed(results: list[dict[str, Any]] | None) -> bool:
    """True unless a rule failed (no rules: passed)."""
    return all(result["passed"] for result in results or [])


def gate_section(results: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The gate as ``report.json`` and ``--format json`` record it; None without rules."""
    return None if results is None else {"passed": gate_passed(results), "rules": results}


def check_figures(
    rules: list[GateRule], summary_figures: Iterable[str], kinds: Iterable[str], *, baseline: bool
) -> None:
    """Refuse a rule naming no figure before any work starts (:func:`evaluate` checks again)."""
    known = known_figures(summary_figures, kinds, baseline=baseline)
    for rule in rules:
        if rule.figure not in known:
            raise _no_such_figure(rule, known)


def known_figures(
    summary_figures: Iterable[str], kinds: Iterable[str], *, baseline: bool
) -> set[str]:
    """Every figure a rule may name in a scan with these summary figures and issue kinds."""
    kinds = list(kinds)
    known = {*summary_figures, *kinds}
    if baseline:
        known |= {f"{change}_{kind}" for change in ("new", "fixed") for kind in kinds}
        known |= {alias for alias, parts in ALIASES.items() if known.intersection(parts)}
    return known


def _no_such_figure(rule: GateRule, known: Iterable[str]) -> DatabugsError:
    """A rule naming no figure, refused in one short line: the nearest names (a typo; none
    for a baseline's figure without a baseline), not the 30-odd figures a scan has.

    >>> _no_such_figure(parse_rules("label_isues>0")[0], ["label_issues", "rows"]).hint[:27]
    'did you mean label_issues? '
    """
    needs = f" (needs {option('baseline')})" if rule.figure.startswith(("new_", "fixed_")) else ""
    nearest = [] if needs else difflib.get_close_matches(rule.figure, sorted(known), n=2)
    guess = f"did you mean {' or '.join(nearest)}? " if nearest else ""
    return DatabugsError(
        f"{where_set('fail_on')}: {rule.text!r} names no figure of this scan{needs}",
        code=ErrorCode.BAD_GATE_RULE,
        hint=f"{guess}{FIGURES}",
    )


def gate_figures(summary: Mapping[str, Any], comparison: Mapping[str, Any] | None) -> dict:
    """Every figure a rule may name: summary numbers, counts per kind, baseline changes."""
    figures = {k: v for k, v in summary.items() if isinstance(v, int | float)}
    figures |= summary.get("counts", {})
    if comparison is not None:
        for kind, count in comparison["new"].items():
            figures[f"new_{kind}"] = count
        for kind, count in comparison["fixed"].items():
            figures[f"fixed_{kind}"] = count
    figures |= {
        alias: sum(figures.get(part, 0) for part in parts)
        for alias, parts in ALIASES.items()
        if any(part in figures for part in parts)
    }
    return figures


def evaluate(
    rules: list[GateRule],
    summary: Mapping[str, Any],
    comparison: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Each rule with its measured value and whether it failed; unknown figures are errors."""
    figures = gate_figures(summary, comparison)
    results = []
    for rule in rules:
        if rule.figure not in figures:
            raise _no_such_figure(rule, figures)
        measured = float(figures[rule.figure])
        if rule.percent:
            measured = 100 * (
                measured if rule.figure in SHARES else measured / max(summary.get("labelled", 1), 1)
            )
        failed = OPERATORS[rule.op](measured, rule.value)
        results.append({"rule": rule.text, "measured": round(measured, 6), "passed": not failed})
    return results


def measured_text(result: Mapping[str, Any]) -> str:
    """A gate result's measured value in its rule's unit, for people: ``3.6%`` for a ``%``
    rule (with the digits that tell it from the threshold), ``36`` for a count.

    >>> measured_text({"rule": "label_health<99%", "measured": 97.5333, "passed": False})
    '97.5%'
    """
    (rule,) = parse_rules(result["rule"])
    measured = float(result["measured"])
    if not rule.percent:
        return str(int(measured)) if measured.is_integer() else f"{measured:.4g}"
    decimals = next(
        (d for d in range(1, 4) if round(measured, d) != rule.value or measured == rule.value), 4
    )
    return f"{measured:.{decimals}f}%"
