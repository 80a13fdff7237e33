"""The λ playground in Chromium: its readouts follow both sliders, the penalty and the trainer,
with the library's numbers; its view lives in the address; it loads little and fits a phone.

The test drags nothing by hand: it steps the sliders with the keyboard and sets their values
(with the ``input`` event a drag fires), switches the penalty and the trainer, and after each step
compares every readout with the library, computed here for the strength and the size the page
shows (:func:`weightdecay.regularization_path`, ``train_concise``,
:func:`weightdecay.ridge_closed_form`, :func:`weightdecay.theory.ridge_risk`), independently of
the page's data files. It loads addresses with a view in their fragment, valid and not, and
copies one with the button; it checks that the first draw needs at most 1 MB of data and that
another size's runs arrive only when chosen, from the site's own files; it checks the page from
disk, at 375 px, with axe, and in Chinese, and saves screenshots at n = 200 and n = 400.

Fixtures (``site_tests/conftest.py``): ``page`` (a fresh context, watched by ``site_browser``,
which fails the test on a console error, an uncaught exception or a request to another host),
``new_context``, ``site_url`` and ``screenshot_dir``.
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
import torch
from axe_playwright_python.base import AXE_SCRIPT

from weightdecay import make_problem, regularization_path, ridge_closed_form, train_concise
from weightdecay.path import ZERO_TOL
from weightdecay.theory import ridge_risk

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import ModuleType

    from playwright.sync_api import BrowserContext, Page, ViewportSize

    from conftest import SiteBrowser

__all__ = [
    "test_address_restores_the_view_and_follows_the_controls",
    "test_chinese_labels_and_the_library_numbers",
    "test_concise_trainer_matches_train_concise",
    "test_controls_are_labelled_keyboard_operable_and_span_their_grids",
    "test_copy_link_copies_the_view",
    "test_first_draw_loads_under_1_mb_and_other_sizes_on_demand",
    "test_invalid_address_falls_back_to_the_defaults_and_says_so",
    "test_playground_from_disk",
    "test_readouts_follow_the_sliders_and_match_the_library",
    "test_screenshots_and_a_phone",
]

# The whole module on one xdist worker: its library references are computed once.
pytestmark = pytest.mark.xdist_group("playground")
# Small batched work: one thread runs it fastest, and keeps a busy machine from stalling it.
torch.set_num_threads(1)

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "docs" / "_build" / "html"
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 375, "height": 812}
REL = 2e-3  # the page shows 4 significant digits: a relative error of at most 5e-4
SIZES = [10, 20, 50, 100, 150, 200, 250, 400]  # the n slider's values (issue 25's grid)
W_NORM = math.sqrt(200) * 0.01  # the book's ||w*||: 200 weights of 0.01
NOISE = 0.01

_READ_JS = """
() => {
  const byId = (id) => document.getElementById(id);
  const text = (id) => byId(id).textContent;
  const slider = byId("lambda-slider"), n = byId("n-slider"), note = byId("wdp-unfinished");
  return {
    value: slider.value, min: slider.min, max: slider.max, step: slider.step,
    valuetext: slider.getAttribute("aria-valuetext"),
    n_index: n.value, n_min: n.min, n_max: n.max, n_valuetext: n.getAttribute("aria-valuetext"),
    penalty: document.querySelector("input[name=penalty]:checked").value,
    trainer: document.querySelector("input[name=trainer]:checked").value,
    lambda: text("lambda-value"), n: text("n-value"), w_norm: text("w-norm"),
    train_loss: text("train-loss"), test_loss: text("test-loss"), exact_zeros: text("exact-zeros"),
    near_zeros: text("near-zeros"), converged: text("converged-loss"), theory: text("theory-loss"),
    unfinished: note.hidden ? null : note.textContent,
    hash_note: byId("wdp-hash-note").hidden ? null : byId("wdp-hash-note").textContent,
    hash: location.hash,
    dots: document.querySelectorAll("#wdp-weights-chart circle.wdp-dot:not(.wdp-legend *)").length,
    near_dots: document.querySelectorAll(
      "#wdp-weights-chart circle.wdp-dot-near:not(.wdp-legend *)").length,
    charts: Array.from(document.querySelectorAll("#wd-playground svg"),
      (svg) => [svg.getAttribute("role"), svg.getAttribute("aria-label") || ""]),
  };
}
"""

# The page has drawn the view that its two sliders show.
_SETTLED_JS = """
() => {
  const byId = (id) => document.getElementById(id);
  const root = byId("wd-playground");
  if (root.dataset.state !== "ready") return false;
  const value = 10 ** Number(byId("lambda-slider").value);
  const shown = Number(byId("lambda-value").textContent);
  return shown > 0 && Math.abs(shown - value) <= 1e-3 * value
    && root.dataset.n === byId("n-value").textContent;
}
"""

_SET_VALUE_JS = """
([id, value]) => {
  const slider = document.getElementById(id);
  slider.value = String(value);
  slider.dispatchEvent(new Event("input", { bubbles: true }));
  slider.dispatchEvent(new Event("change", { bubbles: true }));
}
"""

_DATA_FILES_JS = """
() => performance.getEntriesByType("resource")
  .filter((e) => /playground-data[^/]*\\.js/.test(e.name))
  .map((e) => [e.name.split("/").pop().split("?")[0], e.encodedBodySize, e.name])
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
    shown: dict[str, Any]

    @property
    def trainer(self) -> str:
        return str(self.shown["trainer"])

    @property
    def penalty(self) -> str:
        """The penalty the runs were trained with (torch.optim's weight_decay is L2)."""
        return "l2" if self.trainer == "concise" else str(self.shown["penalty"])

    @property
    def n(self) -> int:
        return int(self.shown["n"])

    @property
    def strength(self) -> float:
        """10 ** slider value: the grid point, as the slider holds it."""
        return float(10 ** float(self.shown["value"]))


