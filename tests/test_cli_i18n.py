# ruff: noqa: RUF001  # the Chinese text uses full-width punctuation
"""The command-line reference in Chinese: its help texts go through the page's catalog.

``docs/_ext/cli_i18n.py`` makes every text that sphinx-argparse-cli shows (descriptions,
examples, group titles, each option's help) a message of the page ``api/cli``. These tests check
the committed catalog against the parser itself (a new option's help without its translation
fails here), then build a one-page site with the real parser, the way the docs build it: the
gettext builder extracts the texts, the Chinese page shows no English word that its catalog does
not also use, and the English page is what sphinx-argparse-cli alone renders.
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import re
import shutil
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

import polib
import pytest

from weightdecay._cli_options import build_parser

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
EXT = ROOT / "docs" / "_ext"
CATALOG = ROOT / "docs" / "locales" / "zh_CN" / "LC_MESSAGES" / "api" / "cli.po"
CJK = re.compile(r"[\u4e00-\u9fff]")
FLAG = re.compile(r"(?<![\w-])--?[a-zA-Z][\w-]*")
PLACEHOLDER = re.compile(r"%\(\w+\)s")
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, EXT / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # Sphinx imports it by this name in the builds below
    spec.loader.exec_module(module)
    return module


cli_i18n = _load("cli_i18n")


def translations(path: Path = CATALOG) -> dict[str, str]:
    """The catalog's ready translations: not obsolete, not fuzzy, not empty."""
    return {
        e.msgid: e.msgstr
        for e in polib.pofile(str(path))
        if not e.obsolete and "fuzzy" not in e.flags and e.msgstr.strip()
    }


def untranslated(parser: argparse.ArgumentParser, catalog: dict[str, str]) -> list[str]:
    return [text for text in cli_i18n.texts(parser) if text not in catalog]


# -- The catalog against the parser --------------------------------------------------------------
def test_every_text_of_the_reference_is_translated() -> None:
    texts = cli_i18n.texts(build_parser())
    assert len(texts) > 40
    missing = untranslated(build_parser(), translations())
    assert not missing, f"translate these in {CATALOG.relative_to(ROOT)}: {missing}"


def test_a_new_option_without_its_translation_is_caught() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    path = commands.choices["path"]
    path.add_argument("--new-flag", type=int, default=4, help="a new option's help")
    new = path.add_argument_group("a new group")
    new.add_argument("--other", help="another help (default: none)")
    assert untranslated(parser, translations()) == [
        "a new option's help",
        cli_i18n.DEFAULT,  # the renderer appends "(default: 4)" to the first one
        "a new group",
        "another help (default: none)",
    ]


@pytest.mark.parametrize("text", cli_i18n.texts(build_parser()))
def test_a_translation_keeps_the_flags_and_placeholders_and_is_chinese(text: str) -> None:
    chinese = translations().get(text, "")
    assert CJK.search(chinese), chinese
    assert set(FLAG.findall(chinese)) == set(FLAG.findall(text))
    assert PLACEHOLDER.findall(chinese) == PLACEHOLDER.findall(text)
    # argparse expands the help with %, so a lone % would break the page's build
    assert "%" not in PLACEHOLDER.sub("", chinese)
    assert text.count("\n") == 0 or chinese.count("\n") > 0  # a literal block stays one
    commands = [line.split("#")[0].strip() for line in text.splitlines()[1:]]
    if text.startswith("examples:"):  # the commands are shown as they are typed
        assert commands == [line.split("#")[0].strip() for line in chinese.splitlines()[1:]]


