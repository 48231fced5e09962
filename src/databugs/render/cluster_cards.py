"""report.html's clusters of mistakes: a card for each cluster of at least ``CARD_SIZE`` rows
(size, what the rows share, example rows, how sure the suggestion is, the accept command),
ordered by size x confidence; smaller groups folded into one list under the cards.

Each card is ``<div class="cluster-card" data-cluster="c4">``: scripts attach to that.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from databugs.render.escape import html_text
from databugs.report.report import Report
from databugs.text import shown_label

CARD_SIZE = 3
EXAMPLES = 3


def _confidence(records: list[dict[str, Any]]) -> list[float]:
    """How likely the suggested label is for each row: the model's probability when the
    finding gives one, else its score."""
    return [
        float((r.get("evidence") or {}).get("suggested_probability", r["score"])) for r in records
    ]


def clusters_html(report: Report, corrections: list[dict[str, Any]]) -> str:
    """The cards and the folded list of small groups (escaped), of the report's clusters and
    ``corrections``."""
    if not report.clusters:
        return '<p class="dim">No proposed corrections to group.</p>'
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in corrections:
        if record.get("cluster"):
            members[record["cluster"]].append(record)
    scored = []
    for cluster in report.clusters:
        sure = _confidence(members[cluster["id"]]) or [0.0]
        scored.append((cluster, sure))
    big = [(c, s) for c, s in scored if c["rows"] >= CARD_SIZE]
    big.sort(key=lambda item: -item[0]["rows"] * sum(item[1]) / len(item[1]))
    small = [c for c, _ in scored if c["rows"] < CARD_SIZE]
    cards = "".join(_card(c, s, members[c["id"]]) for c, s in big)
    html = [f'<div class="cluster-cards">{cards}</div>' if cards else ""]
    if not big:
        html.append(f'<p class="dim">No cluster has {CARD_SIZE} rows or more.</p>')
    if small:
        html.append(_small_groups(small))
    return "\n".join(html)


def _pair(cluster: dict[str, Any]) -> str:
    return (
        f"{html_text(shown_label(cluster['given_label']))} &rarr; "
        f"{html_text(shown_label(cluster['suggested_label']))}"
    )


def _card(cluster: dict[str, Any], sure: list[float], records: list[dict[str, Any]]) -> str:
    ident = html_text(cluster["id"])
    shared = ", ".join(cluster["common"]) or "nothing stands out beyond the labels"
    content = {r["row"]: r.get("content") or "" for r in records}
    examples = "".join(
        f"<li><b>row {row}</b> {html_text(content.get(row, ''))}</li>"
        for row in cluster["examples"][:EXAMPLES]
    )
    mean = sum(sure) / len(sure)
    return (
        f'<div class="cluster-card" data-cluster="{ident}">'
        f'<h3><a href="#cluster={ident}" class="cluster-link">{ident}</a>: {_pair(cluster)}'
        f' <span class="dim">{cluster["rows"]} rows</span></h3>'
        f"<p>What they share: {html_text(shared)}.</p>"
        f"<p>The model gives the suggested label {mean:.0%} on average (lowest {min(sure):.0%},"
        f" highest {max(sure):.0%}).</p>"
        f'<ul class="examples">{examples}</ul>'
        f"<p>Accept them all: <code>databugs fix --accept-cluster {ident}</code></p></div>"
    )


def _small_groups(clusters: list[dict[str, Any]]) -> str:
    rows = "".join(
        f'<tr><td><a href="#cluster={html_text(c["id"])}" class="cluster-link">'
        f"{html_text(c['id'])}</a></td><td>{_pair(c)}</td><td>{c['rows']}</td>"
        f"<td>{', '.join(map(str, c['examples']))}</td>"
        f"<td><code>databugs fix --accept-cluster {html_text(c['id'])}</code></td></tr>"
        for c in clusters
    )
    return (
        f'<details class="small-clusters"><summary>{len(clusters)} groups of fewer than'
        f" {CARD_SIZE} rows (also in the table below, by their cluster)</summary>"
        "<table><thead><tr><th>cluster</th><th>given &rarr; suggested</th><th>rows</th>"
        "<th>rows in the file</th><th>accept</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></details>"
    )
