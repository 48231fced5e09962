"""A report as a notebook shows it: report.html's summary cards and the 10 worst labels.

The fragment is plain HTML with its own scoped styles (a notebook page has others) and no
script; data text is escaped.
"""

from __future__ import annotations

from databugs.render.escape import html_text
from databugs.render.html import summary_html
from databugs.report.report import Report

WORST_SHOWN = 10
CONTENT_CHARS = 120
STYLE = """<style>
.databugs-report { font: 13px/1.45 system-ui, sans-serif; color: #1d1d1f; }
.databugs-report .cards { display: flex; flex-wrap: wrap; gap: 8px; margin: 6px 0; }
.databugs-report .card { background: #fff; border: 1px solid #e3e3e3; border-radius: 8px;
  padding: 8px 12px; min-width: 110px; }
.databugs-report .card .value { font-size: 20px; font-weight: 600; }
.databugs-report .card .name, .databugs-report .dim { color: #666; }
.databugs-report .counts { columns: 2; padding-left: 18px; }
.databugs-report .kind { font-family: ui-monospace, monospace; }
.databugs-report table { border-collapse: collapse; }
.databugs-report th, .databugs-report td { border-bottom: 1px solid #eee; padding: 4px 8px;
  text-align: left; vertical-align: top; }
</style>"""


def notebook_html(report: Report) -> str:
    """What ``Report._repr_html_`` shows."""
    return (
        f'{STYLE}<div class="databugs-report">'
        f"<b>databugs report: {html_text(report.scanned_name())}</b>"
        f"{summary_html(report)}{_worst_labels(report)}</div>"
    )


def _worst_labels(report: Report) -> str:
    worst = report.worst_labels(WORST_SHOWN, renumber=True)
    if not worst:
        return '<p class="dim">No likely wrong labels.</p>'
    rows = "".join(
        f"<tr><td>{record['rank']}</td><td>{record['row']}</td>"
        f"<td>{html_text(str(record.get('id') or ''))}</td>"
        f"<td>{html_text(str(record['given_label']))} &rarr; "
        f"{html_text(str(record['suggested_label']))}</td>"
        f"<td>{record['score']:.3f}</td><td>{html_text(_short(record.get('content')))}</td></tr>"
        for record in worst
    )
    return (
        f"<p>The {len(worst)} worst labels (report.save(folder) writes report.html with all):</p>"
        "<table><thead><tr><th>rank</th><th>row</th><th>id</th><th>given &rarr; suggested</th>"
        f"<th>score</th><th>content</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _short(text: object) -> str:
    text = "" if text is None else " ".join(str(text).split())
    return text if len(text) <= CONTENT_CHARS else text[: CONTENT_CHARS - 1] + "…"
