"""Accessibility fixes for what axe-core finds on the furo site (``nox -s site`` runs axe).

Each fix names the axe rule it answers:

- ``aria-required-attr``: Sphinx writes each toctree caption as ``<p role="heading">`` with no
  ``aria-level``, which ARIA 1.2 requires (sphinx-doc/sphinx#14030). The translator below adds
  ``aria-level="2"``, the level ARIA 1.1 implied, so screen readers hear the same outline.
- ``link-name``: sphinx-gallery hides the text of each thumbnail's link with ``display: none``,
  leaving the link without a name; ``_static/accessibility.css`` hides it visually only.
- ``scrollable-region-focusable``: a code block wider than its column scrolls sideways, which a
  keyboard user can only do once it takes focus; ``_static/accessibility.js`` makes every box
  that scrolls focusable (``tabindex="0"``), as pydata-sphinx-theme does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sphinx.writers.html5 import HTML5Translator

if TYPE_CHECKING:
    from docutils.nodes import Element
    from sphinx.application import Sphinx

__all__ = ["AccessibleHTMLTranslator", "setup"]


class AccessibleHTMLTranslator(HTML5Translator):
    """Sphinx's HTML5 translator, with an ``aria-level`` on every ``role="heading"``."""

    def starttag(
        self,
        node: Element,
        tagname: str,
        suffix: str = "\n",
        empty: bool = False,
        **attributes: Any,
    ) -> str:
        if attributes.get("ROLE") == "heading":
            attributes.setdefault("ARIA-LEVEL", "2")
        return super().starttag(node, tagname, suffix, empty, **attributes)


def setup(app: Sphinx) -> dict[str, Any]:
    app.set_translator("html", AccessibleHTMLTranslator)
    app.add_css_file("accessibility.css", priority=600)  # after sphinx-gallery's sg_gallery.css
    app.add_js_file("accessibility.js")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
