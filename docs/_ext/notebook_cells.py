"""What the downloadable notebooks hold besides the tutorial's own cells, as plain Python.

:mod:`notebooks` (the Sphinx extension) rewrites every notebook of the built site with these:

- :func:`first_cell`: a first code cell that checks the third-party packages the notebook
  imports (:func:`third_party_imports` reads them from its code) and names the one command that
  installs them all;
- :func:`answer_line`: the Markdown line that stands where a practice question's hidden answer
  starts (in a notebook nothing is hidden: the learner is asked to guess before running on);
- :func:`notebook_link`: where a link of a tutorial points to from the notebook's place in the
  built site, or from ``html_baseurl`` when the site has one;
- :func:`display_math`: a display equation as Jupyter's MathJax reads it.

``tests/test_notebook_cells.py`` tests them; nothing here needs Sphinx.
"""

from __future__ import annotations

import ast
import posixpath
import re
import sys
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "ANSWER",
    "INSTALL",
    "answer_line",
    "clean_script",
    "display_math",
    "first_cell",
    "notebook_link",
    "third_party_imports",
]

INSTALL = 'pip install "weightdecay[examples]"'
"""The one command that installs everything the tutorials import (the ``examples`` extra)."""

ANSWER: dict[str, dict[str, str]] = {
    "en": {
        "code": "**Answer:** run the next cell once you have written down your guess.",
        "text": "**Answer** (read on once you have written down your guess):",
    },
    "zh_CN": {
        "code": "**答案：**先写下你的猜测，再运行下一个单元格。",  # noqa: RUF001
        "text": "**答案**（先写下你的猜测，再往下读）：",  # noqa: RUF001
    },
}
"""The line that opens an answer, by Sphinx ``language``: the answer runs code, or is text."""


def clean_script(source: str) -> str:
    r"""A tutorial's downloadable ``.py``: what the page shows, without the hidden checks.

    sphinx-gallery copies the script as it is; this removes its ``sphinx_gallery_start_ignore``
    blocks and configuration comments, as its notebook and page do, and the blank lines they
    leave behind.

    >>> print(clean_script("x = 1\n\n# sphinx_gallery_start_ignore\nassert x\n"
    ...                    "# sphinx_gallery_end_ignore\n\n\ny = 2\n"))
    x = 1
    <BLANKLINE>
    y = 2
    <BLANKLINE>
    """
    from sphinx_gallery import py_source_parser  # noqa: PLC0415 - only where scripts are cleaned

    code = py_source_parser.remove_config_comments(py_source_parser.remove_ignore_blocks(source))
    return re.sub(r"\n{3,}", "\n\n", code).rstrip("\n") + "\n"


def answer_line(language: str, *, runs_code: bool) -> str:
    """The Markdown line where an answer starts, in ``language`` (English if it has none).

    Examples
    --------
    >>> answer_line("en", runs_code=True)
    '**Answer:** run the next cell once you have written down your guess.'
    """
    texts = ANSWER.get(language, ANSWER["en"])
    return texts["code" if runs_code else "text"]


def third_party_imports(code_cells: Iterable[str]) -> list[str]:
    """The top-level modules that ``code_cells`` import from outside the standard library.

    Relative imports and ``__future__`` are left out; so is a cell that is not valid Python
    (an IPython magic, say), which can import nothing this check could find anyway.

    Examples
    --------
    >>> third_party_imports(["import math\\nimport torch.nn as nn", "from sklearn import datasets"])
    ['sklearn', 'torch']
    """
    found: set[str] = set()
    for code in code_cells:
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return sorted(found - set(sys.stdlib_module_names) - {"__future__"})


def first_cell(modules: Iterable[str]) -> str:
    """The notebook's first code cell: stop at once, with the install command, if any is missing.

    Examples
    --------
    >>> exec(first_cell(["json"]))  # a module that is there: the cell says so and goes on
    Found json.
    """
    names = sorted(set(modules))
    return f"""\
# This notebook imports these packages; {INSTALL} installs them all.
from importlib.util import find_spec

install = {INSTALL!r}
missing = [name for name in {tuple(names)!r} if find_spec(name) is None]
if missing:
    raise ModuleNotFoundError(
        f"This notebook needs {{', '.join(missing)}}. Install them in a terminal (or in a cell, "
        f"with a % in front) with\\n\\n    {{install}}\\n\\nthen restart the kernel."
    )
print("Found {", ".join(names)}.")"""


def notebook_link(uri: str, *, page: str, notebook: str, baseurl: str = "") -> str:
    """Where a link written on ``page`` points to, seen from the notebook's file in the site.

    Parameters
    ----------
    uri : str
        The link as the built page has it: relative to ``page``, or external.
    page : str
        The page's path in the built site (``auto_examples/plot_02_x.html``).
    notebook : str
        The notebook's path in the built site (``_downloads/<hash>/plot_02_x.ipynb``).
    baseurl : str, default=""
        The site's address (Sphinx's ``html_baseurl``); when given, links are absolute.

    Returns
    -------
    str
        An external ``uri`` unchanged; otherwise the link relative to the notebook's folder,
        or absolute under ``baseurl``.

    Examples
    --------
    >>> notebook_link("../faq/x.html#a", page="auto_examples/p.html", notebook="_downloads/h/p.ipynb")
    '../../faq/x.html#a'
    >>> notebook_link("#a", page="auto_examples/p.html", notebook="_downloads/h/p.ipynb",
    ...               baseurl="https://example.org/docs/")
    'https://example.org/docs/auto_examples/p.html#a'
    """
    parts = urlsplit(uri)
    if parts.scheme or parts.netloc:
        return uri
    path = (
        posixpath.normpath(posixpath.join(posixpath.dirname(page), parts.path))
        if parts.path
        else page
    )
    if path.startswith("../"):
        msg = f"the link {uri!r} of {page!r} leaves the site"
        raise ValueError(msg)
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    if baseurl:
        return f"{baseurl.rstrip('/')}/{path}{fragment}"
    return posixpath.relpath(path, posixpath.dirname(notebook)) + fragment


_ENVIRONMENT = re.compile(r"\\begin\{")


def display_math(latex: str) -> str:
    """A display equation for ``$$ ... $$``: lines broken by ``\\\\`` or aligned on ``&`` need an
    environment (Sphinx's pages wrap them in ``split``; ``aligned`` is the one allowed here).

    Examples
    --------
    >>> display_math("a &= b \\\\\\\\ c &= d")
    '\\\\begin{aligned}a &= b \\\\\\\\ c &= d\\\\end{aligned}'
    >>> display_math("E = mc^2")
    'E = mc^2'
    """
    latex = latex.strip()
    if _ENVIRONMENT.search(latex) or ("\\\\" not in latex and "&" not in latex):
        return latex
    return f"\\begin{{aligned}}{latex}\\end{{aligned}}"
