"""What a translated site needs beyond its catalogs.

* ``<html lang="zh-CN">``: Sphinx's ``language`` setting is a locale name (``zh_CN``) and furo
  writes it into the ``lang`` attribute as it is; browsers, screen readers and search engines
  expect a BCP 47 tag (``zh-CN``).
* Gallery thumbnails in the page's language: sphinx-gallery writes each thumbnail's title and
  its hover text (the tutorial's first paragraph) as raw HTML, which no catalog reaches. On a
  translated site they are rewritten from the translated tutorial itself.

* Chinese emphasis that is not slanted: Chinese fonts have no italic face, so a browser slants
  the glyphs of ``<em>`` (faux italic). :func:`mark_cjk_emphasis` gives every emphasis that holds
  Chinese characters the class ``cjk-emphasis``, which ``_static/chinese.css`` sets upright with
  emphasis dots (着重号), the Chinese way; Latin emphasis keeps its italic.

* A working Chinese search: Sphinx segments Chinese words with jieba when it is installed (the
  ``docs`` dependency group has it), but Sphinx 9.0's Chinese search language stems the Latin
  words of Chinese text with the English stemmer while its page script asks for a
  ``ChineseStemmer``, which does not exist: the search page then fails with a ReferenceError.
  :class:`SearchChineseEnglishStemmer` names the stemmer that is actually shipped.
* Search terms as one word: jieba's own dictionary cuts 权重衰减 into 权重 and 衰减, so a search
  for 权重衰减 found nothing. :func:`glossary_dictionary` gives jieba the Chinese terms of the
  glossary (``docs/glossary.md``), so that the index holds the term and its parts.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.search.zh import SearchChinese

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.config import Config

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # the CJK ideographs
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
    tutorials = [_tutorial(app, node) for node in sequence]
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


def mark_cjk_emphasis(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Give every emphasis that holds a Chinese character the class ``cjk-emphasis``."""
    del app, docname
    for node in doctree.findall(nodes.emphasis):
        if CJK.search(node.astext()):
            node["classes"].append("cjk-emphasis")


def _tutorial(app: Sphinx, node: nodes.Node) -> str | None:
    """The page a thumbnail image stands for, in whichever gallery holds it (tutorials, exercises)."""
    if isinstance(node, nodes.image):
        match = THUMB.search(node.get("uri", ""))
        folders = app.config.sphinx_gallery_conf.get("gallery_dirs", ())
        for folder in [folders] if isinstance(folders, str) else folders:
            if match and f"{folder}/{match.group(1)}" in app.env.found_docs:
                return f"{folder}/{match.group(1)}"
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


def glossary_terms(glossary: Path) -> list[str]:
    """The Chinese terms of the glossary page's table, each of an entry's terms on its own.

    The table's second column holds the terms; the third, the variants the site avoids (not
    search terms).
    """
    terms = []
    for line in glossary.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not re.search(r"[\u4e00-\u9fff]", cells[1]):
            continue
        # Entries hold several terms, separated by full-width commas and brackets (U+FF0C,
        # U+3001, U+FF08, U+FF09); math and spaces are dropped ("$L_2$ 范数" gives "范数").
        for part in re.split(r"[\uff0c\u3001\uff08\uff09()/]", cells[1]):
            term = re.sub(r"\$[^$]*\$|\s+", "", part)
            if re.fullmatch(r"[\u4e00-\u9fffA-Za-z0-9]{2,}", term):
                terms.append(term)
    return sorted(set(terms))


def glossary_dictionary(app: Sphinx, config: Config) -> None:
    """For a Chinese build, write the glossary's terms as a jieba dictionary and use it."""
    if not config.language.startswith("zh"):
        return
    path = Path(app.doctreedir) / "jieba-glossary.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    terms = glossary_terms(Path(app.srcdir) / "glossary.md")
    path.write_text("".join(f"{term} 100000\n" for term in terms), encoding="utf-8")
    config.html_search_options = {**(config.html_search_options or {}), "dict": str(path)}


class SearchChineseEnglishStemmer(SearchChinese):
    """Sphinx's Chinese search, with its page script pointed at the stemmer it ships.

    The search page's script sets ``window.Stemmer = <language_name>Stemmer``; the stemmer code
    it includes is ``english-stemmer.js``, which defines ``EnglishStemmer``.
    """

    language_name = "English"


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the hooks, and the Chinese search if Sphinx's own has the stemmer mismatch."""
    stemmer = SearchChinese.js_stemmer_rawcode or ""
    if SearchChinese.language_name.lower() not in stemmer:
        app.add_search_language(SearchChineseEnglishStemmer)
    app.connect("config-inited", glossary_dictionary)
    app.connect("html-page-context", html_language_tag)
    app.connect("doctree-resolved", translate_thumbnails)
    app.connect("doctree-resolved", mark_cjk_emphasis)
    app.add_css_file("chinese.css")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
