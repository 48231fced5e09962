"""Full garbage collections that skip what a scan holds for good.

A scan keeps what it has built until it returns: the imported libraries, the data, the
findings (51,674 of them at 100,000 resampled messages). CPython's full collections walk all
of it, each time more; four took 0.5 s of a 10 s scan. Within :func:`kept_objects_skipped`
the objects the collector tracks on entry (and again at each nested entry) are moved out of
its sight (``gc.freeze``), so collections walk only what the current step creates; on leaving
the outermost one they are given back (``gc.unfreeze``) and collected as usual: cycles that
died meanwhile, or were already dead on entry, are freed then, not lost. The collector is the
process's: objects of other threads are skipped alike while a scan runs, and a program that
freezes objects itself (a server before it forks) is left alone.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_open = 0
"""How many of the calls below are open, in any thread (only the last to close unfreezes)."""
_counting = threading.Lock()


@contextmanager
def kept_objects_skipped() -> Iterator[None]:
    """Collections inside skip the objects tracked now; the last exit gives them back."""
    global _open
    with _counting:
        ours = _open > 0 or not gc.get_freeze_count()  # else someone else's frozen objects
        if ours:
            gc.freeze()
            _open += 1
    try:
        yield
    finally:
        if ours:
            with _counting:
                _open -= 1
                if not _open:
                    gc.unfreeze()
