"""Both languages: the switcher on every page, the page's language, Chinese where Chinese is due.

The switcher is a link whose text is the other language's name (``中文`` on English pages,
``English`` on Chinese ones) and which leads to the same page in that language: from disk
(``file://``) and from the server alike, because it is relative.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from conftest import HTML, PAGES, SITES

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from conftest import Site, SiteBrowser, SitePage

__all__ = [
    "test_chinese_pages_are_in_chinese",
    "test_switcher_leads_to_the_same_page_in_the_other_language",
    "test_switcher_works_from_disk",
]

NAMES = {"en": "English", "zh_CN": "中文"}
LANG_TAGS = {"en": "en", "zh_CN": "zh-CN"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Pages made by Sphinx itself or by a generator, with no prose of ours to translate.
GENERATED = {"genindex.html", "py-modindex.html", "search.html"}

needs_two = pytest.mark.skipif(len(SITES) < 2, reason="only one language was built")
CONTENT_PAGES = [p for p in PAGES if p.rel not in GENERATED]


def _other(site: Site) -> Site:
    return next(s for s in SITES if s.lang != site.lang)


@needs_two
@pytest.mark.parametrize("target", CONTENT_PAGES, ids=[p.id for p in CONTENT_PAGES])
def test_switcher_leads_to_the_same_page_in_the_other_language(
    page: Page, site_browser: SiteBrowser, target: SitePage
) -> None:
    site_browser.open(page, target.path)
    assert page.get_attribute("html", "lang") == LANG_TAGS[target.site.lang]
    switch = page.locator("p.language-switch a")
    other = _other(target.site)
    assert switch.count() == 1
    assert switch.inner_text() == NAMES[other.lang]
    switch.click()
    page.wait_for_load_state()
    assert site_browser.local_file(page.url) == other.root / target.rel
    assert page.get_attribute("html", "lang") == LANG_TAGS[other.lang]
    site_browser.assert_clean()


@needs_two
def test_switcher_works_from_disk(page: Page) -> None:
    page.goto((HTML / "faq" / "nan-and-inf.html").as_uri())
    page.locator("p.language-switch a").click()
    page.wait_for_load_state()
    assert page.url == (HTML / "zh_CN" / "faq" / "nan-and-inf.html").as_uri()
    page.locator("p.language-switch a").click()
    page.wait_for_load_state()
    assert page.url == (HTML / "faq" / "nan-and-inf.html").as_uri()


TRANSLATED = [p for p in CONTENT_PAGES if p.site.lang != "en"]


@pytest.mark.skipif(not TRANSLATED, reason="no translation was built")
@pytest.mark.parametrize("target", TRANSLATED, ids=[p.id for p in TRANSLATED])
def test_chinese_pages_are_in_chinese(
    page: Page, site_browser: SiteBrowser, target: SitePage
) -> None:
    """Every heading and every gallery thumbnail title of a Chinese page holds Chinese.

    Headings that are only an identifier (an API page's ``train_scratch``) are exempt.
    """
    site_browser.open(page, target.path)
    headings: list[str] = page.eval_on_selector_all(
        "article h1, article h2, article h3", "(hs) => hs.map((h) => h.innerText)"
    )
    prose = [h for h in headings if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", h)]
    english = [h for h in prose if not CJK.search(h)]
    assert not english, f"English headings on {target.id}: {english}"
    titles: list[str] = page.eval_on_selector_all(
        ".sphx-glr-thumbnail-title", "(ts) => ts.map((t) => t.innerText)"
    )
    untranslated = [t for t in titles if not CJK.search(t)]
    assert not untranslated, f"English thumbnail titles on {target.id}: {untranslated}"
