"""The checks of this suite catch what they are meant to, on pages made to fail them.

Each test breaks one thing on a blank page of the local server and asserts that the check
reports it; nothing leaves the machine (the remote host is a reserved ``.invalid`` name, and the
request is aborted before any lookup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Page

    from conftest import SharedPage, SiteBrowser

__all__ = [
    "test_a_console_error_is_reported",
    "test_a_missing_file_is_reported",
    "test_a_remote_request_is_blocked_and_reported",
    "test_a_shared_tab_reloads_only_when_needed_and_reports_by_page",
    "test_text_wider_than_a_phone_is_reported",
]


def _blank(page: Page, site_url: str, site_browser: SiteBrowser) -> None:
    site_browser.current = "blank page"
    page.goto(site_url + "_static/", wait_until="load")  # a local page with no scripts


def test_a_remote_request_is_blocked_and_reported(
    page: Page, site_url: str, site_browser: SiteBrowser
) -> None:
    _blank(page, site_url, site_browser)
    loaded = page.evaluate(
        """() => new Promise((done) => {
          const img = document.createElement("img");
          img.onload = () => done(true);
          img.onerror = () => done(false);
          img.src = "https://example.invalid/pixel.png";
          document.body.append(img);
        })"""
    )
    assert loaded is False
    assert site_browser.take() == [
        "blank page: request to the network (blocked): https://example.invalid/pixel.png"
    ]


def test_a_missing_file_is_reported(page: Page, site_url: str, site_browser: SiteBrowser) -> None:
    _blank(page, site_url, site_browser)
    page.evaluate("(url) => fetch(url)", site_url + "no-such-page.html")
    assert site_browser.take() == [
        f"blank page: failed request: {site_url}no-such-page.html (HTTP 404)"
    ]


def test_a_console_error_is_reported(page: Page, site_url: str, site_browser: SiteBrowser) -> None:
    _blank(page, site_url, site_browser)
    page.evaluate("() => { console.error('broken'); setTimeout(() => undefinedName(), 0); }")
    page.wait_for_timeout(100)  # let the timer throw
    assert site_browser.take() == [
        "blank page: console error: broken",
        "blank page: uncaught ReferenceError: undefinedName is not defined",
    ]


def test_text_wider_than_a_phone_is_reported(
    page: Page, site_url: str, site_browser: SiteBrowser
) -> None:
    _blank(page, site_url, site_browser)
    page.set_viewport_size({"width": 375, "height": 812})
    page.evaluate(
        """() => {
          const wide = document.body.appendChild(document.createElement("p"));
          wide.id = "wide";
          wide.style.width = "600px";
          wide.textContent = "text";
          const code = document.body.appendChild(document.createElement("pre"));
          code.style.overflowX = "auto";
          code.style.width = "300px";
          code.textContent = "x".repeat(200);  // scrolls inside its own box: allowed
        }"""
    )
    assert site_browser.overflow(page) == [
        "the page is 608 px wide in a 375 px window",
        "p#wide reaches 608 px",
    ]
    site_browser.assert_clean()


def test_a_shared_tab_reloads_only_when_needed_and_reports_by_page(
    new_shared_page: Callable[..., SharedPage],
) -> None:
    """The page tests' shared tab: a problem is reported with the page it happened on, and only
    there; the same page is not loaded twice; the phone view is a reload at 375 px."""
    tab = new_shared_page()
    page = tab.open("_static/")
    page.evaluate("() => { window.marker = 1; console.error('broken'); }")
    assert tab.open("_static/").evaluate("() => window.marker") == 1  # not reloaded
    tab.open("index.html")
    tab.assert_clean("index.html")
    assert tab.log.problems_on("_static/") == ["_static/: console error: broken"]
    with pytest.raises(
        AssertionError,
        match=r"2 problems:\s+_static/: console error: broken\s+_static/: and one more",
    ):
        tab.assert_clean("_static/", "and one more")
    page = tab.show("index.html")  # at desktop width: a reload
    assert page.evaluate("() => [window.marker, innerWidth]") == [None, 1280]
    page.evaluate("() => { window.marker = 2; }")
    assert tab.show("index.html").evaluate("() => window.marker") == 2
    phone = tab.show("index.html", phone=True).evaluate("() => [window.marker, innerWidth]")
    assert phone == [None, 375]
