"""Sphinx extension of the λ playground page (``docs/playground.md``).

At the start of every HTML build it trains the grid of :mod:`playground_data` with the library
and writes ``_static/playground-data.json`` and ``_static/playground-data.js`` into the output
(before Sphinx copies the static files and writes the pages, so the pages' links to the data carry
its checksum). On the playground page only, it adds the stylesheet, the data and the script.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from playground_data import DATA_NAME, playground_data, write_playground_data
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
    # Deferred scripts run in order once the page is parsed: the data first, then the widget.
    app.add_js_file(f"{DATA_NAME}.js", defer="defer")
    app.add_js_file("playground.js", defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the data writer and the page's assets."""
    app.connect("write-started", _write_data)
    app.connect("html-page-context", _add_assets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
