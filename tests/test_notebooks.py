"""The downloadable notebooks' parts, without a docs build.

``docs/_ext/notebook_cells.py`` (first cell, imports, links, math, the answer line) and the
doctree-to-Markdown core of ``docs/_ext/notebooks.py``, against references that do not come from
them: the import system, ``urllib.parse.urljoin``, docutils' own parse of a page shaped like
sphinx-gallery's. The gallery scripts' licence header and the ``examples`` extra are checked
here too. The built notebooks themselves are checked by ``nox -s notebooks``
(``notebook_tests/test_built_notebooks.py``).
"""

from __future__ import annotations

import ast
import doctest
import importlib.metadata
import importlib.util
import io
import json
import re
import sys
import zipfile
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import pytest
from hypothesis import given
from hypothesis import strategies as st

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "docs" / "_ext"
# The scripts of every sphinx-gallery folder of docs/conf.py: the tutorials and the exercises.
SCRIPTS = sorted(
    p for folder in ("gallery", "exercises") for p in (ROOT / folder).glob("plot_*.py")
)
LICENCE = ["# Authors: The weightdecay developers", "# SPDX-License-Identifier: MIT"]


def _load(name: str) -> ModuleType:
    """Import a module of docs/_ext by its path (docs/_ext is no package)."""
    spec = importlib.util.spec_from_file_location(name, EXT / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # notebooks.py imports notebook_cells by this name
    spec.loader.exec_module(module)
    return module


cells = _load("notebook_cells")


def test_doctests() -> None:
    result = doctest.testmod(cells, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 6
    assert result.failed == 0


# --------------------------------------------------------------------------------------------
# The first cell: what the notebook imports, checked by the import system
# --------------------------------------------------------------------------------------------
def test_third_party_imports_leave_out_the_standard_library_and_relative_imports() -> None:
    code = [
        "import os, json\nimport torch.nn as nn\nfrom matplotlib import pyplot as plt",
        "from __future__ import annotations\nfrom . import sibling\nfrom sklearn.datasets import x",
        "%matplotlib inline",  # not Python: skipped
        "def f():\n    import numpy as np  # inside a function: imported all the same\n",
    ]
    assert cells.third_party_imports(code) == ["matplotlib", "numpy", "sklearn", "torch"]


def _run_first_cell(modules: list[str]) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        exec(cells.first_cell(modules), {})  # noqa: S102 - the cell is the unit under test
    return out.getvalue()


def test_the_first_cell_goes_on_when_every_package_is_there() -> None:
    assert _run_first_cell(["pytest", "json"]) == "Found json, pytest.\n"


def test_the_first_cell_names_what_is_missing_and_the_one_install_command() -> None:
    missing = "no_such_package_for_the_first_cell"
    with pytest.raises(ModuleNotFoundError) as info:
        _run_first_cell(["pytest", missing])
    message = str(info.value)
    assert f"needs {missing}." in message
    assert "pytest" not in message  # installed: not reported
    assert message.count("pip install") == 1
    assert f"    {cells.INSTALL}\n" in message
    assert cells.INSTALL == 'pip install "weightdecay[examples]"'


def test_the_first_cell_is_the_same_whatever_the_order_of_the_imports() -> None:
    assert cells.first_cell(["torch", "matplotlib"]) == cells.first_cell(["matplotlib", "torch"])


# --------------------------------------------------------------------------------------------
# Links: from the notebook's place, they reach what the page's link reaches
# --------------------------------------------------------------------------------------------
SITE = "http://site.test/docs/"
LINKS = [
    ("../api/trainer.html#weightdecay.trainer.train_scratch", "auto_examples/p.html"),
    (
        "plot_01_overfitting.html#sphx-glr-auto-examples-plot-01-overfitting-py",
        "auto_examples/p.html",
    ),
    ("#interpreting-the-results", "auto_examples/p.html"),
    ("", "auto_examples/p.html"),
    ("faq/choosing-lambda.html", "index.html"),
    ("../../glossary.html#term", "a/b/c.html"),
]


@pytest.mark.parametrize(("uri", "page"), LINKS)
@pytest.mark.parametrize("notebook", ["_downloads/0123abcd/p.ipynb", "x.ipynb", "a/b/c/d.ipynb"])
def test_a_link_from_the_notebook_reaches_what_the_page_link_reaches(
    uri: str, page: str, notebook: str
) -> None:
    link = cells.notebook_link(uri, page=page, notebook=notebook)
    assert not link.startswith(("/", "http"))
    assert urljoin(SITE + notebook, link) == urljoin(SITE + page, uri)


segment = st.sampled_from(["a", "bb", "auto_examples", "_downloads", "api"])


@given(
    page=st.lists(segment, max_size=3),
    target=st.lists(segment, max_size=3),
    notebook=st.lists(segment, max_size=3),
    fragment=st.sampled_from(["", "#x", "#weightdecay.trainer.sgd"]),
)
def test_relative_links_agree_with_urljoin_for_any_layout(
    page: list[str], target: list[str], notebook: list[str], fragment: str
) -> None:
    page_path = "/".join([*page, "page.html"])
    uri = "../" * len(page) + "/".join([*target, "t.html"]) + fragment  # up to the root, down
    nb_path = "/".join([*notebook, "n.ipynb"])
    link = cells.notebook_link(uri, page=page_path, notebook=nb_path)
    assert urljoin(SITE + nb_path, link) == urljoin(SITE + page_path, uri)


def test_with_a_base_url_links_are_absolute() -> None:
    link = cells.notebook_link(
        "../api/x.html#f", page="auto_examples/p.html", notebook="_downloads/h/p.ipynb",
        baseurl="https://example.org/weightdecay",
    )  # fmt: skip
    assert link == urljoin(
        "https://example.org/weightdecay/auto_examples/p.html", "../api/x.html#f"
    )


@pytest.mark.parametrize("uri", ["https://arxiv.org/abs/1711.05101", "mailto:a@b.c", "//cdn/x"])
def test_external_links_are_unchanged(uri: str) -> None:
    assert cells.notebook_link(uri, page="a/p.html", notebook="_downloads/h/p.ipynb") == uri


def test_a_link_out_of_the_site_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"'\.\./\.\./x\.html' of 'a/p\.html' leaves the site"):
        cells.notebook_link("../../x.html", page="a/p.html", notebook="n.ipynb")


# --------------------------------------------------------------------------------------------
# Math and the answer line
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("latex", "expected"),
    [
        ("w \\leftarrow (1 - \\eta\\lambda) w", "w \\leftarrow (1 - \\eta\\lambda) w"),
        ("a &= b, \\\\\n c &= d", "\\begin{aligned}a &= b, \\\\\n c &= d\\end{aligned}"),
        ("x \\\\ y", "\\begin{aligned}x \\\\ y\\end{aligned}"),
        ("\\begin{cases} 1 & x \\\\ 0 \\end{cases}", "\\begin{cases} 1 & x \\\\ 0 \\end{cases}"),
    ],
)
def test_display_math(latex: str, expected: str) -> None:
    assert cells.display_math(f"\n{latex}\n") == expected


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("runs_code", [True, False])
def test_the_answer_line_in_each_language(language: str, runs_code: bool) -> None:
    line = cells.answer_line(language, runs_code=runs_code)
    assert line.startswith("**")
    assert line.count("**") == 2
    assert ("cell" in line or "单元格" in line) == runs_code
    if language == "zh_CN":
        assert re.search(r"[\u4e00-\u9fff]", line)
        assert not re.search(r"\*\* |[\u4e00-\u9fff] [\uff08(]", line)  # no space after bold


