"""Practice blocks in the built site: answers hidden until asked for, and the map to the book.

In every language, on every page that asks questions (the exercises, the FAQ self-checks, the
tutorials' *Try it* sections): each answer is closed on load and its content invisible; a click
opens it, and so do Enter and Space on its title once it has the keyboard focus; an answer of a
gallery page shows the output its code printed; axe finds no serious or critical violation with
every answer open; and printed, every answer is shown without being opened. The title reads
"Answer" in the page's language (docs/_ext/practice_blocks.py). A screenshot of the first
exercise, closed and open, lands in ``docs/_build/screenshots/<language>/answer-*.png``.

Every tutorial, exercise, FAQ and explanation page shows the map to the book: both editions'
sections and discussion threads, the edition of the page's language first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from axe_playwright_python.sync_playwright import Axe

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from conftest import SiteBrowser

__all__ = [
    "test_answer_screenshots",
    "test_answers_are_hidden_until_asked_for",
    "test_answers_print_open",
    "test_book_map",
    "test_every_page_that_should_ask_does",
]

HTML = Path(__file__).resolve().parent.parent / "docs" / "_build" / "html"
SCREENSHOTS = HTML.parent / "screenshots"  # beside the other screenshots, one folder per language
ANSWER = "details.answer"
TITLES = {"en": "Answer", "zh_CN": "答案"}
# The map's links, from the books' sources (see docs/_ext/practice_blocks.py).
BOOKS = {
    "en": (
        "https://d2l.ai/chapter_linear-regression/weight-decay.html",
        "https://discuss.d2l.ai/t/99",
    ),
    "zh_CN": (
        "https://zh.d2l.ai/chapter_multilayer-perceptrons/weight-decay.html",
        "https://discuss.d2l.ai/t/1808",
    ),
}
MAPPED = re.compile(r"(auto_examples/plot_|auto_exercises/plot_|faq/|explanation/).*\.html")
BLOCKING = ("serious", "critical")
AXE = Axe()


@dataclass(frozen=True)
class Built:
    """A built page: its language, its path inside its site, and the site's folder."""

    lang: str
    rel: str
    root: Path

    @property
    def id(self) -> str:
        return f"{self.lang}/{self.rel}"

    @property
    def path(self) -> str:
        """The page's path on the test server, which serves ``HTML``."""
        return (self.root / self.rel).relative_to(HTML).as_posix()

    @property
    def html(self) -> str:
        return (self.root / self.rel).read_text(encoding="utf-8")


def _built_pages() -> list[Built]:
    """Every page of every language built (English at the root, a translation in a folder)."""
    if not (HTML / "index.html").is_file():
        return []
    roots = {"en": HTML} | {d.name: d for d in HTML.iterdir() if (d / "searchindex.js").is_file()}
    others = set(roots.values()) - {HTML}
    return [
        Built(lang, file.relative_to(root).as_posix(), root)
        for lang, root in sorted(roots.items())
        for file in sorted(root.rglob("*.html"))
        if root != HTML or not others & set(file.parents)
    ]


BUILT = _built_pages()
ANSWERED = [p for p in BUILT if re.search(r'<details class="[^"]*\banswer\b', p.html)]
MAPPED_PAGES = [p for p in BUILT if MAPPED.fullmatch(p.rel)]


def test_every_page_that_should_ask_does() -> None:
    """The exercises page and every FAQ page ask questions, in every language built."""
    assert BUILT, f"no built site in {HTML}: run `nox -s docs` first"
    found = {p.id for p in ANSWERED}
    expected = {
        p.id
        for p in BUILT
        if p.rel.startswith(("auto_exercises/plot_", "faq/")) and p.rel != "faq/index.html"
    }
    missing = sorted(expected - found)
    assert not missing, f"pages without answers: {missing}"


def _content(answer: Locator) -> Locator:
    return answer.locator(":scope > .sd-summary-content")


