"""What the map and the neighbours cost a scan, and how large report.html grows.

A table of ROWS rows resampled from a CC BY set of the pool (letters: numbers; sms_spam: text),
or ``mixed_text``: the first ROWS distinct texts of seven text sets of the pool, each label
prefixed by its set (a 100,000-row text scan without the resampled sets' 18 copies of every
row, which make duplicate findings the bulk of the report); 5% of its labels moved to another
class (seeded), scanned once through ``pipeline.scan``. The time of
``pipeline.views.map_and_neighbours`` inside it and of writing report.html are timed
separately and compared with the rest of the scan; so are CPython's full garbage collections
in the scan and in the map.

    nice -n 5 env PYTHONPATH=src .venv/bin/python benchmarks/map_cost.py sms_spam 100000

With ``--command``, the same rows go through ``databugs scan data.csv --out DIR`` (in this
process, every output written, as a user runs it), and the map, the neighbours and report.html
are compared with the rest of the command's time.
"""

from __future__ import annotations

import gc
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from typer.testing import CliRunner

import databugs
import databugs.pipeline.assemble as assemble
from databugs.cli import app
from databugs.render import html, report_json

POOL = Path("/work/shared/datasets")


MIXED_TEXT = (
    "text_sst2",
    "text_tweeteval_emoji",
    "text_tweeteval_offensive",
    "text_tweeteval_sentiment",
    "text_ag_news_test",
    "text_tweeteval_emotion",
    "text_tweeteval_stance",
)


def mixed_texts(rows: int) -> pd.DataFrame:
    """Distinct real texts of several sets, ``set:label`` as the label."""
    parts = []
    for name in MIXED_TEXT:
        part = pd.read_parquet(POOL / f"{name}.parquet", columns=["text", "label"])
        parts.append(
            part.assign(label=name.removeprefix("text_") + ":" + part["label"].astype(str))
        )
    frame = pd.concat(parts, ignore_index=True).drop_duplicates("text")
    return frame.sample(frac=1.0, random_state=0).head(rows).reset_index(drop=True)


def noisy_sample(name: str, rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    if name == "mixed_text":
        frame = mixed_texts(rows)
        rows = len(frame)
    else:
        frame = pd.read_parquet(POOL / f"{name}.parquet")
        frame = frame[[c for c in frame.columns if c not in ("split", "id", "target")]]
        frame = frame.iloc[rng.integers(0, len(frame), rows)].reset_index(drop=True)
    classes = frame["label"].unique()
    moved = rng.random(rows) < 0.05
    frame.loc[moved, "label"] = rng.choice(classes, moved.sum())
    return frame


def full_collections(spent: dict[str, float], where: list[str]) -> None:
    """Add each full collection's time to ``spent["full_gc_<where>_s"]``."""
    started = [0.0]

    def on_collection(phase: str, info: dict) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            key = f"full_gc_{where[0]}_s"
            spent[key] = spent.get(key, 0.0) + time.perf_counter() - started[0]

    gc.callbacks.append(on_collection)


def timed_map(spent: dict[str, float], where: list[str]) -> None:
    """Time ``map_and_neighbours`` inside the scan into ``spent``."""
    original = assemble.map_and_neighbours

    def timed(*args, **kwargs):
        start, where[0] = time.perf_counter(), "map"
        try:
            return original(*args, **kwargs)
        finally:
            spent["map_and_neighbours_s"] = time.perf_counter() - start
            where[0] = "scan"

    assemble.map_and_neighbours = timed


def command_scan(frame: pd.DataFrame, spent: dict[str, float]) -> float:
    """``databugs scan data.csv --out DIR`` on the rows, in this process (no interpreter start
    or imports): the wait a user has, every output written; report.html's render timed inside.
    Returns the command's wall time."""
    original = html.render

    def timed(report):
        start = time.perf_counter()
        try:
            return original(report)
        finally:
            spent["report_html_s"] = time.perf_counter() - start

    html.render = timed
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "data.csv"
        frame.to_csv(data, index=False)
        command = ["scan", str(data), "--label", "label", "--out", f"{folder}/out", "-q"]
        start = time.perf_counter()
        result = CliRunner().invoke(app, [*command, "--jobs", "2"])
        wall = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    return wall


def main() -> None:
    name, rows = sys.argv[1], int(sys.argv[2])
    frame = noisy_sample(name, rows)
    spent = {"full_gc_scan_s": 0.0, "full_gc_map_s": 0.0}
    where = ["scan"]
    full_collections(spent, where)
    timed_map(spent, where)
    if "--command" in sys.argv:
        wall = command_scan(frame, spent)
        added = spent["map_and_neighbours_s"] + spent["report_html_s"]
        figures = {k: round(v, 2) for k, v in spent.items()}
        share = f"{added / (wall - added):.1%}"
        print({"set": name, "rows": rows, "command_s": round(wall, 1), **figures, "share": share})
        return
    start = time.perf_counter()
    report = databugs.scan(frame, label="label", jobs=2)
    scan_s = time.perf_counter() - start
    where[0] = "page"
    start = time.perf_counter()
    page = html.render(report)
    spent["report_html_s"] = time.perf_counter() - start
    start = time.perf_counter()
    json_text = report_json.render(report)
    spent["report_json_s"] = time.perf_counter() - start
    extra = spent["map_and_neighbours_s"]
    rendering = extra + spent["report_html_s"]
    print(
        {
            "set": name,
            "rows": rows,
            "scan_s": round(scan_s, 1),
            **{k: round(v, 2) for k, v in spent.items()},
            "map_and_neighbours_share_of_scan": f"{extra / (scan_s - extra):.1%}",
            "map_neighbours_and_html_share": f"{rendering / (scan_s - extra):.1%}",
            "map_points": len(report.map["rows"]),
            "flagged": len(report.neighbours),
            "report_html_mb": round(len(page.encode()) / 1e6, 2),
            "report_json_mb": round(len(json_text.encode()) / 1e6, 2),
        },
        flush=True,
    )


if __name__ == "__main__":
    main()
