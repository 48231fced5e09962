"""A scan hides what it keeps from full garbage collections, and gives it all back."""

from __future__ import annotations

import gc
import weakref

import pytest

import databugs
import databugs.pipeline.assemble as assemble
from databugs.pipeline.heap import kept_objects_skipped
from tests.conftest import make_blobs_table


class _Node:
    """A cyclic object: only the collector frees it."""

    def __init__(self) -> None:
        self.me = self


@pytest.fixture(autouse=True)
def _nothing_frozen():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_objects_alive_on_entry_are_skipped_inside_and_collected_after() -> None:
    node = _Node()
    alive = weakref.ref(node)
    with kept_objects_skipped():
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()
        assert alive() is not None  # hidden from the collector while the scan runs
    assert gc.get_freeze_count() == 0
    gc.collect()
    assert alive() is None  # and freed once it is over


def test_only_the_outermost_exit_gives_the_objects_back_even_after_an_error() -> None:
    with pytest.raises(RuntimeError), kept_objects_skipped():
        with kept_objects_skipped():
            pass
        assert gc.get_freeze_count() > 0
        raise RuntimeError("the scan failed")
    assert gc.get_freeze_count() == 0


def test_objects_a_program_froze_itself_stay_frozen() -> None:
    gc.freeze()
    frozen = gc.get_freeze_count()
    with kept_objects_skipped():
        _Node()
    assert gc.get_freeze_count() == frozen


def test_a_scan_hides_what_it_keeps_while_it_runs_and_leaves_nothing_frozen(monkeypatch) -> None:
    frozen = []
    drawn = assemble.map_and_neighbours

    def counted(*args, **kwargs):
        frozen.append(gc.get_freeze_count())
        return drawn(*args, **kwargs)

    monkeypatch.setattr(assemble, "map_and_neighbours", counted)
    report = databugs.scan(make_blobs_table(rows=200), label="label")
    assert report.summary["rows"] == 200 and report.map is not None
    assert len(frozen) == 1 and frozen[0] > 10_000  # the libraries, the data, the findings
    assert gc.get_freeze_count() == 0
