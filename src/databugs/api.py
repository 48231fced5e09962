"""The Python API: ``scan(data, label=...)`` runs the whole pipeline and returns a Report.

load -> validate -> featurise -> out-of-fold probabilities -> label quality -> detectors -> rank.
Never prints and never exits; problems with the input raise :class:`DatabugsError`.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from databugs.annotators import (
    Annotations,
    analyse,
    check_declared,
    class_matrix,
    read_annotations,
)
from databugs.cache import cached_fit
from databugs.clusters import cluster_corrections
from databugs.compare import compare_reports, load_report
from databugs.detectors import Context, Issue, all_detectors
from databugs.detectors.base import is_correction
from databugs.embeddings import embed_texts, joined_texts, model_folder
from databugs.engines import Engine, open_engine
from databugs.errors import DatabugsError
from databugs.features import build_features, row_keys, row_previews
from databugs.gate import check_figures, evaluate, parse_rules
from databugs.io import LoadedTable, read_table
from databugs.ledger import decisions_about, settled_rows
from databugs.oof import (
    OutOfFold,
    check_model_name,
    out_of_fold_probabilities,
    resolve_model_name,
)
from databugs.rank import rank_issues
from databugs.report import Report
from databugs.report_view import ROW_COLUMNS
from databugs.scoring import label_quality
from databugs.summary import ANNOTATOR_FIGURES, FIGURES, class_table, summarise
from databugs.validate import (
    check_classes,
    check_columns_exist,
    check_folds,
    check_id_column,
    check_label_column,
    check_seed,
    label_texts,
    row_ids,
)

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as work advances, e.g. once per fold."""


