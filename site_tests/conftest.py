"""Shared set-up of the site tests: the built site on 127.0.0.1, Debian's Chromium, no network.

Run them with ``nox -s site`` after ``nox -s docs``. pytest-playwright supplies the browser and
its ``page``/``context`` fixtures; this file points it at Debian's ``chromium`` (never a browser
download), serves ``docs/_build/html`` on a free local port for the session, blocks every request
to another host, and records each browser problem (console error, uncaught exception, blocked,
failed or HTTP >= 400 request) as a test failure.

The English site is the root of ``docs/_build/html``; every translation built into a folder of it
(``docs/_build/html/zh_CN/``, found by its own ``searchindex.js``) is one more entry of ``SITES``,
so every page test runs over its pages too, with ids such as ``en/index.html`` and
``zh_CN/index.html``.

Speed. Opening a page is most of what a page test costs, so the tests that take ``built_page``
share one browser tab (``shared_page``, one per session or per pytest-xdist worker): the site's
stylesheets, fonts and MathJax stay in the tab's cache, and the tests of one page run one after
the other (``pytest_collection_modifyitems`` sorts them by page) and find it already open. Each
page's tests form one ``xdist_group``, so ``pytest -n 2 --dist loadgroup`` (what ``nox -s site``
runs) sends them to the same worker.

Fixtures: ``site_url`` (the served site), ``site_browser`` (a test's own problem log, watching
every context made by ``new_context``, hence ``context`` and ``page``), ``shared_page`` (the
shared tab: ``show(built_page, phone=...)`` and ``assert_clean(built_page, ...)``), ``built_page``
and ``built_site`` (parametrized over every page and every language), ``page_source`` and
``screenshot_dir``.
"""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import threading
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from playwright.sync_api import (
        Browser,
        BrowserContext,
        ConsoleMessage,
        Page,
        Request,
        Response,
        Route,
        ViewportSize,
        WebError,
    )
    from pytest_playwright.pytest_playwright import CreateContextCallback

__all__ = [
    "DESKTOP",
    "HTML",
    "PAGES",
    "PHONE",
    "SCREENSHOTS",
    "SITES",
    "PageSource",
    "SharedPage",
    "Site",
    "SiteBrowser",
    "SitePage",
    "read_page_source",
    "server_path",
]

HTML = Path(__file__).resolve().parent.parent / "docs" / "_build" / "html"
SCREENSHOTS = HTML.parent / "screenshots"

# Debian's Chromium, headless, with everything that would phone home switched off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DESKTOP: ViewportSize = {"width": 1280, "height": 720}  # pytest-playwright's default window
PHONE: ViewportSize = {"width": 375, "height": 812}


# -- What was built -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Site:
    """One language's build: English at the root of ``HTML``, a translation in a folder of it."""

    lang: str
    root: Path

    @property
    def prefix(self) -> str:
        """The site's path on the server: ``""`` for English, ``"zh_CN/"`` for a translation."""
        folder = self.root.relative_to(HTML).as_posix()
        return "" if folder == "." else folder + "/"


@dataclass(frozen=True)
class SitePage:
    """One page of one site: ``rel`` is its path inside the site, ``path`` on the server."""

    site: Site
    rel: str

    @property
    def id(self) -> str:
        return f"{self.site.lang}/{self.rel}"

    @property
    def path(self) -> str:
        return self.site.prefix + self.rel

    @property
    def file(self) -> Path:
        return self.site.root / self.rel


@dataclass(frozen=True)
class PageSource:
    """What a built page's HTML holds before any script runs."""

    ids: frozenset[str]  # every id (and <a name>): the targets of #fragments
    hrefs: tuple[str, ...]  # every <a href> and <link href>, as written
    article_text: str  # the text of the <article> (the page body, without the navigation)
    lang: str  # the lang attribute of <html>


class _SourceParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []
        self.lang = ""
        self._in_article = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang") or ""
        self.ids.update(v for k, v in attributes.items() if v and k == "id")
        if tag == "a" and attributes.get("name"):
            self.ids.add(str(attributes["name"]))
        if tag in {"a", "link"} and attributes.get("href"):
            self.hrefs.append(str(attributes["href"]))
        self._in_article += tag == "article"

    def handle_endtag(self, tag: str) -> None:
        self._in_article -= tag == "article"

    def handle_data(self, data: str) -> None:
        if self._in_article:
            self.text.append(data)


