"""The λ playground in Chromium: its readouts follow the slider and the penalty, with the
library's numbers.

The test drags nothing by hand: it steps the slider with the keyboard and sets its value (with the
``input`` event a drag fires), switches the penalty and the trainer, and after each step compares
the readouts with :func:`weightdecay.regularization_path` (and ``train_concise``) computed here for
the strength the page shows, independently of the page's data file. It also checks that the page
makes no console error and no request to another host, fits a 375 px window, labels its slider
and its charts, and works when opened from disk; it saves desktop and phone screenshots.

When the Chinese site is built (``docs/_build/html/zh_CN/``), its playground must show Chinese
labels (the raw HTML's, the charts' legends, axes and descriptions, the table of what the build
computed), no English left from ``docs/_ext/playground_strings.py``, and the same numbers.

Fixtures of the site test session (``site_tests/conftest.py``): ``site_url``, the served
``docs/_build/html`` with a trailing slash, and pytest-playwright's ``page`` on Debian's Chromium.
"""

from __future__ import annotations

import html
import importlib.util
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from weightdecay import make_problem, regularization_path, train_concise
from weightdecay.path import ZERO_TOL

if TYPE_CHECKING:
    from collections.abc import Iterator
    from types import ModuleType

    from playwright.sync_api import Page, Route, ViewportSize

__all__ = [
    "test_chinese_fits_a_phone_and_screenshots",
    "test_chinese_labels_and_the_library_numbers",
    "test_concise_trainer_matches_train_concise",
    "test_fits_a_phone_and_screenshots",
    "test_playground_from_disk",
    "test_readouts_follow_the_slider_and_the_penalty",
    "test_slider_is_labelled_and_spans_the_grid",
]

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
SCREENSHOTS = HTML.parent / "screenshots"
CHINESE = HTML / "zh_CN" / "playground.html"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 812}
REL = 2e-3  # the page shows 4 significant digits: a relative error of at most 5e-4

_READ_JS = """
() => {
  const slider = document.getElementById("lambda-slider");
  const text = (id) => document.getElementById(id).textContent;
  return {
    value: slider.value, min: slider.min, max: slider.max, step: slider.step,
    penalty: document.querySelector("input[name=penalty]:checked").value,
    trainer: document.querySelector("input[name=trainer]:checked").value,
    lambda: text("lambda-value"), w_norm: text("w-norm"), train_loss: text("train-loss"),
    test_loss: text("test-loss"), exact_zeros: text("exact-zeros"), near_zeros: text("near-zeros"),
    dots: document.querySelectorAll("#wdp-weights-chart circle.wdp-dot:not(.wdp-legend *)").length,
    near_dots: document.querySelectorAll(
      "#wdp-weights-chart circle.wdp-dot-near:not(.wdp-legend *)").length,
    charts: Array.from(document.querySelectorAll("#wd-playground svg"),
      (svg) => [svg.getAttribute("role"), svg.getAttribute("aria-label") || ""]),
  };
}
"""

# The page has redrawn once the strength it shows is the slider's.
_SETTLED_JS = """
() => {
  const value = 10 ** Number(document.getElementById("lambda-slider").value);
  const shown = Number(document.getElementById("lambda-value").textContent);
  return shown > 0 && Math.abs(shown - value) <= 1e-3 * value;
}
"""

_SET_VALUE_JS = """
(value) => {
  const slider = document.getElementById("lambda-slider");
  slider.value = String(value);
  slider.dispatchEvent(new Event("input", { bubbles: true }));
  slider.dispatchEvent(new Event("change", { bubbles: true }));
}
"""

_OVERFLOW_JS = """
() => {
  const width = window.innerWidth;
  const wide = Array.from(document.querySelectorAll("#wd-playground *, .wdp-facts-wrap"))
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : ""));
  return { width, page: document.scrollingElement.scrollWidth, wide };
}
"""


@dataclass(frozen=True)
class Step:
    """What the page showed after one action."""

    action: str
    penalty: str
    strength: float  # 10 ** slider value: the grid point, as the slider holds it
    shown: dict[str, Any]


