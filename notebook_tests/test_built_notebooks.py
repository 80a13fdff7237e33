"""The notebooks of the built site, as a learner gets them (``nox -s notebooks``, after ``nox -s docs``).

Every notebook that a download button or a zip of the site gives, in English (the root of
``docs/_build/html``) and in every translation built inside it (``zh_CN/``):

- runs top to bottom in a fresh kernel of a venv that has only ``pip install ".[examples]"`` and
  Jupyter's kernel (the ``execute`` tests; ``-k "not execute"`` skips them);
- has a link in its Markdown only where the site has the file and the anchor;
- keeps no Sphinx markup, and states in its first cell every third-party package it imports;
- in a translation, has the English notebook's code cells and Markdown translated by the
  catalogs (its headings are the catalogs' translations of the English headings);
- is the same file inside the zips (one per tutorial, and "download all").

``WEIGHTDECAY_HTML`` points the tests at another built site.
"""

from __future__ import annotations

import ast
import json
import os
import posixpath
import re
import sys
import zipfile
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import nbclient
import nbformat
import polib
import pytest
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[1]
HTML = Path(os.environ.get("WEIGHTDECAY_HTML", ROOT / "docs" / "_build" / "html")).resolve()
LOCALES = ROOT / "docs" / "locales"
INSTALL = 'pip install "weightdecay[examples]"'
SITES = {"en": HTML} | {
    index.parent.name: index.parent for index in sorted(HTML.glob("*/searchindex.js"))
}
NOTEBOOKS = [
    (language, path)
    for language, site in SITES.items()
    for path in sorted(site.glob("_downloads/*/*.ipynb"), key=lambda p: p.name)
]
IDS = [f"{language}/{path.name}" for language, path in NOTEBOOKS]
MARKUP = re.compile(
    r":[a-z]+(:[a-z]+)?:`|`_\b|<sphx_glr|^\s*\.\. [a-z-]+::|^\s*\.\. answer", re.MULTILINE
)


def _read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _sources(notebook: dict[str, Any], kind: str) -> list[str]:
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == kind]


def test_every_site_offers_every_tutorial() -> None:
    assert (HTML / "index.html").is_file(), f"no built site in {HTML}: run `nox -s docs` first"
    assert "zh_CN" in SITES
    names = {
        language: sorted(p.name for lang, p in NOTEBOOKS if lang == language) for language in SITES
    }
    scripts = sorted(f"{p.stem}.ipynb" for p in (ROOT / "gallery").glob("plot_*.py"))
    assert set(scripts) <= set(names["en"])
    assert all(found == names["en"] for found in names.values())


@pytest.mark.parametrize(("language", "path"), NOTEBOOKS, ids=IDS)
def test_every_notebook_is_valid(language: str, path: Path) -> None:
    """Jupyter opens it: nbformat's schema of version 4."""
    del language
    read: Any = nbformat.read  # untyped
    nbformat.validate(read(path, as_version=4))


# --------------------------------------------------------------------------------------------
# Links, markup, first cell
# --------------------------------------------------------------------------------------------
class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        del tag
        self.ids.update(value for name, value in attrs if name in {"id", "name"} and value)


@cache
def _anchors(page: Path) -> frozenset[str]:
    parser = _Ids()
    parser.feed(page.read_text(encoding="utf-8"))
    return frozenset(parser.ids)


def _links(markdown: str) -> list[str]:
    """Every link and image address of a Markdown cell, as Jupyter's Markdown parser sees it."""
    return [
        str(child.attrs.get("href") or child.attrs.get("src"))
        for token in MarkdownIt("commonmark").parse(markdown)
        for child in token.children or []
        if child.type in {"link_open", "image"}
    ]


@pytest.mark.parametrize(("language", "path"), NOTEBOOKS, ids=IDS)
def test_every_link_reaches_a_file_and_anchor_of_the_site(language: str, path: Path) -> None:
    site = SITES[language]
    links = [link for cell in _sources(_read(path), "markdown") for link in _links(cell)]
    assert any(not urlsplit(link).scheme for link in links)  # the tutorials link to the site
    broken = []
    for link in links:
        parts = urlsplit(link)
        if parts.scheme:
            assert parts.scheme == "https", link  # an external page, not checked offline
            continue
        target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
        if not target.is_relative_to(site) or not target.is_file():
            broken.append(f"{link}: no file {target}")
        elif parts.fragment and parts.fragment not in _anchors(target):
            broken.append(f"{link}: no id {parts.fragment!r} in {target.relative_to(site)}")
    assert not broken


@pytest.mark.parametrize(("language", "path"), NOTEBOOKS, ids=IDS)
def test_no_sphinx_markup_is_left_and_math_is_dollars(language: str, path: Path) -> None:
    del language
    markdown = "\n\n".join(_sources(_read(path), "markdown"))
    assert not [m.group(0) for m in MARKUP.finditer(markdown)]
    assert "$" in markdown
    assert "\\begin{align}" not in markdown  # sphinx-gallery's own conversion of .. math::


