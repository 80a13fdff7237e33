"""Screenshots of the landing page, one tutorial and one FAQ page, on a desktop and a phone.

They land in ``docs/_build/screenshots/<language>/`` (``index-desktop.png``,
``tutorial-phone.png``, ...) for a person to look at. On the phone (375 px, touch, device scale
2) no text may reach past the screen's edge. Each screen is one browser context, with one tab
that all its screenshots share (a phone's touch and pixel ratio are the context's).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from conftest import SharedPage, Site

__all__ = ["test_screenshot"]

SCREENS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {
        "viewport": {"width": 375, "height": 812},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def _subject_page(site: Site, subject: str) -> str:
    """The page shown for ``subject``: the landing page, the weight-decay tutorial, a FAQ."""
    if subject == "index":
        return "index.html"
    if subject == "tutorial":
        tutorials = sorted((site.root / "auto_examples").glob("plot_*.html"))
        chosen = [t for t in tutorials if "weight_decay_scratch" in t.name] or tutorials
        return f"auto_examples/{chosen[0].name}"
    faqs = sorted(p for p in (site.root / "faq").glob("*.html") if p.name != "index.html")
    return f"faq/{faqs[0].name}"


@pytest.fixture(scope="module")
def screen_tabs(new_shared_page: Callable[..., SharedPage]) -> dict[str, SharedPage]:
    """Per screen, a tab in a context of that screen, which its screenshots share."""
    return {screen: new_shared_page(**options) for screen, options in SCREENS.items()}


@pytest.mark.parametrize("screen", SCREENS)  # not "device": pytest-playwright has one
@pytest.mark.parametrize("subject", ["index", "tutorial", "faq"])
def test_screenshot(
    screen_tabs: dict[str, SharedPage],
    built_site: Site,
    screenshot_dir: Path,
    subject: str,
    screen: str,
) -> None:
    tab = screen_tabs[screen]
    path = built_site.prefix + _subject_page(built_site, subject)
    page = tab.open(path)
    page.screenshot(
        path=screenshot_dir / built_site.lang / f"{subject}-{screen}.png", full_page=True
    )
    culprits = tab.log.overflow(page) if screen == "phone" else []
    tab.assert_clean(path, *(f"on a phone: {culprit}" for culprit in culprits))