class Browser:
    """One page, watched: console errors, uncaught exceptions and requests to other hosts."""

    def __init__(self, page: Page, local: str) -> None:
        self.page, self.local, self.problems = page, local, list[str]()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught {error}"))
        page.route("**/*", self._route)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _route(self, route: Route) -> None:
        url = route.request.url
        if url.startswith((self.local, "data:")):
            route.continue_()
        else:
            self.problems.append(f"request to another host: {url}")
            route.abort("blockedbyclient")

    def open(self, url: str) -> None:
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(_SETTLED_JS)

    def read(self, action: str) -> Step:
        self.page.wait_for_function(_SETTLED_JS)
        shown: dict[str, Any] = self.page.evaluate(_READ_JS)
        return Step(action, shown["penalty"], 10 ** float(shown["value"]), shown)

    def press(self, *keys: str) -> None:
        slider = self.page.locator("#lambda-slider")
        slider.focus()
        for key in keys:
            slider.press(key)

    def set_value(self, log10_value: float) -> None:
        self.page.evaluate(_SET_VALUE_JS, log10_value)


@dataclass(frozen=True)
class Grid:
    """The slider's grid: log10 values ``low + k * step`` for k in ``range(num)``."""

    low: float
    step: float
    num: int

    def log10(self, k: int) -> float:
        return self.low + k * self.step

    def index(self, strength: float) -> int:
        return round((math.log10(strength) - self.low) / self.step)


@pytest.fixture
def playground(page: Page, site_url: str) -> Iterator[Browser]:
    """The playground page over http, at desktop width; no browser problem may happen."""
    page.set_viewport_size(DESKTOP)
    browser = Browser(page, site_url)
    browser.open(site_url + "playground.html")
    yield browser
    assert browser.problems == []


def _grid(page: Page) -> Grid:
    slider = page.locator("#lambda-slider")
    low, high, step = (float(slider.get_attribute(a) or "nan") for a in ("min", "max", "step"))
    assert step > 0
    assert high > low
    return Grid(low, step, round((high - low) / step) + 1)


def test_slider_is_labelled_and_spans_the_grid(playground: Browser) -> None:
    page = playground.page
    slider = page.locator("#lambda-slider")
    assert slider.get_attribute("type") == "range"
    assert "strength" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.get_by_label(re.compile("Penalty strength")).count() == 1
    grid = _grid(page)
    assert grid.low == -3.0  # lambda = 1e-3
    assert grid.num >= 64
    playground.press("End")
    last = playground.read("End")
    assert float(last.shown["value"]) == pytest.approx(grid.log10(grid.num - 1), abs=1e-9)
    assert slider.get_attribute("aria-valuetext") == f"λ = {last.shown['lambda']}"


def test_readouts_follow_the_slider_and_the_penalty(playground: Browser) -> None:
    page, grid = playground.page, _grid(playground.page)
    steps = [playground.read("loaded")]
    playground.press("End")
    steps.append(playground.read("End"))
    playground.press("ArrowLeft", "ArrowLeft", "ArrowLeft")
    steps.append(playground.read("ArrowLeft x3"))
    playground.press("Home", *["ArrowRight"] * 25)
    steps.append(playground.read("Home, ArrowRight x25"))
    playground.set_value(grid.log10(45))
    steps.append(playground.read("value = grid point 45"))
    page.check("input[name='penalty'][value='l1']")
    steps.append(playground.read("penalty L1"))
    playground.press(*["ArrowLeft"] * 7)
    steps.append(playground.read("ArrowLeft x7"))
    playground.set_value(grid.log10(60))
    steps.append(playground.read("value = grid point 60"))
    playground.press("End")
    steps.append(playground.read("End"))
    page.check("input[name='penalty'][value='l2']")
    steps.append(playground.read("penalty L2"))
    playground.set_value(grid.log10(33))
    steps.append(playground.read("value = grid point 33"))
    page.locator("#wdp-lambda-chart svg").click()  # the middle of the test-loss curve
    steps.append(playground.read("click on the test-loss curve"))

    last = grid.num - 1
    assert [s.penalty for s in steps] == ["l2"] * 5 + ["l1"] * 4 + ["l2"] * 3
    expected = [0, last, last - 3, 25, 45, 45, 38, 60, last, last, 33]
    for s, k in zip(steps[:-1], expected, strict=True):
        assert float(s.shown["value"]) == pytest.approx(grid.log10(k), abs=1e-9), s.action
    assert 0 < grid.index(steps[-1].strength) < last
    _check_against_the_library(steps, grid)

    for s in steps:
        assert s.shown["dots"] == 200, s.action
        assert s.shown["near_dots"] == int(s.shown["near_zeros"]), s.action
        assert [role for role, _ in s.shown["charts"]] == ["img"] * 3, s.action
        assert all(len(description) > 40 for _, description in s.shown["charts"]), s.action
        assert s.shown["test_loss"] in s.shown["charts"][0][1], s.action  # the loss chart's


