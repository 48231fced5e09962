"""One class written several ways: found, and merged before any model is trained."""

from __future__ import annotations

import numpy as np
import pandas as pd

import databugs
from databugs.data.features import FeatureSet
from databugs.detectors import Context
from databugs.detectors.label_spelling import LabelSpelling, spelling_key
from tests.conftest import _kinds, make_blobs_table


def test_label_spelling_merges_case_and_space_but_leaves_typos_to_the_model() -> None:
    """A typo is a different word: only the model can say it names the same class."""
    labels = ["positive"] * 50 + ["Positive "] * 3 + ["postive"] * 2 + ["negative"] * 40
    labels += ["B"] * 30 + ["D"] * 2 + ["neutral"] * 10 + ["natural"] * 9
    merges = LabelSpelling().merge_labels(labels)
    assert merges == {"Positive ": "positive"}
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in "POSITIVE")
    assert spelling_key(fullwidth) == "positive"  # Unicode compatibility forms


def test_marks_that_tell_classes_apart_are_kept_and_the_kept_spelling_is_trimmed() -> None:
    """The key dropped every mark: ``>50K`` and ``<=50K`` (UCI Adult's label) were one class and
    the scan refused the file as one class; ``A+`` and ``A`` were merged for ``fix``."""
    pairs = [(">50K", "<=50K"), ("A+", "A"), ("C++", "C"), ("+", "-"), ("3.7%", "-3.7%")]
    for first, second in pairs:
        assert LabelSpelling().merge_labels([first] * 30 + [second] * 20) == {}, first
    assert spelling_key("very-positive") == spelling_key("Very Positive") == "verypositive"
    labels = [" spam"] * 40 + ["Spam"] * 30 + ["SPAM"] * 5 + ["ham"] * 50
    assert LabelSpelling().merge_labels(labels) == {" spam": "Spam", "SPAM": "Spam"}


def test_an_income_label_written_with_comparison_signs_scans_as_two_classes() -> None:
    frame = make_blobs_table(rows=300, seed=4)
    frame["label"] = np.where(frame["label"] == "dog", ">50K", "<=50K")
    report = databugs.scan(frame, jobs=1)
    assert report.summary["classes"] == 2 and not _kinds(report, "label_spelling")


def test_label_spelling_end_to_end_merges_before_training() -> None:
    frame = make_blobs_table(rows=300, seed=4)
    dogs = frame.index[frame["label"] == "dog"][:6]
    frame.loc[dogs[:4], "label"] = "Dog "
    frame.loc[dogs[4:], "label"] = "DOG"
    report = databugs.scan(frame, jobs=1)
    spelling = _kinds(report, "label_spelling")
    assert sorted(issue.row for issue in spelling) == sorted(dogs.tolist())
    assert {issue.suggested_label for issue in spelling} == {"dog"}
    assert report.summary["classes"] == 3  # variants did not become classes of their own
    assert report.summary["counts"]["label_spelling"] == 1  # one group
    assert report.rows.loc[dogs, "suggested_label"].eq("dog").all()
    kept = sum(label == "dog" for label in frame["label"])
    message = next(issue.message for issue in spelling if issue.given_label == "Dog ")
    kept_so = f"the spelling kept (written so in {kept} rows)"
    assert message == f"'Dog ' is a spelling of 'dog', {kept_so}"


def test_numbers_are_classes_by_value_never_by_their_digits() -> None:
    labels = ["1.0"] * 50 + ["-1.0"] * 40 + ["3"] * 30 + ["5"] * 2 + ["1"] * 3
    merges = LabelSpelling().merge_labels(labels)
    assert merges == {"1": "1.0"}  # the same number written two ways, nothing else