def test_an_unknown_language_gets_english() -> None:
    assert cells.answer_line("fr", runs_code=True) == cells.answer_line("en", runs_code=True)


# --------------------------------------------------------------------------------------------
# The gallery scripts: the licence stays out of the cells; the extra has what they import
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_the_licence_header_is_above_the_docstring(script: Path) -> None:
    """sphinx-gallery drops what precedes the docstring from the page and the notebook."""
    py_source_parser = pytest.importorskip("sphinx_gallery.py_source_parser")
    lines = script.read_text(encoding="utf-8").splitlines()
    assert lines[:2] == LICENCE
    _, blocks = py_source_parser.split_code_and_text_blocks(str(script))
    assert blocks[0].type == "text"
    assert not [b.lineno for b in blocks if "SPDX-License-Identifier" in b.content]


def _shown_code(script: Path) -> list[str]:
    """The code blocks of a script as its notebook has them (hidden parts removed)."""
    py_source_parser = pytest.importorskip("sphinx_gallery.py_source_parser")
    _, blocks = py_source_parser.split_code_and_text_blocks(str(script))
    return [py_source_parser.remove_ignore_blocks(b.content) for b in blocks if b.type == "code"]


def _distribution(requirement: str) -> str:
    name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def test_the_examples_extra_brings_what_the_tutorials_import() -> None:
    tomllib = pytest.importorskip("tomllib", reason="Python >= 3.11 reads TOML")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    offered = {_distribution(r) for r in project["dependencies"]}
    offered |= {_distribution(r) for r in project["optional-dependencies"]["examples"]}
    offered.add("weightdecay")
    packages = importlib.metadata.packages_distributions()
    imported = cells.third_party_imports(code for s in SCRIPTS for code in _shown_code(s))
    assert {"sklearn", "torch", "matplotlib", "weightdecay"} <= set(imported)
    for module in imported:
        dists = {_distribution(d) for d in packages.get(module, [module])}
        assert dists & offered, f"the tutorials import {module} ({dists}): add it to [examples]"