class Playground:
    """The playground page in a tab: actions, and what it shows once it has drawn them."""

    def __init__(self, page: Page, log: SiteBrowser, path: str = "playground.html") -> None:
        self.page, self.log = page, log
        page.set_viewport_size(DESKTOP)
        log.open(page, path)
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_function(_SETTLED_JS)

    def read(self, action: str) -> Step:
        self.settle()
        return Step(action, self.page.evaluate(_READ_JS))

    def press(self, slider: str, *keys: str) -> None:
        control = self.page.locator(f"#{slider}")
        control.focus()
        for key in keys:
            control.press(key)

    def set_value(self, slider: str, value: float) -> None:
        self.page.evaluate(_SET_VALUE_JS, [slider, value])

    def grid(self) -> Grid:
        slider = self.page.locator("#lambda-slider")
        low, high, step = (float(slider.get_attribute(a) or "nan") for a in ("min", "max", "step"))
        assert step > 0
        assert high > low
        return Grid(low, step, round((high - low) / step) + 1)

    def wait_for_hash(self) -> str:
        """The address's fragment, once the page has written the view it shows into it."""
        self.settle()
        self.page.wait_for_function(
            """() => {
              const lambda = document.getElementById("lambda-value").textContent;
              const n = document.getElementById("n-value").textContent;
              return location.hash.includes(`lambda=${lambda}&`) && location.hash.endsWith(`n=${n}`);
            }"""
        )
        hash_: str = self.page.evaluate("() => location.hash")
        return hash_


@dataclass(frozen=True)
class Grid:
    """The λ slider's grid: log10 values ``low + k * step`` for k in ``range(num)``."""

    low: float
    step: float
    num: int

    def log10(self, k: int) -> float:
        return self.low + k * self.step

    def index(self, strength: float) -> int:
        return round((math.log10(strength) - self.low) / self.step)

    def strengths(self) -> list[float]:
        """The grid as the range input rounds it (to the step's 6 decimals)."""
        return [10 ** round(self.log10(k), 6) for k in range(self.num)]


