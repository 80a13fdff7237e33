"""The site's sources are all there and well formed (fast: nothing is built or run here).

The docs build (``nox -s docs``) is the check that the gallery scripts run and the pages render;
this test catches a missing page or a malformed tutorial without building anything.
"""

from __future__ import annotations

import ast
import importlib
import itertools
import pkgutil
import re
from pathlib import Path

import pytest

import weightdecay

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GALLERY = ROOT / "gallery"

FAQ_PAGES = [
    "choosing-lambda.md",
    "nan-and-inf.md",
    "vanishing-gradients.md",
    "weight-updates.md",
    "large-weights.md",
    "double-descent.md",
    "l1-or-l2.md",
]
EXPLANATION_PAGES = [
    "index.md",
    "update-rule.md",
    "weight-decay-vs-l2.md",
    "bayesian-view.md",
    "exercises.md",
    "frameworks.md",
]
TUTORIALS = [
    "README.rst",
    "plot_01_overfitting.py",
    "plot_02_weight_decay_scratch.py",
    "plot_03_weight_decay_concise.py",
]
GALLERY_SCRIPTS = sorted(GALLERY.glob("plot_*.py"))
# The book's exercises: a gallery of their own (exercises/ -> auto_exercises/), built the same way.
EXERCISE_SCRIPTS = sorted((ROOT / "exercises").glob("plot_*.py"))


@pytest.mark.parametrize("name", FAQ_PAGES)
def test_faq_page_exists(name: str) -> None:
    page = DOCS / "faq" / name
    assert page.is_file(), f"missing FAQ page {page.relative_to(ROOT)}"
    assert page.read_text(encoding="utf-8").strip(), f"{name} is empty"


@pytest.mark.parametrize("name", EXPLANATION_PAGES)
def test_explanation_page_exists(name: str) -> None:
    assert (DOCS / "explanation" / name).is_file()


@pytest.mark.parametrize("name", TUTORIALS)
def test_tutorial_source_exists(name: str) -> None:
    assert (GALLERY / name).is_file()


def test_section_indexes_exist() -> None:
    for page in ["index.md", "faq/index.md", "explanation/index.md", "api/index.md", "conf.py"]:
        assert (DOCS / page).is_file(), page


def _docstring(script: Path) -> str:
    docstring = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8")), clean=False)
    assert docstring, f"{script.name} has no module docstring"
    return docstring


def _cells(script: Path) -> list[list[str]]:
    """The ``# %%`` cells of a script, each as its list of lines (the marker line excluded)."""
    cells: list[list[str]] = []
    for line in script.read_text(encoding="utf-8").splitlines():
        if line.strip() == "# %%":
            cells.append([])
        elif cells:
            cells[-1].append(line)
    return cells


def _heading(cell: list[str]) -> str | None:
    """The reST sub-heading a cell opens with (a title line underlined by ``-``), if any."""
    text = [line for line in cell if line.startswith("#")]
    if len(text) < 2:
        return None
    title, underline = text[0].removeprefix("#").strip(), text[1].removeprefix("#").strip()
    if title and re.fullmatch(r"-{3,}", underline) and len(underline) >= len(title):
        return title
    return None


def test_gallery_has_scripts() -> None:
    assert len(GALLERY_SCRIPTS) >= 3


@pytest.mark.parametrize("script", GALLERY_SCRIPTS + EXERCISE_SCRIPTS, ids=lambda p: p.name)
def test_gallery_script_has_rest_title(script: Path) -> None:
    lines = [line.rstrip() for line in _docstring(script).strip().splitlines()]
    # sphinx-gallery's title: a line of "=" under the title (an overline is optional).
    for above, below in itertools.pairwise(lines):
        if above and not set(above) <= {"="} and re.fullmatch(r"=+", below):
            assert len(below) >= len(above), (
                f"{script.name}: the === line is shorter than the title"
            )
            return
    pytest.fail(f"{script.name}: the docstring has no reST title (a line of === under a title)")


@pytest.mark.parametrize("script", GALLERY_SCRIPTS + EXERCISE_SCRIPTS, ids=lambda p: p.name)
def test_gallery_script_is_made_of_cells_with_headings(script: Path) -> None:
    cells = _cells(script)
    assert cells, f"{script.name} has no '# %%' cells"
    before = ast.parse(script.read_text(encoding="utf-8").split("\n# %%\n")[0]).body
    assert len(before) == 1, (
        f"{script.name}: code before the first '# %%' cell (after the docstring come only cells)"
    )
    assert _heading(cells[0]) is not None, f"{script.name}: the first cell has no sub-heading"


@pytest.mark.parametrize("script", GALLERY_SCRIPTS, ids=lambda p: p.name)
def test_gallery_script_ends_with_interpretation(script: Path) -> None:
    headed = [title for cell in _cells(script) if (title := _heading(cell)) is not None]
    assert headed, f"{script.name} has no cell with a sub-heading"
    if headed[-1] == "Try it":  # the questions come last (docs/_ext/practice.py)
        headed.pop()
    assert headed[-1] == "Interpreting the results", (
        f"{script.name}: the last section is {headed[-1]!r}, not 'Interpreting the results' "
        "(followed or not by 'Try it')"
    )