# --------------------------------------------------------------------------------------------
# From a page's doctree to Markdown cells
# --------------------------------------------------------------------------------------------
PAGE = """\
.. role:: computed-value

.. only:: html

    header note, skipped

.. _sphx_glr_auto_examples_plot_x.py:

=====
Title
=====

Intro with :math:`\\lambda`, :computed-value:`0.0849` and a `link <https://example.org/>`_.

.. GENERATED FROM PYTHON SOURCE LINES 20-25

.. code-block:: python

    print(1)

.. GENERATED FROM PYTHON SOURCE LINES 26-40

Section
-------
*Question.* Guess.

.. answer-start

.. GENERATED FROM PYTHON SOURCE LINES 41-45

.. code-block:: python

    print(2)

.. GENERATED FROM PYTHON SOURCE LINES 46-50

Because.

.. answer-end

.. math::

   a &= b \\\\
   c &= d

.. GENERATED FROM PYTHON SOURCE LINES 51-60

Sub
~~~
Text question.

{answer}

* one
* two

.. _sphx_glr_download_auto_examples_plot_x.py:

Download links, not a cell.
"""
# The practice extension's answer: a sphinx-design dropdown with class "answer", as its directive
# makes it, and as sphinx-design's HTML transform leaves it in the resolved doctree.
ANSWERS = {
    "directive": """\
.. container:: answer

   .. rubric:: Answer

   A text answer, see `Title`_.
""",
    "html": """\
.. container:: sd-dropdown answer

   .. container:: sd-summary-title

      Answer

   .. container:: sd-summary-content

      A text answer, see `Title`_.
""",
}


@pytest.fixture(scope="module")
def notebooks() -> ModuleType:
    pytest.importorskip("sphinx_markdown_builder")
    return _load("notebooks")


def _doctree(answer: str = "directive") -> Any:
    publish_doctree = pytest.importorskip("docutils.core").publish_doctree
    page = PAGE.replace("{answer}", ANSWERS[answer])
    return publish_doctree(page, settings_overrides={"report_level": 5, "doctitle_xform": False})


