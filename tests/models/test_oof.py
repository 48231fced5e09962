"""Out-of-fold probabilities: folds whose training part lacks a class still give sound results."""

from __future__ import annotations


def test_a_class_with_one_row_does_not_break_the_scan(tmp_path) -> None:
    """Folds whose training part lacks the single spam row fit one class; no bogus overlap."""
    import databugs

    lines = ["text,label"] + [f"hello friend number {n} how are you,ham" for n in range(29)]
    path = tmp_path / "rare.csv"
    path.write_text("\n".join([*lines, "win a free prize now call,spam"]) + "\n")
    report = databugs.scan(path, jobs=1)
    assert report.summary["counts"]["rare_class"] == 1
    assert report.summary["counts"]["confusable_classes"] == 0
