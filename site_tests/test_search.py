"""The site's search finds every tutorial that talks about weight decay, in every language."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import quote_plus

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Page

    from conftest import PageSource, Site, SiteBrowser

__all__ = ["test_search_finds_every_tutorial"]

# Per language: what to type into the search box, and how a tutorial's text says it.
# A translation missing here is searched in English.
SEARCHES = {
    "en": ("weight decay", r"weight[\s-]+decay"),
    "zh_CN": ("权重衰减", r"权重衰减"),
}


def test_search_finds_every_tutorial(
    page: Page,
    site_browser: SiteBrowser,
    built_site: Site,
    page_source: Callable[[Path], PageSource],
) -> None:
    query, pattern = SEARCHES.get(built_site.lang, SEARCHES["en"])
    saying_it = sorted(
        tutorial
        for tutorial in (built_site.root / "auto_examples").glob("plot_*.html")
        if re.search(pattern, page_source(tutorial).article_text, re.IGNORECASE)
    )
    assert saying_it, f"no tutorial of the {built_site.lang} site says {query!r}"

    site_browser.open(page, f"{built_site.prefix}search.html?q={quote_plus(query)}")
    # Sphinx fills in the summary ("Search finished, ...", in the page's language) at the end.
    page.wait_for_function(
        "() => document.querySelector('#search-results .search-summary')?.textContent"
    )
    links: list[str] = page.eval_on_selector_all(
        "#search-results ul.search li a", "(links) => links.map((a) => a.href)"
    )
    found = {site_browser.local_file(link) for link in links}
    missing = [t.name for t in saying_it if t not in found]
    assert not missing, f"searching {query!r} does not list the tutorials {missing}"
    site_browser.assert_clean()
