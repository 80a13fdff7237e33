#!/usr/bin/env python3
"""Check the built documentation site in a real browser, with no network.

``nox -s site`` runs this after ``nox -s docs``; it can also run on its own::

    python tools/check_site.py --site docs/_build/html

It serves the built HTML on 127.0.0.1 (a free port) and drives headless Chromium (Debian's
``chromium``, through Playwright's Python package; never a browser download) over every page of
the site: the pages reached by following links from ``index.html`` and every ``.html`` file on
disk. It fails on

- any console error or uncaught exception in a page;
- any request that failed (HTTP status >= 400, or a network error) and any request to a host
  other than the local server: those are blocked, so the site must work offline;
- any ``<img>`` that did not load (``naturalWidth`` 0);
- math left unrendered: every Sphinx math element must hold MathJax output (``mjx-container``),
  MathJax must report no error, and no TeX may be left in the text (``\\(``, ``\\[``, ``$$``
  or a control word such as ``\\frac`` outside code);
- a tutorial page (``auto_examples/plot_*.html``) without its figures;
- an internal link that leads nowhere: a missing file, or a ``#fragment`` with no such id on
  the target page;
- a search for "weight decay" that does not list every tutorial whose text says "weight decay";
- a landing page, tutorial or FAQ page whose body text scrolls sideways at 375 px.

It also takes full-page screenshots of the landing page and of one tutorial at desktop
(1280 px) and phone (375 px) widths. It prints a summary and exits 1 with the list of failures.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import shutil
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

if TYPE_CHECKING:
    from collections.abc import Iterator

    from playwright.sync_api import (
        BrowserContext,
        ConsoleMessage,
        Page,
        Playwright,
        Request,
        Response,
        Route,
        ViewportSize,
    )

__all__ = ["CHROMIUM_ARGS", "SiteChecker", "main"]

ROOT = Path(__file__).resolve().parent.parent

# Debian's Chromium, headless, with everything that would phone home switched off.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
)
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 812}
TIMEOUT_MS = 30_000
SEARCH_QUERY = "weight decay"

# Text nodes inside these are code or rendered math, where \( or $$ may legitimately appear.
_SKIP_TEXT = "pre, code, kbd, samp, script, style, textarea, mjx-container, .highlight"
# Boxes that may scroll sideways inside themselves on a phone; the text around them may not.
_MAY_SCROLL = (
    "pre, .highlight, .table-wrapper, table, .math-wrapper, .math, mjx-container, figure, "
    ".sphx-glr-script-out"
)

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
  const article = document.querySelector("article") || document.body;
  return {
    ids: Array.from(document.querySelectorAll("[id]"), (e) => e.id)
      .concat(Array.from(document.querySelectorAll("a[name]"), (e) => e.getAttribute("name"))),
    links: Array.from(document.querySelectorAll("a[href], link[href]"), (e) => e.href),
    images: Array.from(document.images, (img) => ({
      src: img.currentSrc || img.src,
      width: img.naturalWidth,
      cls: img.className,
    })),
    math: mathElements.length,
    mathUnrendered: mathElements.filter((e) => !e.querySelector("mjx-container"))
      .map((e) => e.textContent.replace(/\s+/g, " ").trim().slice(0, 80)),
    mathErrors: Array.from(document.querySelectorAll("mjx-merror"),
      (e) => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 100)),
    mjx: document.querySelectorAll("mjx-container").length,
    rawMath: raw,
    saysWeightDecay: /weight[\s-]+decay/i.test(article.innerText),
  };
}
"""

_OVERFLOW_JS = r"""
(allowed) => {
  // No text may reach past the window's right edge, whether the page itself or the theme's
  // main column (furo's .content scrolls sideways rather than the page) would then scroll.
  // Only code blocks, tables, math and figures may scroll, inside their own box; off-canvas
  // drawers (position: fixed) are hidden by design.
  const width = window.innerWidth;
  const exempt = (e) => {
    for (let p = e; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.position === "fixed") return true;
      if (p !== e && ["auto", "scroll"].includes(style.overflowX) && p.matches(allowed)) {
        return true;
      }
    }
    return false;
  };
  const culprits = [];
  let last = null;
  for (const e of document.querySelectorAll("body *")) {
    if (last && last.contains(e)) continue;
    const box = e.getBoundingClientRect();
    if (box.width === 0 || box.right <= width + 1 || exempt(e)) continue;
    last = e;
    const cls = typeof e.className === "string" ? e.className.trim().split(/\s+/).join(".") : "";
    const name = e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + (cls ? "." + cls : "");
    culprits.push(name + " (right edge at " + Math.round(box.right) + " px)");
  }
  return { width, page: document.scrollingElement.scrollWidth, culprits };
}
"""


