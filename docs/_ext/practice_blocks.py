"""What :mod:`practice` writes into the pages, as plain Python (testable without Sphinx).

- :func:`wrap_answers` turns the answer markers of a gallery page into ``answer`` directives;
- :data:`STRINGS` holds the extension's texts in every language of the site (gettext does not
  see them: the build writes them in its own language);
- :data:`BOOKS` and :func:`book_map_html` make the box that maps a page to the book.

``tests/test_practice_blocks.py`` tests this module; ``docs/_ext/practice.py`` documents how to
author a question and its answer.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

__all__ = [
    "BOOKS",
    "BOOK_MAP_PAGES",
    "END",
    "START",
    "STRINGS",
    "Book",
    "MarkerError",
    "book_map_html",
    "string",
    "wrap_answers",
]

START, END = ".. answer-start", ".. answer-end"
"""The markers, as sphinx-gallery copies the comment lines ``# .. answer-start`` into the page."""
_INDENT = "   "

STRINGS: dict[str, dict[str, str]] = {
    "answer": {"en": "Answer", "zh_CN": "答案"},
    "book-map": {"en": "In Dive into Deep Learning", "zh_CN": "《动手学深度学习》中的对应章节"},
    "discussion": {"en": "discussion", "zh_CN": "讨论区"},
}
"""The extension's texts, keyed by name, then by Sphinx ``language``."""


def string(key: str, language: str) -> str:
    """The text ``key`` in ``language``; English for a language without it."""
    texts = STRINGS[key]
    return texts.get(language, texts["en"])


@dataclass(frozen=True)
class Book:
    """One edition's section of the chapter, and its discussion thread."""

    language: str  # the site language that lists this edition first (Sphinx's ``language``)
    lang: str  # the edition's BCP 47 tag, for the links' ``lang`` and ``hreflang``
    edition: str
    section: str
    title: str
    url: str
    discussion: str


# Taken from the books' sources (github.com/d2l-ai/d2l-en at 23d7a5ae, d2l-zh at e6b18cce):
# the sections are chapter_linear-regression/weight-decay.md (the 3rd numbered chapter of
# index.md, the 7th section of its toctree) and chapter_multilayer-perceptrons/weight-decay.md
# (4th, 5th); the sites are the ones the books' README.md and config.ini name (d2l.ai and
# zh.d2l.ai), where each page keeps its source's path; the discussion threads are those of the
# PyTorch tab at the end of each section.
BOOKS = (
    Book(
        language="en",
        lang="en",
        edition="d2l-en",
        section="3.7",
        title="Weight Decay",
        url="https://d2l.ai/chapter_linear-regression/weight-decay.html",
        discussion="https://discuss.d2l.ai/t/99",
    ),
    Book(
        language="zh_CN",
        lang="zh-CN",
        edition="d2l-zh",
        section="4.5",
        title="权重衰减",
        url="https://zh.d2l.ai/chapter_multilayer-perceptrons/weight-decay.html",
        discussion="https://discuss.d2l.ai/t/1808",
    ),
)
"""The chapter in both editions of *Dive into Deep Learning*."""

BOOK_MAP_PAGES = re.compile(r"auto_examples/plot_|auto_exercises/plot_|faq/|explanation/")
"""The docnames that show the map: tutorials, the exercises, the FAQ and explanation pages."""


class MarkerError(ValueError):
    """Answer markers that do not pair up; ``line`` is 1-based, in the generated page."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.line = line


def wrap_answers(text: str) -> str:
    """Put what lies between each pair of answer markers into an ``answer`` directive.

    A marker is a line of its own, at the left margin. Every line between a pair is indented
    under ``.. answer::``, so code, output and figures stay as sphinx-gallery wrote them.

    Parameters
    ----------
    text : str
        The reST of a gallery page, as sphinx-gallery generated it.

    Returns
    -------
    str
        The same page, every marked answer inside an ``answer`` directive.

    Raises
    ------
    MarkerError
        If a marker opens an answer inside another, closes none, or is never closed.

    Examples
    --------
    >>> page = "Guess.\\n\\n.. answer-start\\n\\nIt is 4.\\n\\n.. answer-end\\n\\nNext.\\n"
    >>> print(wrap_answers(page))
    Guess.
    <BLANKLINE>
    .. answer::
    <BLANKLINE>
       It is 4.
    <BLANKLINE>
    <BLANKLINE>
    <BLANKLINE>
    Next.
    <BLANKLINE>
    """
    out: list[str] = []
    opened = 0  # the line of the open answer's marker; 0 outside an answer
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        marker = line.rstrip()
        if marker == START:
            if opened:
                msg = f"{START!r} on line {number} opens an answer inside the one of line {opened}"
                raise MarkerError(msg, number)
            opened = number
            out.append(".. answer::\n\n")
        elif marker == END:
            if not opened:
                msg = f"{END!r} on line {number} closes no answer"
                raise MarkerError(msg, number)
            opened = 0
            out.append("\n")
        elif opened and line.strip():
            out.append(_INDENT + line)
        else:
            out.append(line)
    if opened:
        msg = f"{START!r} on line {opened} is never closed by {END!r}"
        raise MarkerError(msg, opened)
    return "".join(out)


def book_map_html(language: str) -> str:
    """The box that links to the chapter in both editions, the site language's edition first.

    Examples
    --------
    >>> box = book_map_html("zh_CN")
    >>> box.index("zh.d2l.ai") < box.index("https://d2l.ai"), "讨论区" in box
    (True, True)
    """
    books = sorted(BOOKS, key=lambda book: book.language != language)
    discussion = html.escape(string("discussion", language))
    items = "".join(
        f'<li><a href="{html.escape(b.url)}" hreflang="{b.lang}">{b.edition} §{b.section} '
        f'<span lang="{b.lang}">{html.escape(b.title)}</span></a> · '
        f'<a href="{html.escape(b.discussion)}" hreflang="{b.lang}">{discussion}</a></li>'
        for b in books
    )
    label = html.escape(string("book-map", language))
    return f'<div class="book-map"><p class="book-map-title">{label}</p><ul>{items}</ul></div>\n'
