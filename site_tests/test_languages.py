"""Both languages: the switcher on every page, the page's language, Chinese where Chinese is due.

The switcher is a link whose text is the other language's name (``中文`` on English pages,
``English`` on Chinese ones) and which leads to the same page in that language: from disk
(``file://``) and from the server alike, because it is relative. The page tests read the tab
that the page's tests share (``shared_page``), and follow the switcher's link by its address
(the target's own test checks its language in the browser); the two tests from disk click it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    from conftest import PageSource, SharedPage, Site, SiteBrowser, SitePage

__all__ = [
    "test_chinese_emphasis_is_upright_with_emphasis_dots",
    "test_chinese_pages_are_in_chinese",
    "test_switcher_leads_to_the_same_page_in_the_other_language",
    "test_switcher_works_from_disk",
    "test_the_theme_speaks_the_page_language",
]

NAMES = {"en": "English", "zh_CN": "中文"}
LANG_TAGS = {"en": "en", "zh_CN": "zh-CN"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Pages that Sphinx makes itself, with no switcher of ours and no prose to translate.
GENERATED = {"genindex.html", "py-modindex.html", "search.html"}
# The command-line reference's headings are the command's own words ("weightdecay train"),
# rendered from its parser like the output of --help, which stays English.
GENERATED_HEADINGS = {"api/cli.html"}


def _other_root(site: Site) -> Path | None:
    """The other language's build folder, if it was built."""
    other = site.root / "zh_CN" if site.lang == "en" else site.root.parent
    return other if (other / "searchindex.js").is_file() else None


def test_switcher_leads_to_the_same_page_in_the_other_language(
    shared_page: SharedPage,
    built_page: SitePage,
    page_source: Callable[[Path], PageSource],
) -> None:
    other = _other_root(built_page.site)
    if other is None or built_page.rel in GENERATED:
        pytest.skip("one language only, or a page Sphinx generates")
    page = shared_page.show(built_page)
    assert page.get_attribute("html", "lang") == LANG_TAGS[built_page.site.lang]
    switch = page.locator("p.language-switch a")
    assert switch.count() == 1
    other_lang = "zh_CN" if built_page.site.lang == "en" else "en"
    assert switch.inner_text() == NAMES[other_lang]
    href: str = switch.evaluate("(a) => a.href")  # resolved against the page, as a click does
    target = shared_page.log.local_file(href)
    assert target == other / built_page.rel, f"{built_page.id}: the switcher leads to {href}"
    assert target.is_file(), f"{built_page.id}: the switcher leads to {href}, not built"
    assert page_source(target).lang == LANG_TAGS[other_lang]
    shared_page.assert_clean(built_page)


def test_switcher_works_from_disk(page: Page, built_site: Site) -> None:
    other = _other_root(built_site)
    if other is None:
        pytest.skip("one language only")
    start = built_site.root / "faq" / "nan-and-inf.html"
    page.goto(start.as_uri())
    page.locator("p.language-switch a").click()
    page.wait_for_load_state()
    assert page.url == (other / "faq" / "nan-and-inf.html").as_uri()
    page.locator("p.language-switch a").click()
    page.wait_for_load_state()
    assert page.url == start.as_uri()


def test_chinese_pages_are_in_chinese(shared_page: SharedPage, built_page: SitePage) -> None:
    """Every heading and every gallery thumbnail title of a Chinese page holds Chinese.

    Headings that are only identifiers (an API page's ``train_scratch``) are exempt.
    """
    if built_page.site.lang == "en" or built_page.rel in GENERATED:
        pytest.skip("an English page, or a page Sphinx generates")
    page = shared_page.show(built_page)
    headings: list[str] = page.eval_on_selector_all(
        "article h1, article h2, article h3", "(hs) => hs.map((h) => h.innerText)"
    )
    prose = [h for h in headings if re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", h)]
    if built_page.rel in GENERATED_HEADINGS:
        prose = [h for h in prose if not h.startswith("weightdecay")]
    english = [h for h in prose if not CJK.search(h)]
    assert not english, f"English headings on {built_page.id}: {english}"
    titles: list[str] = page.eval_on_selector_all(
        ".sphx-glr-thumbnail-title", "(ts) => ts.map((t) => t.innerText)"
    )
    untranslated = [t for t in titles if not CJK.search(t)]
    assert not untranslated, f"English thumbnail titles on {built_page.id}: {untranslated}"
    shared_page.assert_clean(built_page)


# furo's own texts on every page: the selector, and the attribute that holds the text (or None
# for the element's visible text). docs/_ext/theme_i18n.py and sphinx.po translate them.
THEME_TEXTS = {
    ".skip-to-content": None,
    ".back-to-top span": None,
    ".toc-title": None,
    ".related-pages .context span": None,
    ".bottom-of-page .left-details": None,
    ".theme-toggle": "aria-label",
    "#__navigation": "aria-label",
    "#__toc": "aria-label",
    ".sidebar-tree .toctree-checkbox": "aria-label",
    "svg symbol title": None,
}


def test_the_theme_speaks_the_page_language(
    page: Page, site_browser: SiteBrowser, built_site: Site
) -> None:
    """On a Chinese page, every text of the theme is Chinese; on an English one, English."""
    site_browser.open(page, f"{built_site.prefix}faq/choosing-lambda.html")
    texts: dict[str, list[str]] = {
        selector: page.eval_on_selector_all(
            selector,
            "(els, attr) => els.map((e) => attr ? e.getAttribute(attr) : e.textContent)",
            attribute,
        )
        for selector, attribute in THEME_TEXTS.items()
    }
    assert all(texts.values()), {s: t for s, t in texts.items() if not t}
    chinese = {s: [t for t in ts if CJK.search(t)] for s, ts in texts.items()}
    if built_site.lang == "en":
        assert not any(chinese.values()), chinese
    else:
        english = {s: [t for t in ts if not CJK.search(t)] for s, ts in texts.items()}
        assert not any(english.values()), english
    site_browser.assert_clean()


def test_chinese_emphasis_is_upright_with_emphasis_dots(
    shared_page: SharedPage, built_page: SitePage
) -> None:
    """Chinese fonts have no italic: emphasis on Chinese text takes emphasis dots (着重号)."""
    if built_page.site.lang == "en" or built_page.rel in GENERATED:
        pytest.skip("an English page, or a page Sphinx generates")
    page = shared_page.show(built_page)
    styles: list[list[str]] = page.eval_on_selector_all(
        "article em",
        """(ems) => ems.filter((e) => /[\u4e00-\u9fff]/.test(e.textContent)).map((e) => {
            const style = getComputedStyle(e);
            return [e.textContent, style.fontStyle, style.textEmphasisStyle];
        })""",
    )
    wrong = [s for s in styles if s[1] != "normal" or s[2] == "none"]
    assert not wrong, f"slanted or undotted Chinese emphasis on {built_page.id}: {wrong}"
    shared_page.assert_clean(built_page)