def test_the_texts_are_what_argparse_shows_in_english() -> None:
    """Each text is in ``COMMAND --help`` (the independent reference), and every help is a text."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = [parser.format_help()] + [sub.format_help() for sub in commands.choices.values()]

    # argparse wraps long lines, also after a hyphen ("torch-" / "sgd"): compare the words.
    def words(text: str) -> str:
        return re.sub(r"-\s+", "-", " ".join(text.split()))

    shown = " ".join(words(h) for h in helps)
    texts = cli_i18n.texts(parser)
    for text in texts:
        for part in text.split("%(default)s"):  # argparse shows the value there
            assert words(part) in shown, text
    every_help = {
        action.help
        for sub in [parser, *commands.choices.values()]
        for action in sub._actions
        if action.help and not isinstance(action, argparse._SubParsersAction)
    }
    assert every_help <= set(texts)


def test_translate_parser_translates_each_text_once_where_the_page_shows_it() -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--seed", type=int, default=0, help="the seed")
    parser = argparse.ArgumentParser(prog="toy", description="A toy.")
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", parents=[common], help="run it")  # no description: the summary
    fit = commands.add_parser("fit", parents=[common], help="fit it", description="Fit it.")
    fit.add_argument_group(description="untitled").add_argument("--x", help="x (default: 1)")
    chinese = {text: f"«{text}»" for text in cli_i18n.texts(parser)}
    assert list(chinese) == [
        "A toy.",
        "options",
        "show this help message and exit",
        "run it",
        "the seed",
        cli_i18n.DEFAULT,
        "Fit it.",
        "untitled",
        "x (default: 1)",
    ]
    titles = cli_i18n.translate_parser(parser, chinese.__getitem__)
    assert titles == {"options": "«options»", "untitled": "«untitled»"}  # translated later
    run, fit = commands.choices["run"], commands.choices["fit"]
    assert commands._choices_actions[0].help == "«run it»"
    assert commands._choices_actions[1].help == "fit it"  # not shown: fit has a description
    assert (parser.description, fit.description) == ("«A toy.»", "«Fit it.»")
    seed = next(a for a in run._actions if a.dest == "seed")
    assert seed in fit._actions  # shared through parents=, and translated once
    assert seed.help == "«the seed»«(default: ``%(default)s``)»"
    assert next(a for a in fit._actions if a.dest == "x").help == "«x (default: 1)»"


# -- A one-page site with the real parser --------------------------------------------------------
CONF = f"""
import sys
from pathlib import Path
sys.path[:0] = [{str(EXT)!r}, str(Path(__file__).parent)]  # the extension; realcli and toycli
extensions = ["{{extension}}"]
html_theme = "basic"
html_search_language = "en"  # no Chinese word segmentation (jieba) for a test of one page
locale_dirs = ["locales/"]
gettext_compact = False
"""

PAGE = """\
参考
====

.. sphinx_argparse_cli::
   :module: realcli
   :func: build_parser
   :prog: weightdecay
   :title:

.. sphinx_argparse_cli::
   :module: toycli
   :func: build_parser
   :prog: toy
   :title:
"""

TOY = """
import argparse

def build_parser():
    parser = argparse.ArgumentParser(prog="toy", description="A toy command.")
    parser.add_argument("--n", type=int, default=3, help="how many")
    return parser
"""
TOY_CHINESE = {
    "A toy command.": "一个玩具命令。",
    "how many": "个数",
    cli_i18n.DEFAULT: "（默认：%(default)s）",
    "options": "选项",
    "show this help message and exit": "显示此帮助信息并退出",
}


class _Text(HTMLParser):
    """The visible text of a page's body (``div.body``), and its element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.ids: list[str] = []
        self._depth = 0  # of <div> elements, inside the body

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "div" and (self._depth or ("class", "body") in attrs):
            self._depth += 1
        if self._depth:
            self.ids += [value for name, value in attrs if name == "id" and value]

    def handle_endtag(self, tag: str) -> None:
        if tag == "div" and self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.text.append(data)


def _build(
    root: Path, builder: str, *, extension: str = "cli_i18n", catalog: dict[str, str] | None = None
) -> tuple[Path, str]:
    """Build the page with ``builder``; the output folder and the warnings."""
    from sphinx.testing.util import SphinxTestApp  # noqa: PLC0415 - only these tests need it

    src = root / "src"
    shutil.rmtree(root, ignore_errors=True)
    src.mkdir(parents=True)
    (src / "conf.py").write_text(CONF.replace("{extension}", extension), encoding="utf-8")
    (src / "index.rst").write_text(PAGE, encoding="utf-8")
    (src / "realcli.py").write_text(
        "from weightdecay._cli_options import build_parser\n", encoding="utf-8"
    )
    (src / "toycli.py").write_text(TOY, encoding="utf-8")
    overrides = {}
    if catalog is not None:
        po = polib.POFile()
        po.metadata = {"Content-Type": "text/plain; charset=utf-8"}
        po += [polib.POEntry(msgid=k, msgstr=v) for k, v in catalog.items()]
        (src / "locales" / "zh_CN" / "LC_MESSAGES").mkdir(parents=True)
        po.save(str(src / "locales" / "zh_CN" / "LC_MESSAGES" / "index.po"))
        overrides["language"] = "zh_CN"
    app = SphinxTestApp(
        builder, srcdir=src, builddir=root, confoverrides=overrides, warning=io.StringIO()
    )
    try:  # SphinxTestApp resets what Sphinx keeps per process: catalogs, nodes, sys.path
        app.build()
    finally:
        app.cleanup()
    return app.outdir, app.warning.getvalue()