def test_concise_trainer_matches_train_concise(playground: Browser) -> None:
    """torch.optim's weight_decay, checked against train_concise itself (one run)."""
    page = playground.page
    page.check("input[name='trainer'][value='concise']")
    grid = _grid(page)
    playground.set_value(grid.log10(40))
    concise = playground.read("trainer concise, grid point 40")
    assert "weight_decay" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.locator("input[name='penalty'][value='l1']").is_disabled()  # wd is L2
    run = train_concise(make_problem(seed=0), weight_decay=concise.strength)
    assert float(concise.shown["lambda"]) == pytest.approx(concise.strength, rel=1e-3)
    assert float(concise.shown["w_norm"]) == pytest.approx(run.w_norm, rel=REL)
    assert float(concise.shown["train_loss"]) == pytest.approx(run.history.train_loss[-1], rel=REL)
    assert float(concise.shown["test_loss"]) == pytest.approx(run.history.test_loss[-1], rel=REL)
    assert int(concise.shown["near_zeros"]) == int((run.w.abs() < ZERO_TOL).sum())


def test_fits_a_phone_and_screenshots(playground: Browser) -> None:
    """No sideways scroll at 375 px; screenshots of a telling state, at desktop (1280 px) and
    phone (375 px) widths: L1 near the notebook's lambda = 2, where small weights are zeroed and
    large ones shrunk (soft-thresholding)."""
    page = playground.page
    page.check("input[name='penalty'][value='l1']")
    playground.set_value(_grid(page).log10(36))
    playground.read("screenshot state")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "playground-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.getElementById('wdp-loss-chart').clientWidth < 375")
    page.wait_for_timeout(300)  # the charts redraw for the new width on the next frame
    box = page.evaluate(_OVERFLOW_JS)
    assert box["page"] <= box["width"], box
    assert box["wide"] == [], box
    chart = page.locator("#wdp-loss-chart svg").bounding_box()
    assert chart is not None
    assert chart["width"] < 375
    page.screenshot(path=str(SCREENSHOTS / "playground-phone.png"), full_page=True)


def _check_against_the_library(steps: list[Step], grid: Grid) -> None:
    """Each step's readouts against a path that this test trains on the slider's grid.

    The grid is the one the slider steps through, ``10 ** (min + k * step)``, rounded as the
    range input rounds it (to the step's 6 decimals). Training the whole grid at once, as the
    build does, matters for L1: its update moves each weight by ``lr * lambd * sign(w)``, and a
    weight that sits within float32 rounding of zero can take the other sign in a path of
    another width (see tests/test_path.py), which changes a few L1 readouts by several percent.
    """
    strengths = [10 ** round(grid.log10(k), 6) for k in range(grid.num)]
    problem = make_problem(seed=0)
    for penalty in ("l2", "l1"):
        path = regularization_path(problem, strengths, penalty=penalty)
        for s in (s for s in steps if s.penalty == penalty):
            k = grid.index(s.strength)
            assert s.strength == pytest.approx(strengths[k], rel=1e-12), s.action
            w = path.W[:, k]
            where = f"{s.action} ({penalty}, lambda {s.strength:.4g})"
            assert float(s.shown["lambda"]) == pytest.approx(s.strength, rel=1e-3), where
            assert float(s.shown["w_norm"]) == pytest.approx(float(path.w_norm[k]), rel=REL), where
            assert float(s.shown["train_loss"]) == pytest.approx(
                float(path.final_train_loss[k]), rel=REL
            ), where
            assert float(s.shown["test_loss"]) == pytest.approx(
                float(path.final_test_loss[k]), rel=REL
            ), where
            assert int(s.shown["exact_zeros"]) == int((w == 0).sum()), where
            assert int(s.shown["near_zeros"]) == int((w.abs() < ZERO_TOL).sum()), where