def test_numbers_written_as_names_are_not_merged() -> None:
    """An adversarial pass merged real classes before training: section numbers ``1.10`` into
    ``1.1``, codes ``007`` into ``7``, ``1_2`` into ``12`` (Python's float reads it)."""
    for first, second in [("1.10", "1.1"), ("007", "7"), ("1_2", "12")]:
        assert LabelSpelling().merge_labels([first] * 30 + [second] * 20) == {}, first
    merged = ["1"] * 30 + ["1.0", "+1", "1.00", "\uff11"] + ["Yes"] * 20 + ["YES", "yes"]
    assert LabelSpelling().merge_labels(merged) == {
        "1.0": "1",
        "+1": "1",
        "1.00": "1",
        "\uff11": "1",  # a fullwidth digit
        "YES": "Yes",
        "yes": "Yes",
    }


def test_short_names_in_another_case_are_one_class_unless_case_is_kept() -> None:
    """Keeping the case of two-letter names (for cobalt ``Co`` beside ``CO``) split everyday
    classes: ``No``/``NO``/``no`` became three classes (accuracy 98.7% -> 67.7% on 300 rows),
    as did ``OK``/``ok``, ``TV``/``tv``, ``C#``/``c#``. ``fold_case=False`` keeps case."""
    for first, second in [("No", "NO"), ("OK", "ok"), ("TV", "tv"), ("C#", "c#"), ("A", "a")]:
        assert LabelSpelling().merge_labels([first] * 30 + [second] * 20) == {second: first}
    kept = LabelSpelling(fold_case=False)
    for first, second in [("Co", "CO"), ("mW", "MW"), ("No", "no")]:
        assert kept.merge_labels([first] * 30 + [second] * 20) == {}, first
    assert kept.merge_labels(["No"] * 30 + [" No"] * 2) == {" No": "No"}


def test_yes_and_no_written_in_several_cases_are_two_classes_in_a_scan() -> None:
    frame = make_blobs_table(rows=300, seed=4)
    spellings = {"dog": ["No", "NO", "no"], "cat": ["Yes", "yes", "YES"], "bird": ["maybe"]}
    rng = np.random.default_rng(0)
    frame["label"] = [rng.choice(spellings[label]) for label in frame["label"]]
    report = databugs.scan(frame, jobs=1)
    assert report.summary["classes"] == 3
    assert report.summary["model_accuracy"] > 0.9
    spelled = _kinds(report, "label_spelling")
    assert {issue.suggested_label for issue in spelled} <= {"No", "NO", "no", "Yes", "yes", "YES"}
    assert len(spelled) > 100  # every row not written the kept way


def test_a_rare_case_or_number_form_the_model_cannot_tell_apart_is_a_spelling() -> None:
    """Kept apart for training, they are reported as spellings when the out-of-fold model puts
    their rows in the frequent class; a class the model tells apart stays a class."""
    context = _typo_context(
        [
            ("CO", 60, "CO"),
            ("Co", 3, "CO"),
            ("1.1", 50, "1.1"),
            ("1.10", 2, "1.1"),
            ("Fe", 40, "Fe"),
            ("FE", 3, "FE"),  # the model tells these rows apart
        ]
    )
    issues = LabelSpelling(fold_case=False).detect(context)
    found = {(issue.given_label, issue.suggested_label, issue.details["edit"]) for issue in issues}
    assert found == {("Co", "CO", "another case"), ("1.10", "1.1", "another form of the number")}
    assert len(issues) == 5


def test_cobalt_and_carbon_monoxide_stay_two_classes_where_case_is_kept() -> None:
    frame = make_blobs_table(rows=300, seed=4)
    frame["label"] = frame["label"].map({"dog": "Co", "cat": "CO", "bird": "Fe"})
    settings = {"label_spelling": {"fold_case": False}}
    report = databugs.scan(frame, jobs=1, detector_settings=settings)
    assert report.summary["classes"] == 3 and not _kinds(report, "label_spelling")