def scan(
    data: pd.DataFrame | str | os.PathLike[str],
    *,
    label: str | None = None,
    id: str | None = None,
    text: Sequence[str] = (),
    ignore: Sequence[str] = (),
    annotators: Sequence[str] = (),
    annotator_col: str | None = None,
    classes: Sequence[str] | None = None,
    folds: int = 5,
    model: str = "auto",
    text_model: str | None = None,
    seed: int = 0,
    fail_on: str | None = None,
    baseline: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    progress: Progress | None = None,
    detectors: Sequence[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> Report:
    """Find data bugs in a labelled table.

    Parameters
    ----------
    data : DataFrame or path
        The table, or a ``.csv``/``.tsv``/``.parquet``/``.jsonl`` file (then decisions recorded
        by ``databugs fix`` beside it are honoured).
    label : the label column; default: the one column named label/labels/target/class/y.
    id : a column holding a unique key per row, carried into every output.
    text, ignore : columns to treat as free text / to leave out.
    annotators : columns holding each annotator's label (wide data); or ``annotator_col``, the
        column naming the annotator of each line (long data, items keyed by ``id``). Adds
        agreement figures, annotator ranking and consensus labels; without a label column the
        consensus plays its role.
    classes : the classes the data should have; missing and undeclared ones become findings.
    folds, model, seed, jobs : cross-validation folds, model name (``auto``), seed, workers.
    engine, scheduler : where the model fits run and a Parquet dataset (a folder or glob) is
        read: ``"local"``, or ``"dask"`` on the Dask scheduler at ``scheduler``
        (``tcp://host:8786``), or on a LocalCluster of worker processes when it is None.
    text_model : a sentence-embedding model (folder, or ``all-MiniLM-L6-v2`` with the
        ``embeddings`` extra) whose embeddings of the text columns feed a second model beside
        TF-IDF; slower, better on short texts.
    fail_on : CI gate rules, e.g. ``"label_issues>2%,conflicting_duplicates>0"`` (see
        :mod:`databugs.gate`); the result is ``report.gate``.
    baseline : an earlier ``report.json``; ``report.comparison`` then lists new, fixed and
        open issues, and the gate may name ``new_label_issues``.
    progress : optional callback ``progress(stage, done, total)``.
    detectors : names of the detectors to run (default: all registered ones).
    cache : a folder where out-of-fold probabilities are kept, keyed by the data's sha256 and
        the options that shape the models, so that a scan of unchanged data skips the models.

    Returns
    -------
    Report
        ``report.to_dict()`` is the content of ``report.json``.
    """
    options = {
        "label": label,
        "id": id,
        "text": list(text),
        "ignore": list(ignore),
        "annotators": list(annotators),
        "annotator_col": annotator_col,
        "classes": None if classes is None else list(classes),
        "folds": folds,
        "model": model,
        "text_model": text_model,
        "seed": seed,
        "fail_on": fail_on,
        "baseline": None if baseline is None else str(baseline),
    }
    with open_engine(engine, scheduler=scheduler, jobs=jobs) as runner:
        if isinstance(data, pd.DataFrame):
            table = LoadedTable(frame=data, path=Path("<dataframe>"), format="dataframe", sha256="")
        else:
            table = read_table(data, runner)
        return scan_table(
            table, options, engine=runner, progress=progress, detectors=detectors, cache=cache
        )


def scan_table(
    table: LoadedTable,
    options: dict[str, Any],
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
    detectors: Sequence[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> Report:
    """Scan a loaded table with options as ``report.json`` records them (see :func:`scan`)."""
    started = time.perf_counter()
    source = str(table.path)
    frame, annotations, label_option = _annotated_frame(table.frame, options, source)
    label = check_label_column(frame, label_option, source=source)
    id_column = check_id_column(frame, options["id"], source=source)
    check_columns_exist(frame, options["text"], option="--text", source=source)
    check_columns_exist(frame, options["ignore"], option="--ignore", source=source)
    folds = check_folds(options["folds"])
    check_seed(options["seed"])
    check_model_name(options["model"])
    if options.get("text_model"):
        model_folder(options["text_model"])  # a wrong name fails now, not after featurising
    rules = parse_rules(options.get("fail_on"))
    figures = FIGURES + (ANNOTATOR_FIGURES if annotations is not None else ())
    check_figures(rules, figures, all_detectors(), baseline=bool(options.get("baseline")))
    previous = load_report(options["baseline"]) if options.get("baseline") else None
    labels = label_texts(frame[label])
    unknown = sorted(set(detectors or ()) - set(all_detectors()))
    if unknown:
        raise DatabugsError(
            f"no detector named {unknown[0]!r}",
            code="bad_option",
            hint=f"detectors are: {', '.join(all_detectors())}",
        )
    chosen = [
        detector()
        for name, detector in all_detectors().items()
        if detectors is None or name in detectors
    ]
    spelled = labels + ([t for row in annotations.labels for t in row] if annotations else [])
    merges = {v: c for detector in chosen for v, c in detector.merge_labels(spelled).items()}
    canonical = [None if text is None else merges.get(text, text) for text in labels]
    classes = check_classes(canonical, source=source, column=label)
    if annotations is not None:
        annotations = annotations.merged(merges)
        if options.get("classes"):
            check_declared(annotations, options["classes"], source)
        classes = sorted(set(classes) | annotations.classes())
    labelled = np.array([row for row, text in enumerate(labels) if text is not None], dtype=int)
    class_index = {name: index for index, name in enumerate(classes)}
    targets = np.array([class_index[canonical[row]] for row in labelled], dtype=int)

    features = build_features(
        frame,
        exclude=[label, *([id_column] if id_column else []), *options.get("annotators", [])],
        text=options["text"],
        ignore=options["ignore"],
    )
    if not any(use.used_as != "left out" for use in features.columns):
        raise DatabugsError(
            f"{source}: no usable feature columns",
            code="no_features",
            hint="every column was left out (id-like, constant or ignored)",
        )
    model = resolve_model_name(options["model"], features.kind)
    featurised = time.perf_counter()

    ids = row_ids(frame, id_column)
    settled = frozenset()
    if table.format != "dataframe":  # decisions recorded by `databugs fix` beside the file
        settled = settled_rows(decisions_about(table.path, ids), labels)
    text_model = options.get("text_model") if features.text_columns else None

    def fit() -> OutOfFold:
        embeddings = None
        if text_model:
            texts = joined_texts(frame.iloc[labelled], features.text_columns)
            embeddings = embed_texts(
                texts, text_model, on_batch_done=_stage(progress, "embedding"), engine=engine
            )
        return out_of_fold_probabilities(
            features.matrix[labelled],
            features.kind,
            targets,
            len(classes),
            model=model,
            folds=folds,
            seed=options["seed"],
            engine=engine,
            on_fold_done=_fold_counter(progress, folds),
            embeddings=embeddings,
        )

    oof = cached_fit(fit, cache, table.sha256, {**options, "classes_found": classes})
    fitted = time.perf_counter()

    context = Context(
        frame=frame,
        label_column=label,
        labels=labels,
        classes=classes,
        labelled=labelled,
        targets=targets,
        probabilities=oof.probabilities,
        label_quality=label_quality(targets, oof.probabilities),
        features=features,
        folds=oof.folds,
        canonical=canonical,
        declared_classes=options.get("classes"),
        annotators=None
        if annotations is None
        else analyse(
            class_matrix(annotations, class_index),
            labelled,
            annotations.names,
            classes,
            oof.probabilities,
        ),
    )
    found = [issue for detector in chosen for issue in detector.detect(context)]
    # A correction a reviewer rejected is not proposed again, whichever detector proposes it.
    issues = rank_issues(i for i in found if not (i.row in settled and is_correction(i)))
    rows = _row_table(context, ids, issues)
    if annotations is not None:
        rows = _with_consensus(rows, context)
        rows["row"] = annotations.rows  # long data: an item is reported at its first line
    cluster_of, clusters = cluster_corrections(issues, features, options["seed"])
    issue_rows = [issue.row for issue in issues if issue.row is not None]
    options = {**options, "label": label, "model": model, "folds": oof.folds}
    report = Report(
        input={
            "path": source,
            "format": table.format,
            "rows": len(table.frame),
            "sha256": table.sha256,
            "label": label,
            "id": id_column,
            **(
                {"label_source": "annotators' consensus"}
                if label == CONSENSUS_COLUMN and annotations
                else {}
            ),
        },
        options=options,
        summary=summarise(context, issues),
        classes=class_table(context, issues),
        features=[vars(use) for use in features.columns],
        notes=_notes(
            context,
            len(settled),
            text_model_unused=bool(options.get("text_model")) and not features.text_columns,
        ),
        issues=issues,
        rows=rows,
        previews=row_previews(frame, issue_rows, features),
        keys=row_keys(frame, issue_rows, id_column=id_column, label=label),
        kinds={name: detector.description for name, detector in all_detectors().items()},
        cluster_of=cluster_of,
        clusters=[
            {**c, "examples": [int(rows["row"].iat[r]) for r in c["examples"]]} for c in clusters
        ],
        quality_histogram=_quality_histogram(context, rows),
    )
    if context.annotators is not None:
        report.annotators = context.annotators.annotators
        report.agreement = {
            **context.annotators.agreement,
            "class_pairs": _with_rows(context.annotators.class_pairs, annotations.rows),
        }
    if previous is not None:
        report.comparison = compare_reports(previous, report.to_dict())
    report.gate = evaluate(rules, report.summary, report.comparison) if rules else None
    report.timings = {
        "load_and_features_s": round(featurised - started, 3),
        "models_s": round(fitted - featurised, 3),
        "detectors_s": round(time.perf_counter() - fitted, 3),
    }
    return report


CONSENSUS_COLUMN = "consensus"
"""The label column's name in every output when the data has annotators but no label column."""


def _annotated_frame(
    frame: pd.DataFrame, options: dict[str, Any], source: str
) -> tuple[pd.DataFrame, Annotations | None, str | None]:
    """The table to scan (one row per item), its annotations, and the label column to use.

    Without a label column (always so for long data, whose label column holds each line's
    annotation), the annotators' majority becomes the label, named ``consensus``.
    """
    if not options.get("annotators") and not options.get("annotator_col"):
        return frame, None, options["label"]
    annotations = read_annotations(
        frame,
        annotators=options.get("annotators") or [],
        annotator_column=options.get("annotator_col"),
        label=options["label"],
        id_column=options["id"],
        source=source,
        ignore=options.get("ignore") or [],
    )
    items = annotations.frame
    if not annotations.long_format:
        try:
            return items, annotations, check_label_column(items, options["label"], source=source)
        except DatabugsError:
            if options["label"] is not None:
                raise
    if CONSENSUS_COLUMN in items.columns:
        raise DatabugsError(
            f"{source}: a column is named {CONSENSUS_COLUMN!r}, the name databugs gives the "
            "annotators' consensus",
            code="bad_column",
            hint="name the label column with --label, or rename that column",
        )
    return items.assign(**{CONSENSUS_COLUMN: annotations.majority()}), annotations, CONSENSUS_COLUMN


def _fold_counter(progress: Progress | None, folds: int) -> Callable[[], None] | None:
    if progress is None:
        return None
    done = 0
    progress("fitting models", 0, folds)

    def advance() -> None:
        nonlocal done
        done += 1
        progress("fitting models", done, folds)

    return advance


def _stage(progress: Progress | None, stage: str) -> Callable[[int, int], None] | None:
    """``progress`` for a stage that reports (done, total) itself."""
    if progress is None:
        return None
    return functools.partial(progress, stage)


def _row_table(context: Context, ids: list[str | None], issues: list[Issue]) -> pd.DataFrame:
    """One line per data row: the content of ``corrected_labels.csv``.

    ``is_label_issue`` marks every row some finding proposes to relabel (a misannotation, a
    spelling variant, the minority of a conflicting duplicate group, ...).
    """
    n_rows = len(context.labels)
    quality = np.full(n_rows, np.nan)
    quality[context.labelled] = np.round(context.label_quality, 6)
    suggested = list(context.labels)
    flagged = np.zeros(n_rows, dtype=bool)
    for issue in issues:  # worst first: a row's worst correction wins
        if is_correction(issue) and not flagged[issue.row]:
            suggested[issue.row] = issue.suggested_label
            flagged[issue.row] = True
    table = pd.DataFrame(
        {
            "row": np.arange(n_rows),
            "id": ids,
            "given_label": context.labels,
            "suggested_label": suggested,
            "label_quality": quality,
            "is_label_issue": flagged,
        }
    )
    return table[ROW_COLUMNS]


QUALITY_BINS = 20


def _quality_histogram(context: Context, rows: pd.DataFrame) -> dict[str, list]:
    """Label quality of the labelled rows in 20 bins, all and flagged: the report's plot."""
    edges = np.linspace(0.0, 1.0, QUALITY_BINS + 1)
    flagged = rows["is_label_issue"].to_numpy()[context.labelled]
    every, _ = np.histogram(context.label_quality, bins=edges)
    marked, _ = np.histogram(context.label_quality[flagged], bins=edges)
    return {
        "edges": [round(float(e), 6) for e in edges],
        "rows": every.tolist(),
        "flagged": marked.tolist(),
    }


def _with_consensus(rows: pd.DataFrame, context: Context) -> pd.DataFrame:
    """``corrected_labels.csv`` with each row's consensus label, its quality, the number of
    annotations and how far the annotators agree on it (CROWDLAB's annotator agreement)."""
    analysis = context.annotators
    labels: list[str | None] = [None] * len(rows)
    quality = np.full(len(rows), np.nan)
    agreement = np.full(len(rows), np.nan)
    for position, row in enumerate(context.labelled):
        if analysis.consensus[position] >= 0:
            labels[row] = context.classes[analysis.consensus[position]]
            quality[row] = round(float(analysis.consensus_quality[position]), 6)
            agreement[row] = round(float(analysis.agreement_per_item[position]), 6)
    return rows.assign(
        consensus_label=labels,
        consensus_quality=quality,
        annotations=analysis.annotation_counts,
        annotator_agreement=agreement,
    )


def _with_rows(pairs: list[dict[str, Any]], lines: np.ndarray) -> list[dict[str, Any]]:
    """Disputed class pairs with their example items named by row in the file."""
    return [{**pair, "examples": [int(lines[item]) for item in pair["examples"]]} for pair in pairs]


def _notes(context: Context, n_settled: int, *, text_model_unused: bool = False) -> list[str]:
    """Things the user should know about how the scan went."""
    notes = []
    counts = context.class_counts()
    for name, count in zip(context.classes, counts, strict=True):
        if count < context.folds:
            notes.append(
                f"class {name!r} has {count} rows, fewer than the {context.folds} folds: "
                "its rows are scored but not flagged"
            )
    unlabelled = len(context.labels) - len(context.labelled)
    if unlabelled:
        notes.append(f"{unlabelled} rows have no label: they are not scored")
    if text_model_unused:
        notes.append("--text-model was not used: the data has no text column")
    if n_settled:
        notes.append(f"{n_settled} rows rejected in databugs-decisions.csv are not flagged again")
    return notes