@functools.cache
def read_page_source(file: Path) -> PageSource:
    """Parse a built HTML file (once per session)."""
    parser = _SourceParser()
    parser.feed(file.read_text(encoding="utf-8"))
    return PageSource(
        frozenset(parser.ids), tuple(parser.hrefs), " ".join(parser.text), parser.lang
    )


def server_path(url: str) -> str:
    """The path of a local URL relative to the server's root (``index.html`` for a folder)."""
    path = unquote(urlsplit(url).path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def _discover_sites(html: Path = HTML) -> list[Site]:
    if not (html / "index.html").is_file():
        return []
    translations = sorted(d for d in html.iterdir() if (d / "searchindex.js").is_file())
    return [Site("en", html), *(Site(d.name, d) for d in translations)]


def _discover_pages(sites: list[Site]) -> list[SitePage]:
    """Every HTML file of each site, and every page its links reach (so a missing one fails)."""

    def owner(path: str) -> Site:  # the site with the longest prefix of a server path
        return max((s for s in sites if path.startswith(s.prefix)), key=lambda s: len(s.prefix))

    paths: set[str] = set()
    for site in sites:
        for file in site.root.rglob("*.html"):
            path = file.relative_to(HTML).as_posix()
            if owner(path) == site:
                paths.add(path)
    for path in sorted(paths):
        for href in read_page_source(HTML / path).hrefs:
            url = urljoin("http://site/" + path, href)
            if urlsplit(url).netloc == "site" and server_path(url).endswith(".html"):
                paths.add(server_path(url))
    pages = []
    for path in sorted(paths):
        site = owner(path)
        pages.append(SitePage(site, path.removeprefix(site.prefix)))
    return pages


SITES = _discover_sites()
PAGES = _discover_pages(SITES)


def pytest_configure(config: pytest.Config) -> None:
    # pytest-xdist declares this marker too; without xdist (a plain `pytest site_tests`) it
    # must still be known, since the suite runs with --strict-markers.
    config.addinivalue_line("markers", "xdist_group(name): run on the same xdist worker")
    if not SITES:
        msg = f"no built site in {HTML}: run `nox -s docs` first"
        raise pytest.UsageError(msg)
    if shutil.which("chromium") is None:
        msg = (
            "Debian's Chromium is not on PATH: install it with `apt-get install -y chromium` "
            "(never `playwright install`, which downloads a browser build)"
        )
        raise pytest.UsageError(msg)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``built_page``: one test per page of every site; ``built_site``: one per language.

    The tests of one page share an xdist group, so that they run on one worker, in one tab.
    """
    if "built_page" in metafunc.fixturenames:
        params = [pytest.param(p, id=p.id, marks=pytest.mark.xdist_group(p.id)) for p in PAGES]
        metafunc.parametrize("built_page", params)
    if "built_site" in metafunc.fixturenames:
        metafunc.parametrize("built_site", SITES, ids=[s.lang for s in SITES])


# Modules whose page tests leave the shared tab at phone width: they run last on each page.
_PHONE_LAST = ("test_pages",)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Bring the tests of each page together, so that the shared tab opens each page once.

    Tests without a ``built_page`` keep their order, ahead of the page tests.
    """

    def key(item: pytest.Item) -> tuple[str, bool]:
        callspec = getattr(item, "callspec", None)
        built = callspec.params.get("built_page") if callspec else None
        if not isinstance(built, SitePage):
            return ("", False)
        return (built.id, item.path.stem in _PHONE_LAST)

    items.sort(key=key)


# -- The server -----------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without a log line per request (the tests report what failed)."""

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """The root of the served ``docs/_build/html`` (pytest-playwright's base URL for ``goto``)."""
    handler = functools.partial(_QuietHandler, directory=str(HTML))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_url(base_url: str) -> str:
    """The base URL of the served English site, with a trailing slash."""
    return base_url


# -- The browser ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch Debian's ``chromium`` headless: pytest-playwright never downloads a browser here."""
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "service_workers": "block"}


