"""Every built page passes axe-core's accessibility rules: no serious or critical violation.

axe-core runs inside the page, injected from the copy that ``axe-playwright-python`` bundles (no
network) once per page and language. ``test_accessible`` runs every rule on each page in the
light theme, then the colour contrast rule again in the dark one (furo follows the reader's
``prefers-color-scheme``), in the tab that the page's tests share (``shared_page``).

The contrast of highlighted code is checked once per theme instead of on every page, by
``test_code_colours``: a probe block with one token of every Pygments class that the site's
stylesheets colour. The colours are the same on every page, and checking the thousands of
tokens of the tutorials page by page would take minutes. The page's contrast runs leave out
whole code blocks, not only their tokens: axe compares every element with each excluded one,
which for thousands of tokens costs more than the run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import pytest
from axe_playwright_python.base import AXE_SCRIPT

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from conftest import SharedPage, SiteBrowser, SitePage

__all__ = ["test_accessible", "test_code_colours"]

BLOCKING = ("serious", "critical")  # axe's two highest of its four impact levels
CODE = ".highlight pre"  # highlighted code, whose colours test_code_colours checks

_PROBE_JS = """
() => {
  // Every class that a stylesheet colours inside .highlight (Pygments' token classes).
  const classes = new Set();
  const visit = (rules) => {
    for (const rule of rules) {
      if (rule.cssRules) visit(rule.cssRules);
      for (const m of (rule.selectorText || "").matchAll(/\\.highlight \\.([\\w-]+)/g)) {
        classes.add(m[1]);
      }
    }
  };
  for (const sheet of document.styleSheets) visit(sheet.cssRules);
  classes.delete("hll");  // a highlighted line's background, not a token colour
  const block = document.createElement("div");
  block.className = "highlight";
  block.id = "code-colours";
  const pre = block.appendChild(document.createElement("pre"));
  pre.append("plain text ");
  for (const name of classes) {
    const token = pre.appendChild(document.createElement("span"));
    token.className = name;
    token.textContent = `${name}_token `;
  }
  document.querySelector("article").append(block);
  return Array.from(classes);
}
"""


def test_accessible(shared_page: SharedPage, built_page: SitePage) -> None:
    assert built_page.file.is_file(), f"a link leads to {built_page.id}, which was not built"
    page = shared_page.show(built_page)
    findings = [
        *_axe(page, "light theme", rules={"color-contrast": {"enabled": False}}),
        *_axe(page, "light theme", exclude=CODE, runOnly=["color-contrast"]),
    ]
    _switch_theme(page, "dark")
    try:
        findings += _axe(page, "dark theme", exclude=CODE, runOnly=["color-contrast"])
    finally:
        _switch_theme(page, "light")  # the shared tab's other tests expect it
    shared_page.assert_clean(built_page, *findings)


def _switch_theme(page: Page, scheme: Literal["light", "dark"]) -> None:
    """Emulate ``scheme`` with the colours' fades turned off, so that axe sees the final colours.

    sphinx-design's tab labels fade their colour over 0.25 s: axe run during the fade measures
    a colour halfway between the two themes, which fails the contrast rule on a busy machine.
    The style that turns fades off is on from before the switch to dark until after the switch
    back, so that neither switch fades.
    """
    if scheme == "dark":
        page.evaluate(_NO_FADE_JS, True)
    page.emulate_media(color_scheme=scheme)
    if scheme == "light":
        page.evaluate(_NO_FADE_JS, False)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_code_colours(
    page: Page, site_browser: SiteBrowser, scheme: Literal["light", "dark"]
) -> None:
    page.emulate_media(color_scheme=scheme)
    site_browser.open(page, "index.html")
    classes: list[str] = page.evaluate(_PROBE_JS)
    assert len(classes) > 20, f"too few Pygments token classes in the stylesheets: {classes}"
    findings = _axe(page, f"{scheme} theme", include="#code-colours", runOnly=["color-contrast"])
    site_browser.assert_clean(*findings)


_NO_FADE_JS = """
(on) => {
  void document.documentElement.offsetHeight;  // apply the current theme before any change
  document.getElementById("no-fade")?.remove();
  if (!on) return;
  const style = document.head.appendChild(document.createElement("style"));
  style.id = "no-fade";
  style.textContent = "*, *::before, *::after { transition: none !important; }";
}
"""

_RUN_JS = """
async ([context, options]) => {
  const results = await axe.run(context || document, options);
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}
"""


def _axe(page: Page, where: str, include: str = "", exclude: str = "", **options: Any) -> list[str]:
    """Run axe with ``options``; one line per serious or critical violation.

    axe-core is injected into the page once, from the copy that axe-playwright-python ships.
    """
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    context = {"include": [[include]]} if include else {"exclude": [[exclude]]} if exclude else None
    violations: list[dict[str, Any]] = page.evaluate(
        _RUN_JS, [context, {**options, "resultTypes": ["violations"]}]
    )
    lines = []
    for violation in violations:
        if violation["impact"] not in BLOCKING:
            continue
        targets: list[str] = violation["targets"]
        more = f" and {len(targets) - 3} more" if len(targets) > 3 else ""
        lines.append(
            f"{where}: {violation['id']} ({violation['impact']}): {violation['help']}; "
            f"{len(targets)} elements: {', '.join(targets[:3])}{more}"
        )
    return lines