def _page(out: Path) -> _Text:
    page = _Text()
    page.feed((out / "index.html").read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    root = tmp_path_factory.mktemp("cli_i18n")
    chinese = translations() | TOY_CHINESE
    return {
        "en": _build(root / "en", "html"),
        "plain": _build(root / "plain", "html", extension="sphinx_argparse_cli"),
        "gettext": _build(root / "gettext", "gettext"),
        "zh": _build(root / "zh", "html", catalog=chinese),
    }


def test_the_builds_warn_about_nothing(built: dict[str, tuple[Path, str]]) -> None:
    assert {name: warnings for name, (_, warnings) in built.items() if warnings} == {}


def test_gettext_extracts_every_text_of_both_parsers(built: dict[str, tuple[Path, str]]) -> None:
    out, _ = built["gettext"]
    messages = [e.msgid for e in polib.pofile(str(out / "index.pot"))]
    assert messages[0] == "参考"  # the page's title, then the reference's texts in order
    expected = cli_i18n.texts(build_parser())
    expected += [t for t in TOY_CHINESE if t not in expected]
    assert messages[1:] == expected


def test_the_chinese_reference_uses_no_english_word_its_catalog_does_not(
    built: dict[str, tuple[Path, str]],
) -> None:
    """An English leftover (a help, a group title, the renderer's "default") is a new word."""
    page = _page(built["zh"][0])
    parsers = [build_parser(), *[sub for sub, _ in cli_i18n._subcommands(build_parser())]]
    syntax = [  # what the reference shows of each option besides its help
        f"{a.option_strings} {a.metavar} {a.dest.upper()} {a.choices} {a.default}"
        for p in parsers
        for a in p._actions
        if not isinstance(a, argparse._SubParsersAction)
    ]
    chinese = [PLACEHOLDER.sub("", translations()[t]) for t in cli_i18n.texts(build_parser())]
    allowed = set(WORD.findall(" ".join([*chinese, *syntax])))
    allowed |= {"weightdecay", "COMMAND", "OPTIONS", "train", "compare", "path", "toy"}  # usage
    assert not set(WORD.findall(" ".join(page.text))) - allowed
    text = "".join(page.text)
    assert "--n N - 个数（默认：3）" in text  # the toy's default, appended in Chinese
    assert "weightdecay train 模型与惩罚项" in text  # a group title, translated after rendering


def test_the_anchors_are_the_same_in_both_languages(built: dict[str, tuple[Path, str]]) -> None:
    english, chinese = _page(built["en"][0]).ids, _page(built["zh"][0]).ids
    assert len(english) > 100
    assert english == chinese
    assert "weightdecay-train-model-and-penalty" in chinese


def test_the_english_page_is_what_sphinx_argparse_cli_renders(
    built: dict[str, tuple[Path, str]],
) -> None:
    with_extension = (built["en"][0] / "index.html").read_text(encoding="utf-8")
    plain = (built["plain"][0] / "index.html").read_text(encoding="utf-8")
    assert with_extension == plain
    assert "show this help message and exit" in plain


def test_a_missing_translation_is_a_warning_that_names_it(tmp_path: Path) -> None:
    chinese = translations() | TOY_CHINESE
    del chinese["learning rate (default: %(default)s)"]
    out, warnings = _build(tmp_path, "html", catalog=chinese)
    assert "no zh_CN translation of the command-line text 'learning rate" in warnings
    assert warnings.count("WARNING") == 1  # the message is looked up once, for every command
    assert "learning rate" in " ".join(_page(out).text)