def _builder() -> SimpleNamespace:
    """The settings sphinx-markdown-builder's translator reads (its defaults)."""
    config = SimpleNamespace(
        markdown_docinfo=False, markdown_flavor="", markdown_http_base="", markdown_bullet="*",
        markdown_anchor_sections=False, markdown_anchor_signatures=False,
    )  # fmt: skip
    return SimpleNamespace(config=config, env=SimpleNamespace(domains=None))


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_markdown_cells_follow_the_text_blocks(notebooks: ModuleType, answer: str) -> None:
    doctree = _doctree(answer)
    notebooks.relink(doctree, page="a/plot_x.html", notebook="_downloads/h/x.ipynb", baseurl="")
    markdown = notebooks.markdown_cells(doctree, _builder(), {26, 46, 51}, "en")
    assert markdown == [
        "# Title\n\nIntro with $\\lambda$, 0.0849 and a [link](https://example.org/).",
        "## Section\n\n*Question.* Guess.\n\n" + cells.answer_line("en", runs_code=True),
        "Because.\n\n$$\n\\begin{aligned}a &= b \\\\\nc &= d\\end{aligned}\n$$",
        "### Sub\n\nText question.\n\n"
        + cells.answer_line("en", runs_code=False)
        + "\n\nA text answer, see [Title](../../a/plot_x.html#title).\n\n* one\n* two",
    ]


def test_markdown_cells_speak_the_page_language(notebooks: ModuleType) -> None:
    markdown = notebooks.markdown_cells(_doctree(), _builder(), {26, 46, 51}, "zh_CN")
    assert cells.answer_line("zh_CN", runs_code=True) in markdown[1]
    assert cells.answer_line("zh_CN", runs_code=False) in markdown[3]


def test_relink_points_every_reference_from_the_notebook(notebooks: ModuleType) -> None:
    doctree = _doctree()
    notebooks.relink(
        doctree, page="auto_examples/plot_x.html", notebook="_downloads/h/plot_x.ipynb", baseurl=""
    )
    nodes = pytest.importorskip("docutils.nodes")
    uris = [ref["refuri"] for ref in doctree.findall(nodes.reference)]
    assert uris == ["https://example.org/", "../../auto_examples/plot_x.html#title"]


def test_rewrite_zip_replaces_only_the_notebooks(notebooks: ModuleType, tmp_path: Path) -> None:
    archive = tmp_path / "plot_x.zip"
    with zipfile.ZipFile(archive, "w") as new:
        new.writestr("plot_x.py", "print(1)\n")
        new.writestr("plot_x.ipynb", "{}")
    rewritten = json.dumps({"cells": []})
    notebooks._rewrite_zip(archive, "auto_examples", {"auto_examples/plot_x.ipynb": rewritten})
    with zipfile.ZipFile(archive) as old:
        assert old.namelist() == ["plot_x.py", "plot_x.ipynb"]
        assert old.read("plot_x.py") == b"print(1)\n"
        assert old.read("plot_x.ipynb").decode() == rewritten


def test_no_stray_statement_in_the_first_cell() -> None:
    """The first cell is plain Python (no magic), so that it also runs as a script."""
    ast.parse(cells.first_cell(["torch"]))


def test_a_downloaded_script_loses_its_hidden_checks_and_config_comments() -> None:
    source = (
        '"""Title."""\n\n# %%\nx = 1\n\n# sphinx_gallery_start_ignore\nfrom recorded import record\n'
        "assert x == 1\n# sphinx_gallery_end_ignore\n\n\ny = 2\n\n"
        "# sphinx_gallery_thumbnail_number = 2\n"
    )
    cleaned = cells.clean_script(source)
    assert cleaned == '"""Title."""\n\n# %%\nx = 1\n\ny = 2\n'
    compile(cleaned, "script.py", "exec")
