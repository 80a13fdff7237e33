"""Every built page, in Chromium with no network: it loads cleanly and everything on it works.

One test per page (``en/index.html``, ``en/faq/choosing-lambda.html``, ...): no console error,
uncaught exception, remote or failed request (see ``conftest.py``); math typeset by MathJax with
no TeX left over; every image loaded (and a tutorial has its figures); every internal link
reaching a file and every ``#fragment`` an id on its target page; and at 375 px (a phone) no
text reaching past the window's edge.

It uses the shared tab (``shared_page`` in ``conftest.py``) and runs after the other tests of its
page, since it leaves the tab at phone width.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from conftest import PageSource, SharedPage, SiteBrowser, SitePage

__all__ = ["test_page"]

TUTORIAL = re.compile(r"auto_examples/plot_[^/]*\.html")

# Text nodes inside these are code or rendered math, where \( or $$ may legitimately appear.
_SKIP_TEXT = "pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight"

_COLLECT_JS = r"""
(skip) => {
  const raw = [];
  // TeX that MathJax never saw: \( \) \[ \] delimiters, $$, or a control word such as \frac.
  const rawMath = /\\[()[\]]|\$\$|\\[A-Za-z]{2,}/;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (rawMath.test(node.nodeValue)) raw.push(node.nodeValue.replace(/\s+/g, " ").trim().slice(0, 80));
  }
  const mathElements = Array.from(document.querySelectorAll(".math"));
  return {
    ids: Array.from(document.querySelectorAll("[id]"), (e) => e.id)
      .concat(Array.from(document.querySelectorAll("a[name]"), (e) => e.getAttribute("name"))),
    links: Array.from(document.querySelectorAll("a[href], link[href]"), (e) => e.href),
    images: Array.from(document.images, (img) => ({
      src: img.currentSrc || img.src,
      width: img.naturalWidth,
      figure: img.className.includes("sphx-glr"),
    })),
    mathUnrendered: mathElements.filter((e) => !e.querySelector("mjx-container"))
      .map((e) => e.textContent.replace(/\s+/g, " ").trim().slice(0, 80)),
    mathErrors: Array.from(document.querySelectorAll("mjx-merror"),
      (e) => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 100)),
    rawMath: raw,
  };
}
"""


def test_page(
    shared_page: SharedPage,
    built_page: SitePage,
    page_source: Callable[[Path], PageSource],
) -> None:
    assert built_page.file.is_file(), f"a link leads to {built_page.id}, which was not built"
    page = shared_page.show(built_page)
    data: dict[str, Any] = page.evaluate(_COLLECT_JS, _SKIP_TEXT)
    problems = [
        *_math_problems(data),
        *_image_problems(data, tutorial=bool(TUTORIAL.fullmatch(built_page.rel))),
        *_link_problems(data, built_page, shared_page.log, page_source),
    ]
    shared_page.show(built_page, phone=True)  # again, as a phone would: the page's scripts adapt
    problems += [f"at 375 px: {culprit}" for culprit in shared_page.log.overflow(page)]
    shared_page.assert_clean(built_page, *problems)


def _math_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    for key, what in (
        ("mathUnrendered", "math elements without MathJax output"),
        ("mathErrors", "MathJax errors"),
        ("rawMath", "text nodes with raw TeX"),
    ):
        texts: list[str] = data[key]
        if texts:
            shown = "; ".join(repr(t) for t in texts[:3])
            problems.append(f"math not rendered: {len(texts)} {what}, e.g. {shown}")
    return problems


def _image_problems(data: dict[str, Any], *, tutorial: bool) -> list[str]:
    images: list[dict[str, Any]] = data["images"]
    problems = [f"image not loaded: {i['src']}" for i in images if int(i["width"]) == 0]
    if tutorial and not any(i["figure"] for i in images):
        problems.append("a tutorial without any sphinx-gallery figure")
    return problems


def _link_problems(
    data: dict[str, Any],
    built_page: SitePage,
    site_browser: SiteBrowser,
    page_source: Callable[[Path], PageSource],
) -> list[str]:
    """Each local link must reach a file, and each ``#fragment`` an id on the target page."""
    problems = []
    for link in dict.fromkeys(data["links"]):  # in order, once each
        parts = urlsplit(link)
        target = site_browser.local_file(link)
        if parts.scheme not in {"http", "https"} or target is None:
            continue  # mailto:, data:, or another host (not followed; a request to it fails)
        if not target.is_file():
            problems.append(f"broken link: {link} (no file {target})")
            continue
        fragment = unquote(parts.fragment)
        if not fragment or target.suffix != ".html":
            continue
        ids = set(data["ids"]) if target == built_page.file else page_source(target).ids
        if fragment not in ids:
            problems.append(f"broken link: {link} (no id #{fragment} on that page)")
    return problems