class Library:
    """The library's numbers for the page's grid, computed here once per size and penalty."""

    def __init__(self) -> None:
        self._paths: dict[tuple[int, str], Any] = {}

    def path(self, n: int, penalty: str, grid: Grid) -> Any:
        """The whole grid at once, as the build trains it: that matters for L1, whose update
        moves each weight by ``lr * lambd * sign(w)``; a weight within float32 rounding of zero
        can take the other sign in a path of another width (see tests/test_path.py)."""
        if (n, penalty) not in self._paths:
            problem = make_problem(n_train=n, seed=0)
            self._paths[n, penalty] = regularization_path(
                problem, grid.strengths(), penalty=penalty
            )
        return self._paths[n, penalty]

    @staticmethod
    def converged(n: int, lambd: float) -> float:
        """Half test MSE of the exact minimizer of the L2 objective, bias included."""
        problem = make_problem(n_train=n, seed=0)
        X, y = problem.X_train.double(), problem.y_train.double()
        w, b = ridge_closed_form(X, y, lambd)
        return float(
            0.5 * (problem.X_test.double() @ w + b - problem.y_test.double()).square().mean()
        )

    @staticmethod
    def theory(n: int, lambd: float) -> float:
        """ridge_risk: the expected test MSE of the converged estimator (no 1/2)."""
        return float(ridge_risk(n, 200, lambd, w_norm=W_NORM, noise=NOISE))


@pytest.fixture(scope="module")
def library() -> Library:
    return Library()


@pytest.fixture
def playground(page: Page, site_browser: SiteBrowser) -> Playground:
    return Playground(page, site_browser)


def _check_scratch_step(step: Step, grid: Grid, library: Library) -> None:
    """Every readout of a from-scratch step against the library."""
    k = grid.index(step.strength)
    strengths = grid.strengths()
    where = f"{step.action} (n = {step.n}, {step.penalty}, λ = {step.strength:.4g})"
    assert step.strength == pytest.approx(strengths[k], rel=1e-12), where
    path = library.path(step.n, step.penalty, grid)
    w = path.W[:, k]
    shown = step.shown
    assert float(shown["lambda"]) == pytest.approx(strengths[k], rel=1e-3), where
    assert float(shown["w_norm"]) == pytest.approx(float(path.w_norm[k]), rel=REL), where
    assert float(shown["train_loss"]) == pytest.approx(float(path.final_train_loss[k]), rel=REL), (
        where
    )
    sgd = float(path.final_test_loss[k])
    assert float(shown["test_loss"]) == pytest.approx(sgd, rel=REL), where
    assert int(shown["exact_zeros"]) == int((w == 0).sum()), where
    assert int(shown["near_zeros"]) == int((w.abs() < ZERO_TOL).sum()), where
    converged = library.converged(step.n, strengths[k])
    assert float(shown["converged"]) == pytest.approx(converged, rel=REL), where
    theory = 0.5 * library.theory(step.n, strengths[k])
    assert float(shown["theory"]) == pytest.approx(theory, rel=REL), where
    _check_unfinished_note(step, sgd, converged)


def _check_unfinished_note(step: Step, sgd: float, converged: float) -> None:
    """The note says why SGD and the converged estimator differ, where they do (L2 only)."""
    ratio = max(sgd / converged, converged / sgd)
    if step.shown["penalty"] == "l1" and step.trainer == "scratch":
        assert step.shown["unfinished"] is None, step.action
    elif ratio > 1.3:
        note = step.shown["unfinished"]
        assert note is not None, step.action
        assert step.shown["test_loss"] in note, step.action
        assert step.shown["converged"] in note, step.action
    elif ratio < 1.2:
        assert step.shown["unfinished"] is None, step.action


def _check_drawing(step: Step) -> None:
    shown = step.shown
    assert shown["dots"] == 200, step.action
    assert shown["near_dots"] == int(shown["near_zeros"]), step.action
    assert [role for role, _ in shown["charts"]] == ["img"] * 3, step.action
    assert all(len(description) > 40 for _, description in shown["charts"]), step.action
    assert shown["test_loss"] in shown["charts"][0][1], step.action  # the loss chart's
    assert f"n = {shown['n']}" in shown["charts"][2][1], step.action  # the strength chart's
    assert shown["theory"] in shown["charts"][2][1], step.action
    assert shown["n_valuetext"] == f"n = {shown['n']}", step.action
    assert int(shown["n"]) == SIZES[int(shown["n_index"])], step.action