@dataclass
class PageInfo:
    """What one page holds, as the browser sees it after loading."""

    ids: set[str]
    links: list[str]
    says_weight_decay: bool


@dataclass
class SiteChecker:
    """Crawl a served site in Chromium and collect every failure."""

    site: Path
    base: str
    chromium: str
    screenshots: Path
    failures: dict[str, list[str]] = field(default_factory=dict)
    pages: dict[str, PageInfo] = field(default_factory=dict)
    requests: int = 0
    images: int = 0
    math_pages: int = 0
    external_links: set[str] = field(default_factory=set)
    shots: list[Path] = field(default_factory=list)
    _current: str = ""
    _blocked: set[str] = field(default_factory=set)
    _failed: set[str] = field(default_factory=set)

    # -- bookkeeping ------------------------------------------------------------------------
    def fail(self, kind: str, message: str) -> None:
        messages = self.failures.setdefault(kind, [])
        if message not in messages:  # a page visited twice (screenshots) reports once
            messages.append(message)

    def rel(self, url: str) -> str:
        """The site-relative path of a local URL (``index.html`` for a directory)."""
        path = unquote(urlsplit(url).path).lstrip("/")
        if path == "" or path.endswith("/"):
            path += "index.html"
        return path

    def is_local(self, url: str) -> bool:
        return urlsplit(url).netloc == urlsplit(self.base).netloc

    # -- browser events ---------------------------------------------------------------------
    def _on_route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"} and not self.is_local(url):
            self._blocked.add(url)
            self.fail("request to the network (blocked)", f"{self._current}: {url}")
            route.abort("blockedbyclient")
        else:
            route.continue_()

    def _on_request(self, request: Request) -> None:
        del request
        self.requests += 1

    def _on_request_failed(self, request: Request) -> None:
        if request.url not in self._blocked:
            self._failed.add(request.url)
            reason = request.failure or "failed"
            self.fail("failed request", f"{self._current}: {request.url} ({reason})")

    def _on_response(self, response: Response) -> None:
        if response.status >= 400:
            self._failed.add(response.url)
            self.fail("failed request", f"{self._current}: {response.url} (HTTP {response.status})")

    def _on_console(self, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        source = message.location.get("url", "")
        if source in self._blocked or source in self._failed:
            return  # "Failed to load resource": already reported as a request
        self.fail("console error", f"{self._current}: {message.text}")

    def _on_page_error(self, error: PlaywrightError) -> None:
        self.fail("console error", f"{self._current}: uncaught {error.name}: {error.message}")

    def _context(self, pw: Playwright, profile: str, *, phone: bool) -> BrowserContext:
        context = pw.chromium.launch_persistent_context(
            profile,  # a new, empty user-data-dir
            executable_path=self.chromium,
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport=PHONE if phone else DESKTOP,
            is_mobile=phone,
            has_touch=phone,
            device_scale_factor=2 if phone else 1,
            service_workers="block",
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.route("**/*", self._on_route)
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_request_failed)
        context.on("response", self._on_response)
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self._on_page_error(error.error))
        return context

    def _open(self, page: Page, rel: str) -> None:
        self._current = rel
        page.goto(self.base + rel, wait_until="load")
        page.evaluate(_SETTLE_JS)
        page.wait_for_load_state("networkidle")

    # -- one page ---------------------------------------------------------------------------
    def check_page(self, page: Page, rel: str) -> PageInfo:
        self._open(page, rel)
        data: dict[str, Any] = page.evaluate(_COLLECT_JS, _SKIP_TEXT)
        images: list[dict[str, Any]] = data["images"]
        self.images += len(images)
        for image in images:
            if int(image["width"]) == 0:
                self.fail("image not loaded", f"{rel}: {image['src']}")
        if int(data["math"]) or int(data["mjx"]):
            self.math_pages += 1
        for key, what in (
            ("mathUnrendered", "math elements without MathJax output"),
            ("mathErrors", "MathJax errors"),
            ("rawMath", "text nodes with raw TeX"),
        ):
            texts: list[str] = data[key]
            if texts:
                shown = "; ".join(repr(t) for t in texts[:3])
                self.fail("math not rendered", f"{rel}: {len(texts)} {what}, e.g. {shown}")
        if re.fullmatch(r"auto_examples/plot_[^/]*\.html", rel):
            figures = [i for i in images if "sphx-glr" in str(i["cls"])]
            if not figures:
                self.fail("tutorial without figures", f"{rel}: no sphinx-gallery figure")
            elif any(int(i["width"]) == 0 for i in figures):
                self.fail("tutorial without figures", f"{rel}: a figure did not load")
        return PageInfo(
            ids={str(i) for i in data["ids"]},
            links=[str(link) for link in data["links"]],
            says_weight_decay=bool(data["saysWeightDecay"]),
        )

    # -- the whole site ---------------------------------------------------------------------
    def crawl(self, page: Page) -> list[str]:
        """Visit index.html, every page it leads to, then every other .html file on disk."""
        on_disk = sorted(p.relative_to(self.site).as_posix() for p in self.site.rglob("*.html"))
        queue = ["index.html"]
        seen = set(queue)
        disk_only: list[str] = []
        for phase in ("links", "disk"):
            if phase == "disk":
                queue = [rel for rel in on_disk if rel not in seen]
                seen.update(queue)
            while queue:
                rel = queue.pop(0)
                if not (self.site / rel).is_file():
                    continue  # reported by the link check
                try:
                    info = self.check_page(page, rel)
                except PlaywrightError as error:  # a page that never finished loading
                    self.fail("page did not load", f"{rel}: {error.message.splitlines()[0]}")
                    continue
                self.pages[rel] = info
                if phase == "disk":
                    disk_only.append(rel)
                for link in info.links:
                    if not self.is_local(link):
                        continue
                    target = self.rel(link)
                    if target.endswith(".html") and target not in seen:
                        seen.add(target)
                        queue.append(target)
        return disk_only

    def check_links(self) -> int:
        """Every local link must reach a file, and every #fragment an id on the target page."""
        checked = 0
        for rel, info in self.pages.items():
            for link in info.links:
                parts = urlsplit(link)
                if parts.scheme not in {"http", "https"}:
                    continue  # mailto:, javascript:, data:
                if not self.is_local(link):
                    self.external_links.add(link)
                    continue
                checked += 1
                target = self.rel(link)
                if not (self.site / target).is_file():
                    self.fail("broken internal link", f"{rel}: {link} (no file {target})")
                    continue
                fragment = unquote(parts.fragment)
                if not fragment or not target.endswith(".html"):
                    continue
                target_info = self.pages.get(target)
                if target_info is not None and fragment not in target_info.ids:
                    self.fail("broken internal link", f"{rel}: {link} (no id #{fragment})")
        return checked

    def check_search(self, page: Page) -> tuple[list[str], list[str]]:
        """Search for "weight decay": every tutorial that says it must be among the results."""
        self._open(page, "search.html?q=" + SEARCH_QUERY.replace(" ", "+"))
        page.wait_for_function(
            """() => {
              const s = document.querySelector("#search-results .search-summary");
              return s && /finished|did not match/i.test(s.textContent);
            }"""
        )
        hrefs: list[str] = page.eval_on_selector_all(
            "#search-results ul.search li a", "(links) => links.map((a) => a.href)"
        )
        found = sorted({self.rel(h) for h in hrefs})
        tutorials = sorted(
            rel
            for rel, info in self.pages.items()
            if re.fullmatch(r"auto_examples/plot_[^/]*\.html", rel) and info.says_weight_decay
        )
        if not tutorials:
            self.fail("search", "no tutorial page says 'weight decay'")
        missing = [t for t in tutorials if t not in found]
        if missing:
            self.fail("search", f"{SEARCH_QUERY!r} does not list the tutorials {missing}")
        return found, tutorials

    def screenshot(self, page: Page, rel: str, name: str) -> None:
        self._open(page, rel)
        path = self.screenshots / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    def check_phone(self, page: Page, rel: str, shot: str) -> str:
        """At 375 px, the body text must fit the window; take a full-page screenshot."""
        self.screenshot(page, rel, shot)
        box: dict[str, Any] = page.evaluate(_OVERFLOW_JS, _MAY_SCROLL)
        width, scroll = int(box["width"]), int(box["page"])
        culprits = [str(c) for c in box["culprits"]]
        if scroll > width or culprits:
            self.fail(
                "not readable at 375 px",
                f"{rel}: the page is {scroll} px wide in a {width} px window; "
                f"{len(culprits)} elements reach past its edge: "
                + ("; ".join(culprits[:5]) or "none visible"),
            )
        return f"{rel}: {scroll} px in {width} px"

    def run(self) -> int:
        self.screenshots.mkdir(parents=True, exist_ok=True)
        tutorials = sorted(p.name for p in (self.site / "auto_examples").glob("plot_*.html"))
        tutorial = next((t for t in tutorials if "weight_decay_scratch" in t), None)
        tutorial = f"auto_examples/{tutorial or (tutorials[0] if tutorials else 'index.html')}"
        faqs = sorted(p.name for p in (self.site / "faq").glob("*.html") if p.name != "index.html")
        faq = f"faq/{faqs[0] if faqs else 'index.html'}"
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            desktop = self._context(pw, str(Path(tmp) / "desktop"), phone=False)
            page = desktop.new_page()
            disk_only = self.crawl(page)
            links = self.check_links()
            # Screenshots before the search: a search stores its terms for highlighting.
            self.screenshot(page, "index.html", "index-desktop")
            self.screenshot(page, tutorial, "tutorial-desktop")
            results, tutorials_saying = self.check_search(page)
            desktop.close()
            phone = self._context(pw, str(Path(tmp) / "phone"), phone=True)
            page = phone.new_page()
            widths = [
                self.check_phone(page, "index.html", "index-phone"),
                self.check_phone(page, tutorial, "tutorial-phone"),
                self.check_phone(page, faq, "faq-phone"),
            ]
            phone.close()

        print(f"site: {self.site}  served at {self.base}")
        print(
            f"pages checked: {len(self.pages)} ({len(self.pages) - len(disk_only)} reached by "
            f"links from index.html, {len(disk_only)} more found on disk"
            + (f": {', '.join(disk_only)})" if disk_only else ")")
        )
        print(
            f"requests: {self.requests}; images: {self.images}; pages with math: {self.math_pages}"
        )
        print(
            f"internal links checked: {links}; external links (not followed): "
            f"{len(self.external_links)}"
        )
        listed = [t for t in tutorials_saying if t in results]
        print(
            f"search {SEARCH_QUERY!r}: {len(results)} results, listing {len(listed)} of the "
            f"{len(tutorials_saying)} tutorials that say it"
        )
        print("width at 375 px: " + "; ".join(widths))
        print("screenshots:")
        for shot in self.shots:
            print(f"  {shot}")
        if not self.failures:
            print("site check passed")
            return 0
        count = sum(len(v) for v in self.failures.values())
        print(f"\nsite check FAILED: {count} problems", file=sys.stderr)
        for kind, messages in self.failures.items():
            print(f"\n{kind} ({len(messages)}):", file=sys.stderr)
            for message in sorted(set(messages)):
                print(f"  - {message}", file=sys.stderr)
        return 1


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serve files without a log line per request (the checker reports failures itself)."""

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@contextlib.contextmanager
def _serve(site: Path) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1, on a port the system picks, for as long as the block runs."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, default=ROOT / "docs" / "_build" / "html")
    parser.add_argument(
        "--screenshots", type=Path, default=ROOT / "docs" / "_build" / "screenshots"
    )
    parser.add_argument("--chromium", default=None, help="default: `chromium` on PATH")
    args = parser.parse_args(argv)
    chromium = args.chromium or shutil.which("chromium")
    if chromium is None:
        print(
            "check_site: Debian's `chromium` is not on PATH. Install it with "
            "`apt-get install -y chromium` (never `playwright install`).",
            file=sys.stderr,
        )
        return 2
    site: Path = args.site.resolve()
    if not (site / "index.html").is_file():
        print(f"check_site: no {site / 'index.html'}; build the site first", file=sys.stderr)
        return 2
    with _serve(site) as base:
        return SiteChecker(site, base, chromium, args.screenshots.resolve()).run()


if __name__ == "__main__":
    sys.exit(main())
