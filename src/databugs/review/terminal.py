"""``databugs review`` in a terminal: one flagged row per screen, one key per decision.

On a terminal, keys are read one at a time; otherwise (a pipe, a script) one line per decision,
its first character the key, so ``printf 'a\\nr\\nq\\n' | databugs review`` works. Fits 80x24.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.text import Text

from databugs.errors import DatabugsError
from databugs.report.evidence import neighbour_sentence
from databugs.report.report import row_name
from databugs.review.session import ReviewSession
from databugs.text import count, one_line, shown_label

KEYS = "[a]ccept  [r]eject  [e]dit label  [s]kip  [u]ndo  [c]luster  [q]uit"
CONTENT_LINES = 8
CHOICES_SHOWN = 4 * 80
"""Characters of numbered classes shown on ``e``: past about four lines (banking77's 77
classes took 35, cal500's 174 tags more), only the row's own classes are listed, with their
numbers, and ``?`` lists them all."""


def read_key_function() -> Callable[[], str]:
    """One key at a time on a terminal; else the first character of each line ('q' at EOF)."""
    if sys.stdin.isatty():
        import termios
        import tty

        def read_key() -> str:
            descriptor = sys.stdin.fileno()
            saved = termios.tcgetattr(descriptor)
            try:
                tty.setcbreak(descriptor)
                return sys.stdin.read(1)
            finally:
                termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)

        return read_key

    def read_line_key() -> str:
        line = sys.stdin.readline()
        return line.strip()[:1].lower() if line else "q"

    return read_line_key


def read_label(classes: list[str], typed_how: str) -> str:
    """A label typed in full, or a class picked by its number (a class named like a number is
    itself); completion over classes on a terminal. ``typed_how`` says what to type."""
    if sys.stdin.isatty():
        try:
            import readline

            readline.set_completer(
                lambda text, state: ([c for c in classes if c.startswith(text)] + [None])[state]
            )
            readline.parse_and_bind("tab: complete")
        except ImportError:  # pragma: no cover - readline missing on some builds
            pass
        answer = input(f"label ({typed_how}): ")
    else:
        answer = sys.stdin.readline().rstrip("\n")
    answer = answer.strip()
    if answer not in classes and answer.isdigit() and 1 <= int(answer) <= len(classes):
        return classes[int(answer) - 1]
    return answer


def show(console: Console, session: ReviewSession, issue: dict[str, Any]) -> None:
    """The current row: position, kind, content, given and suggested labels, evidence (data
    text on one line: ``databugs.text.one_line``)."""
    console.print(
        Text(
            f"{session.position} / {session.total}   {issue['kind']}   row "
            + row_name(issue, two_files=len(session.scanned.files) > 1)
            + (f" (id {one_line(issue['id'])})" if issue["id"] else ""),
            style="bold",
        )
    )
    content = {one_line(k): one_line(v) for k, v in session.content(issue).items()}
    texts = {k: v for k, v in content.items() if len(v) > 40}
    if texts:
        room = CONTENT_LINES * 80 // len(texts)  # long texts are cut so a row fits 80x24
        for column, value in texts.items():
            shown = value if len(value) <= room else value[: room - 1] + "…"
            console.print(Text(f"{column}: {shown}"), width=min(console.width, 80))
    else:
        pairs = ", ".join(f"{k}={v}" for k, v in content.items())
        console.print(Text(pairs), width=min(console.width, 80))
    top = issue.get("evidence", {}).get("top_classes") or []
    odds = ", ".join(f"{shown_label(c['label'])} {c['probability']:.0%}" for c in top)
    console.print(
        Text(
            f"given: {shown_label(issue['given_label'])}   "
            f"suggested: {shown_label(issue['suggested_label'])}"
            + (f"   model: {odds}" if odds else ""),
            style="cyan",
        )
    )
    console.print(
        Text(f"why: {one_line(issue['detail'])}", style="dim"), width=min(console.width, 80)
    )
    near = session.neighbours.get(issue["row"])
    if near:
        sentence = neighbour_sentence(near, issue["given_label"], issue["suggested_label"])
        rows = ", ".join(map(str, near["rows"]))
        console.print(
            Text(one_line(f"like it: {sentence} (rows {rows})"), style="dim"),
            width=min(console.width, 80),
        )
    console.print(Text(KEYS, style="dim"))


def run_review(session: ReviewSession, console: Console) -> None:
    """The decision loop, then where things stand; ends when the queue is empty, on q or on
    Ctrl-C (every decision is already in the ledger)."""
    try:
        _loop(session, console)
    except (KeyboardInterrupt, EOFError):
        console.print()
    left = len(session.queue)
    console.print(
        Text(
            f"{session.done} of {session.total} decided; "
            + (
                f"{left} left: run databugs review again to go on"
                if left
                else "all done: run databugs fix to apply the accepted labels"
            ),
            style="bold",
        )
    )


def class_choices(classes: list[str], named: list[str], shown: int | None = CHOICES_SHOWN) -> str:
    """The numbered classes to pick from: all of them if they fit in ``shown`` characters
    (``None``: always), else those of ``named`` (the row's given, suggested and likeliest),
    each with its number in the whole list."""
    numbered = [f"{i}:{shown_label(c)}" for i, c in enumerate(classes, 1)]
    whole = "  ".join(numbered)
    if shown is None or len(whole) <= shown:
        return whole
    wanted = set(named)
    picked = [entry for entry, c in zip(numbered, classes, strict=True) if c in wanted]
    left = len(classes) - len(picked)
    return "  ".join(picked) + f"  … and {left} more: Tab completes a name, ? lists all"


def _row_classes(session: ReviewSession, issue: dict[str, Any]) -> list[str]:
    """The classes (or tags) the row is about: given, suggested and the model's likeliest."""
    labels = [issue["given_label"], issue["suggested_label"]]
    labels += [c["label"] for c in issue.get("evidence", {}).get("top_classes") or []]
    sets = session.relabelling.tag_sets
    if sets is not None:
        labels = [tag.strip() for label in labels for tag in str(label or "").split(sets.separator)]
    return [str(label) for label in labels if label is not None]


def _edited_label(session: ReviewSession, issue: dict[str, Any], console: Console) -> str:
    """The label typed on ``e``, after the classes to pick from (``?`` shows every one)."""
    if session.classes:
        console.print(Text(class_choices(session.classes, _row_classes(session, issue))))
    label = read_label(session.classes, session.relabelling.typed_how)
    if label == "?" and "?" not in session.classes:
        console.print(Text(class_choices(session.classes, session.classes, shown=None)))
        label = read_label(session.classes, session.relabelling.typed_how)
    return label


def _loop(session: ReviewSession, console: Console) -> None:
    read_key = read_key_function()
    while session.current is not None:
        issue = session.current
        show(console, session, issue)
        key = read_key().lower()
        if key == "q":
            break
        if key == "a":
            session.decide("accepted")
        elif key == "r":
            session.decide("rejected")
        elif key == "e":
            label = _edited_label(session, issue, console)
            try:
                session.decide("edited", label)
            except DatabugsError as error:
                console.print(Text(str(error), style="red"))
        elif key == "s":
            session.skip()
        elif key == "u":
            undone = session.undo()
            console.print(
                Text("nothing to undo" if undone is None else f"undid row {undone['row']}")
            )
        elif key == "c":
            members = session.cluster()
            console.print(
                Text(
                    f"cluster of {count(len(members), 'row')}: "
                    f"{shown_label(issue['given_label'])} -> "
                    f"{shown_label(issue['suggested_label'])}; "
                    "[a]ccept all, [r]eject all, other: back"
                )
            )
            choice = read_key().lower()
            if choice in ("a", "r"):
                decided = session.decide_cluster("accepted" if choice == "a" else "rejected")
                verb = "accepted" if choice == "a" else "rejected"
                console.print(f"{count(decided, 'row')} {verb}")
        console.print()