# --------------------------------------------------------------------------------------------
# Controls and readouts
# --------------------------------------------------------------------------------------------
def test_controls_are_labelled_keyboard_operable_and_span_their_grids(
    playground: Playground,
) -> None:
    page = playground.page
    assert page.locator("#lambda-slider").get_attribute("type") == "range"
    assert "strength" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.get_by_label(re.compile("Penalty strength")).count() == 1
    assert page.get_by_label(re.compile("Training examples")).count() == 1
    grid = playground.grid()
    assert -6 - grid.step < grid.low <= -6  # from lambda = 1e-6
    assert grid.num >= 64
    assert min(abs(s / 3 - 1) for s in grid.strengths()) < 1e-5  # the book's lambda = 3
    first = playground.read("loaded")
    assert (first.shown["n_min"], first.shown["n_max"]) == ("0", str(len(SIZES) - 1))
    assert first.n == 20
    # The keyboard reaches every control in order: the radios, the two sliders, the button.
    page.locator("#lambda-slider").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "n-slider"
    page.keyboard.press("End")
    last = playground.read("Tab to n, End")
    assert last.n == 400
    assert last.shown["valuetext"] == f"λ = {last.shown['lambda']}"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "wdp-copy-link"
    playground.press("lambda-slider", "End")
    end = playground.read("λ End")
    assert float(end.shown["value"]) == pytest.approx(grid.log10(grid.num - 1), abs=1e-9)


def test_readouts_follow_the_sliders_and_match_the_library(
    playground: Playground, library: Library
) -> None:
    page, grid = playground.page, playground.grid()
    steps = [playground.read("loaded")]
    playground.press("n-slider", "ArrowRight", "ArrowRight", "ArrowRight")
    steps.append(playground.read("n: ArrowRight x3"))  # 20 -> 50 -> 100 -> 150
    playground.press("lambda-slider", *["ArrowRight"] * 37)
    steps.append(playground.read("λ: ArrowRight x37"))
    playground.set_value("n-slider", SIZES.index(200))
    steps.append(playground.read("n = 200 by value"))
    playground.press("lambda-slider", "Home")
    steps.append(playground.read("λ: Home (the peak)"))
    playground.set_value("n-slider", SIZES.index(400))
    playground.set_value("lambda-slider", grid.log10(grid.index(3.0)))
    steps.append(playground.read("n = 400, λ = 3 by value"))
    page.check("input[name='penalty'][value='l1']")
    steps.append(playground.read("penalty L1"))
    playground.press("lambda-slider", *["ArrowLeft"] * 5)
    steps.append(playground.read("λ: ArrowLeft x5"))
    playground.press("n-slider", "Home", "ArrowRight")
    steps.append(playground.read("n: Home, ArrowRight"))  # back to 20, L1
    page.check("input[name='penalty'][value='l2']")
    page.locator("#wdp-lambda-chart svg").click()  # the middle of the test-loss curve
    steps.append(playground.read("click on the strength chart"))

    assert [s.n for s in steps] == [20, 150, 150, 200, 200, 400, 400, 400, 20, 20]
    assert [s.penalty for s in steps] == ["l2"] * 6 + ["l1"] * 3 + ["l2"]
    assert [grid.index(s.strength) for s in steps[:3]] == [0, 0, 37]
    assert grid.index(steps[4].strength) == 0
    assert steps[5].strength == pytest.approx(3.0, rel=1e-5)
    assert 0 < grid.index(steps[-1].strength) < grid.num - 1
    for step in steps:
        _check_scratch_step(step, grid, library)
        _check_drawing(step)
    # The peak: SGD has not finished at n = d, and the note says so.
    assert steps[4].shown["unfinished"] is not None
    playground.log.assert_clean()


