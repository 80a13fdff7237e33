# ruff: noqa: RUF001  # the Chinese text uses full-width punctuation
"""The Chinese site's usage: one term, one word (the glossary's), in every catalog.

``docs/glossary.md`` is the authority: its second column holds the Chinese term, its third the
variants the site avoids. Every translation in ``docs/locales/zh_CN/LC_MESSAGES/`` and every
Chinese string of the playground's widget is checked against that column. A variant quoted by
the English source itself (the glossary page's own table) is a mention, not a use.
"""

from __future__ import annotations

import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polib
import pytest

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LOCALES = DOCS / "locales" / "zh_CN" / "LC_MESSAGES"
GLOSSARY = DOCS / "glossary.md"
CJK = re.compile(r"[\u4e00-\u9fff]")


def _load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, DOCS / "_ext" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)  # not in sys.modules: other tests load it too
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class Term:
    """One row of the glossary's table."""

    english: str
    chinese: str
    avoid: tuple[str, ...]


def glossary(path: Path = GLOSSARY) -> list[Term]:
    """The glossary's rows (English, 中文, 不用), the header and the rule left out."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 3 or set(cells[0]) <= {"-"}:
            continue
        avoid = tuple(v.strip() for v in cells[2].split("、") if v.strip())
        rows.append(Term(cells[0], cells[1], avoid))
    return rows[1:]  # the header


@dataclass(frozen=True)
class Text:
    """A Chinese text of the site: where it is, its English source and the translation."""

    where: str
    source: str
    chinese: str


def catalog_texts(locale_dir: Path = LOCALES) -> list[Text]:
    """Every current (not obsolete) translation of every catalog."""
    return [
        Text(str(path.relative_to(locale_dir)), entry.msgid, entry.msgstr)
        for path in sorted(locale_dir.rglob("*.po"))
        for entry in polib.pofile(str(path))
        if not entry.obsolete and entry.msgstr
    ]


def playground_texts() -> list[Text]:
    """The playground widget's Chinese strings, which live in code, not in a catalog."""
    strings = _load("playground_strings")
    return [
        Text(f"playground_strings.{key}", entry["en"], entry["zh_CN"])
        for table in (strings.PAGE_STRINGS, strings.SCRIPT_STRINGS)
        for key, entry in table.items()
        if "zh_CN" in entry
    ]


def uses_of(variants: Iterable[str], texts: Iterable[Text]) -> list[str]:
    """Each use of an avoided variant: in the translation and not quoted from the source."""
    found = []
    for text in texts:
        for variant in variants:
            start = text.chinese.find(variant)
            if start >= 0 and variant not in text.source:
                context = text.chinese[max(0, start - 15) : start + len(variant) + 15]
                found.append(f"{text.where}: {variant!r} in …{context}…")
    return found


TERMS = glossary()
AVOIDED = sorted({v for term in TERMS for v in term.avoid})


def test_the_glossary_lists_the_variants_that_were_in_use() -> None:
    """The variants the Chinese site had mixed (issue 20), each with the word chosen instead."""
    chosen = {
        "黑塞矩阵": "Hessian 矩阵",  # d2l-zh writes Hessian矩阵
        "从零实现": "从零开始实现",
        "记事本": "课程笔记本",
        "引发": "抛出",
        "向量化": "矢量化",  # d2l-zh §3.1 矢量化加速
        "下方输出": "打印",
        "随机起点": "随机初始值",
        "随机初始化": "随机初始值",
        "保护机制": "守卫",
        "惩罚强度": "正则化常数",
        "本软件包": "本包",
    }
    by_variant = {v: term.chinese for term in TERMS for v in term.avoid}
    missing = {v: w for v, w in chosen.items() if w not in by_variant.get(v, "")}
    assert not missing


def test_no_avoided_variant_is_part_of_a_glossary_term() -> None:
    assert len(TERMS) > 60
    clashes = [(t.chinese, v) for t in TERMS for v in AVOIDED if v in t.chinese]
    assert not clashes


