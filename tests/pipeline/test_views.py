"""The map's layout and the neighbours behind each flag, on small arrays with known answers."""

from __future__ import annotations

import numpy as np

from databugs.pipeline import neighbours
from databugs.pipeline.neighbours import nearest_labelled
from databugs.pipeline.projection import layout, map_rows
from databugs.render.evidence_text import LIMIT, evidence_text, evidence_texts
from databugs.render.svg import text_colour
from databugs.report.evidence import neighbour_sentence


def _blobs(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(0, 10, (3, 8))
    labels = np.repeat(np.arange(3), 100)
    return (centres[labels] + rng.normal(0, 1, (300, 8))).astype(np.float32), labels


def test_nearest_labelled_rows_are_the_closest_others_nearest_first(monkeypatch) -> None:
    points = np.array([[0.0], [1.0], [3.0], [6.0], [10.0], [0.5]], dtype=np.float32)
    labelled = np.array([0, 1, 2, 3, 4])  # row 5 has no label: never a neighbour
    found = nearest_labelled(points, labelled, [0, 5, 4], count=2)
    assert found == {0: [1, 2], 5: [0, 1], 4: [3, 2]}
    monkeypatch.setattr(neighbours, "BLOCK_CELLS", 1)  # one query at a time: same answer
    assert nearest_labelled(points, labelled, [0, 5, 4], count=2) == found


def test_among_many_labelled_rows_the_chunked_search_finds_the_true_nearest() -> None:
    rng = np.random.default_rng(3)
    points = rng.normal(size=(9_000, 16)).astype(np.float32)
    labelled = np.sort(rng.choice(9_000, 7_777, replace=False))  # > CHUNKED_FROM, not whole chunks
    queries = np.arange(0, 9_000, 37)
    found = nearest_labelled(points, labelled, queries)
    for row in queries[:60].tolist():
        gaps = np.linalg.norm(points[labelled] - points[row], axis=1)
        gaps[labelled == row] = np.inf
        assert found[row] == labelled[np.argsort(gaps, kind="stable")[:5]].tolist()


def test_copies_of_rows_are_neighbours_earliest_first_as_a_full_sort_finds_them() -> None:
    rng = np.random.default_rng(5)
    originals = rng.normal(size=(700, 8)).astype(np.float32)
    points = originals[rng.integers(0, 700, 6_000)]  # resampled: about 9 copies of each
    labelled = np.sort(rng.choice(6_000, 5_000, replace=False))
    queries = np.arange(0, 6_000, 53)
    found = nearest_labelled(points, labelled, queries)
    for row in queries.tolist():
        gaps = np.linalg.norm(points[labelled] - points[row], axis=1)
        gaps[labelled == row] = np.inf
        assert found[row] == labelled[np.argsort(gaps, kind="stable")[:5]].tolist()


def test_the_smallest_come_first_infinite_and_nan_last_each_column_once() -> None:
    values = np.array([[3.0, np.nan, 1.0, np.inf, 1.0, 2.0]], dtype=np.float32)
    assert neighbours._first_smallest(values, 6).tolist() == [[2, 4, 5, 0, 1, 3]]


def test_the_chunked_search_finds_what_a_stable_sort_does_ties_included() -> None:
    rng = np.random.default_rng(2)
    distances = rng.integers(0, 40, size=(300, 20 * neighbours.CHUNK)).astype(np.float32)
    distances[0] = 9.0
    distances[0, [1300, 1301, 10]] = [0.0, 1.0, 1.0]  # a later chunk holds the nearest
    for take in (6, 17, 30):  # within the chunks, more than 16 chunks, more than all chunks
        found = np.sort(neighbours._smallest(distances, take), axis=1)
        stable = np.sort(np.argsort(distances, axis=1, kind="stable")[:, :take], axis=1)
        assert (found == stable).all()
    assert np.sort(neighbours._smallest(distances[:1], 2)).tolist() == [[10, 1300]]


def test_fewer_labelled_rows_than_asked_give_each_neighbour_once() -> None:
    points = np.array([[0.0], [1.0], [3.0]], dtype=np.float32)
    assert nearest_labelled(points, np.array([0, 1, 2]), [0, 1], count=5) == {
        0: [1, 2],
        1: [0, 2],
    }


def test_map_keeps_every_flagged_row_and_at_most_the_limit() -> None:
    flagged = np.arange(0, 50_000, 97)
    shown = map_rows(50_000, flagged, seed=0, limit=2_000)
    assert len(shown) == 2_000 and set(flagged) <= set(shown.tolist())
    assert np.array_equal(shown, map_rows(50_000, flagged, seed=0, limit=2_000))
    assert np.array_equal(map_rows(300, flagged[:2], seed=0), np.arange(300))
    named = np.arange(1, 50_000, 2)  # other issues name 25,000 rows: a sample of them fills up
    shown = map_rows(50_000, flagged, seed=0, limit=2_000, named=named)
    assert len(shown) == 2_000 and set(flagged) <= set(shown.tolist())
    assert set(shown.tolist()) - set(flagged) <= set(named)


def test_layout_keeps_neighbours_together() -> None:
    vectors, labels = _blobs()
    points = layout(vectors, seed=0)
    assert points.min() >= 0 and points.max() <= 1
    nearest = np.argsort(((points[:, None] - points[None]) ** 2).sum(-1), axis=1)[:, 1:11]
    assert (labels[nearest] == labels[:, None]).mean() > 0.95  # PCA of 3 blobs in 8-D: lower


def test_neighbour_sentence_names_the_labels_and_their_roles() -> None:
    entry = {"labels": ["ham", "ham", "spam", "ham", "ham"]}
    assert neighbour_sentence(entry, "spam", "ham") == (
        "4 of the 5 most similar rows are labelled 'ham' (the suggested label), "
        "1 'spam' (the given label)"
    )


def test_evidence_reads_as_words() -> None:
    evidence = {
        "given_probability": 0.0123,
        "top_classes": [{"label": "T", "probability": 0.9876}],
        "rows": {"12": "O", "40": "N"},
    }
    assert evidence_text(evidence) == (
        "given probability: 1.2%; top classes: T 98.8%; rows: 12 O, 40 N"
    )


def test_an_outliers_unusual_columns_read_as_their_own_sentences_cut_at_the_limit() -> None:
    unusual = [
        {
            "column": "text",
            "trait": "longer",
            "length": 28174,
            "typical": 59.0,
            "text": "text is 28,174 characters, longer than the typical 59",
        },
        {
            "column": "text",
            "trait": "style",
            "style": "words",
            "value": 5452.0,
            "text": "text words: 5,452 (median 12)",
        },
    ]
    evidence = {"score": 13.426175, "unusual": unusual}
    assert evidence_text(evidence) == (
        "score: 13.4; unusual: text is 28,174 characters, longer than the typical 59, "
        "text words: 5,452 (median 12)"
    )
    long = {f"reason_{at}": "x" * 50 for at in range(20)}
    text = evidence_text(long)
    assert len(text) == LIMIT and text.endswith(" …")
    assert text.startswith("reason 0: " + "x" * 50 + "; reason 1: ")


def test_a_group_shares_its_evidence_text_only_where_the_evidence_is_the_same() -> None:
    copies = {"group_size": 3, "labels": {"ham": 2, "spam": 1}, "majority": "ham"}
    records = [
        {"group": "conflicting_duplicates:1", "evidence": copies},
        {"group": "conflicting_duplicates:1", "evidence": dict(copies)},
        {"group": "conflicting_duplicates:1", "evidence": {**copies, "majority": "spam"}},
        {"group": None, "evidence": {"given_probability": 0.5}},
        {"group": None, "evidence": {"given_probability": 0.25}},
    ]
    texts = evidence_texts(records)
    assert texts == [evidence_text(record["evidence"]) for record in records]
    assert texts[0] == texts[1] != texts[2] and texts[3] != texts[4]


def test_matrix_text_is_light_on_dark_cells() -> None:
    assert text_colour("#660011") == "white"
    assert text_colour("#ffe5e5") == "black"