def test_landing_page_links_every_explanation_page() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\{ref\}`(?:[^`<]*<)?([\w-]+)>?`", index))
    for page in sorted((DOCS / "explanation").glob("*.md")):
        text = page.read_text(encoding="utf-8")
        if page.name == "index.md" or text.startswith("---\norphan: true\n"):
            continue  # the section's index, or a page left so that old links still work
        label = re.match(r"\((\S+)\)=", text)
        assert label, f"{page.name} has no label on its first line"
        assert label.group(1) in linked, f"docs/index.md does not link {page.name}"


def test_landing_page_figure_comes_from_the_gallery() -> None:
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    images = re.findall(r"auto_examples/images/sphx_glr_(\w+?)_\d{3}\.png", index)
    assert images, "docs/index.md shows no figure generated by the gallery"
    for stem in images:
        assert (GALLERY / f"{stem}.py").is_file(), f"no gallery script draws {stem}"


# --------------------------------------------------------------------------------------------
# API reference: one page per public module, listing every name of its __all__
# --------------------------------------------------------------------------------------------
PUBLIC_MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(weightdecay.__path__)
    if not info.name.startswith("_")
)


def _api_toctree() -> list[str]:
    index = (DOCS / "api" / "index.md").read_text(encoding="utf-8")
    block = re.search(r"```\{toctree\}\n(.*?)```", index, re.DOTALL)
    assert block, "docs/api/index.md has no toctree"
    return [
        line.strip() for line in block.group(1).splitlines() if line.strip() and ":" not in line
    ]


@pytest.mark.parametrize("module", PUBLIC_MODULES)
def test_every_public_module_has_an_api_page(module: str) -> None:
    page = DOCS / "api" / f"{module}.md"
    assert page.is_file(), f"weightdecay.{module} has no API page {page.relative_to(ROOT)}"
    assert module in _api_toctree(), f"docs/api/index.md does not list {module}"


API_PAGES = sorted(page for page in (DOCS / "api").glob("*.md") if page.stem != "index")


@pytest.mark.parametrize("page", API_PAGES, ids=lambda p: p.name)
def test_api_page_documents_all_public_names(page: Path) -> None:
    module = importlib.import_module(f"weightdecay.{page.stem}")
    text = page.read_text(encoding="utf-8")
    documented = set(
        re.findall(
            rf"\.\. auto(?:function|class|data|exception):: weightdecay\.{page.stem}\.(\w+)", text
        )
    )
    # A function or class re-exported from another public module is documented on its home page.
    elsewhere = {f"weightdecay.{other}" for other in PUBLIC_MODULES} - {module.__name__}
    reexported = {
        name
        for name in module.__all__
        if getattr(getattr(module, name), "__module__", None) in elsewhere
    }
    missing = sorted(set(module.__all__) - documented - reexported)
    assert not missing, f"{page.name} does not document {missing}"


# -- What a learner sees (issue 19): the lesson, not its checks -------------------------------------
TUTORIAL_SCRIPTS = [*GALLERY_SCRIPTS, *EXERCISE_SCRIPTS]


def _shown_code(script: Path) -> list[str]:
    """The non-blank code lines the page and its downloads show: sphinx-gallery's own parser, with
    the hidden (``sphinx_gallery_start_ignore``) blocks and configuration comments removed."""
    parser = pytest.importorskip("sphinx_gallery.py_source_parser")
    blocks = parser.split_code_and_text_blocks(str(script))[1]
    code = "\n".join(
        parser.remove_config_comments(parser.remove_ignore_blocks(block.content))
        for block in blocks
        if block.type == "code"
    )
    return [line for line in code.splitlines() if line.strip()]


@pytest.mark.parametrize("script", TUTORIAL_SCRIPTS, ids=lambda p: p.stem)
def test_a_tutorial_shows_no_check(script: Path) -> None:
    """Every assert runs at build time, hidden: none is on the page or in the downloads."""
    shown = "\n".join(_shown_code(script))
    asserts = [n for n in ast.walk(ast.parse(shown)) if isinstance(n, ast.Assert)]
    assert not asserts, f"{script.name} shows {len(asserts)} assert(s): hide them"


@pytest.mark.parametrize("script", TUTORIAL_SCRIPTS, ids=lambda p: p.stem)
def test_a_tutorial_times_nothing(script: Path) -> None:
    """No check depends on the wall clock outside benchmarks/ (a busy laptop would fail it)."""
    source = script.read_text(encoding="utf-8")
    assert not re.search(r"perf_counter|process_time|time\.time\(|timeit|monotonic\(", source)


def test_tutorials_show_at_most_200_lines_and_a_median_of_150() -> None:
    """A page shows the code that teaches; past about 200 lines the lesson is split."""
    shown = {script.stem: len(_shown_code(script)) for script in GALLERY_SCRIPTS}
    too_long = {name: n for name, n in shown.items() if n > 200}
    assert not too_long, f"split these tutorials: {too_long}"
    median = sorted(shown.values())[len(shown) // 2]
    assert median <= 150, f"median shown code lines {median} > 150: {shown}"
