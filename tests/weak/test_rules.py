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
    result = label_data(path, rules=yaml_rules, jobs=1)
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
    result = runner.invoke(
        app,
        [
            "label",
            str(EXAMPLES / "sms_sample.csv"),
            "--rules",
            str(rules),
            "--out",
            str(out),
            "--classes",
            "ham,spam",
        ],
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()