@dataclass
class SiteBrowser:
    """Opens pages of the served site and records what went wrong in the browser, page by page.

    Requests to any host but the local server are aborted and reported; so are failed requests,
    HTTP errors, console errors and uncaught exceptions.
    """

    base_url: str
    problems: list[str] = field(default_factory=list)
    current: str = ""  # the page being opened, to say where a problem happened
    reported: int = 0  # problems already shown by a test's assert_clean()
    _failed: set[str] = field(default_factory=set)

    def _add(self, problem: str) -> None:
        problem = f"{self.current}: {problem}"
        if problem not in self.problems:
            self.problems.append(problem)

    def watch(self, context: BrowserContext) -> None:
        remote = re.compile(rf"^(?!{re.escape(self.base_url)})https?://")
        context.route(remote, self._block)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)
        context.on("console", self._on_console)
        context.on("weberror", self._on_web_error)

    def _block(self, route: Route) -> None:
        self._failed.add(route.request.url)
        self._add(f"request to the network (blocked): {route.request.url}")
        route.abort("blockedbyclient")

    def _on_request_failed(self, request: Request) -> None:
        # Chromium cancels a request still loading when the page navigates away (the favicon,
        # say): net::ERR_ABORTED. A missing or unreachable file fails otherwise (HTTP 404,
        # net::ERR_CONNECTION_REFUSED, ...), and a blocked request is reported in _block.
        if request.failure == "net::ERR_ABORTED":
            return
        if request.url not in self._failed:
            self._failed.add(request.url)
            self._add(f"failed request: {request.url} ({request.failure or 'failed'})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self._failed.add(response.url)
            self._add(f"failed request: {response.url} (HTTP {response.status})")

    def _on_web_error(self, error: WebError) -> None:
        self._add(f"uncaught {error.error.name}: {error.error.message}")

    def _on_console(self, message: ConsoleMessage) -> None:
        # A "Failed to load resource" error repeats a request problem reported above.
        if message.type == "error" and message.location.get("url", "") not in self._failed:
            self._add(f"console error: {message.text}")

    def open(self, page: Page, path: str) -> None:
        """Go to a page of the server; wait for its images, MathJax's first pass and fonts."""
        self.current = path
        page.goto(self.base_url + path, wait_until="load")
        page.evaluate(_SETTLE_JS)

    def local_file(self, url: str) -> Path | None:
        """The built file a URL of the local server points to; ``None`` for another host."""
        if not url.startswith(self.base_url):
            return None
        return HTML / server_path(url)

    def overflow(self, page: Page) -> list[str]:
        """Elements whose text reaches past the window's right edge, described for a report."""
        culprits: list[str] = page.evaluate(_OVERFLOW_JS, _MAY_SCROLL)
        return culprits

    def problems_on(self, path: str) -> list[str]:
        """The problems recorded while ``path`` was open (in a log that several tests share)."""
        return [p for p in self.problems if p.startswith(f"{path}: ")]

    def assert_clean_on(self, path: str, *more: str) -> None:
        """Fail with the problems of ``path`` and ``more`` that the test found on it itself."""
        problems = [*self.problems_on(path), *(f"{path}: {m}" for m in more)]
        assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)

    def take(self) -> list[str]:
        """The problems not yet reported, now marked as reported (for a test that expects them)."""
        new, self.reported = self.problems[self.reported :], len(self.problems)
        return new

    def assert_clean(self, *more: str) -> None:
        """Fail with every problem recorded so far, and ``more`` that the test found itself."""
        self.reported = len(self.problems)
        problems = [*self.problems, *(f"{self.current}: {m}" for m in more)]
        assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


_SETTLE_JS = """
async () => {
  // Load every image now (the theme or the gallery may mark them lazy), then wait for
  // MathJax's first typesetting pass and for the fonts it pulls in.
  const imgs = Array.from(document.images);
  for (const img of imgs) img.loading = "eager";
  const loaded = Promise.all(imgs.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
  })));
  const timeout = new Promise((done) => setTimeout(done, 15000));
  await Promise.race([loaded, timeout]);
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    await window.MathJax.startup.promise;
  }
  await document.fonts.ready;
}
"""

# Boxes that may scroll sideways inside themselves on a phone; the text around them may not.
_MAY_SCROLL = (
    "pre, .highlight, .table-wrapper, table, .math-wrapper, .math, mjx-container, figure, "
    ".sphx-glr-script-out"
)

