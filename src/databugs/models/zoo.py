"""The models a scan can fit, by the name ``--model`` takes, and the default for each kind of data:
classifiers for classes and tag sets, regressors for a number per row.

scikit-learn is imported when a model is made, not when this module is: the names are needed
by commands that fit nothing (``--help``, re-checking a gate).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from databugs.data.task import REGRESSION
from databugs.errors import DatabugsError, ErrorCode, value_set

Estimator = Any
"""A scikit-learn classifier or regressor (typed loosely: scikit-learn is imported lazily)."""


def _extra_trees(kind: str, seed: int) -> Estimator:
    """Two rows per leaf: with one, duplicated rows get probabilities of 1 and rank badly."""
    from sklearn.ensemble import ExtraTreesClassifier

    return ExtraTreesClassifier(n_estimators=100, min_samples_leaf=2, random_state=seed, n_jobs=1)


def _random_forest(kind: str, seed: int) -> Estimator:
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=100, min_samples_leaf=2, random_state=seed, n_jobs=1)


def _hist_gradient_boosting(kind: str, seed: int) -> Estimator:
    from sklearn.ensemble import HistGradientBoostingClassifier

    return HistGradientBoostingClassifier(random_state=seed)


def _for_kind(kind: str, estimator: Estimator) -> Estimator:
    """Linear models on tables need missing values filled and numbers scaled first."""
    if kind == "text":
        return estimator
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    imputer = SimpleImputer(strategy="median", keep_empty_features=True)
    return make_pipeline(imputer, StandardScaler(), estimator)


def _logistic(kind: str, seed: int) -> Estimator:
    """On text, the SAGA solver: on 100,000 TF-IDF columns it reaches the same fit as L-BFGS
    in a third of the time (bbc_news: log loss 0.217 both, 7.7 s vs 27.7 s)."""
    from sklearn.linear_model import LogisticRegression

    if kind == "text":
        return LogisticRegression(C=10.0, solver="saga", max_iter=200, tol=1e-3, random_state=seed)
    return _for_kind(kind, LogisticRegression(C=10.0, max_iter=2000, random_state=seed))


def _sgd(kind: str, seed: int) -> Estimator:
    from sklearn.linear_model import SGDClassifier

    return _for_kind(kind, SGDClassifier(loss="log_loss", random_state=seed))


def _sgd_and_naive_bayes(kind: str, seed: int) -> Estimator:
    """Two text models that err differently, their probabilities averaged."""
    from sklearn.ensemble import VotingClassifier
    from sklearn.naive_bayes import ComplementNB

    members = [("sgd", _sgd(kind, seed)), ("complement_nb", ComplementNB())]
    return VotingClassifier(members, voting="soft")


@dataclass(frozen=True)
class ModelSpec:
    """A model name users can pass to ``--model``."""

    description: str
    kinds: tuple[str, ...]
    make: Callable[[str, int], Estimator]


MODELS: dict[str, ModelSpec] = {
    "extra-trees": ModelSpec(
        "extremely randomised trees, 100 trees, 2 rows per leaf", ("table",), _extra_trees
    ),
    "random-forest": ModelSpec(
        "random forest, 100 trees, 2 rows per leaf", ("table",), _random_forest
    ),
    "hist-gradient-boosting": ModelSpec(
        "histogram gradient boosting", ("table",), _hist_gradient_boosting
    ),
    "logistic": ModelSpec("logistic regression, C=10", ("table", "text"), _logistic),
    "sgd": ModelSpec("linear model, log loss, by SGD", ("table", "text"), _sgd),
    "sgd+nb": ModelSpec(
        "sgd averaged with complement naive Bayes", ("text",), _sgd_and_naive_bayes
    ),
}
AUTO = {"table": "extra-trees", "text": "sgd+nb"}
"""The one model per kind where a single model is fitted (``databugs next``, ``label``)."""
CANDIDATES = {"table": ("extra-trees", "logistic", "random-forest"), "text": ("sgd+nb", "logistic")}
"""The models a scan fits by default, combined by their out-of-fold fit (``oof.combine``).
Chosen on the pool of ../shared/datasets: gradient boosting added nothing beside these and took
longer than all three (docs/benchmarks.md)."""
BESIDE_TEXT = "{model} on the columns beside the text"
"""How the table candidates fitted where text sits beside other columns are named."""


def _gradient_boosting_regressor(kind: str, seed: int) -> Estimator:
    """Stopped early on a tenth of the training rows (``models.regression`` turns it off for
    small tables): as good a ranking of wrong values in less time (docs/benchmarks.md)."""
    from sklearn.ensemble import HistGradientBoostingRegressor

    return HistGradientBoostingRegressor(early_stopping=True, random_state=seed)


def _extra_trees_regressor(kind: str, seed: int) -> Estimator:
    from sklearn.ensemble import ExtraTreesRegressor

    return ExtraTreesRegressor(
        n_estimators=50, min_samples_leaf=3, max_features=0.7, random_state=seed, n_jobs=1
    )


def _ridge(kind: str, seed: int) -> Estimator:
    from sklearn.linear_model import Ridge

    return _for_kind(kind, Ridge(alpha=1.0))


REGRESSORS: dict[str, ModelSpec] = {
    "hist-gradient-boosting": ModelSpec(
        "histogram gradient boosting", ("table",), _gradient_boosting_regressor
    ),
    "extra-trees": ModelSpec(
        "extremely randomised trees, 50 trees, 3 rows per leaf", ("table",), _extra_trees_regressor
    ),
    "ridge": ModelSpec("ridge regression, alpha=1", ("table", "text"), _ridge),
}
"""The regressors of a regression scan: by default every one usable is screened on the first
fold and the best predicts the rest (``models.regression``)."""


def models_for(task: str) -> dict[str, ModelSpec]:
    """The models ``--model`` may name for a task: regressors for regression, else classifiers."""
    return REGRESSORS if task == REGRESSION else MODELS


def make_model(name: str, kind: str, seed: int, task: str = "classification") -> Estimator:
    """The estimator behind a model name, for features of ``kind`` (``table`` or ``text``)."""
    spec = models_for(task)[check_model_name(name, task)]
    if kind not in spec.kinds:
        usable = [other for other, spec in models_for(task).items() if kind in spec.kinds]
        raise DatabugsError(
            f"{value_set('model', name)} does not work on {kind} data",
            code=ErrorCode.BAD_OPTION,
            hint=f"use auto or one of {', '.join(usable)}",
        )
    return spec.make(kind, seed)


def check_model_name(name: str, task: str = "classification") -> str:
    """Refuse unknown model names, and a classifier for a number or a regressor for classes,
    before any work starts."""
    known = models_for(task)
    if name == "auto" or name in known:
        return name
    what, other = ("regressor", "classifier") if task == REGRESSION else ("classifier", "regressor")
    if name in MODELS or name in REGRESSORS:
        why = f"is a {other}, and a {task} scan fits {what}s"
    else:
        why = "is not a known model"
    raise DatabugsError(
        f"{value_set('model', name)} {why}",
        code=ErrorCode.BAD_OPTION,
        hint=f"use auto or one of {', '.join(known)}",
    )


def resolve_model_name(name: str, kind: str) -> str:
    """``auto`` becomes the default for the data's kind (``table`` or ``text``)."""
    return AUTO[kind] if check_model_name(name) == "auto" else name


def embedding_model(seed: int) -> Estimator:
    """The model fitted on sentence embeddings (``--text-model``), beside the text model.

    Unit-length embeddings need no scaling; C=1 ranked better than C=10 (docs/benchmarks.md).
    """
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=1.0, max_iter=2000, random_state=seed)


def is_forest(estimator: Estimator) -> bool:
    """Forests grow their trees in threads (see ``oof``)."""
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier

    return isinstance(estimator, ExtraTreesClassifier | RandomForestClassifier)