def test_concise_trainer_matches_train_concise(playground: Playground, library: Library) -> None:
    """torch.optim's weight_decay, checked against train_concise itself (one run)."""
    page = playground.page
    page.check("input[name='trainer'][value='concise']")
    playground.set_value("n-slider", SIZES.index(50))
    grid = playground.grid()
    playground.set_value("lambda-slider", grid.log10(66))
    step = playground.read("torch.optim, n = 50, grid point 66")
    assert "weight_decay" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.locator("input[name='penalty'][value='l1']").is_disabled()  # wd is L2
    wd = grid.strengths()[66]
    run = train_concise(make_problem(n_train=50, seed=0), weight_decay=wd)
    shown = step.shown
    assert float(shown["lambda"]) == pytest.approx(wd, rel=1e-3)
    assert float(shown["w_norm"]) == pytest.approx(run.w_norm, rel=REL)
    assert float(shown["train_loss"]) == pytest.approx(run.history.train_loss[-1], rel=REL)
    sgd = run.history.test_loss[-1]
    assert float(shown["test_loss"]) == pytest.approx(sgd, rel=REL)
    assert int(shown["near_zeros"]) == int((run.w.abs() < ZERO_TOL).sum())
    # The references on torch.optim's scale: squared error, at lambda = wd / 2.
    converged = 2 * library.converged(50, wd / 2)
    assert float(shown["converged"]) == pytest.approx(converged, rel=REL)
    assert float(shown["theory"]) == pytest.approx(library.theory(50, wd / 2), rel=REL)
    _check_unfinished_note(step, sgd, converged)
    _check_drawing(step)
    playground.log.assert_clean()


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------
def test_first_draw_loads_under_1_mb_and_other_sizes_on_demand(
    playground: Playground, site_url: str
) -> None:
    page = playground.page
    first = page.evaluate(_DATA_FILES_JS)
    names = sorted(name for name, _, _ in first)
    assert names == ["playground-data-n20.js", "playground-data.js"]
    total = sum(size for _, size, _ in first)
    print(f"first draw: {total / 1024:.0f} KiB of data ({', '.join(names)})")
    assert total <= 1_000_000
    assert all(url.startswith(site_url + "_static/") for _, _, url in first)
    for n in (200, 400):
        playground.set_value("n-slider", SIZES.index(n))
        playground.read(f"n = {n}")
        loaded = {name: size for name, size, _ in page.evaluate(_DATA_FILES_JS)}
        assert f"playground-data-n{n}.js" in loaded
        print(f"n = {n}: {loaded[f'playground-data-n{n}.js'] / 1024:.0f} KiB more")
    assert len(page.evaluate(_DATA_FILES_JS)) == 4  # nothing else was fetched
    playground.log.assert_clean()


# --------------------------------------------------------------------------------------------
# The view in the address
# --------------------------------------------------------------------------------------------
def test_address_restores_the_view_and_follows_the_controls(
    page: Page, site_browser: SiteBrowser, new_context: Callable[..., BrowserContext]
) -> None:
    view = "#trainer=scratch&penalty=l1&lambda=3&n=400"
    playground = Playground(page, site_browser, "playground.html" + view)
    opened = playground.read("opened with " + view)
    shown = (opened.trainer, opened.penalty, opened.n, opened.shown["lambda"])
    assert shown == ("scratch", "l1", 400, "3")
    assert opened.shown["hash_note"] is None
    assert playground.wait_for_hash() == view
    entries = page.evaluate("() => history.length")
    playground.press("lambda-slider", *["ArrowRight"] * 6)
    playground.press("n-slider", "ArrowLeft", "ArrowLeft")
    page.check("input[name='penalty'][value='l2']")
    page.check("input[name='trainer'][value='concise']")
    moved = playground.read("moved every control")
    hash_ = playground.wait_for_hash()
    assert hash_ == (f"#trainer=concise&penalty=l2&lambda={moved.shown['lambda']}&n={moved.n}")
    assert moved.n == 200
    assert page.evaluate("() => history.length") == entries  # replaced, never pushed
    # The address opens the same view in another tab.
    other = Playground(new_context().new_page(), site_browser, "playground.html" + hash_)
    again = other.read("opened the copied address")
    for key in ("trainer", "penalty", "n", "lambda", "test_loss", "converged", "theory"):
        assert again.shown[key] == moved.shown[key], key
    site_browser.assert_clean()


@pytest.mark.parametrize(
    ("view", "wrong"),
    [
        (
            "#trainer=adam&penalty=l3&lambda=abc&n=30",
            ["trainer=adam", "penalty=l3", "lambda=abc", "n=30"],
        ),
        ("#lambda=1e9&n=20", ["lambda=1e9"]),
        ("#lambda=-3&n=-20", ["lambda=-3", "n=-20"]),
    ],
)
def test_invalid_address_falls_back_to_the_defaults_and_says_so(
    page: Page, site_browser: SiteBrowser, view: str, wrong: list[str]
) -> None:
    playground = Playground(page, site_browser, "playground.html" + view)
    step = playground.read("opened with " + view)
    grid = playground.grid()
    assert (step.trainer, step.penalty, step.n, grid.index(step.strength)) == (
        "scratch",
        "l2",
        20,
        0,
    )
    note = step.shown["hash_note"]
    assert note is not None
    assert all(entry in note for entry in wrong), note
    assert "default" in note
    assert page.locator("#wdp-hash-note").get_attribute("role") == "status"
    # The address now holds the view that is shown.
    assert playground.wait_for_hash() == (
        f"#trainer=scratch&penalty=l2&lambda={step.shown['lambda']}&n=20"
    )
    findings = _axe(page, "#wd-playground")  # the message and the note are accessible too
    site_browser.assert_clean(*findings)


