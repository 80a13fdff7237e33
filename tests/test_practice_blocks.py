"""Practice blocks: the answer markers, the pages' questions, and the map to the book.

Nothing is built here: ``docs/_ext/practice_blocks.py`` is plain Python, and the sources are
read as text. ``site_tests/test_practice.py`` checks the built pages in a browser.
"""

from __future__ import annotations

import doctest
import importlib.util
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
SCRIPTS = sorted([*(ROOT / "gallery").glob("plot_*.py"), *(ROOT / "exercises").glob("plot_*.py")])
EXERCISES = ROOT / "exercises" / "plot_00_book_exercises.py"
FAQ_PAGES = sorted(p for p in (DOCS / "faq").glob("*.md") if p.name != "index.md")


def _blocks_module() -> ModuleType:
    path = DOCS / "_ext" / "practice_blocks.py"
    spec = importlib.util.spec_from_file_location("practice_blocks", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["practice_blocks"] = module
    spec.loader.exec_module(module)
    return module


blocks = _blocks_module()

# A gallery page's answer as sphinx-gallery writes it: text, a code block, its output, a figure,
# the explanation. Every line between the markers moves 3 columns right, under the directive (the
# directive line is followed by a blank line of its own, so that no text can be read as its
# argument).
GENERATED = """\
**Question 1.** Above or below?

.. answer-start

Computed:

.. code-block:: Python

    print(1)

.. rst-class:: sphx-glr-script-out

 .. code-block:: none

    1

.. image-sg:: /auto_examples/images/sphx_glr_plot_02_001.png
   :alt: a figure

Below, because :val:`plot_02.x`.

.. answer-end

**Question 2.**
"""
WRAPPED = """\
**Question 1.** Above or below?

.. answer::


   Computed:

   .. code-block:: Python

       print(1)

   .. rst-class:: sphx-glr-script-out

    .. code-block:: none

       1

   .. image-sg:: /auto_examples/images/sphx_glr_plot_02_001.png
      :alt: a figure

   Below, because :val:`plot_02.x`.



**Question 2.**
"""


def test_wrap_answers_indents_everything_between_the_markers() -> None:
    assert blocks.wrap_answers(GENERATED) == WRAPPED


def test_wrap_answers_leaves_a_page_without_markers_alone() -> None:
    assert blocks.wrap_answers(WRAPPED) == WRAPPED


def test_markers_inside_a_code_block_are_code() -> None:
    page = ".. code-block:: Python\n\n    # .. answer-start\n    .. answer-start\n"
    assert blocks.wrap_answers(page) == page


@pytest.mark.parametrize(
    ("page", "line", "match"),
    [
        (".. answer-start\n\na\n\n.. answer-start\n", 5, "inside the one of line 1"),
        ("a\n\n.. answer-end\n", 3, "closes no answer"),
        ("a\n\n.. answer-start\n\nb\n", 3, "never closed"),
    ],
)
def test_markers_that_do_not_pair_up_name_their_line(page: str, line: int, match: str) -> None:
    with pytest.raises(blocks.MarkerError, match=match) as error:
        blocks.wrap_answers(page)
    assert error.value.line == line


def test_practice_blocks_doctests() -> None:
    failed, attempted = doctest.testmod(blocks, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted >= 3
    assert failed == 0


# -- The map to the book -----------------------------------------------------------------------
# The links, as the books' own sources give them (d2l-en: chapter_linear-regression/
# weight-decay.md, its PyTorch tab's discussion; d2l-zh: chapter_multilayer-perceptrons/...).
D2L_EN = ("3.7", "https://d2l.ai/chapter_linear-regression/weight-decay.html", "/t/99")
D2L_ZH = ("4.5", "https://zh.d2l.ai/chapter_multilayer-perceptrons/weight-decay.html", "/t/1808")


@pytest.mark.parametrize(("language", "first"), [("en", D2L_EN), ("zh_CN", D2L_ZH)])
def test_book_map_links_both_editions_the_sites_first(
    language: str, first: tuple[str, ...]
) -> None:
    box = blocks.book_map_html(language)
    hrefs = re.findall(r'href="([^"]+)"', box)
    sections = re.findall(r"§(\d\.\d)", box)
    assert len(hrefs) == 4, box
    assert hrefs[0] == first[1]
    assert hrefs[1] == "https://discuss.d2l.ai" + first[2]
    assert sections[0] == first[0]
    assert {D2L_EN[1], D2L_ZH[1]} <= set(hrefs)
    assert "src=" not in box, "the map must load nothing"


def test_book_map_speaks_the_sites_language() -> None:
    assert "讨论区" in blocks.book_map_html("zh_CN")
    assert "讨论区" not in blocks.book_map_html("en")
    assert blocks.string("answer", "zh_CN") == "答案"
    assert blocks.string("answer", "fr") == "Answer"  # a language without a string: English


@pytest.mark.parametrize(
    "docname",
    [
        "auto_examples/plot_01_overfitting",
        "auto_exercises/plot_00_book_exercises",
        "faq/weight-updates",
        "explanation/update-rule",
    ],
)
def test_book_map_on_tutorials_faq_and_explanation(docname: str) -> None:
    assert blocks.BOOK_MAP_PAGES.match(docname)


@pytest.mark.parametrize("docname", ["index", "auto_examples/index", "api/trainer", "playground"])
def test_no_book_map_elsewhere(docname: str) -> None:
    assert not blocks.BOOK_MAP_PAGES.match(docname)


# -- The sources ---------------------------------------------------------------------------------
def _check_followed(script: Path, lines: list[str], number: int) -> None:
    """A marker ends its comment paragraph: a blank ``#`` line, or code, or nothing follows.

    Text right under it would continue the reST comment that the marker is, and vanish.
    """
    following = lines[number] if number < len(lines) else ""
    assert following.rstrip() == "#" or not following.startswith("#"), (
        f"{script.name}:{number}: text right under the marker; put a blank '#' line between"
    )


def _answers(script: Path) -> list[tuple[int, int]]:
    """The (start, end) line numbers of every answer of a gallery script, checked as they go."""
    lines = script.read_text(encoding="utf-8").splitlines()
    answers, start = [], 0
    for number, line in enumerate(lines, start=1):
        if line.strip() == "# .. answer-start":
            assert line == "# .. answer-start", f"{script.name}:{number}: indented marker"
            assert not start, f"{script.name}:{number}: an answer opens inside another"
            _check_followed(script, lines, number)
            start = number
        elif line.strip() == "# .. answer-end":
            assert line == "# .. answer-end", f"{script.name}:{number}: indented marker"
            assert start, f"{script.name}:{number}: closes no answer"
            _check_followed(script, lines, number)
            answers.append((start, number))
            start = 0
        elif start and re.fullmatch(r"# -{3,}", line):
            pytest.fail(f"{script.name}:{number}: a heading inside the answer of line {start}")
    assert not start, f"{script.name}:{start}: an answer that is never closed"
    return answers


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_gallery_answers_pair_up_without_headings(script: Path) -> None:
    _answers(script)


def test_exercises_ask_the_books_six_and_the_notebooks_five() -> None:
    text = EXERCISES.read_text(encoding="utf-8")
    assert len(_answers(EXERCISES)) == 11
    exercises = re.findall(r"^# Exercise (\d): ", text, flags=re.MULTILINE)
    questions = re.findall(r"^# Notebook question (\d): ", text, flags=re.MULTILINE)
    assert exercises == [str(i) for i in range(1, 7)]
    assert questions == [str(i) for i in range(1, 6)]


@pytest.mark.parametrize(
    ("question", "faq"),
    [
        (1, "faq-choosing-lambda"),
        (2, "faq-large-weights"),
        (3, "faq-nan-and-inf"),
        (4, "faq-vanishing-gradients"),
        (5, "faq-weight-updates"),
    ],
)
def test_each_notebook_question_links_its_faq_page(question: int, faq: str) -> None:
    text = EXERCISES.read_text(encoding="utf-8")
    section = text.split(f"# Notebook question {question}: ")[1].split("# Notebook question")[0]
    assert f":ref:`{faq}`" in section


@pytest.mark.parametrize("page", FAQ_PAGES, ids=lambda p: p.name)
def test_faq_page_ends_with_one_or_two_self_checks(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert "\n## Check yourself\n" in text, f"{page.name} has no self-check"
    checks = text.split("\n## Check yourself\n")[1]
    assert "\n## " not in checks, f"{page.name}: the self-check is not the last section"
    questions = re.findall(r"^\*\*(\d)\.\*\* ", checks, flags=re.MULTILINE)
    answers = re.findall(r"^`{3,}\{answer\}$", checks, flags=re.MULTILINE)
    assert questions in (["1"], ["1", "2"]), f"{page.name}: questions {questions}"
    assert len(answers) == len(questions), f"{page.name}: {len(answers)} answers"


@pytest.mark.parametrize(
    ("source", "match"),
    [
        ("# %%\n# Q?\n#\n# .. answer-start\n# A.\n# .. answer-end\n", "text right under"),
        ("# %%\n# Q?\n#\n# .. answer-start\n\nx = 1\n", "never closed"),
        ("# %%\n# .. answer-end\n", "closes no answer"),
    ],
)
def test_the_source_check_catches_misplaced_markers(
    tmp_path: Path, source: str, match: str
) -> None:
    script = tmp_path / "plot_99_bad.py"
    script.write_text(source, encoding="utf-8")
    with pytest.raises(AssertionError, match=match):
        _answers(script)


def test_the_source_check_accepts_code_right_under_the_marker(tmp_path: Path) -> None:
    script = tmp_path / "plot_99_good.py"
    script.write_text("# %%\n# Q?\n#\n# .. answer-start\nx = 1\n\n# %%\n# A.\n#\n# .. answer-end\n")
    assert _answers(script) == [(4, 10)]