def test_playground_from_disk(page: Page) -> None:
    """Opened as a file (file://), where fetch() of a local JSON file would fail; the address's
    fragment, which the page keeps up to date for sharing, picks the penalty and the strength."""
    browser = Browser(page, "file://")
    browser.open((HTML / "playground.html").as_uri() + "#trainer=scratch&penalty=l1&strength=1")
    first = browser.read("opened from disk")
    step = _grid(page).step
    assert first.penalty == "l1"
    assert abs(math.log10(first.strength)) <= step / 2  # the grid point closest to 1
    browser.press("End")
    last = browser.read("End")
    assert float(last.shown["test_loss"]) > 0
    assert last.strength > 100 * first.strength
    page.wait_for_function(
        "() => location.hash.includes('strength=' + "
        "document.getElementById('lambda-value').textContent)"
    )
    assert browser.problems == []


# --------------------------------------------------------------------------------------------
# The Chinese site
# --------------------------------------------------------------------------------------------
_CJK = re.compile(r"[\u4e00-\u9fff]")

_TEXTS_JS = """
() => {
  const texts = (selector) => Array.from(document.querySelectorAll(selector), (e) => e.textContent);
  const root = document.getElementById("wd-playground");
  const facts = document.querySelector(".wdp-facts-wrap");
  return {
    lang: document.documentElement.lang,
    legends: texts("#wd-playground fieldset legend"),
    loss_legend: texts("#wdp-loss-chart .wdp-legend text"),
    weights_legend: texts("#wdp-weights-chart .wdp-legend text"),
    lambda_legend: texts("#wdp-lambda-chart .wdp-legend text"),
    axes: texts("#wd-playground .wdp-axis-label"),
    readout_names: texts("#wd-playground dt"),
    fact_names: texts("#wdp-facts th"),
    caption: texts("#wdp-facts caption")[0],
    valuetext: document.getElementById("lambda-slider").getAttribute("aria-valuetext"),
    // Everything the page says, hidden modes and descriptions for screen readers included.
    all: [root.textContent, facts.textContent,
      ...Array.from(document.querySelectorAll("[aria-label], [aria-valuetext]"),
        (e) => (e.getAttribute("aria-label") || "") + " " + (e.getAttribute("aria-valuetext") || ""))
    ].join("\\n"),
  };
}
"""