def test_copy_link_copies_the_view(
    new_context: Callable[..., BrowserContext], site_browser: SiteBrowser
) -> None:
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    playground = Playground(context.new_page(), site_browser)
    page = playground.page
    playground.set_value("n-slider", SIZES.index(250))
    playground.press("lambda-slider", *["ArrowRight"] * 50)
    step = playground.read("n = 250, λ grid point 50")
    button = page.locator("#wdp-copy-link")
    button.focus()
    page.keyboard.press("Enter")  # the keyboard works the button
    page.wait_for_function("() => document.getElementById('wdp-copy-status').textContent")
    copied: str = page.evaluate("() => navigator.clipboard.readText()")
    assert copied == page.url
    assert copied.endswith(f"#trainer=scratch&penalty=l2&lambda={step.shown['lambda']}&n=250")
    assert page.locator("#wdp-copy-status").inner_text() == "Link copied."
    site_browser.assert_clean()


def test_playground_from_disk(page: Page) -> None:
    """Opened as a file (file://), where fetch() of a local file would fail: the runs of another
    size arrive by a script element, and the address's fragment picks the view."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"uncaught {error}"))
    page.goto((HTML / "playground.html").as_uri() + "#trainer=scratch&penalty=l1&lambda=1&n=50")
    page.wait_for_function(_SETTLED_JS)
    first = Step("opened from disk", page.evaluate(_READ_JS))
    assert (first.penalty, first.n) == ("l1", 50)
    step = float(page.locator("#lambda-slider").get_attribute("step") or "nan")
    assert abs(math.log10(first.strength)) <= step / 2  # the grid point closest to 1
    page.locator("#n-slider").focus()
    page.keyboard.press("End")
    page.wait_for_function(_SETTLED_JS)
    last = Step("End", page.evaluate(_READ_JS))
    assert last.n == 400
    assert float(last.shown["test_loss"]) > 0
    page.wait_for_function("() => location.hash.endsWith('n=400')")
    assert problems == []


# --------------------------------------------------------------------------------------------
# Screenshots, a phone, accessibility
# --------------------------------------------------------------------------------------------
def _axe(page: Page, include: str) -> list[str]:
    """axe-core's serious and critical violations inside ``include``, one line each."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    violations: list[dict[str, Any]] = page.evaluate(
        """async (include) => (await axe.run({ include: [[include]] },
             { resultTypes: ["violations"] })).violations
           .filter((v) => v.impact === "serious" || v.impact === "critical")
           .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)""",
        include,
    )
    return [str(v) for v in violations]


