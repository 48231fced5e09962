"""``report.html``: one self-contained, offline page: summary, plots, clusters, every issue.

Nothing is fetched when the page opens: styles, script and plots (inline SVG) are in the file.
The Content-Security-Policy runs one script, the page's own, named by its SHA-256 (a hash, not
a random nonce, so that the same report gives the same bytes); markup that got into the page
some other way could not run a script.
Data text reaches the page two ways, both inert: escaped HTML for the parts written here, and a
JSON block (with ``<``, ``>`` and ``&`` escaped) that the page's script reads and shows with
``textContent`` only. The issue table is paginated, so 50,000 issues stay responsive.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from importlib import resources
from operator import itemgetter
from typing import Any

from databugs.gate.rules import measured_text
from databugs.render.cluster_cards import clusters_html
from databugs.render.escape import html_text
from databugs.render.evidence_text import evidence_texts
from databugs.render.page_views import view_data
from databugs.render.plots import all_plots
from databugs.render.review import review_data
from databugs.report.report import Report
from databugs.report.schema import ISSUE_FIELDS

STYLE_FILES = ("report.css", "map.css", "review.css")
SCRIPT_FILES = ("table.js", "map.js", "neighbours.js", "review.js")
"""The page's styles and its one script, assembled from these files (each feature its own)."""
RECORD_FIELDS = [name for name in ISSUE_FIELDS if name not in ("group", "key")]
TABLE_FIELDS = [*RECORD_FIELDS, "row_name"]
"""The fields of an issue the page's table shows: those of its record, and ``row_name``
(``test:68`` with a test file)."""
SHARED_TEXTS = ("detail", "content", "evidence")
"""Fields the page carries as numbers into its list of distinct texts."""
SCRIPT_ESCAPES = {char: f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"}
"""Characters that could end a <script> element or read as markup, and their JSON escapes."""


def render(report: Report) -> str:
    """The page."""
    script = _page_text(SCRIPT_FILES)
    corrections = report.corrections()  # once: the clusters, neighbours and review panel read it
    parts = {
        "script_source": _script_source(script),
        "styles": _page_text(STYLE_FILES),
        "script": script,
        "title": html_text(f"databugs report: {report.scanned_name()}"),
        "summary": summary_html(report),
        "plots": "\n".join(f'<figure class="plot">{svg}</figure>' for svg in all_plots(report)),
        "clusters": clusters_html(report, corrections),
        "annotators": _annotators(report),
        "data": _json_for_script(
            {**_table_data(report, corrections), "review": review_data(report, corrections)}
        ),
    }
    # One pass: text filled in is never scanned for placeholders again (a class named
    # "{{data}}" stays text).
    template = _page_text(("report.html",))
    return re.sub(r"\{\{(\w+)\}\}", lambda match: parts[match.group(1)], template)


def _page_text(names: tuple[str, ...]) -> str:
    """The named files of ``render/page``, joined in order."""
    folder = resources.files("databugs.render").joinpath("page")
    return "".join(folder.joinpath(name).read_text(encoding="utf-8") for name in names)


def _script_source(script: str) -> str:
    """The CSP source that allows the page's one script and nothing else."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    return f"'sha256-{digest}'"


def summary_html(report: Report) -> str:
    """The summary cards, counts per kind, gate, notes and run settings (escaped)."""
    summary = report.summary
    cards = [
        ("rows", f"{summary['rows']:,}"),
        ("labelled", f"{summary['labelled']:,}"),
        ("classes", str(summary["classes"])),
        ("label health", f"{summary['label_health']:.1%}"),
        ("likely wrong labels", f"{summary['label_issues']:,}"),
    ]
    if summary.get("model_mae") is not None:
        cards[2] = ("R² (out-of-fold)", f"{summary['model_r2']:.3f}")
        cards.append(("mean absolute error (out-of-fold)", f"{summary['model_mae']:.4g}"))
    else:
        cards.append(("model accuracy (out-of-fold)", f"{summary['model_accuracy']:.1%}"))
    if summary.get("median_residual") is not None:
        cards[3] = ("values near their prediction", f"{summary['label_health']:.1%}")
        cards[4] = ("likely wrong values", f"{summary['label_issues']:,}")
        cards.append(("median miss (out-of-fold)", f"{summary['median_residual']:.4g}"))
    if "alpha" in summary:
        cards.append(("Krippendorff's alpha", f"{summary['alpha']:.3f}"))
    html = ['<div class="cards">']
    html += [
        f'<div class="card"><div class="value">{html_text(value)}</div>'
        f'<div class="name">{html_text(name)}</div></div>'
        for name, value in cards
    ]
    html.append("</div>")
    counts = "".join(
        f'<li><span class="kind">{html_text(kind)}</span> <b>{count}</b>'
        f' <span class="dim">{html_text(report.kinds.get(kind, ""))}</span></li>'
        for kind, count in report.shown_counts().items()
    )
    html.append(f'<ul class="counts">{counts}</ul>')
    if report.gate is not None:
        verdict = "passed" if report.gate_passed() else "failed"
        rules = "".join(
            f'<li class="{"pass" if r["passed"] else "fail"}">{html_text(r["rule"])}: measured '
            f"{html_text(measured_text(r))}</li>"
            for r in report.gate
        )
        html.append(f'<div class="gate {verdict}">Gate {verdict}<ul>{rules}</ul></div>')
    if report.notes:
        notes = "".join(f"<li>{html_text(note)}</li>" for note in report.notes)
        html.append(f'<ul class="notes">{notes}</ul>')
    html.append(
        f'<p class="dim">{html_text(report.task_line() or "")}</p>'
        f'<p class="dim">Label column {html_text(str(report.input["label"]))}; models '
        f"{html_text(report.model_mix())}; {report.options['folds']} folds, "
        f"seed {report.options['seed']}."
        "</p>"
    )
    return "\n".join(html)


def _annotators(report: Report) -> str:
    if not report.annotators:
        return ""
    agreement = report.agreement
    rows = []
    for entry in report.annotators:
        worst = entry["worst_confusion"]
        confusion = (
            f"labels {worst['label']} as {worst['as']} in {worst['share']:.0%} of "
            f"{worst['rows']} rows"
            if worst
            else ""
        )
        agrees = "n/a" if entry["agreement"] is None else f"{entry['agreement']:.1%}"
        quality = "n/a" if entry["quality"] is None else f"{entry['quality']:.3f}"
        rows.append(
            f"<tr><td>{html_text(entry['name'])}</td><td>{entry['rows']}</td>"
            f"<td>{agrees}</td><td>{quality}</td><td>{html_text(confusion)}</td></tr>"
        )
    pairs = "".join(
        f"<li>{html_text(str(p['classes'][0]))} / {html_text(str(p['classes'][1]))}: "
        f"{p['items']} items (rows {html_text(', '.join(map(str, p.get('examples', []))))})</li>"
        for p in agreement.get("class_pairs", [])
    )
    return (
        "<h2>Annotators</h2>"
        f"<p>Krippendorff's alpha {agreement['krippendorff_alpha']:.3f}, Fleiss' kappa "
        f"{agreement['fleiss_kappa']:.3f}, pairwise agreement {agreement['percent']:.1%}.</p>"
        "<table><thead><tr><th>annotator (worst first)</th><th>rows</th>"
        "<th>agreement with consensus</th><th>quality</th><th>worst confusion</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<p>Class pairs annotators split on most:</p><ul>{pairs}</ul>"
    )


def _table_data(report: Report, corrections: list[dict[str, Any]]) -> dict[str, Any]:
    """The issues in the compact form the page's script reads (one list per issue), and the
    map and neighbours (their sentences read the ``corrections``). The long texts are numbers
    into ``texts``, each distinct text once: at 100,000 resampled messages 51,674 findings hold
    2,000 distinct details, previews and evidence (25 MB of page -> 9). A row's name is sent
    only where it is not its number (a scan of two files); the page names the rest."""
    columns = TABLE_FIELDS
    evidence_at = columns.index("evidence")
    shared = [columns.index(name) for name in SHARED_TEXTS]
    fields = itemgetter(*RECORD_FIELDS)
    two_files = report.two_files()
    records = report.issue_records()
    issues, texts = [], {}
    for record, evidence in zip(records, evidence_texts(records), strict=True):
        values = [*fields(record), report.row_name(record) if two_files else None]
        values[evidence_at] = evidence
        for at in shared:
            if values[at] is not None:
                values[at] = texts.setdefault(values[at], len(texts))
        issues.append(values)
    views = view_data(report, corrections)
    shared_texts = {"texts": list(texts), "text_fields": list(SHARED_TEXTS)}
    return {"columns": columns, "issues": issues, **shared_texts, **views}


def _json_for_script(content: Any) -> str:
    """JSON that cannot close its <script> element or start markup, whatever the data says.
    One ``replace`` per unsafe character: 33 ms on a 8.8 MB page where one regular expression
    pass took 59 ms (``replace`` of a character the text lacks costs one search, not a copy)."""
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"), default=str)
    for char, escaped in SCRIPT_ESCAPES.items():
        text = text.replace(char, escaped)
    return text
