"""The page's language as HTML spells it: ``<html lang="zh-CN">`` on the Chinese site.

Sphinx's ``language`` setting is a locale name (``zh_CN``), and furo writes it into the ``lang``
attribute as it is; browsers, screen readers and search engines expect a BCP 47 tag (``zh-CN``).
The Chinese search needs no setting here: Sphinx segments Chinese words with jieba when it is
installed (the ``docs`` dependency group has it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sphinx.application import Sphinx


def html_language_tag(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """Write the BCP 47 tag into the page's ``lang``; the locale name stays in ``locale``."""
    del pagename, templatename, doctree
    context["locale"] = app.config.language
    context["language"] = app.config.language.replace("_", "-")


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hook."""
    app.connect("html-page-context", html_language_tag)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