@pytest.mark.parametrize("answered", ANSWERED, ids=lambda p: p.id)
def test_answers_are_hidden_until_asked_for(
    page: Page, site_browser: SiteBrowser, answered: Built
) -> None:
    site_browser.open(page, answered.path)
    answers = page.locator(ANSWER)
    count = answers.count()
    assert count > 0
    gallery = answered.rel.startswith(("auto_examples/", "auto_exercises/"))
    problems = []
    for i in range(count):
        answer, where = answers.nth(i), f"answer {i + 1} of {count}"
        title = answer.locator(":scope > summary")
        if answer.get_attribute("open") is not None or _content(answer).is_visible():
            problems.append(f"{where} is visible on load")
        if title.inner_text().strip() != TITLES[answered.lang]:
            problems.append(f"{where} is titled {title.inner_text()!r}")
        title.click()
        if not _content(answer).is_visible():
            problems.append(f"{where}: a click does not show it")
        elif gallery and not _has_output(answer):
            problems.append(f"{where}: no output of its code is shown")
        title.click()
        if _content(answer).is_visible():
            problems.append(f"{where}: a second click does not hide it")
        title.focus()
        focused = page.evaluate("() => document.activeElement.tagName")
        if focused != "SUMMARY":
            problems.append(f"{where}: its title takes no keyboard focus ({focused})")
        page.keyboard.press("Enter")
        if not _content(answer).is_visible():
            problems.append(f"{where}: Enter does not show it")
        page.keyboard.press("Space")
        if _content(answer).is_visible():
            problems.append(f"{where}: Space does not hide it")
        page.keyboard.press("Space")
        if not _content(answer).is_visible():
            problems.append(f"{where}: Space does not show it")
    # Every answer is open now: the rules of axe, with their contents on the page.
    problems += _axe(page, "answers open", rules={"color-contrast": {"enabled": False}})
    problems += _axe(page, "answers open", include=ANSWER, runOnly=["color-contrast"])
    site_browser.assert_clean(*problems)


def _has_output(answer: Locator) -> bool:
    """The answer shows what its code printed (sphinx-gallery's output block), with some text."""
    outputs = answer.locator(".sphx-glr-script-out pre")
    return outputs.count() > 0 and all(
        o.is_visible() and o.inner_text().strip() for o in outputs.all()
    )


EXERCISES = [p for p in ANSWERED if p.rel == "auto_exercises/plot_00_book_exercises.html"]


@pytest.mark.parametrize("exercises", EXERCISES, ids=lambda p: p.lang)
def test_answer_screenshots(page: Page, site_browser: SiteBrowser, exercises: Built) -> None:
    """The first exercise, closed and open, for a person to look at (``answer-*.png``)."""
    page.set_viewport_size({"width": 1100, "height": 900})
    site_browser.open(page, exercises.path)
    answer = page.locator(ANSWER).first
    section = answer.locator("xpath=ancestor::section[1]")
    folder = SCREENSHOTS / exercises.lang
    section.screenshot(path=folder / "answer-closed.png")
    answer.locator(":scope > summary").click()
    section.screenshot(path=folder / "answer-open.png")
    site_browser.assert_clean()


@pytest.mark.parametrize("answered", ANSWERED, ids=lambda p: p.id)
def test_answers_print_open(page: Page, site_browser: SiteBrowser, answered: Built) -> None:
    site_browser.open(page, answered.path)
    page.emulate_media(media="print")
    answers = page.locator(ANSWER)
    hidden = [
        f"answer {i + 1} is not printed"
        for i in range(answers.count())
        if not _content(answers.nth(i)).is_visible()
    ]
    site_browser.assert_clean(*hidden)


@pytest.mark.parametrize("mapped", MAPPED_PAGES, ids=lambda p: p.id)
def test_book_map(mapped: Built) -> None:
    """The built page holds the map once, with both editions, its own language's first."""
    boxes = re.findall(r'<div class="book-map">(.*?)</div>', mapped.html, flags=re.DOTALL)
    assert len(boxes) == 1, f"{mapped.id}: {len(boxes)} maps to the book"
    hrefs = re.findall(r'<a href="([^"]+)"', boxes[0])
    own = BOOKS.get(mapped.lang, BOOKS["en"])
    other = next(book for book in BOOKS.values() if book != own)
    assert hrefs == [*own, *other], f"{mapped.id}: {hrefs}"


def _axe(page: Page, where: str, include: str = "", **options: Any) -> list[str]:
    """Run axe (the copy bundled with axe-playwright-python: no network); serious or critical."""
    context = {"include": [[include]]} if include else None
    response = AXE.run(page, context=context, options={**options, "resultTypes": ["violations"]})
    return [
        f"{where}: {v['id']} ({v['impact']}): {v['help']}; "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:3])
        for v in response.response["violations"]
        if v["impact"] in BLOCKING
    ]