def test_no_catalog_uses_an_avoided_variant() -> None:
    texts = catalog_texts()
    assert len(texts) > 1000
    found = uses_of(AVOIDED, texts)
    assert not found, "\n".join(found)


def test_the_playground_widget_uses_no_avoided_variant() -> None:
    texts = playground_texts()
    assert len(texts) > 20
    found = uses_of(AVOIDED, texts)
    assert not found, "\n".join(found)


def test_the_search_dictionary_takes_the_terms_not_the_variants() -> None:
    terms = _load("languages").glossary_terms(GLOSSARY)
    assert {"权重衰减", "随机初始值", "矢量化", "从零开始实现"} <= set(terms)
    assert not set(terms) & set(AVOIDED)


@pytest.mark.parametrize(
    ("source", "chinese", "expected"),
    [
        ("Hessian of the loss.", "损失的黑塞矩阵。", ["x: '黑塞矩阵' in …损失的黑塞矩阵。…"]),
        ("黑塞矩阵", "黑塞矩阵", []),  # the glossary's table quotes the variant
        ("Hessian of the loss.", "损失的 Hessian 矩阵。", []),
    ],
)
def test_a_variant_is_found_where_it_is_used(
    source: str, chinese: str, expected: list[str]
) -> None:
    assert uses_of(["黑塞矩阵"], [Text("x", source, chinese)]) == expected


def test_the_glossary_is_read_from_its_table(tmp_path: Path) -> None:
    page = tmp_path / "glossary.md"
    page.write_text(
        "# Glossary\n\n| English | 中文 | 不用 (avoid) |\n| --- | --- | --- |\n"
        "| vectorized | 矢量化 | 向量化 |\n| guard | 守卫 | 保护机制、防护 |\n| norm | 范数 |  |\n",
        encoding="utf-8",
    )
    assert glossary(page) == [
        Term("vectorized", "矢量化", ("向量化",)),
        Term("guard", "守卫", ("保护机制", "防护")),
        Term("norm", "范数", ()),
    ]


def test_catalog_texts_skip_obsolete_and_empty_messages(tmp_path: Path) -> None:
    catalog = polib.POFile()
    catalog.append(polib.POEntry(msgid="One.", msgstr="一。"))
    catalog.append(polib.POEntry(msgid="Two.", msgstr=""))
    catalog.append(polib.POEntry(msgid="Three.", msgstr="三。", obsolete=True))
    (tmp_path / "faq").mkdir()
    catalog.save(str(tmp_path / "faq" / "a.po"))
    assert catalog_texts(tmp_path) == [Text(str(Path("faq/a.po")), "One.", "一。")]


# -- Typography ----------------------------------------------------------------------------------
FULL_WIDTH = "，。；：、！？（）“”《》"
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
EMPHASIS = re.compile(r"(?<![*\\\w])\*(?![*\s])([^*\n]+?)(?<![\s\\])\*(?!\*)")
RULES = {
    # Chinese puts no space around full-width punctuation, nor between a role, a literal or bold
    # text and the Chinese that follows. (reST needs an escaped space, "\ ", where the end of a
    # role meets a full-width opening parenthesis; it renders as nothing.)
    "space between markup and full-width punctuation": re.compile(rf"` +[{FULL_WIDTH}]"),
    "space between full-width punctuation and markup": re.compile(
        rf"[{FULL_WIDTH}] +(?=:[\w:]+:`|\{{[\w:]+\}}`|``|\*\*)"
    ),
    "space in a percentage": re.compile(r"\d\s+%"),
}


