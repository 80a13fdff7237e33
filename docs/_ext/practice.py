"""Practice blocks: questions whose answers stay hidden until asked for, and the map to the book.

Answers hidden until the reader asks
------------------------------------
An answer is a sphinx-design ``dropdown`` (a ``<details>`` element: closed on load, opened by a
click, Enter or Space, no script of ours) whose title is "Answer", "答案" on the Chinese site.
``_static/practice.css`` prints every answer open.

**In a gallery script** (``gallery/``, ``exercises/``), ask, leave the reader a moment to guess,
then put everything that belongs to the answer between two reST comments::

    # %%
    # Try it
    # ------
    # **Question 1.** With λ = 30, will the final test loss be above or below the baseline?
    # Write down your guess before you open the answer.
    #
    # .. answer-start
    #
    # (optional text)

    # one or more code cells that compute the answer: their code and output are part of it
    result = train_scratch(problem, lambd=30.0)
    print(f"test loss: {result.history.test_loss[-1]:.3g}")

    # %%
    # The explanation, citing computed values with :val:`plot_NN.name`, which ends with
    #
    # .. answer-end

Each marker is a comment line of its own, at the left margin of a text cell, and ends its
paragraph: a blank comment line (``#``) or the cell's code follows it. Everything between them (text, code, output, figures) is shown only
once the answer is opened; a heading may not be inside. Markers that do not pair up fail the
build with the line of the generated page. Unprocessed, the markers are reST comments that
render as nothing, so the downloaded script and notebook stay valid.

**In a MyST page** (``docs/``), write the directive itself::

    ```{answer}
    The answer, in Markdown: text, math, ``{val}`` roles, even a ``>>>`` doctest.
    ```

Tests: ``tests/test_practice_blocks.py`` (the rewriting, without a build) and
``site_tests/test_practice.py`` (hidden on load, opened by a click and by the keyboard, printed
open, axe, in both languages).

The map to the book
-------------------
Every tutorial, FAQ and explanation page gets a small box under its title with the sections of
*Dive into Deep Learning* it belongs to, d2l-en's and d2l-zh's, each with its discussion thread
(:data:`practice_blocks.BOOKS`). The edition of the site's language comes first. Links only:
nothing is loaded from them.

The texts of both (the answer's title, the map's labels) are in :data:`practice_blocks.STRINGS`,
one entry per language: gettext does not see them, the build writes those of its language.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docutils import nodes
from practice_blocks import BOOK_MAP_PAGES, MarkerError, book_map_html, string, wrap_answers
from sphinx.util import logging
from sphinx_design.dropdown import DropdownDirective

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["AnswerDirective", "setup"]

logger = logging.getLogger(__name__)


class AnswerDirective(DropdownDirective):
    """sphinx-design's dropdown, closed, titled "Answer" in the build's language."""

    optional_arguments = 0

    def run_with_defaults(self) -> list[nodes.Node]:
        self.arguments = [string("answer", self.config.language)]
        self.options["class-container"] = [*self.options.get("class-container", []), "answer"]
        result = super().run_with_defaults()
        for title in result[0].findall(nodes.rubric):
            title["translatable"] = False  # written in the build's language already
        return result


def _gallery_dirs(app: Sphinx) -> tuple[str, ...]:
    dirs = app.config.sphinx_gallery_conf.get("gallery_dirs", ())
    return (dirs,) if isinstance(dirs, str) else tuple(dirs)


def _wrap_gallery_answers(app: Sphinx, docname: str, source: list[str]) -> None:
    """``source-read``: on a page that sphinx-gallery generated, turn the markers into answers."""
    if not docname.startswith(tuple(f"{folder}/" for folder in _gallery_dirs(app))):
        return
    try:
        source[0] = wrap_answers(source[0])
    except MarkerError as error:
        logger.warning("%s", error, location=(docname, error.line), type="practice")


def _insert_book_map(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """``doctree-resolved``: put the map under the page's title (HTML builders only)."""
    if app.builder.format != "html" or not BOOK_MAP_PAGES.match(docname):
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is None or not isinstance(section[0], nodes.title):
        return
    section.insert(1, nodes.raw("", book_map_html(app.config.language), format="html"))


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``answer`` directive, the gallery's markers and the map to the book."""
    app.setup_extension("sphinx_design")
    app.add_directive("answer", AnswerDirective)
    app.connect("source-read", _wrap_gallery_answers)
    app.connect("doctree-resolved", _insert_book_map)
    app.add_css_file("practice.css", priority=600)  # after sphinx-design's stylesheet
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
