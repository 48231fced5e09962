"""Labelling rules: Python rules and where queries, and one-line errors naming a bad rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from databugs.cli import app
from databugs.weak.labelling import label_data
from tests.conftest import EXAMPLES, runner


def test_python_rules_and_where_queries(tmp_path: Path) -> None:
    path = tmp_path / "payments.csv"
    rng = np.random.default_rng(2)
    amount = rng.integers(10, 30000, 400)
    country = rng.choice(["FR", "DE", "XX"], 400)
    label = np.where((amount > 15000) | (country == "XX"), "fraud", "ok")
    known = np.where(rng.random(400) < 0.1, label, "")
    pd.DataFrame({"amount": amount, "country": country, "label": known}).to_csv(path, index=False)
    rules = tmp_path / "rules.py"
    rules.write_text(
        "import databugs\n\n"
        "@databugs.rule(label='fraud')\n"
        "def large_amount(row):\n    return row['amount'] > 15000\n\n"
        "@databugs.rule()\n"
        "def by_country(row):\n    return 'fraud' if row['country'] == 'XX' else None\n\n"
        "@databugs.rule(label='ok')\n"
        "def small(row):\n    return row['amount'] < 5000 and row['country'] != 'XX'\n"
    )
    result = label_data(path, rules=rules, jobs=1)
    assert [r["name"] for r in result.rules] == ["large_amount", "by_country", "small"]
    hidden = (result.rows["label_source"] != "gold").to_numpy()
    assert (result.rows["weak_label"][hidden] == label[hidden]).mean() > 0.9
    yaml_rules = tmp_path / "rules.yaml"
    yaml_rules.write_text(
        "rules:\n  - name: big\n    label: fraud\n    where: 'amount > 15000'\n"
        "  - name: small\n    label: ok\n    where: 'amount < 5000'\n"
    )
    result = label_data(path, rules=yaml_rules, jobs=1, model="logistic")  # coverage only
    big = next(r for r in result.rules if r["name"] == "big")
    assert big["coverage"] == pytest.approx((amount > 15000).mean(), abs=1e-6)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "  - name: never\n    label: spam\n    contains: [xyzzyplugh]\n",
            "rule 'never' matches no row",
        ),
        (
            "  - name: nocol\n    label: spam\n    contains: [free]\n    column: body\n",
            "rule 'nocol': no column 'body'",
        ),
        ("  - name: badre\n    label: spam\n    regex: '(unclosed'\n", "rule 'badre': bad regex"),
        ("  - name: badq\n    label: spam\n    where: 'nosuch > 3'\n", "rule 'badq': bad query"),
        (
            "  - name: other\n    label: eggs\n    contains: [free]\n",
            "rule 'other' votes 'eggs', not one of --classes",
        ),
    ],
)
def test_bad_rules_exit_2_naming_the_rule(tmp_path: Path, rule: str, message: str) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: free\n    label: spam\n    contains: [free]\n" + rule)
    out = tmp_path / "out"
    result = _label_sms(rules, out, "--classes", "ham,spam")
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def _label_sms(rules: Path, out: Path, *extra: str):
    """``databugs label`` of the SMS sample with ``rules`` into ``out``."""
    data = str(EXAMPLES / "sms_sample.csv")
    return runner.invoke(app, ["label", data, "--rules", str(rules), "--out", str(out), *extra])


def _payments(tmp_path: Path) -> Path:
    """A small payments table: numbers, a text column, a column name with a space, a gap."""
    rng = np.random.default_rng(5)
    frame = pd.DataFrame(
        {
            "amount": rng.integers(-50, 30000, 300),
            "country": rng.choice(["FR", "DE", "XX"], 300),
            "unit price": rng.choice(["1.5", "2.5", "", "9"], 300),
            "label": np.where(rng.random(300) < 0.1, rng.choice(["fraud", "ok"], 300), ""),
        }
    )
    path = tmp_path / "payments.csv"
    frame.to_csv(path, index=False)
    return path


ATTACKS = [
    "@sys.modules['os'].system('touch {marker}') == 0",
    "@pd.io.common.os.system('touch {marker}') == 0",
    "@data.to_csv('{marker}') == 0",
    "amount > 0 and @data.to_csv('{marker}') is None",
    "__import__('os').system('touch {marker}') == 0",
    "amount.to_csv('{marker}') == 0",
    "country.str.len() > 0 or open('{marker}', 'w')",
    "[c for c in ().__class__.__base__.__subclasses__()] == '{marker}'",
    "amount @ amount == 0 or '{marker}' == country",
    "(lambda: open('{marker}', 'w'))() == 0",
    "amount[0] == 0 or country == '{marker}'",
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_where_refuses_code_and_runs_nothing(tmp_path: Path, attack: str) -> None:
    import yaml

    data = _payments(tmp_path)
    marker = tmp_path / "pwned"
    rules = tmp_path / "rules.yaml"
    query = attack.format(marker=marker)
    entry = {"name": "evil", "label": "fraud", "where": query}
    rules.write_text(yaml.safe_dump({"rules": [entry]}))
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["label", str(data), "--rules", str(rules), "--out", str(out), "--jobs", "1"]
    )
    assert result.exit_code == 2, result.output
    assert not marker.exists()
    assert f"{rules}: rule 'evil'" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


DOCUMENTED_FORMS = [
    "amount > 10000",
    "amount>10000",
    "amount < -10",
    "country == 'XX'",
    'country != "XX"',
    "amount > 15000 and country == 'XX'",
    "amount > 15000 or country == 'XX'",
    "(amount < 5000) | (country == 'XX')",
    "(amount < 5000) & (country != 'XX')",
    "amount < 5000 & country != 'XX'",
    "not amount > 100",
    "~(amount > 100)",
    "not (amount > 100 or country == 'DE')",
    "country in ['FR', 'DE']",
    "country not in ('FR', 'XX')",
    "country == ['FR', 'DE']",
    "country != ['FR']",
    "1000 < amount <= 20000",
    "`unit price` >= 2.5",
    "`unit price` == 9 and amount > 100",
    "amount == 1.5e4 or amount >= 2e4",
]


@pytest.mark.parametrize("form", DOCUMENTED_FORMS)
def test_where_labels_the_rows_a_pandas_query_labelled(tmp_path: Path, form: str) -> None:
    from databugs.weak.rules import typed_frame
    from databugs.weak.where import parse_where

    frame = pd.read_csv(_payments(tmp_path), dtype=str, keep_default_na=False)
    typed = typed_frame(frame)
    expected = typed.eval(form).to_numpy(dtype=bool)  # what databugs did before (pandas)
    assert expected.any() and not expected.all()
    assert (parse_where(form, typed.columns).matches(typed) == expected).all()


def test_where_with_an_unknown_column_names_the_file_the_rule_and_the_column(
    tmp_path: Path,
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        'rules:\n  - name: big\n    label: fraud\n    where: "amount > 3 and `unit cost` > 1"\n'
    )
    result = runner.invoke(app, ["label", str(_payments(tmp_path)), "--rules", str(rules)])
    assert result.exit_code == 2
    line = result.output.strip()
    assert f"{rules}: rule 'big'" in line and "no column 'unit cost'" in line
    assert len(line.splitlines()) == 1


def test_any_where_text_is_a_condition_or_a_one_line_refusal(tmp_path: Path) -> None:
    """Token soup (seeded): never a crash, never anything but true/false per row."""
    import random

    from databugs.weak.rules import typed_frame
    from databugs.weak.where import WhereError, parse_where

    typed = typed_frame(pd.read_csv(_payments(tmp_path), dtype=str, keep_default_na=False))
    pieces = [
        "amount", "country", "`unit price`", "label", "nosuch", "and", "or", "not", "in", "&",
        "|", "~", "(", ")", "[", "]", ",", "==", "!=", "<", ">=", "-", "3", "1.5e3", "'XX'",
        '"FR"', "True", "None", "@", ".", "os", "__import__", "'\\x'", "`", "'",
    ]  # fmt: skip
    rng = random.Random(0)
    conditions = 0
    for _ in range(3000):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        try:
            hits = parse_where(text, typed.columns).matches(typed)
        except WhereError as error:
            assert str(error) and "\n" not in str(error)
            continue
        conditions += 1
        assert hits.dtype == bool and hits.shape == (len(typed),)
    assert conditions > 10  # some soups are conditions, and are evaluated


def test_where_on_parquet_columns_with_gaps(tmp_path: Path) -> None:
    rng = np.random.default_rng(8)
    amount = pd.array(rng.integers(10, 30000, 400), dtype="Int64")
    amount[rng.random(400) < 0.1] = pd.NA
    country = pd.array(rng.choice(["FR", "DE", "XX"], 400), dtype="string[pyarrow]")
    country[rng.random(400) < 0.1] = pd.NA
    label = pd.array(np.where(rng.random(400) < 0.2, "fraud", ""), dtype="string[pyarrow]")
    path = tmp_path / "payments.parquet"
    pd.DataFrame({"amount": amount, "country": country, "label": label}).to_parquet(path)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: big_abroad\n    label: fraud\n"
        "    where: \"amount > 15000 and not country in ['FR', 'DE']\"\n"
        "  - name: not_xx\n    label: fraud\n    where: \"country != 'XX' and amount != 3\"\n"
        "  - name: small\n    label: ok\n    where: 'amount <= 15000'\n"
    )
    result = label_data(path, rules=rules, jobs=1)
    coverage = {r["name"]: r["coverage"] for r in result.rules}
    big = (amount > 15000).fillna(False).to_numpy(dtype=bool)
    abroad = ~pd.Series(country).isin(["FR", "DE"]).to_numpy()  # a gap is abroad, as in pandas
    not_xx = (country != "XX").fillna(True).to_numpy(dtype=bool)  # a gap is not 'XX'
    assert coverage["big_abroad"] == pytest.approx((big & abroad).mean(), abs=1e-9)
    assert coverage["not_xx"] == pytest.approx(not_xx.mean(), abs=1e-9)
    assert coverage["small"] == pytest.approx((amount <= 15000).fillna(False).mean(), abs=1e-9)
    # pandas' query gave 0.6125 for not_xx: a gap in the Int64 column failed `amount != 3`, a
    # gap in the text column passed `country != 'XX'`. Now a gap is what an empty CSV cell is.


def test_a_noisy_label_column_votes_like_a_rule(tmp_path: Path) -> None:
    """An existing noisy label (20% wrong, some empty) as a ``column:`` rule: its votes are the
    column's values, empty cells abstain, and it lifts the labels beyond the keyword rules."""
    frame = pd.read_csv(EXAMPLES / "sms_sample.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(EXAMPLES / "sms_sample.truth.csv", dtype=str)
    clean = frame["label"].to_numpy().copy()
    clean[truth["row"].astype(int)] = truth["true_label"].to_numpy()
    rng = np.random.default_rng(5)
    flipped = np.where(clean == "spam", "ham", "spam")
    noisy = np.where(rng.random(len(frame)) < 0.2, flipped, clean)
    noisy[rng.random(len(frame)) < 0.1] = ""
    gold = np.where(rng.random(len(frame)) < 0.05, clean, "")
    path = tmp_path / "sms.csv"
    frame.assign(label=gold, vendor_label=noisy).to_csv(path, index=False)
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "rules:\n  - name: vendor\n    column: vendor_label\n"
        "  - name: prize\n    label: spam\n    contains: [free, prize, claim]\n"
    )
    result = label_data(path, rules=rules, id="message_id", text=["text"], jobs=1)
    vendor = result.rules[0]
    assert vendor["polarity"] == ["ham", "spam"]
    assert vendor["rows"] == int((noisy != "").sum())
    hidden = (result.rows["label_source"] != "gold").to_numpy()
    right = (result.rows["weak_label"][hidden] == clean[hidden]).mean()
    assert right > (noisy[hidden] == clean[hidden]).mean() + 0.05


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("  - name: v\n    label: spam\n    column: vendor\n", "'label' does not apply"),
        ("  - name: v\n    column: nowhere\n", "no column 'nowhere'"),
        ("  - name: v\n    label: spam\n", "or only column:"),
    ],
)
def test_bad_column_rules_are_one_line_errors(tmp_path: Path, rule: str, message: str) -> None:
    data = tmp_path / "d.csv"
    data.write_text("text,vendor,label\nfree prize,spam,spam\nhi mum,ham,\nok,,ham\n")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n" + rule)
    result = runner.invoke(app, ["label", str(data), "--rules", str(rules), "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_contains_rules_match_exactly_what_pythons_regex_matches() -> None:
    """The RE2 shortcut for keyword rules changes no vote, on ASCII and non-ASCII text alike."""
    import re

    from databugs.weak.rules import _pattern_rule

    texts = [
        "You WIN a prize", "ñwin", "win—now", "café win", "twin peaks", "W\u0130N big",
        "\u017ftop it", "stop", "\u212aeep", "keep calm", "déjà vu", "", "prize!", "Prizes",
        "multi word offer here", "multi  word", "a+b", "x a+b y",
    ]  # fmt: skip
    frame = pd.DataFrame({"text": texts})
    for words in (["win", "stop", "keep"], ["prize", "multi word"], ["a+b"]):
        pattern = re.compile(
            r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE
        )
        fast = _pattern_rule(pattern, ["text"], "x", True)(frame, frame)
        slow = _pattern_rule(pattern, ["text"], "x", False)(frame, frame)
        expected = ["x" if pattern.search(t) else None for t in texts]
        assert fast == slow == expected, words


def test_two_python_rules_of_one_name_are_refused_like_yaml_ones(tmp_path: Path) -> None:
    """The second ``def free`` replaced the first in the module: one rule vanished silently."""
    rules = tmp_path / "dup.py"
    rules.write_text(
        "import databugs\n\n"
        "@databugs.rule(label='spam')\n"
        "def free(row):\n    return 'free' in str(row['text']).lower()\n\n"
        "@databugs.rule(label='ham')\n"
        "def free(row):\n    return 'meeting' in str(row['text']).lower()\n"
    )
    result = _label_sms(rules, tmp_path / "out")
    assert result.exit_code == 2 and "two rules are named 'free'" in result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "out").exists()
