"""How long a column of dates takes to read, by how it is written.

200,000 timestamps over eight years (seed 0), each written as a US export writes them
(``3/14/21 13:05``), day first with dashes, in ISO and with four-digit years; the distinct
values are read as the scan reads a column's distinct values (``numbers.read_dates``).

    PYTHONPATH=src python benchmarks/read_dates.py [--rows 200000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from databugs.data.numbers import read_dates

FORMS = {
    "m/d/yy H:MM": lambda t: f"{t.month}/{t.day}/{t.year % 100:02d} {t.hour}:{t.minute:02d}",
    "d-m-yy": lambda t: f"{t.day}-{t.month}-{t.year % 100:02d}",
    "ISO": lambda t: t.isoformat(sep=" "),
    "m/d/yyyy H:MM": lambda t: f"{t.month}/{t.day}/{t.year} {t.hour}:{t.minute:02d}",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    rows = parser.parse_args().rows
    rng = np.random.default_rng(0)
    minutes = rng.integers(0, 8 * 365 * 24 * 60, rows)
    stamps = pd.Timestamp("2015-01-01") + pd.to_timedelta(minutes, unit="min")
    print("| written | distinct values | seconds | unread |")
    print("|---|---:|---:|---:|")
    for name, write in FORMS.items():
        distinct = pd.Series(pd.unique(pd.Series([write(t) for t in stamps])))
        started = time.perf_counter()
        days = read_dates(distinct, np.zeros(len(distinct), dtype=bool))
        seconds = time.perf_counter() - started
        unread = len(distinct) if days is None else int(np.isnan(days).sum())
        print(f"| {name} | {len(distinct):,} | {seconds:.2f} | {unread} |")


if __name__ == "__main__":
    main()
