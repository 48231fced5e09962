"""Full garbage collections that skip what a scan holds for good.

A scan keeps what it has built until it returns: the imported libraries, the data, the
findings (51,674 of them at 100,000 resampled messages). CPython's full collections walk all
of it, each time more; four took 0.5 s of a 10 s scan. Within :func:`kept_objects_skipped`
the objects alive on entry (and again at each nested entry) are moved out of the collector's
sight (``gc.freeze``), so collections walk only what the current step creates; on leaving
the outermost one they are collected as usual again: nothing is lost, cycles among them are
freed later. A program that freezes objects itself (a server before it forks) is left alone.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

_depth = 0
"""How many of the calls below are open (only the outermost gives the objects back)."""


@contextmanager
def kept_objects_skipped() -> Iterator[None]:
    """Collections inside skip the objects alive now; the outermost exit gives them back."""
    global _depth
    if _depth == 0 and gc.get_freeze_count():
        yield  # someone else's frozen objects: not ours to give back
        return
    gc.freeze()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            gc.unfreeze()