def typography_problems(chinese: str) -> list[str]:
    """What breaks Chinese typography in one translation (markup as in the catalogs)."""
    problems = [
        f"{name}: …{chinese[max(0, m.start() - 10) : m.end() + 10]}…"
        for name, rule in RULES.items()
        for m in rule.finditer(chinese)
    ]
    for m in BOLD.finditer(chinese):
        after, last = chinese[m.end() : m.end() + 2], m.group(1)[-1]
        if after[:1] == " " and (last in FULL_WIDTH or (CJK.match(last) and CJK.match(after[1:]))):
            problems.append(f"space after bold: …{chinese[m.start() : m.end() + 10]}…")
    for m in EMPHASIS.finditer(chinese):
        before, after = chinese[max(0, m.start() - 2) : m.start()], chinese[m.end() : m.end() + 2]
        spaced = re.fullmatch(rf"[\u4e00-\u9fff{FULL_WIDTH}] ", before) or re.fullmatch(
            r" [\u4e00-\u9fff]", after
        )
        if spaced and CJK.search(m.group(1)):
            problems.append(f"space around emphasis: …{chinese[m.start() - 2 : m.end() + 2]}…")
    return problems


@pytest.mark.parametrize(
    ("chinese", "problem"),
    [
        ("**方差** 来自初始值", "space after bold"),
        ("**从最小的 λ 开始。** 训练损失", "space after bold"),
        ("正则化常数 {math}`\\lambda` （有限）", "space between markup and full-width"),
        ("``weight_decay=7`` （课程笔记本）", "space between markup and full-width"),
        ("（很快。） :func:`mlp`", "space between full-width punctuation and markup"),
        ("保持在 100 %。", "space in a percentage"),
        ("这就是 *双下降* 的插值峰", "space around emphasis"),
    ],
)
def test_each_typography_rule_finds_its_problem(chinese: str, problem: str) -> None:
    found = typography_problems(chinese)
    assert len(found) == 1
    assert found[0].startswith(problem)


@pytest.mark.parametrize(
    "chinese",
    [
        "**方差**来自初始值",
        "**从最小的 λ 开始**。训练损失",
        "**Adam + L2** 不是 AdamW",  # a space between Latin and Chinese is usual
        "正则化常数 {math}`\\lambda`（有限）",
        ":math:`\\lambda`\\ （练习 2）",
        "（很快。）\\ :func:`mlp` 构建网络",
        "保持在 100%。",
        "这就是*双下降*的插值峰",  # Markdown
        "这里的情况\\ *为什么*\\ 会这么糟",  # reST: escaped spaces
        "对*任何* $\\lambda$ 都成立",  # a space between Chinese and math is usual
    ],
)
def test_good_typography_passes(chinese: str) -> None:
    assert typography_problems(chinese) == []


def test_no_catalog_breaks_chinese_typography() -> None:
    found = [f"{t.where}: {p}" for t in catalog_texts() for p in typography_problems(t.chinese)]
    assert not found, "\n".join(found)


# -- Emphasis ------------------------------------------------------------------------------------
def test_chinese_emphasis_is_marked_for_emphasis_dots() -> None:
    from docutils import nodes  # noqa: PLC0415
    from docutils.frontend import get_default_settings  # noqa: PLC0415
    from docutils.utils import new_document  # noqa: PLC0415

    doctree = new_document("test", get_default_settings())
    chinese, mixed, latin = (
        nodes.emphasis(text="总衰减"),
        nodes.emphasis(text="Adam + L2 不是 AdamW"),
        nodes.emphasis(text="Dive into Deep Learning"),
    )
    doctree += nodes.paragraph("", "", chinese, mixed, latin)
    _load("languages").mark_cjk_emphasis(None, doctree, "index")
    assert [e["classes"] for e in (chinese, mixed, latin)] == [
        ["cjk-emphasis"],
        ["cjk-emphasis"],
        [],
    ]
    css = (DOCS / "_static" / "chinese.css").read_text(encoding="utf-8")
    rule = css[css.index("em.cjk-emphasis") :]
    assert "font-style: normal" in rule
    assert "text-emphasis: filled dot" in rule