def _typo_context(rows: list[tuple], own: dict[str, float] | None = None) -> Context:
    """(label, rows, the class the model puts those rows in) -> a context whose out-of-fold
    probabilities say so: 0.7 on that class, the rest spread; ``own`` moves some probability
    of a label's rows from that class to their own (the model learned a little of it)."""
    labels = [label for label, count, _ in rows for _ in range(count)]
    predicted = [guess for _, count, guess in rows for _ in range(count)]
    classes = sorted(set(labels))
    targets = np.array([classes.index(label) for label in labels])
    guesses = np.array([classes.index(g) for g in predicted])
    probabilities = np.full((len(labels), len(classes)), 0.3 / (len(classes) - 1))
    probabilities[np.arange(len(labels)), guesses] = 0.7
    for label, share in (own or {}).items():
        rows_of = np.flatnonzero(targets == classes.index(label))
        probabilities[rows_of, guesses[rows_of]] -= share
        probabilities[rows_of, targets[rows_of]] += share
    return Context(
        frame=pd.DataFrame({"label": labels}),
        label_column="label",
        labels=labels,
        classes=classes,
        labelled=np.arange(len(labels)),
        targets=targets,
        probabilities=probabilities,
        label_quality=probabilities[np.arange(len(labels)), targets],
        features=FeatureSet(matrix=np.zeros((len(labels), 1)), kind="text"),
        folds=5,
        canonical=labels,
    )


def test_rare_typos_the_model_cannot_tell_apart_are_found() -> None:
    context = _typo_context(
        [
            ("positive", 60, "positive"),
            ("postive", 2, "positive"),  # a letter dropped
            ("positiv", 1, "positive"),  # truncated
            ("sport", 50, "sport"),
            ("sprot", 2, "sport"),  # two letters swapped
            ("negative", 40, "negative"),
        ]
    )
    issues = LabelSpelling().detect(context)
    found = {(issue.given_label, issue.suggested_label) for issue in issues}
    assert found == {("postive", "positive"), ("positiv", "positive"), ("sprot", "sport")}
    assert len(issues) == 5  # one per row
    sprot = next(issue for issue in issues if issue.given_label == "sprot")
    assert sprot.group == "spelling:sport" and sprot.row in (113, 114)
    assert sprot.details["edit"] == "two letters swapped"
    assert sprot.details["predicted_as_canonical"] == 1.0
    assert "'sport'" in sprot.message and "model" in sprot.message


def test_names_that_differ_in_meaning_stay_apart() -> None:
    context = _typo_context(
        [
            ("trade", 60, "trade"),
            ("grade", 5, "grade"),  # one letter off, the first: a name, not a slip
            ("class1", 60, "class1"),
            ("class7", 3, "class1"),  # a number is a name, never a typo
            ("B", 30, "B"),
            ("D", 2, "B"),  # too short to call a typo
            ("neutral", 30, "neutral"),
            ("natural", 2, "neutral"),  # three letters off in seven
            ("positive", 30, "positive"),
            ("posit", 2, "positive"),  # too much cut off to be sure
        ]
    )
    assert LabelSpelling().detect(context) == []


def test_a_letter_changed_is_a_slip_only_onto_a_neighbouring_key_past_the_first() -> None:
    """A real class the model cannot tell from a frequent one whose name differs from it in a
    letter (formal / normal) is not offered as a typo; a neighbouring key's slip is."""
    context = _typo_context(
        [
            ("normal", 700, "normal"),
            ("formal", 63, "normal"),  # the first letter, keys far apart
            ("sport", 300, "sport"),
            ("sporh", 10, "sport"),  # h does not touch t
            ("spirt", 10, "sport"),  # i touches o
            ("positive", 200, "positive"),
            ("positivr", 3, "positive"),  # r touches e
        ]
    )
    issues = LabelSpelling().detect(context)
    found = {(issue.given_label, issue.suggested_label) for issue in issues}
    assert found == {("spirt", "sport"), ("positivr", "positive")}


def test_a_rare_class_the_model_learned_a_little_of_stays_apart() -> None:
    """Rows of a real rare class are mostly put in the frequent one, but the model gives them
    visibly more of their own class than it gives the frequent class's rows."""
    rows = [("anger", 60, "anger"), ("aner", 6, "anger"), ("joy", 40, "joy")]
    assert LabelSpelling().detect(_typo_context(rows)) != []
    assert LabelSpelling().detect(_typo_context(rows, own={"aner": 0.05})) == []


