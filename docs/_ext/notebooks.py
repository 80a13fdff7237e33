"""Notebooks that run for a learner, in the language of the site that offers them.

sphinx-gallery writes each tutorial's ``.ipynb`` once, in English, with its own rST-to-Markdown
conversion, which leaves Sphinx's roles (``:func:``, ``:ref:`` ...) as dead text. At the end of
every HTML build (``build-finished``) this extension writes them again, into the built site only
(``_downloads/``, the files the download buttons give, and the zips that hold notebooks):

- the **code cells** are sphinx-gallery's: the script's code blocks without the hidden
  ``sphinx_gallery_start_ignore`` parts and the configuration comments, as its notebook has them
  (a block that was only hidden code gives no cell);
- the **Markdown cells** are rendered from the page's resolved doctree, the one the HTML page is
  written from: references point to the pages Sphinx resolved them to (links relative to the
  notebook's place in the built site, or absolute under ``html_baseurl`` when it is set), names
  with no page stay code, values cited with ``:val:`` are the numbers the page shows, math is
  ``$...$``/``$$...$$``, and on a translated site (``-D language=zh_CN``) every text is the
  catalogs' translation. sphinx-markdown-builder's translator writes the Markdown;
- a practice question's hidden answer (``.. answer-start``/``.. answer-end``, or the dropdown
  with class ``answer`` that :mod:`practice` makes of them) starts with a line that asks the
  learner to guess before running on (:func:`notebook_cells.answer_line`);
- the **first cell** checks the third-party packages the notebook's code imports and names the
  one install command (:func:`notebook_cells.first_cell`).

The English and the Chinese builds share sphinx-gallery's output folder (``docs/auto_examples``)
but not their output: each build writes its own notebooks. ``nox -s notebooks`` executes them and
checks every link (``notebook_tests/``).
"""

from __future__ import annotations

import json
import posixpath
import time
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from notebook_cells import (
    answer_line,
    clean_script,
    display_math,
    first_cell,
    notebook_link,
    third_party_imports,
)
from sphinx.util import logging
from sphinx_gallery import py_source_parser
from sphinx_gallery.notebook import add_code_cell, add_markdown_cell, jupyter_notebook_skeleton
from sphinx_markdown_builder.translator import MarkdownTranslator

if TYPE_CHECKING:
    from collections.abc import Iterator

    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.builders.html import StandaloneHTMLBuilder

logger = logging.getLogger(__name__)

BLOCK = "GENERATED FROM PYTHON SOURCE LINES "  # sphinx-gallery's comment before each block
START, END = "answer-start", "answer-end"  # the answer markers, as rST comments


class Markdown(MarkdownTranslator):  # type: ignore[misc]  # sphinx-markdown-builder is untyped
    """sphinx-markdown-builder's translator, for the nodes of one notebook cell."""

    def visit_math_block(self, node: nodes.math_block) -> None:
        """``$$...$$``, with an environment where the equation has several lines."""
        self.add(f"$$\n{display_math(node.astext())}\n$$", prefix_eol=2, suffix_eol=2)
        raise nodes.SkipNode

    def visit_comment(self, _node: nodes.Element) -> None:
        """Comments are for the source's reader; raw HTML, targets and messages for the page."""
        raise nodes.SkipNode

    visit_raw = visit_target = visit_system_message = visit_comment


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the rewrite of the built notebooks."""
    app.setup_extension("sphinx_markdown_builder")  # its translator reads its settings
    app.connect("builder-inited", _forget)
    # Late, to see each page as the other extensions leave it.
    app.connect("doctree-resolved", capture_markdown, priority=900)
    app.connect("build-finished", write_notebooks)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}


_captured: dict[str, list[str]] = {}  # docname -> its Markdown cells, from the page just written


def _forget(app: Sphinx) -> None:
    """A new build (in the same process, in another language maybe) captures its own pages."""
    del app
    _captured.clear()


def capture_markdown(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Keep the Markdown of a gallery page from the doctree its HTML page is written from.

    A page that an incremental build does not write again is resolved once more at the end.
    """
    notebook = _notebook_paths(app).get(docname)
    if notebook is not None and app.builder.format == "html":
        _captured[docname] = _markdown_of(app, doctree.deepcopy(), docname, notebook)


def _notebook_paths(app: Sphinx) -> dict[str, str]:
    """The gallery pages that offer a notebook, and the notebook's path in the built site."""
    paths = {}
    for file, (_, dest) in app.env.dlfiles.items():
        source = _source_path(app, file)
        docname = source.removesuffix(".ipynb")
        if source.endswith(".ipynb") and docname in app.env.found_docs:
            paths[docname] = f"_downloads/{dest}"
    return paths


