"""The λ playground's widget texts (``docs/_ext/playground_strings.py``) against the page and
its script.

Every ``data-i18n`` key of the raw HTML in ``docs/playground.md`` and every ``t("key", ...)`` of
``docs/_static/playground.js`` must have an English and a Chinese string, with the same
placeholders and the same markup in both; the English strings must be the page's own text, so
that the English build writes the page exactly as it is; no word of the widget may escape the
tables; and the build hook must put the Chinese in.
"""

from __future__ import annotations

import doctest
import importlib.util
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "docs" / "_ext"
PAGE = ROOT / "docs" / "playground.md"
SCRIPT = ROOT / "docs" / "_static" / "playground.js"
LANGUAGES = ("en", "zh_CN")
NAMES = {"weightdecay"}  # words that no language translates


def _load(name: str) -> ModuleType:
    """Import a module of docs/_ext by its path (docs/_ext is no package)."""
    spec = importlib.util.spec_from_file_location(name, EXT / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # the extension imports it by this name
    spec.loader.exec_module(module)
    return module


strings = _load("playground_strings")
TABLES = {"page": strings.PAGE_STRINGS, "script": strings.SCRIPT_STRINGS}
ALL_KEYS = [(table, key) for table, entries in TABLES.items() for key in entries]


def _raw_blocks() -> list[str]:
    """The raw HTML blocks of the playground page, as written."""
    blocks = re.findall(r"```\{raw\} html\n(.*?)\n```", PAGE.read_text(encoding="utf-8"), re.DOTALL)
    assert len(blocks) == 2  # the widget, and the table of what the build computed
    return blocks


def _page_keys() -> list[str]:
    return [key for block in _raw_blocks() for key, _, _ in strings.keyed_elements(block)]


def _script_keys() -> list[str]:
    return re.findall(r'(?<![\w.])t\(\s*"([^"]+)"', SCRIPT.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------------------------
# Every key used has both languages, and every string is used
# --------------------------------------------------------------------------------------------
def test_the_page_keys_are_all_found() -> None:
    """The parser finds each data-i18n attribute that a plain text search finds, once."""
    written = re.findall(r'data-i18n="([^"]+)"', PAGE.read_text(encoding="utf-8"))
    assert len(written) >= 20
    assert _page_keys() == written
    assert len(set(written)) == len(written)


def test_every_key_of_the_page_has_english_and_chinese() -> None:
    missing = [
        (key, lang)
        for key in _page_keys()
        for lang in LANGUAGES
        if not strings.PAGE_STRINGS.get(key, {}).get(lang)
    ]
    assert missing == []


def test_every_key_of_the_script_has_english_and_chinese() -> None:
    keys = _script_keys()
    assert len(keys) >= 30
    missing = [
        (key, lang)
        for key in keys
        for lang in LANGUAGES
        if not strings.SCRIPT_STRINGS.get(key, {}).get(lang)
    ]
    assert missing == []


def test_the_script_names_every_key_literally() -> None:
    """A key computed at run time would escape the check above."""
    text = SCRIPT.read_text(encoding="utf-8")
    calls = re.findall(r'(?<![\w.])t\((?!\s*")[^)]*\)', text)
    # Only the definition and the comment that names it: "t(key, values)".
    assert calls == ["t(key, values)", "t(key, values)"]
    assert len(re.findall(r"function t\(key, values\) \{", text)) == 1


def test_every_string_is_used() -> None:
    assert set(strings.PAGE_STRINGS) == set(_page_keys())
    assert set(strings.SCRIPT_STRINGS) == set(_script_keys())


def test_only_known_languages() -> None:
    for table, key in ALL_KEYS:
        assert set(TABLES[table][key]) == set(strings.LANGUAGES) == set(LANGUAGES), key


# --------------------------------------------------------------------------------------------
# The two languages agree
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("table", "key"), ALL_KEYS)
def test_placeholders_agree(table: str, key: str) -> None:
    en, zh = TABLES[table][key]["en"], TABLES[table][key]["zh_CN"]
    assert set(re.findall(r"\{(\w+)\}", en)) == set(re.findall(r"\{(\w+)\}", zh))
    assert strings.placeholders(en) == strings.placeholders(zh)
    if table == "page":  # the build pastes these in as they are: nothing fills placeholders
        assert strings.placeholders(en) == set()
    # Braces only as placeholders: a stray one would show on the page.
    for text in (en, zh):
        assert re.sub(r"\{\w+\}", "", text).count("{") == 0
        assert re.sub(r"\{\w+\}", "", text).count("}") == 0


@pytest.mark.parametrize("key", list(strings.PAGE_STRINGS))
def test_markup_agrees(key: str) -> None:
    en, zh = strings.PAGE_STRINGS[key]["en"], strings.PAGE_STRINGS[key]["zh_CN"]
    assert strings.markup(en) == strings.markup(zh)
    assert _tags(en) == _tags(zh)  # the same check by another parser: tag names with ids


@pytest.mark.parametrize("key", list(strings.SCRIPT_STRINGS))
def test_script_strings_are_plain_text(key: str) -> None:
    """playground.js writes them as textContent: markup would show as it is."""
    for text in strings.SCRIPT_STRINGS[key].values():
        assert re.search(r"</?[a-z]", text) is None
        assert "&" not in text


@pytest.mark.parametrize(("table", "key"), ALL_KEYS)
def test_chinese_strings_are_chinese(table: str, key: str) -> None:
    """A Chinese string differs from the English, with Chinese characters in it; the same
    string in both is fine only when it has no English word but a name (``{name} = {value}``,
    ``weightdecay {version}, {script}``)."""
    en, zh = TABLES[table][key]["en"], TABLES[table][key]["zh_CN"]
    if en == zh:
        assert set(_english_words(en)) <= NAMES, key
    else:
        assert re.search(r"[\u4e00-\u9fff]", zh), key
    # Chinese punctuation, not ASCII, between Chinese characters.
    assert re.search(r"[\u4e00-\u9fff][,;:()][^\d]", zh) is None, key


def _english_words(text: str) -> list[str]:
    """Words of three letters or more, outside placeholders, <code> and identifiers."""
    text = re.sub(r"<code>.*?</code>|\{\w+\}|<[^>]*>", " ", text)
    return [w for w in re.findall(r"[\w.]+", text) if re.fullmatch(r"[A-Za-z]{3,}", w)]


class _TagParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs).get("id")))


