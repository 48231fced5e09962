"""Label spelling slips: planted variants found, and genuinely different classes kept apart.

For each text set of ../shared/datasets (text_*, bbc_news, sms_spam, trec_questions; at most
5,000 rows, stratified), plants three slips of a class name, each in its own class: the last
letter cut off, two inner letters swapped, an inner letter dropped, for 1-3% of that class's
rows. The scan's out-of-fold context is built as ``databugs scan`` builds it, and
``label_spelling`` looks for slips in it, on the set as it is (every slip found there is a
false merge of two real classes), with the planted slips (recall: a planted slip found with
its class as the suggested spelling), and with a decoy: a real class cut to 2% of another's
rows and renamed as a slip of its name (merging it is a false merge the names alone would
make). A few settings are swept on the same contexts.

    python benchmarks/label_variants.py [--datasets bbc_news,sms_spam] [--cache DIR]
"""

from __future__ import annotations

import argparse
import inspect
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

import databugs
from databugs.data.table import load_table
from databugs.detectors import Context
from databugs.detectors.label_spelling import NUMBER_KEY, LabelSpelling, spelling_key, typo_edit
from databugs.detectors.registry import build_detectors
from databugs.models.engines import open_engine
from databugs.pipeline.detect import detection_context
from databugs.pipeline.fit import fit_models
from databugs.pipeline.options import recorded_options
from databugs.pipeline.prepare import prepare

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
MAX_ROWS = 5_000
SETTINGS = [
    {},
    {"max_own_gain": 1.0},
    {"max_own_gain": 0.005},
    {"max_own_gain": 0.02},
    {"min_likeness": 0.3},
    {"min_likeness": 0.7},
    {"max_share": 0.05},
    {"max_share": 0.2},
]


def text_sets() -> list[str]:
    names = sorted(path.stem for path in SHARED.glob("text_*.parquet"))
    return [*names, "bbc_news", "sms_spam", "trec_questions"]


def load(name: str) -> pd.DataFrame:
    """Text and label, at most MAX_ROWS rows drawn per class in proportion (seed 0)."""
    frame = pd.read_parquet(SHARED / f"{name}.parquet")[["text", "label"]]
    frame["label"] = frame["label"].astype(str)
    if len(frame) > MAX_ROWS:
        frame = frame.groupby("label").sample(frac=MAX_ROWS / len(frame), random_state=0)
    return frame.reset_index(drop=True)