def test_a_variant_too_frequent_to_be_a_slip_is_left_alone() -> None:
    context = _typo_context([("sport", 50, "sport"), ("sprot", 20, "sport")])
    assert LabelSpelling().detect(context) == []
    assert len(LabelSpelling(max_share=0.5).detect(context)) == 20


def test_planted_typos_in_bbc_news_are_found_and_offered_to_fix(shared_dataset) -> None:
    frame = shared_dataset("bbc_news")[["text", "label"]]
    planted = {"sports": "sprots", "politics": "politic", "entertainment": "entertainmnt"}
    rng = np.random.default_rng(0)
    rows = {}
    for name, variant in planted.items():
        members = frame.index[frame["label"] == name]
        rows[variant] = rng.choice(members, size=round(0.02 * len(members)), replace=False)
        frame.loc[rows[variant], "label"] = variant
    report = databugs.scan(frame, jobs=1, detectors=["label_spelling"])
    spelling = _kinds(report, "label_spelling")
    found = {(issue.given_label, issue.suggested_label) for issue in spelling}
    assert found == {(variant, name) for name, variant in planted.items()}
    assert sorted(issue.row for issue in spelling) == sorted(np.concatenate(list(rows.values())))
    accepted = report.rows.loc[np.concatenate(list(rows.values()))]
    assert accepted["is_label_issue"].all()
    assert set(accepted["suggested_label"]) == set(planted)


def test_a_typo_class_is_reported_as_a_typo_not_as_a_rare_class() -> None:
    """Four birds written ``brid``: one spelling finding for the four rows, and no rare,
    imbalanced or confusable class ``brid`` beside it."""
    frame = make_blobs_table(rows=300, seed=4)
    birds = frame.index[frame["label"] == "bird"][:4]
    frame.loc[birds, "label"] = "brid"
    report = databugs.scan(frame, jobs=1)
    spelling = _kinds(report, "label_spelling")
    assert sorted(issue.row for issue in spelling) == sorted(birds.tolist())
    about_brid = [issue for issue in report.issues if "brid" in issue.classes]
    assert about_brid == [] and not _kinds(report, "rare_class")
    assert report.summary["counts"].get("rare_class", 0) == 0


def test_a_slips_rows_get_the_spelling_not_another_correction() -> None:
    """A slip's rows were scored with the slip as a class of its own: where the label-issue
    detector offers one of them another class, the spelling finding overrules it."""
    from databugs.detectors.label_issues import LabelIssues
    from databugs.pipeline.detect import find_issues

    context = _typo_context(
        [("positive", 60, "positive"), ("postive", 6, "positive"), ("negative", 40, "negative")]
    )
    context.posterior = context.probabilities.copy()
    context.posterior[60] = [0.96, 0.02, 0.02]  # classes: negative, positive, postive
    assert [(i.row, i.suggested_label) for i in LabelIssues().detect(context)] == [(60, "negative")]
    found = find_issues([LabelSpelling(), LabelIssues()], context, frozenset())
    assert {(i.kind, i.row, i.suggested_label) for i in found} == {
        ("label_spelling", row, "positive") for row in range(60, 66)
    }


def test_a_kept_spelling_is_a_class_again() -> None:
    """Where the reviewer rejected the spelling corrections, the rare class is reported."""
    from databugs.detectors.rare_class import RareClass
    from databugs.pipeline.detect import find_issues

    context = _typo_context(
        [("positive", 60, "positive"), ("postive", 2, "positive"), ("negative", 40, "negative")]
    )
    detectors = [LabelSpelling(), RareClass()]
    fresh = find_issues(detectors, context, frozenset())
    assert {issue.kind for issue in fresh} == {"label_spelling"}
    kept = find_issues(detectors, context, frozenset({60, 61}))
    assert {(issue.kind, issue.row) for issue in kept} == {("rare_class", 60), ("rare_class", 61)}
