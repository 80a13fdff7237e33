"""What a translated site needs beyond its catalogs.

* ``<html lang="zh-CN">``: Sphinx's ``language`` setting is a locale name (``zh_CN``) and furo
  writes it into the ``lang`` attribute as it is; browsers, screen readers and search engines
  expect a BCP 47 tag (``zh-CN``).
* Gallery thumbnails in the page's language: sphinx-gallery writes each thumbnail's title and
  its hover text (the tutorial's first paragraph) as raw HTML, which no catalog reaches. On a
  translated site they are rewritten from the translated tutorial itself.

The Chinese search needs nothing here: Sphinx segments Chinese words with jieba when it is
installed (the ``docs`` dependency group has it).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from docutils import nodes

if TYPE_CHECKING:
    from sphinx.application import Sphinx

THUMB = re.compile(r"sphx_glr_(\w+?)_thumb\.")
TITLE = re.compile(r'(<div class="sphx-glr-thumbnail-title">)(.*?)(</div>)', re.DOTALL)
TOOLTIP = re.compile(r'(<div class="sphx-glr-thumbcontainer" tooltip=")(.*?)(">)', re.DOTALL)


def html_language_tag(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """Write the BCP 47 tag into the page's ``lang``; the locale name stays in ``locale``."""
    del pagename, templatename, doctree
    context["locale"] = app.config.language
    context["language"] = app.config.language.replace("_", "-")


def translate_thumbnails(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give every gallery thumbnail of a translated page its tutorial's translated title and intro.

    sphinx-gallery writes a thumbnail as: raw HTML opening the box (with the hover text), the
    thumbnail image (whose file name names the tutorial), raw HTML with the title.
    """
    del docname
    if app.config.language == "en":
        return
    sequence = list(doctree.findall(lambda n: isinstance(n, (nodes.image, nodes.raw))))
    tutorials = [_tutorial(node) for node in sequence]
    for i, node in enumerate(sequence):
        if not isinstance(node, nodes.raw):
            continue
        text = node.astext()
        if "sphx-glr-thumbcontainer" in text:  # the tutorial is the next image's
            tutorial = next((t for t in tutorials[i + 1 :] if t), None)
            replace, pattern = _intro(app, tutorial), TOOLTIP
        elif "sphx-glr-thumbnail-title" in text:  # the tutorial is the previous image's
            tutorial = next((t for t in reversed(tutorials[:i]) if t), None)
            replace, pattern = _title(app, tutorial), TITLE
        else:
            continue
        if replace:
            new = pattern.sub(lambda m, r=replace: m.group(1) + r + m.group(3), text)
            node.replace(node.children[0], nodes.Text(new))


def _tutorial(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.image):
        match = THUMB.search(node.get("uri", ""))
        if match:
            return f"auto_examples/{match.group(1)}"
    return None


def _title(app: Sphinx, docname: str | None) -> str:
    if docname is None or docname not in app.env.titles:
        return ""
    return html.escape(app.env.titles[docname].astext())


def _intro(app: Sphinx, docname: str | None) -> str:
    """The translated first paragraph of a tutorial: sphinx-gallery's hover text is the first."""
    if docname is None or docname not in app.env.found_docs:
        return ""
    for section in app.env.get_doctree(docname).findall(nodes.section):
        for child in section.children:
            if isinstance(child, nodes.paragraph):
                return html.escape(child.astext().replace("\n", " "), quote=True)
        break
    return ""


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hooks."""
    app.connect("html-page-context", html_language_tag)
    app.connect("doctree-resolved", translate_thumbnails)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
