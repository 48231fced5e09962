"""The plots a scan drew, kept in ``<out>/.cache/plots.json`` for a re-check of its gate.

Drawing them again took 2.4 s of a 3.5 s re-check, so they are kept; but the output folder is
anyone's to write (an artifact of a pull request, a shared drive), and report.html pastes the
plots in as markup. So a kept plot is used only if it is an SVG made of nothing but what
matplotlib's SVG writer writes, checked token by token; anything else, and the plots are drawn
again. An HTML parser reads such an SVG as it is checked here: one element, balanced, no
script, no event attribute, no ``<style>`` but matplotlib's one rule, no ``url()`` but to a
clip path, no id that the page's own elements use.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SVG_STYLE = "*{stroke-linejoin: round; stroke-linecap: butt}"
ELEMENTS = {
    "svg",
    "defs",
    "style",
    "g",
    "path",
    "use",
    "clipPath",
    "rect",
    "text",
    "tspan",
    "image",
}
NUMBER = r"-?[\d.]+(e[+-]?\d+)?"
ATTRIBUTE_VALUES = {
    "xmlns": re.compile(r"http://www\.w3\.org/2000/svg"),
    "xmlns:xlink": re.compile(r"http://www\.w3\.org/1999/xlink"),
    "version": re.compile(r"1\.1"),
    "type": re.compile(r"text/css"),
    "id": re.compile(r"[A-Za-z0-9.]+_\d+|[mp][0-9a-f]{10}|image[0-9a-f]{10}"),
    "clip-path": re.compile(r"url\(#p[0-9a-f]{10}\)"),
    "xlink:href": re.compile(r"#[mp][0-9a-f]{10}|data:image/png;base64,[A-Za-z0-9+/=\s]*"),
    **dict.fromkeys(("width", "height", "x", "y"), re.compile(NUMBER + "(pt)?")),
    "viewBox": re.compile(rf"{NUMBER}( {NUMBER}){{3}}"),
    "d": re.compile(r"[MLQCZz\d.\se+-]*"),
    "transform": re.compile(r"(\s*(translate|rotate|scale|matrix)\([\d.\se+-]*\))*"),
    "style": re.compile(r"[\w\s.,:;#%&'-]*"),  # no "(": no url(), no expression()
}
"""The attributes matplotlib writes, and the shape of the values it gives them."""
SVG_TOKEN = re.compile(
    r"(?P<comment><!-- (?:[^<>-]|-(?!-))* -->)"
    r'|<(?P<close>/?)(?P<name>[A-Za-z]+)(?P<attributes>(?:[ \n]+[a-zA-Z:-]+="[^"<>]*")*)'
    r"[ \n]*(?P<empty>/?)>"
    r"|(?P<text>[^<>]+)"
)
ATTRIBUTE = re.compile(r'([a-zA-Z:-]+)="([^"<>]*)"')
TEXT_ENTITY = re.compile(r"&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)")
TAG_ENTITY = re.compile(r"&(?!(amp|lt|gt|quot|apos);)")
"""An attribute value may not spell a character by number (``&#40;`` is "(")."""


def cached_plots(path: Path) -> list[str] | None:
    """The plots kept in ``path``, or None if there are none or any is not as drawn here."""
    try:
        plots = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if isinstance(plots, list) and all(isinstance(svg, str) and drawn_svg(svg) for svg in plots):
        return plots
    return None


def drawn_svg(svg: str) -> bool:
    """Whether ``svg`` is one ``<svg>`` element made only of what matplotlib writes."""
    if not svg.startswith("<svg "):
        return False
    open_elements: list[str] = []
    position = 0
    while open_elements or position == 0:
        token = SVG_TOKEN.match(svg, position)
        if token is None or not _allowed(token, open_elements):
            return False
        position = token.end()
    return not svg[position:].strip()


def _allowed(token: re.Match[str], open_elements: list[str]) -> bool:
    """Whether one token may come where it is; keeps ``open_elements`` up to date."""
    inside = open_elements[-1] if open_elements else None
    if token["text"] is not None:
        text = token["text"]
        return text == SVG_STYLE if inside == "style" else not TEXT_ENTITY.search(text)
    if token["comment"] is not None:
        return inside != "style"
    name = token["name"]
    if TAG_ENTITY.search(token.group()):
        return False
    if token["close"]:
        if token["attributes"] or token["empty"] or inside != name:
            return False
        open_elements.pop()
        return True
    if name not in ELEMENTS or (name == "svg") != (inside is None) or inside == "style":
        return False
    for attribute, value in ATTRIBUTE.findall(token["attributes"]):
        shape = ATTRIBUTE_VALUES.get(attribute)
        if shape is None or not shape.fullmatch(value):
            return False
    if not token["empty"]:
        open_elements.append(name)
    return True