def write_notebooks(app: Sphinx, exception: Exception | None) -> None:
    """Write every gallery notebook of the built site, and the zips that hold notebooks.

    Only the files the builder copied into ``_downloads/`` (an HTML site's; an EPUB has none).
    """
    if exception is not None or app.builder.format != "html":
        return
    builder: StandaloneHTMLBuilder = app.builder  # type: ignore[assignment]
    started = time.perf_counter()
    written: dict[str, str] = {}  # a notebook's or script's source path -> what the site offers
    for docname, path in sorted(_notebook_paths(app).items()):
        target = builder.outdir / path
        if target.is_file():  # the builder copied the downloads
            written[f"{docname}.ipynb"] = json.dumps(build_notebook(app, docname, path), indent=2)
            target.write_text(written[f"{docname}.ipynb"], encoding="utf-8")
    for file, (_, dest) in app.env.dlfiles.items():
        source, target = _source_path(app, file), builder.outdir / "_downloads" / dest
        if source.endswith(".py") and target.is_file():  # a tutorial's script, checks hidden
            written[source] = clean_script(target.read_text(encoding="utf-8"))
            target.write_text(written[source], encoding="utf-8")
    for file, (_, dest) in app.env.dlfiles.items():
        source, target = _source_path(app, file), builder.outdir / "_downloads" / dest
        if source.endswith(".zip") and target.is_file():
            _rewrite_zip(target, posixpath.dirname(source), written)
    seconds = time.perf_counter() - started
    logger.info(
        "notebooks: wrote %d notebooks and scripts (%s) in %.1f s",
        len(written),
        app.config.language,
        seconds,
    )


def _source_path(app: Sphinx, file: str | Path) -> str:
    """A downloadable file's path in the source folder, as a POSIX string."""
    path = Path(file)
    return (path.relative_to(app.srcdir) if path.is_absolute() else path).as_posix()


def build_notebook(app: Sphinx, docname: str, path: str) -> dict[str, Any]:
    """The notebook of the gallery page ``docname``, for the file ``path`` of the built site."""
    blocks = _script_blocks(app, docname)
    texts = {block.lineno for block in blocks if block.type == "text"}
    markdown = _captured.pop(docname, None)
    if markdown is None:
        doctree = app.env.get_and_resolve_doctree(docname, app.builder)
        markdown = _markdown_of(app, doctree, docname, path)
    if len(texts) != len(markdown):
        msg = f"{docname}: {len(texts)} text blocks in the script, {len(markdown)} in the page"
        raise RuntimeError(msg)
    code = [block.content for block in blocks if block.type == "code"]
    notebook = jupyter_notebook_skeleton()
    add_code_cell(notebook, first_cell(third_party_imports(code)))
    cells = iter(markdown)
    for block in blocks:
        if block.type == "text":
            add_markdown_cell(notebook, next(cells))
        elif block.content.strip():
            add_code_cell(notebook, block.content)
    return notebook


def _script_blocks(app: Sphinx, docname: str) -> list[py_source_parser.Block]:
    """The blocks of the page's script, cleaned as sphinx-gallery cleans them for its notebook."""
    script = Path(app.srcdir, docname + ".py")  # sphinx-gallery's copy of the script
    conf = app.config.sphinx_gallery_conf
    _, blocks = py_source_parser.split_code_and_text_blocks(str(script))
    cleaned = []
    for block in blocks:
        content = py_source_parser.remove_ignore_blocks(block.content)
        if conf.get("remove_config_comments"):
            content = py_source_parser.remove_config_comments(content)
        cleaned.append(py_source_parser.Block(block.type, content, block.lineno))
    if cleaned[-1].content.isspace():  # sphinx-gallery drops a final block left empty
        cleaned.pop()
    return cleaned


def _markdown_of(app: Sphinx, doctree: nodes.document, docname: str, notebook: str) -> list[str]:
    """The Markdown of each text block of the page, from its resolved doctree (changed here)."""
    texts = {block.lineno for block in _script_blocks(app, docname) if block.type == "text"}
    page = app.builder.get_target_uri(docname)
    relink(doctree, page=page, notebook=notebook, baseurl=app.config.html_baseurl)
    return markdown_cells(doctree, app.builder, texts, app.config.language)


def relink(doctree: nodes.document, *, page: str, notebook: str, baseurl: str) -> None:
    """Point every link of the page ``page`` where it leads from the file ``notebook``."""
    for node in doctree.findall(nodes.reference):
        uri = node.get("refuri") or (f"#{node['refid']}" if node.get("refid") else "")
        if uri:
            node["refuri"] = notebook_link(uri, page=page, notebook=notebook, baseurl=baseurl)
            node.attributes.pop("refid", None)


