"""Sphinx extension of the λ playground page (``docs/playground.md``).

At the start of every HTML build it trains the grid of :mod:`playground_data` with the library
and writes ``_static/playground-data.json`` and ``_static/playground-data.js`` into the output
(before Sphinx copies the static files and writes the pages, so the pages' links to the data carry
its checksum). On the playground page only, it adds the stylesheet, the data and the script.

The widget speaks the build's language (``language``, e.g. ``-D language=zh_CN``): gettext does
not see its raw HTML nor the texts its script writes, so :mod:`playground_strings` holds them. When
the page is written, each raw HTML element with a ``data-i18n`` key gets the contents of that
language, and the page gets the script's strings, which ``playground.js`` reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from playground_data import DATA_NAME, playground_data, write_playground_data
from playground_strings import script_strings_js, translate_html
from sphinx.util import logging

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

__all__ = ["PAGE", "setup"]

PAGE = "playground"
"""The docname of the page that holds the widget."""

logger = logging.getLogger(__name__)


def _write_data(app: Sphinx, builder: Builder) -> None:
    del app
    if builder.format != "html":  # gettext, linkcheck, ...: no page shows the data
        return
    json_path, js_path = write_playground_data(playground_data(), Path(builder.outdir) / "_static")
    sizes = ", ".join(f"{p.name} ({p.stat().st_size / 1024:.0f} KiB)" for p in (json_path, js_path))
    logger.info("playground: wrote %s", sizes)


def _translate_widget(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Put the widget's texts of the build's language into the page's raw HTML."""
    if docname != PAGE or app.builder.format != "html":
        return
    for raw in doctree.findall(nodes.raw):
        if "html" not in raw.get("format", "").split():
            continue
        try:
            html, problems = translate_html(raw.astext(), app.config.language)
        except ValueError as error:
            logger.warning("playground: %s", error, location=raw)
            continue
        for problem in problems:
            logger.warning("playground: %s", problem, location=raw)
        raw.replace(raw[0], nodes.Text(html))


def _add_assets(
    app: Sphinx,
    pagename: str,
    templatename: str,
    context: dict[str, Any],
    doctree: object,
) -> None:
    del templatename, context, doctree
    if pagename != PAGE:
        return
    app.add_css_file("playground.css")
    # The strings first: an inline script runs as the page is parsed, before the deferred ones.
    app.add_js_file(None, body=script_strings_js(app.config.language))
    # Deferred scripts run in order once the page is parsed: the data first, then the widget.
    app.add_js_file(f"{DATA_NAME}.js", defer="defer")
    app.add_js_file("playground.js", defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the data writer and the page's assets."""
    app.connect("write-started", _write_data)
    app.connect("doctree-resolved", _translate_widget)
    app.connect("html-page-context", _add_assets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
