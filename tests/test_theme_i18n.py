"""The theme speaks Chinese: every text of furo's templates has its translation in ``sphinx.po``.

furo ships no translations. ``docs/locales/zh_CN/LC_MESSAGES/sphinx.po`` translates the strings
its templates mark (found here with Jinja's own message extractor, so a new furo with new
strings fails this test), and ``docs/_ext/theme_i18n.py`` makes the labels that furo writes in
plain English go through the same catalog. The rendering is checked with Jinja and the compiled
catalog, the way Sphinx renders the templates.
"""

from __future__ import annotations

import gettext
import importlib.util
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polib
import pytest
from jinja2 import Environment
from jinja2.ext import babel_extract

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "docs" / "locales" / "zh_CN" / "LC_MESSAGES" / "sphinx.po"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / "_ext" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)  # not in sys.modules: other tests load it too
    spec.loader.exec_module(module)
    return module


theme_i18n = _load("theme_i18n")


def furo_messages() -> set[str]:
    """Every message that furo's templates mark for translation, as Jinja extracts it."""
    messages = set()
    for template in theme_i18n.FURO.rglob("*.html"):
        with template.open("rb") as file:
            for _line, _function, message, _comments in babel_extract(
                file, ("_", "gettext", "ngettext"), [], {}
            ):
                if isinstance(message, str):  # ngettext gives a tuple; furo has none
                    messages.add(message)
    return messages


def hard_coded_messages() -> set[str]:
    return {text for items in theme_i18n.HARD_CODED.values() for _, text in items}


@pytest.fixture(scope="module")
def chinese(tmp_path_factory: pytest.TempPathFactory) -> gettext.GNUTranslations:
    """The catalog compiled, as Sphinx compiles it before a Chinese build."""
    mo = tmp_path_factory.mktemp("mo") / "sphinx.mo"
    polib.pofile(str(CATALOG)).save_as_mofile(str(mo))
    with mo.open("rb") as file:
        return gettext.GNUTranslations(file)


def test_every_text_of_the_theme_is_translated() -> None:
    catalog = {e.msgid: e for e in polib.pofile(str(CATALOG)) if not e.obsolete}
    wanted = furo_messages() | hard_coded_messages() | {theme_i18n.NAVIGATION}
    assert {"Skip to content", "Back to top", "On this page", "Previous", "Next"} <= wanted
    missing = sorted(wanted - set(catalog))
    assert not missing
    for message in wanted:
        entry = catalog[message]
        assert "fuzzy" not in entry.flags
        assert CJK.search(entry.msgstr), message


def test_translations_keep_the_placeholders_and_the_markup() -> None:
    placeholders = re.compile(r"%\(\w+\)s|<[^>]+>|&#169;")
    for entry in polib.pofile(str(CATALOG)):
        assert placeholders.findall(entry.msgstr) == placeholders.findall(entry.msgid)


def test_furo_still_writes_each_hard_coded_label() -> None:
    for name in theme_i18n.HARD_CODED:
        source = (theme_i18n.FURO / name).read_text(encoding="utf-8")
        wrapped, missing = theme_i18n.wrap_hard_coded(name, source)
        assert missing == []
        for context, text in theme_i18n.HARD_CODED[name]:
            assert context.format(text) not in wrapped


def test_a_label_that_furo_dropped_is_reported() -> None:
    source = '<button aria-label="Switch theme"></button>'
    wrapped, missing = theme_i18n.wrap_hard_coded("page.html", source)
    assert wrapped == source
    assert 'aria-label="Toggle Light / Dark / Auto color theme"' in missing


def _render(source: str, translations: gettext.NullTranslations, **context: Any) -> str:
    environment = Environment(extensions=["jinja2.ext.i18n"], autoescape=False)
    environment.install_gettext_translations(translations)  # type: ignore[attr-defined]
    return environment.from_string(source).render(**context)


def test_the_icons_titles_render_in_chinese(chinese: gettext.GNUTranslations) -> None:
    source = (theme_i18n.FURO / "partials" / "icons.html").read_text(encoding="utf-8")
    wrapped, _ = theme_i18n.wrap_hard_coded("partials/icons.html", source)
    titles = re.findall(r"<title>(.*?)</title>", _render(wrapped, chinese))
    assert "浅色模式" in titles
    assert "深色模式" in titles
    assert all(CJK.search(title) for title in titles), titles
    english = re.findall(r"<title>(.*?)</title>", _render(wrapped, gettext.NullTranslations()))
    assert "Light mode" in english


def test_the_footer_reads_as_one_chinese_sentence(chinese: gettext.GNUTranslations) -> None:
    source = (theme_i18n.FURO / "page.html").read_text(encoding="utf-8")
    wrapped, _ = theme_i18n.wrap_hard_coded("page.html", source)
    footer = wrapped[wrapped.index("{% trans %}Made with") : wrapped.index("{%- if last_updated")]
    html = _render(footer, chinese, show_sphinx=True)
    text = " ".join(re.sub(r"<[^>]+>", "", html).split())
    assert text == "本站由 Sphinx 和 @pradyunsg 的 Furo 构建"


class _App:
    def __init__(self, translator: gettext.NullTranslations) -> None:
        self.translator = translator


def test_the_navigation_switches_are_labelled_in_chinese(
    chinese: gettext.GNUTranslations,
) -> None:
    from furo.navigation import get_navigation_tree  # noqa: PLC0415

    toctree = (
        '<ul><li class="toctree-l1"><a href="faq.html">常见问题</a><ul><li>x</li></ul></li></ul>'
    )
    context = {"furo_navigation_tree": get_navigation_tree(toctree)}
    theme_i18n.translate_navigation(_App(chinese), "index", "page.html", context, None)
    assert 'aria-label="展开或折叠“常见问题”的导航"' in context["furo_navigation_tree"]
    context = {"furo_navigation_tree": get_navigation_tree(toctree)}
    theme_i18n.translate_navigation(_App(gettext.NullTranslations()), "", "", context, None)
    assert 'aria-label="Toggle navigation of 常见问题"' in context["furo_navigation_tree"]