def _tags(html: str) -> list[tuple[str, str | None]]:
    parser = _TagParser()
    parser.feed(html)
    return sorted(parser.tags, key=str)


# --------------------------------------------------------------------------------------------
# The English page stays as written; the Chinese one gets every string
# --------------------------------------------------------------------------------------------
def test_english_strings_are_the_page_text() -> None:
    for block in _raw_blocks():
        for key, start, end in strings.keyed_elements(block):
            assert block[start:end] == strings.PAGE_STRINGS[key]["en"], key


@pytest.mark.parametrize("language", ["en", "fr"])
def test_english_and_unknown_languages_leave_the_page_as_written(language: str) -> None:
    for block in _raw_blocks():
        assert strings.translate_html(block, language) == (block, [])


def test_chinese_build_puts_every_chinese_string_in() -> None:
    for block in _raw_blocks():
        translated, problems = strings.translate_html(block, "zh_CN")
        assert problems == []
        keyed = strings.keyed_elements(translated)
        assert [key for key, _, _ in keyed] == [key for key, _, _ in strings.keyed_elements(block)]
        for key, start, end in keyed:
            assert translated[start:end] == strings.PAGE_STRINGS[key]["zh_CN"], key
        # Outside the keyed elements nothing changed.
        assert _outside_keyed(translated) == _outside_keyed(block)


def _outside_keyed(html: str) -> str:
    parts, done = [], 0
    for _, start, end in strings.keyed_elements(html):
        parts.append(html[done:start])
        done = end
    return "|".join([*parts, html[done:]])