_OVERFLOW_JS = r"""
(allowed) => {
  // No text may reach past the window's right edge, whether the page itself or the theme's
  // main column (furo's .content scrolls sideways rather than the page) would then scroll.
  // Only code blocks, tables, math and figures may scroll, inside their own box; off-canvas
  // drawers (position: fixed) and text for screen readers only (clipped) are hidden by design.
  const width = window.innerWidth;
  const exempt = (e) => {
    for (let p = e; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.position === "fixed" || style.clip !== "auto") return true;
      if (p !== e && ["auto", "scroll"].includes(style.overflowX) && p.matches(allowed)) {
        return true;
      }
    }
    return false;
  };
  const culprits = [];
  const page = document.scrollingElement.scrollWidth;
  if (page > width) culprits.push(`the page is ${page} px wide in a ${width} px window`);
  let last = null;
  for (const e of document.querySelectorAll("body *")) {
    if (last && last.contains(e)) continue;
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || exempt(e)) continue;
    last = e;
    const cls = typeof e.className === "string" ? e.className.trim().split(/\s+/).join(".") : "";
    const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (cls ? "." + cls : "");
    culprits.push(`${name} reaches ${Math.round(box.right)} px`);
  }
  return culprits;
}
"""


@pytest.fixture
def site_browser(base_url: str) -> Iterator[SiteBrowser]:
    """The test's :class:`SiteBrowser`; a problem no assertion showed fails the test's teardown."""
    log = SiteBrowser(base_url)
    yield log
    unreported = log.problems[log.reported :]
    if unreported:
        pytest.fail("problems in the browser:\n" + "\n".join(unreported))


@pytest.fixture
def new_context(
    new_context: CreateContextCallback, site_browser: SiteBrowser
) -> Callable[..., BrowserContext]:
    """pytest-playwright's context factory (also behind ``context`` and ``page``), watched."""

    def watched_context(**kwargs: Any) -> BrowserContext:
        context = new_context(**kwargs)
        site_browser.watch(context)
        return context

    return watched_context


class SharedPage:
    """One browser tab that several tests share: it opens a page only when not already there.

    :meth:`show` shows a built page in the light theme at desktop width or, with ``phone=True``,
    reloaded at 375 px (as a phone opens it: the page's scripts see that width); :meth:`open`
    opens a path as the context's window is. Its own :class:`SiteBrowser` records each browser
    problem under the page where it happened, and :meth:`assert_clean` fails a test with its
    page's problems, whichever test found them.
    """

    def __init__(self, context: BrowserContext, log: SiteBrowser) -> None:
        self.page = context.new_page()
        self.log = log
        self._showing: tuple[str, bool | None] | None = None

    def open(self, path: str) -> Page:
        """The tab, showing ``path`` of the server (loaded, images and math settled)."""
        return self._go(path, None)

    def show(self, built: SitePage | str, *, phone: bool = False) -> Page:
        """The tab, showing ``built`` (or a path of the server) at desktop or phone width."""
        return self._go(built if isinstance(built, str) else built.path, phone)

    def _go(self, path: str, phone: bool | None) -> Page:
        if self._showing != (path, phone):
            self._showing = None  # until the page has loaded
            if phone is not None:
                self.page.set_viewport_size(PHONE if phone else DESKTOP)
            self.log.open(self.page, path)
            self._showing = (path, phone)
        return self.page

    def assert_clean(self, built: SitePage | str, *more: str) -> None:
        """Fail with the page's browser problems and ``more`` that the test found itself."""
        self.log.assert_clean_on(built if isinstance(built, str) else built.path, *more)


@pytest.fixture(scope="session")
def new_shared_page(
    browser: Browser, browser_context_args: dict[str, Any], base_url: str
) -> Iterator[Callable[..., SharedPage]]:
    """Make a :class:`SharedPage` in a new context (options as ``browser.new_context``'s)."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> SharedPage:
        context = browser.new_context(**{**browser_context_args, **options})
        contexts.append(context)
        log = SiteBrowser(base_url)
        log.watch(context)
        return SharedPage(context, log)

    yield make
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def shared_page(new_shared_page: Callable[..., SharedPage]) -> SharedPage:
    """The tab that every ``built_page`` test of this session (or xdist worker) uses."""
    return new_shared_page(color_scheme="light")


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    """``docs/_build/screenshots/``, where the screenshots go (one folder per language)."""
    return SCREENSHOTS


@pytest.fixture(scope="session")
def page_source() -> Callable[[Path], PageSource]:
    """Read a built page's HTML as written (ids, links, article text), once per session."""
    return read_page_source