def markdown_cells(
    doctree: nodes.document, builder: Builder, texts: set[int], language: str
) -> list[str]:
    """The Markdown of the page's docstring and of each text block whose first line in the
    script is in ``texts``, in the page's order."""
    return [
        _render(doctree, builder, elements, language)
        for start, elements in _blocks(doctree)
        if start is None or start in texts
    ]


# One element of a page, flattened: a node and its section depth, or an answer's start or end
# (with whether the answer runs code), or the start of a script block (with its first line).
Element = tuple[str, Any]


def _blocks(doctree: nodes.document) -> Iterator[tuple[int | None, list[Element]]]:
    """The page's elements, grouped by the script block they come from.

    The first group is the docstring's (its first line is None); sphinx-gallery's footer (the
    download links) ends the last one.
    """
    start: int | None = None
    group: list[Element] = []
    flat = list(_flatten(doctree, 0))
    for i, (kind, value) in enumerate(flat):
        if kind == "block":
            yield start, group
            start, group = value, []
        elif kind == "start":
            group.append((kind, _runs_code(flat[i + 1 :])))
        elif kind == "footer":
            break
        else:
            group.append((kind, value))
    yield start, group


def _runs_code(rest: list[Element]) -> bool:
    """Whether a code block starts before the answer ends."""
    for kind, _ in rest:
        if kind in {"end", "block"}:
            return kind == "block"
    return False


def _flatten(node: nodes.Element, depth: int) -> Iterator[Element]:
    for child in node.children:
        if isinstance(child, nodes.section):
            yield from _flatten(child, depth + 1)
        elif isinstance(child, nodes.comment):
            text = child.astext().strip()
            if text.startswith(BLOCK):
                yield "block", int(text.removeprefix(BLOCK).split("-")[0])
            elif text in {START, END}:
                yield ("start" if text == START else "end"), None
        elif _is_footer(child):
            yield "footer", None
        elif isinstance(child, nodes.Element) and "answer" in child["classes"]:
            yield "start", None
            yield from _flatten(_without_title(child), depth)
            yield "end", None
        elif isinstance(child, nodes.Element) and _holds_blocks(child):
            yield from _flatten(child, depth)
        elif isinstance(child, nodes.title):
            yield "title", (child, max(depth, 1))
        elif depth > 0:  # before the first section: sphinx-gallery's header
            yield "node", child


def _is_footer(node: nodes.Node) -> bool:
    ids = [*node.get("ids", []), node.get("refid", "")] if isinstance(node, nodes.Element) else []
    return any(str(i).startswith("sphx-glr-download-") for i in ids)


def _holds_blocks(node: nodes.Element) -> bool:
    return any(
        c.astext().startswith(BLOCK) for c in node.findall(nodes.comment, include_self=False)
    )


def _without_title(node: nodes.Element) -> nodes.Element:
    """An answer's dropdown without its title ("Answer"): the Markdown line replaces it."""
    copy = node.copy()
    for child in node.children:
        title = isinstance(child, nodes.rubric) or (
            isinstance(child, nodes.Element) and "sd-summary-title" in child["classes"]
        )
        if not title:
            copy += child.deepcopy()
    return copy


def _render(doctree: nodes.document, builder: Builder, elements: list[Element], lang: str) -> str:
    parts: list[str] = []
    for kind, value in elements:
        if kind == "title":
            title, level = value
            parts.append("#" * level + " " + _markdown(doctree, builder, _as_paragraph(title)))
        elif kind == "node":
            parts.append(_markdown(doctree, builder, value))
        elif kind == "start":
            parts.append(answer_line(lang, runs_code=value))
    return "\n\n".join(part for part in parts if part)


def _as_paragraph(title: nodes.title) -> nodes.paragraph:
    return nodes.paragraph("", "", *(child.deepcopy() for child in title.children))


def _markdown(doctree: nodes.document, builder: Builder, node: nodes.Node) -> str:
    translator = Markdown(doctree, builder)
    node.walkabout(translator)
    return str(translator.astext()).strip()


def _rewrite_zip(archive: Path, folder: str, notebooks: dict[str, str]) -> None:
    """Put the rewritten notebooks and scripts in place of sphinx-gallery's inside a zip."""
    with zipfile.ZipFile(archive) as old:
        members = [(info, old.read(info)) for info in old.infolist()]
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as new:
        for info, data in members:
            text = notebooks.get(posixpath.join(folder, info.filename))
            new.writestr(info, text.encode() if text is not None else data)