class _LooseText(HTMLParser):
    """The text of the page's raw HTML that lies in no data-i18n element and no <code>."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # how many keyed or <code> elements are open
        self.open: list[bool] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "input":
            return
        shielded = tag == "code" or "data-i18n" in dict(attrs)
        self.open.append(shielded)
        self.depth += shielded

    def handle_endtag(self, tag: str) -> None:
        del tag
        self.depth -= self.open.pop()

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.text.append(data)


def test_no_text_of_the_widget_escapes_the_tables() -> None:
    """Symbols (λ, wd, L2: λ · ½‖w‖²) may stay outside; a word of three letters may not."""
    for block in _raw_blocks():
        parser = _LooseText()
        parser.feed(block)
        loose = " ".join(parser.text)
        assert re.findall(r"[A-Za-z]{3,}", loose) == []
        if 'id="wd-playground"' in block:  # the parser did see the loose symbols
            assert "L2: λ · ½‖w‖²" in loose


# --------------------------------------------------------------------------------------------
# The script's strings in the page, and the build hook
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_script_strings_js_assigns_the_language_strings(language: str) -> None:
    js = strings.script_strings_js(language)
    prefix = "window.weightdecayPlaygroundStrings = "
    assert js.startswith(prefix)
    assert js.endswith(";")
    assert "<" not in js  # no string can close the inline <script>
    assigned = json.loads(js.removeprefix(prefix).removesuffix(";"))
    assert assigned == {key: texts[language] for key, texts in strings.SCRIPT_STRINGS.items()}
    assert assigned["facts.near_zero"] == "|w| < {tol}"  # "<" escaped in JS, intact as text


def test_unknown_language_falls_back_to_english() -> None:
    for table in TABLES.values():
        assert strings.strings_for(table, "fr") == {k: v["en"] for k, v in table.items()}
        chinese = strings.strings_for(table, "zh_CN")
        assert chinese == {k: v["zh_CN"] for k, v in table.items()}


def test_build_hook_translates_the_raw_html(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extension's doctree-resolved hook, on a document holding the page's raw blocks.

    Sphinx (and its docutils) come with the ``docs`` dependency group, not with ``test``.
    """
    pytest.importorskip("sphinx", reason="the build hook needs Sphinx (the docs group)")
    nodes = pytest.importorskip("docutils.nodes")
    new_document = pytest.importorskip("docutils.utils").new_document
    monkeypatch.syspath_prepend(str(EXT))
    extension = _load("playground")
    blocks = _raw_blocks()

    def written(language: str, format: str = "html", docname: str = "playground") -> list[str]:
        doc = new_document("playground.md")
        for block in blocks:
            doc += nodes.raw("", block, format="html")
        doc += nodes.paragraph("", "prose")
        app = SimpleNamespace(
            config=SimpleNamespace(language=language), builder=SimpleNamespace(format=format)
        )
        extension._translate_widget(app, doc, docname)
        return [raw.astext() for raw in doc.findall(nodes.raw)]

    assert written("en") == blocks
    assert written("zh_CN", docname="index") == blocks  # only the playground page
    assert written("zh_CN", format="gettext") == blocks  # only HTML pages
    chinese = written("zh_CN")
    assert chinese == [strings.translate_html(b, "zh_CN")[0] for b in blocks]
    assert "正则化常数 λ" in chinese[0]
    assert "Penalty strength" not in chinese[0]
    assert strings.PAGE_STRINGS["facts.download"]["zh_CN"] in chinese[1]


# --------------------------------------------------------------------------------------------
# Bad HTML is refused with a clear message
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<p><b>x</p>", r"unexpected </p> at line 1, column 8 of the playground's HTML\."),
        ("<p>x", r"unclosed <p> in the playground's HTML\."),
        ('<input data-i18n="zoom">', r"<input data-i18n='zoom'> has no contents to translate\."),
        (
            '<p data-i18n="zoom"><b data-i18n="noscript">x</b></p>',
            r"data-i18n='noscript' is inside another data-i18n element\.",
        ),
    ],
)
def test_bad_html_is_refused(html: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        strings.translate_html(html, "zh_CN")


def test_unknown_key_and_drifted_text_are_reported() -> None:
    html = '<b data-i18n="nope">Hi</b><legend data-i18n="penalty.legend">Penalties</legend>'
    translated, problems = strings.translate_html(html, "zh_CN")
    assert problems == [
        "data-i18n='nope' has no string in PAGE_STRINGS.",
        "the contents of data-i18n='penalty.legend' differ from its English string.",
    ]
    assert (
        translated == '<b data-i18n="nope">Hi</b><legend data-i18n="penalty.legend">惩罚项</legend>'
    )


def test_offsets_survive_several_lines_and_entities() -> None:
    html = '<div>\n  <p>a &lt; b</p>\n  <dt data-i18n="readout.w_norm">‖w‖ at the end</dt>\n</div>'
    assert strings.translate_html(html, "zh_CN")[0] == html.replace("‖w‖ at the end", "最终的 ‖w‖")


def test_module_examples() -> None:
    result = doctest.testmod(strings, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted >= 7
    assert result.failed == 0
