"""Sphinx extension of the λ playground page (``docs/playground.md``).

Before the pages are read (``builder-inited``) it trains the playground's runs with the library
(:mod:`playground_data`), checks what the page says about them and writes the numbers the page
cites to ``playground.values.json`` in the gallery's folder, where :mod:`recorded` finds them
(``{val}`playground.top_b:.3f```). The data depend only on the library and these modules, so they
are kept beside it in ``playground.data.json`` and trained again only when one of those changed:
the Chinese build and the catalogs' extraction reuse the English build's.

At the start of writing (before Sphinx copies the static files and writes the pages, so the
pages' links to the data carry its checksum) it writes the data files into ``_static``. On the
playground page only, it adds the stylesheet, the first data file and the script.

The widget speaks the build's language (``language``, e.g. ``-D language=zh_CN``): gettext does
not see its raw HTML nor the texts its script writes, so :mod:`playground_strings` holds them. When
the page is written, each raw HTML element with a ``data-i18n`` key gets the contents of that
language, and the page gets the script's strings, which ``playground.js`` reads.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch
from docutils import nodes
from playground_claims import claims
from playground_data import DATA_NAME, playground_data, write_playground_data
from playground_strings import script_strings_js, translate_html
from sphinx.util import logging

import weightdecay

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.builders import Builder

__all__ = ["PAGE", "VALUES", "setup"]

PAGE = "playground"
"""The docname of the page that holds the widget."""
VALUES = "playground.values.json"
"""The file of the values the page cites (``playground`` is their prefix for :mod:`recorded`)."""
CACHE = "playground.data.json"
"""The data of the last build, with the fingerprint of what made them."""

logger = logging.getLogger(__name__)
_data: dict[str, Any] = {}  # the data of this build, computed at builder-inited


def fingerprint() -> str:
    """A hash of everything the data depend on: the package's code, these modules, torch."""
    digest = hashlib.sha256(torch.__version__.encode())
    here = Path(__file__).parent
    sources = [
        *sorted(Path(weightdecay.__file__).parent.rglob("*.py")),
        here / "playground_data.py",
        here / "playground_claims.py",
    ]
    for source in sources:
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.hexdigest()


def _gallery_dir(app: Sphinx) -> Path:
    folders = app.config.sphinx_gallery_conf["gallery_dirs"]
    return Path(app.srcdir) / (folders if isinstance(folders, str) else folders[0])


def _compute(app: Sphinx) -> None:
    """Train the runs (or read them back), check the page's claims, write the cited values."""
    folder = _gallery_dir(app)
    folder.mkdir(parents=True, exist_ok=True)
    cache, key = folder / CACHE, fingerprint()
    cached = json.loads(cache.read_text(encoding="utf-8")) if cache.is_file() else {}
    if cached.get("fingerprint") == key:
        data = cached["data"]
        logger.info("playground: the data are those of the last build (%s)", cache.name)
    else:
        # Small batched work: one thread is fastest, and is what the gallery set (never raise
        # it again in torch 2.13: batched solves break after going back to two threads).
        torch.set_num_threads(1)
        started = time.perf_counter()
        data = playground_data()
        logger.info("playground: trained the runs in %.1f s", time.perf_counter() - started)
        cache.write_text(json.dumps({"fingerprint": key, "data": data}), encoding="utf-8")
    values = json.dumps(claims(data), indent=1, sort_keys=True) + "\n"
    target = folder / VALUES
    if not target.is_file() or target.read_text(encoding="utf-8") != values:
        target.write_text(values, encoding="utf-8")  # only when changed: pages cite it
    _data["data"] = data


def _write_data(app: Sphinx, builder: Builder) -> None:
    del app
    if builder.format != "html":  # gettext, linkcheck, ...: no page shows the data
        return
    files = write_playground_data(_data["data"], Path(builder.outdir) / "_static")
    scripts = [f for f in files if f.suffix == ".js"]
    logger.info(
        "playground: wrote %d data files; first load %s (%.0f KiB), per size %.0f to %.0f KiB",
        len(files),
        scripts[0].name,
        scripts[0].stat().st_size / 1024,
        min(f.stat().st_size for f in scripts[1:]) / 1024,
        max(f.stat().st_size for f in scripts[1:]) / 1024,
    )


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
    # Deferred scripts run in order once the page is parsed: the data first, then the widget,
    # which loads the runs of the chosen size itself.
    app.add_js_file(f"{DATA_NAME}.js", defer="defer")
    app.add_js_file("playground.js", defer="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the data's computation and writer, the translation and the page's assets."""
    # After sphinx-gallery (priority 500) has made its folder and run the examples.
    app.connect("builder-inited", _compute, priority=600)
    app.connect("write-started", _write_data)
    app.connect("doctree-resolved", _translate_widget)
    app.connect("html-page-context", _add_assets)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
