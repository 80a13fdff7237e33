"""The Chinese site: every page has a catalog, every message is translated, the checker works.

``nox -s docs`` also compares the catalogs with the messages extracted from the current sources
(an English change without its translation fails there); here the committed catalogs are checked
without building anything.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import polib
import pytest

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LOCALES = DOCS / "locales" / "zh_CN" / "LC_MESSAGES"


def _catalogs_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("catalogs", DOCS / "_ext" / "catalogs.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["catalogs"] = module
    spec.loader.exec_module(module)
    return module


catalogs = _catalogs_module()


def _pages() -> list[str]:
    """Every page of the site, as the catalog name Sphinx gives it."""
    skip = {"_build", "_ext", "_static", "_templates", "locales", "auto_examples", "gen_modules"}
    pages = [
        str(path.relative_to(DOCS).with_suffix(""))
        for path in DOCS.rglob("*.md")
        if not skip & set(path.relative_to(DOCS).parts)
    ]
    pages += [f"auto_examples/{script.stem}" for script in (ROOT / "gallery").glob("plot_*.py")]
    pages += [f"auto_exercises/{script.stem}" for script in (ROOT / "exercises").glob("plot_*.py")]
    return [*pages, "auto_examples/index"]


@pytest.mark.parametrize("page", _pages())
def test_every_page_has_a_chinese_catalog(page: str) -> None:
    assert (LOCALES / f"{page}.po").is_file(), f"no catalog for {page}: run `nox -s translations`"


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    report = catalogs.check_catalogs(LOCALES)
    assert report.messages > 1000
    assert not report.problems, "\n".join(report.problems[:20])


def _po(path: Path, entries: list[tuple[str, str, bool]]) -> None:
    catalog = polib.POFile()
    for msgid, msgstr, fuzzy in entries:
        catalog.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if fuzzy else []))
    path.parent.mkdir(parents=True, exist_ok=True)
    catalog.save(str(path))


def test_the_checker_finds_untranslated_fuzzy_and_missing_messages(tmp_path: Path) -> None:
    _po(
        tmp_path / "po" / "faq" / "a.po",
        [("One.", "一。", False), ("Two.", "", False), ("Three.", "三。", True)],
    )
    _po(tmp_path / "pot" / "faq" / "a.pot", [("One.", "", False), ("Four.", "", False)])
    _po(tmp_path / "pot" / "new.pot", [("Five.", "", False)])
    report = catalogs.check_catalogs(tmp_path / "po", tmp_path / "pot")
    assert (report.files, report.messages, report.translated, report.fuzzy) == (1, 3, 1, 1)
    assert report.problems == [
        "faq/a: untranslated: 'Two.'",
        "faq/a: fuzzy: 'Three.'",
        "faq/a: not in the catalog: 'Four.'",
        "new: not in the catalog: 'Five.'",
    ]
    assert catalogs.main([str(tmp_path / "po"), str(tmp_path / "pot")]) == 1