def slip(name: str, kind: str) -> str | None:
    """``name`` with one slip of ``kind``, or None when the name has no letters to slip."""
    letters = [i for i, char in enumerate(name) if char.isalpha()]
    inner = [i for i in letters if 0 < i < len(name) - 1]
    if kind == "truncated":
        return name[:-1] if name[-1:].isalpha() else None
    if kind == "swapped":
        pairs = [i for i in inner if i + 1 in inner and name[i] != name[i + 1]]
        if not pairs:
            return None
        i = pairs[len(pairs) // 2]
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    if kind == "dropped":
        if not inner:
            return None
        i = inner[len(inner) // 2]
        return name[:i] + name[i + 1 :]
    raise ValueError(kind)


@dataclass
class Plant:
    kind: str
    name: str
    variant: str
    rows: list[int]
    in_scope: bool
    """False when the slip is one databugs leaves alone by design (a name under four letters)."""


def plant(frame: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, list[Plant]]:
    """Each kind of slip in the largest class not used yet that it can slip, one databugs
    looks at if there is one (else a short name, which should stay apart)."""
    counts = frame["label"].value_counts()
    keys = {spelling_key(name) for name in counts.index}
    planted, frame = [], frame.copy()
    for kind in ("truncated", "swapped", "dropped"):
        used = {p.name for p in planted}
        options = [
            (name, variant)
            for name in counts.index
            if name not in used
            and not spelling_key(name).startswith(NUMBER_KEY)
            and (variant := slip(name, kind)) is not None
            and spelling_key(variant) not in keys
        ]
        if not options:
            continue
        name, variant = min(options, key=lambda o: not _in_scope(o[1], o[0]))  # stable: largest
        members = frame.index[frame["label"] == name].to_numpy()
        size = max(1, round(rng.uniform(0.01, 0.03) * len(members)))
        rows = rng.choice(members, size=size, replace=False)
        frame.loc[rows, "label"] = variant
        planted.append(Plant(kind, name, variant, sorted(rows.tolist()), _in_scope(variant, name)))
    return frame, planted


def _in_scope(variant: str, name: str) -> bool:
    return typo_edit(spelling_key(variant), spelling_key(name)) is not None


def decoy(frame: pd.DataFrame, rng: np.random.Generator) -> tuple[pd.DataFrame, Plant | None]:
    """A real class renamed as a slip of another's name: the largest class whose name can slip
    keeps its rows, the next largest keeps 2% as many and takes the slipped name. The names
    match, the rows do not: merging them would be a false merge."""
    counts = frame["label"].value_counts()
    keys = {spelling_key(name) for name in counts.index}
    for name in counts.index:
        variant = slip(name, "dropped") or slip(name, "swapped")
        if variant is None or spelling_key(variant) in keys or not _in_scope(variant, name):
            continue
        other = next(n for n in counts.index if n != name)
        members = frame.index[frame["label"] == other].to_numpy()
        size = min(len(members), max(2, round(0.02 * counts[name])))
        kept = rng.choice(members, size=size, replace=False)
        frame = frame.drop(np.setdiff1d(members, kept)).copy()
        frame.loc[kept, "label"] = variant
        return frame.reset_index(drop=True), Plant("decoy", other, variant, [], True)
    return frame, None


def context_for(frame: pd.DataFrame, cache: str | None) -> Context:
    """The detectors' context of a default scan of ``frame`` (what ``databugs scan`` builds)."""
    parameters = inspect.signature(databugs.scan).parameters
    given = {name: p.default for name, p in parameters.items() if name != "data"}
    options = recorded_options(given | {"label": "label", "text": ["text"], "jobs": 1})
    with open_engine("local", scheduler=None, jobs=1) as runner:
        table = load_table(frame, runner)
        data = prepare(table, options, build_detectors(["label_spelling"]))
        oof = fit_models(data, options, engine=runner, cache=cache)
    return detection_context(data, oof, declared=None, seed=0)


def name_pairs(context: Context, max_share: float = 0.1) -> set[tuple[str, str]]:
    """Pairs of classes the names alone would call a slip (what merging before training, with
    no model, would merge)."""
    counts = context.class_counts()
    keys = [spelling_key(name) for name in context.classes]
    return {
        (context.classes[rare], context.classes[common])
        for rare in range(len(counts))
        for common in range(len(counts))
        if 0 < counts[rare] <= max_share * counts[common]
        and typo_edit(keys[rare], keys[common]) is not None
    }


def found_pairs(context: Context, settings: dict) -> set[tuple[str, str]]:
    typos = LabelSpelling(**settings).typos(context)
    return {(context.classes[t.variant], context.classes[t.canonical]) for t in typos}


def evaluate(name: str, cache: str | None) -> list[dict]:
    """One line per setting: planted slips found, false merges with and without plants."""
    frame = load(name)
    planted_frame, planted = plant(frame, np.random.default_rng(0))
    started = time.perf_counter()
    decoy_frame, decoyed = decoy(frame, np.random.default_rng(0))
    clean = context_for(frame, cache)
    dirty = context_for(planted_frame, cache)
    decoys = context_for(decoy_frame, cache) if decoyed else None
    seconds = time.perf_counter() - started
    truth = {(p.variant, p.name) for p in planted}
    lines = []
    for settings in SETTINGS:
        on_clean, on_dirty = found_pairs(clean, settings), found_pairs(dirty, settings)
        lines.append(
            {
                "set": name,
                "settings": settings,
                "rows": len(frame),
                "classes": frame["label"].nunique(),
                "planted": planted,
                "found": {p.variant: (p.variant, p.name) in on_dirty for p in planted},
                "false_clean": sorted(on_clean),
                "names_only": sorted(name_pairs(clean)),
                "false_planted": sorted(on_dirty - truth),
                "decoy": decoyed,
                "decoy_merged": bool(decoys and found_pairs(decoys, settings)),
                "seconds": seconds,
            }
        )
    return lines


def summarise(lines: list[dict]) -> None:
    for settings in SETTINGS:
        chosen = [line for line in lines if line["settings"] == settings]
        plants = [(p, line["found"][p.variant]) for line in chosen for p in line["planted"]]
        scoped = [found for p, found in plants if p.in_scope]
        false = sum(len(line["false_clean"]) for line in chosen)
        false_planted = sum(len(line["false_planted"]) for line in chosen)
        decoys = [line["decoy_merged"] for line in chosen if line["decoy"]]
        by_kind = {
            kind: f"{sum(f for p, f in plants if p.kind == kind and p.in_scope)}/"
            f"{sum(1 for p, _ in plants if p.kind == kind and p.in_scope)}"
            for kind in ("truncated", "swapped", "dropped")
        }
        print(
            f"settings {settings or 'default'}: recall {sum(scoped)}/{len(scoped)} in scope "
            f"({sum(f for _, f in plants)}/{len(plants)} of all planted; by kind {by_kind}); "
            f"false merges {false} on the sets as they are, {false_planted} beside the plants, "
            f"{sum(decoys)}/{len(decoys)} decoys (a real class under a slip of another's name)"
        )


def report_set(line: dict) -> None:
    plants = ", ".join(
        f"{p.name}->{p.variant} ({p.kind}, {len(p.rows)} rows"
        f"{'' if p.in_scope else ', out of scope'}): "
        f"{'found' if line['found'][p.variant] else 'missed'}"
        for p in line["planted"]
    )
    print(
        f"{line['set']}: {line['rows']} rows, {line['classes']} classes, "
        f"{line['seconds']:.0f} s; {plants or 'nothing to plant (numbered classes)'}; "
        f"false merges {line['false_clean'] or 'none'}, beside plants "
        f"{line['false_planted'] or 'none'}; pairs the names alone match "
        f"{line['names_only'] or 'none'}; {_decoy_text(line)}"
    )


def _decoy_text(line: dict) -> str:
    if line["decoy"] is None:
        return "no decoy"
    verdict = "merged (false)" if line["decoy_merged"] else "kept apart"
    return f"decoy {line['decoy'].name!r} renamed {line['decoy'].variant!r}: {verdict}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="comma-separated names (default: every text set)")
    parser.add_argument("--cache", help="a folder keeping out-of-fold probabilities")
    args = parser.parse_args()
    names = args.datasets.split(",") if args.datasets else text_sets()
    lines = []
    for name in names:
        if not (SHARED / f"{name}.parquet").exists():
            print(f"{name}: not in {SHARED}, skipped")
            continue
        result = evaluate(name, args.cache)
        report_set(result[0])
        lines += result
    summarise(lines)


if __name__ == "__main__":
    main()