@pytest.mark.parametrize(("language", "path"), NOTEBOOKS, ids=IDS)
def test_the_first_cell_checks_every_third_party_import(language: str, path: Path) -> None:
    del language
    first, *code = _sources(_read(path), "code")
    modules: set[str] = set()
    for cell in code:
        for node in ast.walk(ast.parse(cell)):
            if isinstance(node, ast.Import):
                modules.update(alias.name.partition(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.partition(".")[0])
    third_party = sorted(modules - set(sys.stdlib_module_names) - {"__future__"})
    assert f"for name in {tuple(third_party)!r}" in first
    assert "weightdecay" in third_party
    assert first.count("pip install") == 2  # the comment and the message: the same command
    assert f"install = {INSTALL!r}" in first


# --------------------------------------------------------------------------------------------
# Translations and zips
# --------------------------------------------------------------------------------------------
def _english(path: Path) -> Path:
    return next(p for lang, p in NOTEBOOKS if lang == "en" and p.name == path.name)


def _headings(markdown: list[str]) -> list[str]:
    return [
        line.lstrip("#").strip()
        for cell in markdown
        for line in cell.splitlines()
        if line.startswith("#")
    ]


TRANSLATED = [(lang, p) for lang, p in NOTEBOOKS if lang != "en"]


@pytest.mark.parametrize(
    ("language", "path"), TRANSLATED, ids=[f"{lang}/{p.name}" for lang, p in TRANSLATED]
)
def test_a_translated_notebook_has_the_same_code_and_translated_text(
    language: str, path: Path
) -> None:
    english, translated = _read(_english(path)), _read(path)
    assert [c["cell_type"] for c in translated["cells"]] == [
        c["cell_type"] for c in english["cells"]
    ]
    assert _sources(translated, "code") == _sources(english, "code")
    found = sorted((LOCALES / language / "LC_MESSAGES").glob(f"*/{path.stem}.po"))
    assert len(found) == 1, found  # auto_examples/ or auto_exercises/
    catalog = polib.pofile(str(found[0]))
    table = {entry.msgid: entry.msgstr for entry in catalog.translated_entries()}
    pairs = zip(
        _headings(_sources(english, "markdown")),
        _headings(_sources(translated, "markdown")),
        strict=True,
    )
    plain = [(en, zh) for en, zh in pairs if en in table]  # headings with no inline markup
    assert plain, "no heading to compare"
    assert all(zh == table[en] for en, zh in plain), plain
    han = re.compile(r"[\u4e00-\u9fff]")
    text_cells = _sources(translated, "markdown")
    assert sum(bool(han.search(cell)) for cell in text_cells) == len(text_cells)


@pytest.mark.parametrize("language", list(SITES))
def test_the_zips_hold_the_same_notebooks(language: str) -> None:
    site = SITES[language]
    loose = {p.name: p.read_bytes() for lang, p in NOTEBOOKS if lang == language}
    archives = sorted(site.glob("_downloads/*/*.zip"))
    assert any(a.name.endswith("_jupyter.zip") for a in archives)  # "download all"
    zips_holding: dict[str, int] = dict.fromkeys(loose, 0)
    for archive in archives:
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if name.endswith(".ipynb"):
                    assert zipped.read(name) == loose[posixpath.basename(name)], (archive, name)
                    zips_holding[posixpath.basename(name)] += 1
    tutorials = {f"{p.stem}.ipynb" for p in (ROOT / "gallery").glob("plot_*.py")}
    assert all(count >= 1 for count in zips_holding.values())  # its own zip
    assert all(zips_holding[name] >= 2 for name in tutorials)  # and "download all"


@pytest.mark.parametrize("language", list(SITES))
def test_the_downloaded_scripts_show_no_check(language: str) -> None:
    """The .py downloads (loose and zipped) hold what the page shows: no hidden block, no assert."""
    scripts = {p.name: p.read_bytes() for p in SITES[language].glob("_downloads/*/plot_*.py")}
    assert {f"{p.stem}.py" for p in (ROOT / "gallery").glob("plot_*.py")} <= set(scripts)
    for name, data in scripts.items():
        text = data.decode()
        assert "sphinx_gallery_" not in text, name
        assert not any(isinstance(n, ast.Assert) for n in ast.walk(ast.parse(text))), name
    for archive in SITES[language].glob("_downloads/*/*.zip"):
        with zipfile.ZipFile(archive) as zipped:
            for name in zipped.namelist():
                if name.endswith(".py"):
                    assert zipped.read(name) == scripts[posixpath.basename(name)], (archive, name)


# --------------------------------------------------------------------------------------------
# Run them
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("language", "path"), NOTEBOOKS, ids=IDS)
def test_execute(language: str, path: Path, tmp_path: Path) -> None:
    """Top to bottom in a fresh kernel, in an empty folder, as a learner's download runs."""
    del language
    read: Any = nbformat.read  # untyped
    notebook = read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=900,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        pytest.fail(f"{path.name} stops: {error}", pytrace=False)