def _screenshots_and_phone(playground: Playground, folder: Path, name: str) -> None:
    """n = 200 at the smallest λ and n = 400 at λ = 3, at desktop width; then the view at
    375 px, where nothing may reach past the window's edge."""
    page, grid = playground.page, playground.grid()
    folder.mkdir(parents=True, exist_ok=True)
    for n, k in ((200, 0), (400, grid.index(3.0))):
        playground.set_value("n-slider", SIZES.index(n))
        playground.set_value("lambda-slider", grid.log10(k))
        playground.read(f"screenshot at n = {n}")
        page.screenshot(path=str(folder / f"{name}-n{n}.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.wait_for_function("() => document.getElementById('wdp-loss-chart').clientWidth < 375")
    page.wait_for_timeout(300)  # the charts redraw for the new width on the next frame
    box = page.evaluate(_OVERFLOW_JS)
    assert box["page"] <= box["width"], box
    assert box["wide"] == [], box
    chart = page.locator("#wdp-loss-chart svg").bounding_box()
    assert chart is not None
    assert chart["width"] < 375
    page.screenshot(path=str(folder / f"{name}-phone.png"), full_page=True)
    assert _axe(page, "#wd-playground") == []


def test_screenshots_and_a_phone(playground: Playground, screenshot_dir: Path) -> None:
    """Screenshots into docs/_build/screenshots/en/: playground-n200.png, playground-n400.png
    (1280 px wide) and playground-phone.png (375 px, at n = 400)."""
    _screenshots_and_phone(playground, screenshot_dir / "en", "playground")
    playground.log.assert_clean()


# --------------------------------------------------------------------------------------------
# The Chinese site
# --------------------------------------------------------------------------------------------
_CJK = re.compile(r"[\u4e00-\u9fff]")
CHINESE = HTML / "zh_CN" / "playground.html"

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
def chinese(page: Page, site_browser: SiteBrowser) -> Playground:
    """The Chinese playground, at desktop width."""
    if not CHINESE.is_file():
        pytest.skip(f"the Chinese site is not built ({CHINESE} is missing)")
    return Playground(page, site_browser, "zh_CN/playground.html")


def test_chinese_labels_and_the_library_numbers(
    chinese: Playground, library: Library, screenshot_dir: Path
) -> None:
    page, grid = chinese.page, chinese.grid()
    texts = page.evaluate(_TEXTS_JS)
    assert texts["lang"] == "zh-CN"
    # The raw HTML, translated by the build: the sliders' labels are their accessible names.
    assert "正则化常数 λ" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.get_by_label(re.compile("正则化常数")).count() == 1
    assert page.get_by_label(re.compile("训练样本数")).count() == 1
    assert texts["legends"] == ["实现方式", "惩罚项"]
    assert texts["readout_names"][1:3] == ["最终训练损失", "最终测试损失"]
    assert texts["readout_names"][3:5] == [
        "收敛后的岭回归（L2），同一份数据",  # noqa: RUF001
        "收敛后的岭回归（L2），期望值：理论",  # noqa: RUF001
    ]
    assert texts["caption"] == "构建时算出的数值"
    # What playground.js wrote: legends, axes, the table, the charts' descriptions.
    assert texts["loss_legend"] == ["训练损失", "测试损失", "零预测器（测试）"]  # noqa: RUF001
    assert texts["weights_legend"] == ["权重", "接近零", "仅惩罚项", "不变"]
    assert texts["lambda_legend"] == ["L2", "L1", "岭回归，理论", "零预测器"]  # noqa: RUF001
    assert texts["axes"][:4] == ["迭代周期", "损失", "初始权重 w₀", "最终权重 w"]
    assert len(texts["fact_names"]) == 14
    assert all(_CJK.search(name) or name.startswith("max") for name in texts["fact_names"])
    assert _english_left(texts["all"]) == []

    # The numbers are the library's, as plain numbers, in every state.
    steps = [chinese.read("loaded")]
    chinese.press("n-slider", "End")
    steps.append(chinese.read("n: End"))
    chinese.set_value("lambda-slider", grid.log10(45))
    steps.append(chinese.read("λ = grid point 45"))
    page.check("input[name='penalty'][value='l1']")
    chinese.set_value("n-slider", SIZES.index(20))
    chinese.set_value("lambda-slider", grid.log10(60))
    steps.append(chinese.read("L1, n = 20, grid point 60"))
    assert [(s.penalty, s.n) for s in steps] == [("l2", 20), ("l2", 400), ("l2", 400), ("l1", 20)]
    for s in steps:
        _check_scratch_step(s, grid, library)
        _check_drawing(s)
        assert re.fullmatch(r"[0-9.e+-]+", s.shown["test_loss"]), s.action
        assert all(_CJK.search(description) for _, description in s.shown["charts"]), s.action
    assert steps[0].shown["unfinished"] is not None
    assert _CJK.search(steps[0].shown["unfinished"])

    # torch.optim: the concise labels, and again no English.
    page.check("input[name='trainer'][value='concise']")
    chinese.read("trainer concise")
    assert "权重衰减" in page.locator("label[for='lambda-slider']").inner_text()
    assert page.locator("#wdp-penalty-note").inner_text() == "weight_decay 是 L2 惩罚项"
    assert _english_left(page.evaluate(_TEXTS_JS)["all"]) == []
    page.check("input[name='trainer'][value='scratch']")
    page.check("input[name='penalty'][value='l2']")
    _screenshots_and_phone(chinese, screenshot_dir / "zh_CN", "playground")
    chinese.log.assert_clean()