def _widget_strings() -> ModuleType:
    """docs/_ext/playground_strings.py, the tables of the widget's texts (no Sphinx needed)."""
    spec = importlib.util.spec_from_file_location(
        "playground_strings", ROOT / "docs" / "_ext" / "playground_strings.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _english_left(text: str) -> list[str]:
    """The keys of the widget's strings whose English ``text`` still shows.

    Each English string becomes a pattern: its markup dropped, its placeholders (and the empty
    elements that the script fills, such as ``<span data-wdp-fact="zero_tol"></span>``) matching
    any number. Strings that read the same in Chinese (``{name} = {value}``) or hold no English
    word but names (``torch.optim``) are skipped.
    """
    strings = _widget_strings()
    filled = re.compile(r"\{\w+\}|<(\w+)[^>]*></\1>")

    def pattern(template: str) -> str:
        pieces = [html.unescape(re.sub(r"<[^>]*>", "", p)) for p in filled.split(template)[::2]]
        body = r"\S*".join(re.escape(p) for p in pieces).strip()
        return rf"(?<!\w){body}(?!\w)"

    found = []
    for table in (strings.PAGE_STRINGS, strings.SCRIPT_STRINGS):
        for key, texts in table.items():
            words = re.findall(r"[\w.]+", re.sub(r"<[^>]*>", " ", filled.sub(" ", texts["en"])))
            if not any(re.fullmatch("[A-Za-z]{3,}", word) for word in words):
                continue
            if texts["en"] != texts["zh_CN"] and re.search(pattern(texts["en"]), text):
                found.append(key)
    return found


@pytest.fixture
def chinese_playground(page: Page, site_url: str) -> Iterator[Browser]:
    """The Chinese playground over http, at desktop width; no browser problem may happen."""
    if not CHINESE.is_file():
        pytest.skip(f"the Chinese site is not built ({CHINESE} is missing)")
    page.set_viewport_size(DESKTOP)
    browser = Browser(page, site_url)
    browser.open(site_url + "zh_CN/playground.html")
    yield browser
    assert browser.problems == []


def test_chinese_labels_and_the_library_numbers(chinese_playground: Browser) -> None:
    page, grid = chinese_playground.page, _grid(chinese_playground.page)
    texts = page.evaluate(_TEXTS_JS)
    assert texts["lang"] == "zh-CN"
    # The raw HTML, translated by the build: the slider's label is its accessible name.
    assert "正则化常数 λ" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.get_by_label(re.compile("正则化常数")).count() == 1
    assert texts["legends"] == ["实现方式", "惩罚项"]
    assert texts["readout_names"][1:3] == ["最终训练损失", "最终测试损失"]
    assert texts["caption"] == "构建时算出的数值"
    # What playground.js wrote: legends, axes, the table, the charts' descriptions.
    assert texts["loss_legend"] == ["训练损失", "测试损失", "零预测器（测试）"]  # noqa: RUF001
    assert texts["weights_legend"] == ["权重", "接近零", "仅惩罚项", "不变"]
    assert texts["lambda_legend"] == ["L2", "L1", "零预测器"]
    assert texts["axes"][:4] == ["迭代周期", "损失", "初始权重 w₀", "最终权重 w"]
    assert len(texts["fact_names"]) == 12
    assert all(_CJK.search(name) or name.startswith("max") for name in texts["fact_names"])
    assert _english_left(texts["all"]) == []

    # The numbers are the library's, as plain numbers, in every state.
    steps = [chinese_playground.read("loaded")]
    chinese_playground.press("End")
    steps.append(chinese_playground.read("End"))
    chinese_playground.set_value(grid.log10(45))
    steps.append(chinese_playground.read("value = grid point 45"))
    page.check("input[name='penalty'][value='l1']")
    chinese_playground.set_value(grid.log10(36))
    steps.append(chinese_playground.read("penalty L1, grid point 36"))
    assert [s.penalty for s in steps] == ["l2", "l2", "l2", "l1"]
    _check_against_the_library(steps, grid)
    for s in steps:
        assert re.fullmatch(r"[0-9.e+-]+", s.shown["test_loss"]), s.action
        assert [role for role, _ in s.shown["charts"]] == ["img"] * 3, s.action
        assert all(_CJK.search(description) for _, description in s.shown["charts"]), s.action
        assert s.shown["test_loss"] in s.shown["charts"][0][1], s.action
    assert page.locator("#lambda-slider").get_attribute("aria-valuetext") == (
        f"λ = {steps[-1].shown['lambda']}"
    )

    # torch.optim: the concise labels, and again no English.
    page.check("input[name='trainer'][value='concise']")
    chinese_playground.read("trainer concise")
    assert "权重衰减" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.locator("#wdp-penalty-note").inner_text() == "weight_decay 是 L2 惩罚项"
    assert _english_left(page.evaluate(_TEXTS_JS)["all"]) == []


def test_chinese_fits_a_phone_and_screenshots(chinese_playground: Browser) -> None:
    """The Chinese labels fit 375 px; screenshots of the state the English ones show."""
    page = chinese_playground.page
    page.check("input[name='penalty'][value='l1']")
    chinese_playground.set_value(_grid(page).log10(36))
    chinese_playground.read("screenshot state")
    folder = SCREENSHOTS / "zh_CN"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / "playground-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.getElementById('wdp-loss-chart').clientWidth < 375")
    page.wait_for_timeout(300)  # the charts redraw for the new width on the next frame
    box = page.evaluate(_OVERFLOW_JS)
    assert box["page"] <= box["width"], box
    assert box["wide"] == [], box
    page.screenshot(path=str(folder / "playground-phone.png"), full_page=True)
