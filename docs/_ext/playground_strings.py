# ruff: noqa: RUF001  # the Chinese strings use full-width punctuation, the math its own signs
"""Every text of the λ playground's widget, in English and in Chinese, in one place.

gettext translates the prose of ``docs/playground.md`` but not its widget: the raw HTML block
and the texts that ``docs/_static/playground.js`` writes. Those live here, in two tables keyed
by a short name, one entry per language (``"en"``, ``"zh_CN"``):

- :data:`PAGE_STRINGS` are the contents (inner HTML, markup included) of the raw HTML's
  elements that carry ``data-i18n="key"``. The build replaces each such element's contents with
  the string of its language (:func:`translate_html`), so the page arrives translated and even
  its ``<noscript>`` message is. The English string is the page's own text, character for
  character: on the English site the page stays exactly as written.
- :data:`SCRIPT_STRINGS` are plain text with ``{name}`` placeholders for numbers; the build puts
  those of its language into the page (:func:`script_strings_js`) and ``playground.js`` fills
  them in with its ``t(key, values)``.

A language without a string falls back to English. ``docs/_ext/playground.py`` calls this module
during a build; ``tests/test_playground_strings.py`` checks that every key the page and the script
use has both languages, with the same placeholders and markup.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

__all__ = [
    "DEFAULT_LANGUAGE",
    "JS_VARIABLE",
    "LANGUAGES",
    "PAGE_STRINGS",
    "SCRIPT_STRINGS",
    "keyed_elements",
    "markup",
    "placeholders",
    "script_strings_js",
    "strings_for",
    "translate_html",
]

DEFAULT_LANGUAGE = "en"
"""The language every key has, and the fallback of every other."""
LANGUAGES = ("en", "zh_CN")
"""The languages of the site (Sphinx's ``language`` values)."""
JS_VARIABLE = "weightdecayPlaygroundStrings"
"""The global that :func:`script_strings_js` assigns the script's strings to."""

Table = dict[str, dict[str, str]]

PAGE_STRINGS: Table = {
    "noscript": {
        "en": "The playground draws its charts with JavaScript: please enable it to use this page.",
        "zh_CN": "本交互演示用 JavaScript 绘制图表：请启用 JavaScript 后再使用本页。",
    },
    "trainer.legend": {"en": "Trainer", "zh_CN": "实现方式"},
    "trainer.scratch": {
        "en": "from scratch: loss + λ · penalty",
        "zh_CN": "从零开始实现：损失 + λ · 惩罚项",
    },
    "penalty.legend": {"en": "Penalty", "zh_CN": "惩罚项"},
    "penalty.note": {"en": "weight_decay is an L2 penalty", "zh_CN": "weight_decay 是 L2 惩罚项"},
    "slider.label.scratch": {"en": "Penalty strength λ", "zh_CN": "正则化常数 λ"},
    "slider.label.concise": {
        "en": "Weight decay <code>weight_decay</code>",
        "zh_CN": "权重衰减 <code>weight_decay</code>",
    },
    "slider.hint": {
        "en": "(log scale; arrow keys step through the grid)",
        "zh_CN": "（对数刻度；方向键逐个网格点移动）",
    },
    "slider.equivalent": {
        "en": 'The same updates as from scratch with λ = wd / 2 = <span id="wdp-equivalent-lambda">'
        "</span> at twice the learning rate.",
        "zh_CN": '更新与从零开始实现完全相同：取 λ = wd / 2 = <span id="wdp-equivalent-lambda">'
        "</span>，学习率加倍。",
    },
    "n.label": {"en": "Training examples n", "zh_CN": "训练样本数 n"},
    "n.hint": {
        "en": "(the test set and the features stay the book's)",
        "zh_CN": "（测试集和特征与原书相同）",
    },
    "readout.w_norm": {"en": "‖w‖ at the end", "zh_CN": "最终的 ‖w‖"},
    "readout.train_loss": {"en": "final train loss", "zh_CN": "最终训练损失"},
    "readout.test_loss": {"en": "final test loss", "zh_CN": "最终测试损失"},
    "readout.converged": {
        "en": "converged ridge (L2), these data",
        "zh_CN": "收敛后的岭回归（L2），同一份数据",
    },
    "readout.theory": {
        "en": "converged ridge (L2), expected: theory",
        "zh_CN": "收敛后的岭回归（L2），期望值：理论",
    },
    "readout.exact_zeros": {
        "en": 'exact zeros <span class="wdp-unit">w = 0</span>',
        "zh_CN": '恰为零 <span class="wdp-unit">w = 0</span>',
    },
    "readout.near_zeros": {
        "en": 'near zeros <span class="wdp-unit">|w| &lt; <span data-wdp-fact="zero_tol"></span>'
        "</span>",
        "zh_CN": '接近零 <span class="wdp-unit">|w| &lt; <span data-wdp-fact="zero_tol"></span>'
        "</span>",
    },
    "note.loss.scratch": {
        "en": "Losses are the mean of ½(ŷ − y)², as the from-scratch code computes them.",
        "zh_CN": "损失是 ½(ŷ − y)² 的均值，与从零开始实现的代码的计算方式相同。",
    },
    "note.loss.concise": {
        "en": "Losses are the mean of (ŷ − y)², as <code>nn.MSELoss</code> computes them: twice "
        "the from-scratch numbers for the same model.",
        "zh_CN": "损失是 (ŷ − y)² 的均值，与 <code>nn.MSELoss</code> 的计算方式相同：同一个模型的"
        "损失是从零开始实现的两倍。",
    },
    "note.zeros": {
        # The leading space separates it from the English sentence before; Chinese needs none.
        "en": ' Zeros are counted among the <span data-wdp-fact="num_inputs"></span> weights.',
        "zh_CN": '零的个数在全部 <span data-wdp-fact="num_inputs"></span> 个权重中统计。',
    },
    "share.button": {"en": "Copy a link to this view", "zh_CN": "复制指向当前视图的链接"},
    "caption.loss": {
        "en": "<strong>Loss over the epochs</strong> (log scale) of the run at the chosen "
        "strength: training loss (solid), test loss (dashed) and the test loss of the zero "
        "predictor (dotted), the model with all weights at zero.",
        "zh_CN": "<strong>各迭代周期的损失</strong>（对数刻度），取自所选强度下的那次训练："
        "训练损失（实线）、测试损失（虚线），以及零预测器（所有权重都为零的模型）的测试损失"
        "（点线）。",
    },
    "zoom": {
        "en": "Zoom the vertical axis to the final weights",
        "zh_CN": "把纵轴缩放到最终权重的范围",
    },
    "caption.weights": {
        "en": "<strong>Each weight, before and after training.</strong> One dot per weight: its "
        "initial value across, its final value up; filled dots are near zero. On the diagonal "
        "a weight did not change; the solid line is where the penalty alone would take it.",
        "zh_CN": "<strong>每个权重在训练前后的值。</strong>每个点是一个权重：横坐标是它的初始值，"
        "纵坐标是它的最终值；实心点接近零。落在对角线上的权重没有变化；实线是只有惩罚项作用时"
        "权重会到达的位置。",
    },
    "caption.lambda": {
        "en": "<strong>Final test loss against the strength</strong> (both axes log scale), over "
        "the whole grid at the chosen n; the dot marks the chosen strength. The dashed curve is "
        "the theory's expected test loss of the converged ridge (L2) estimator, on the same "
        "scale as the losses. Click the chart to jump to a strength.",
        "zh_CN": "<strong>最终测试损失随强度的变化</strong>（两个坐标轴都是对数刻度），覆盖所选 n "
        "下的整个网格；圆点标出所选的强度。虚线是理论给出的收敛后岭回归（L2）估计的期望测试"
        "损失，与各损失的尺度相同。点击图中某处即可跳到那里的强度。",
    },
    "facts.caption": {"en": "What the build computed", "zh_CN": "构建时算出的数值"},
    "facts.download": {
        "en": "Download the runs of this n (JSON)",
        "zh_CN": "下载当前 n 的训练结果（JSON）",
    },
}

SCRIPT_STRINGS: Table = {
    "error.no_data": {
        "en": "The playground's data (_static/playground-data.js) did not load.",
        "zh_CN": "交互演示的数据（_static/playground-data.js）没有加载成功。",
    },
    "error.no_runs": {
        "en": "The runs for n = {n} did not load.",
        "zh_CN": "n = {n} 的训练结果没有加载成功。",
    },
    "status.loading": {
        "en": "Loading the runs for n = {n}…",
        "zh_CN": "正在加载 n = {n} 的训练结果……",
    },
    "slider.valuetext": {"en": "{name} = {value}", "zh_CN": "{name} = {value}"},
    "n.valuetext": {"en": "n = {n}", "zh_CN": "n = {n}"},
    "note.unfinished": {
        "en": "After {epochs} epochs SGD's test loss is {sgd}; the converged estimator on the same "
        "data scores {converged}. They minimize the same objective: optimization is not finished.",
        "zh_CN": "训练 {epochs} 个迭代周期后，SGD 的测试损失为 {sgd}；在同一份数据上，收敛后的估计"
        "为 {converged}。两者最小化的是同一个目标函数：优化还没有完成。",
    },
    "hash.invalid": {
        "en": "The link asks for {entries}, which this page does not have; it shows the "
        "defaults instead.",
        "zh_CN": "链接要求的 {entries} 在本页不存在，因此改为显示默认值。",
    },
    "share.copied": {"en": "Link copied.", "zh_CN": "链接已复制。"},
    "share.manual": {
        "en": "Copy this link: {url}",
        "zh_CN": "请复制这个链接：{url}",
    },
    # The loss chart
    "chart.loss.label": {
        "en": "Line chart, log scale: over {epochs} epochs with {name} = {strength} and n = {n}, "
        "the training loss goes from {train_first} to {train_last} and the test loss from "
        "{test_first} to {test_last}; the zero predictor's test loss is {zero}.",
        "zh_CN": "折线图，对数刻度：{name} = {strength}、n = {n} 时训练 {epochs} 个迭代周期，训练"
        "损失从 {train_first} 变为 {train_last}，测试损失从 {test_first} 变为 {test_last}；零预测器"
        "的测试损失为 {zero}。",
    },
    "axis.epoch": {"en": "epoch", "zh_CN": "迭代周期"},
    "axis.loss": {"en": "loss", "zh_CN": "损失"},
    "legend.train_loss": {"en": "train loss", "zh_CN": "训练损失"},
    "legend.test_loss": {"en": "test loss", "zh_CN": "测试损失"},
    "legend.zero_test": {"en": "zero predictor (test)", "zh_CN": "零预测器（测试）"},
    # The weights chart
    "chart.weights.label": {
        "en": "Scatter plot of the {count} weights, final value against initial value, with "
        "{name} = {strength} and n = {n}: the norm of the weights goes from {norm_first} to "
        "{norm_last}, and {near} weights end near zero.",
        "zh_CN": "散点图，{count} 个权重的最终值对初始值，{name} = {strength}、n = {n}：权重的"
        "范数从 {norm_first} 变为 {norm_last}，有 {near} 个权重最终接近零。",
    },
    "chart.weights.label_zoomed": {
        "en": "Scatter plot of the {count} weights, final value against initial value, with "
        "{name} = {strength} and n = {n}: the norm of the weights goes from {norm_first} to "
        "{norm_last}, and {near} weights end near zero (vertical axis zoomed to the final "
        "weights).",
        "zh_CN": "散点图，{count} 个权重的最终值对初始值，{name} = {strength}、n = {n}：权重的"
        "范数从 {norm_first} 变为 {norm_last}，有 {near} 个权重最终接近零（纵轴已缩放到最终权重"
        "的范围）。",
    },
    "axis.initial_weight": {"en": "initial weight w₀", "zh_CN": "初始权重 w₀"},
    "axis.final_weight": {"en": "final weight w", "zh_CN": "最终权重 w"},
    "legend.weight": {"en": "weight", "zh_CN": "权重"},
    "legend.near_zero": {"en": "near zero", "zh_CN": "接近零"},
    "legend.penalty_alone": {"en": "penalty alone", "zh_CN": "仅惩罚项"},
    "legend.unchanged": {"en": "unchanged", "zh_CN": "不变"},
    # The strength chart
    "chart.lambda.label": {
        "en": "Line chart, log scales: final test loss against {name} at n = {n}, over {count} "
        "values from {first} to {last}; the lowest, {best_loss}, is at {best}; the marker is at "
        "{chosen}, test loss {chosen_loss}, where the theory expects {theory} for the converged "
        "ridge estimator.",
        "zh_CN": "折线图，两轴均为对数刻度：n = {n} 时最终测试损失随 {name} 的变化，共 {count} 个"
        "取值，从 {first} 到 {last}；最低值 {best_loss} 位于 {best}；标记位于 {chosen}，测试损失为 "
        "{chosen_loss}，理论给出的收敛后岭回归估计的期望值为 {theory}。",
    },
    "axis.final_test_loss": {"en": "final test loss", "zh_CN": "最终测试损失"},
    "legend.theory": {"en": "ridge, theory", "zh_CN": "岭回归，理论"},
    "legend.zero": {"en": "zero predictor", "zh_CN": "零预测器"},
    # The table of what the build computed: row names, then values
    "facts.data.name": {"en": "Data", "zh_CN": "数据"},
    "facts.data": {
        "en": "make_problem(seed={seed}): {n_train} training and {n_test} test examples, "
        "{num_inputs} features, true weights {true_w}, bias {true_b}, noise σ = {noise}",
        "zh_CN": "make_problem(seed={seed})：{n_train} 个训练样本和 {n_test} 个测试样本，"
        "{num_inputs} 个特征，真实权重 {true_w}，偏置 {true_b}，噪声 σ = {noise}",
    },
    "facts.sizes.name": {"en": "Sizes n", "zh_CN": "样本数 n"},
    "facts.sizes": {
        "en": "{sizes}; the runs of this n are a file of {first} KiB, those of each n {least} to "
        "{most} KiB, loaded when that n is first chosen",
        "zh_CN": "{sizes}；当前 n 的训练结果是一个 {first} KiB 的文件，每个 n 的文件为 {least} 到 "
        "{most} KiB，在首次选择该 n 时加载",
    },
    "facts.scratch.name": {"en": "From scratch", "zh_CN": "从零开始实现"},
    "facts.concise.name": {"en": "torch.optim", "zh_CN": "简洁实现（torch.optim）"},
    "facts.training": {
        "en": "{epochs} epochs of minibatch SGD, learning rate η = {lr}, batch size "
        "{batch_size}: T = {updates} updates; seed {seed}",
        "zh_CN": "小批量 SGD 训练 {epochs} 个迭代周期，学习率 η = {lr}，批量大小 "
        "{batch_size}：共 T = {updates} 次更新；随机种子 {seed}",
    },
    "facts.curvature.name": {"en": "Largest curvature max L_B", "zh_CN": "最大曲率 max L_B"},
    "facts.curvature": {
        "en": "at most {value} (Gershgorin's bound), over every minibatch of {batch_size} training "
        "rows at every n",
        "zh_CN": "至多 {value}（Gershgorin 界），涵盖每个 n 下由 {batch_size} 个训练样本组成的每个"
        "小批量",
    },
    "facts.lambda_bound.name": {
        "en": "Bound on λ: 2/η − max L_B",
        "zh_CN": "λ 的上界：2/η − max L_B",
    },
    "facts.lambda_grid.name": {"en": "λ grid", "zh_CN": "λ 网格"},
    "facts.wd_bound.name": {
        "en": "Bound on wd: 2/η − 2 max L_B",
        "zh_CN": "wd 的上界：2/η − 2 max L_B",
    },
    "facts.wd_grid.name": {"en": "weight_decay grid", "zh_CN": "weight_decay 网格"},
    "facts.grid": {
        "en": "{num} values, equally spaced in log10 (step {step}), from {first} to {last}",
        "zh_CN": "{num} 个值，在 log10 上等间距（步长 {step}），从 {first} 到 {last}",
    },
    "facts.zero.name": {"en": "Zero predictor, test loss", "zh_CN": "零预测器的测试损失"},
    "facts.zero": {
        "en": "{loss} at n = {n} (½ squared error; {loss_squared} as squared error); "
        "½(‖w*‖² + σ²) = {expected}",
        "zh_CN": "n = {n} 时为 {loss}（½ 平方误差；按平方误差计为 {loss_squared}）；"
        "½(‖w*‖² + σ²) = {expected}",
    },
    "facts.theory.name": {"en": "Theory", "zh_CN": "理论"},
    "facts.theory": {
        "en": "½ ridge_risk(n, d, λ, w_norm={w_norm}, noise={noise}); with torch.optim "
        "ridge_risk(n, d, wd / 2, ...), as squared error",
        "zh_CN": "½ ridge_risk(n, d, λ, w_norm={w_norm}, noise={noise})；简洁实现为 "
        "ridge_risk(n, d, wd / 2, ...)，按平方误差计",
    },
    "facts.near_zero.name": {"en": "Near zero", "zh_CN": "接近零"},
    "facts.near_zero": {"en": "|w| < {tol}", "zh_CN": "|w| < {tol}"},
    "facts.rounding.name": {"en": "Rounding", "zh_CN": "舍入"},
    "facts.rounding": {"en": "{digits} significant digits", "zh_CN": "{digits} 位有效数字"},
    "facts.computed_by.name": {"en": "Computed by", "zh_CN": "计算程序"},
    "facts.computed_by": {
        "en": "weightdecay {version}, {script}",
        "zh_CN": "weightdecay {version}, {script}",
    },
}


def strings_for(table: Table, language: str) -> dict[str, str]:
    """Each key's string in ``language``, or in English where that language has none.

    Examples
    --------
    >>> strings_for(SCRIPT_STRINGS, "zh_CN")["axis.loss"], strings_for(SCRIPT_STRINGS, "fr")["axis.loss"]
    ('损失', 'loss')
    """
    return {key: texts.get(language) or texts[DEFAULT_LANGUAGE] for key, texts in table.items()}


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def placeholders(text: str) -> set[str]:
    """The names of the ``{name}`` placeholders in ``text``.

    Examples
    --------
    >>> sorted(placeholders("{name} = {value}, again {name}"))
    ['name', 'value']
    """
    return set(_PLACEHOLDER.findall(text))


# Elements that have no end tag: they cannot hold a translated text.
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class _Markup(HTMLParser):
    """Collects every start tag, with its attributes, and where each ``data-i18n`` element's
    contents begin and end in the source text."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        # HTMLParser reports (line, column); lines end at "\n" only.
        self._line_starts = [0, *(match.end() for match in re.finditer("\n", text))]
        self.tags: list[str] = []
        self.keyed: list[tuple[str, int, int]] = []
        self._open: list[tuple[str, str | None, int]] = []
        self.feed(text)
        self.close()
        if self._open:
            msg = f"unclosed <{self._open[-1][0]}> in the playground's HTML."
            raise ValueError(msg)

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(" ".join([tag, *sorted(f"{k}={v!r}" for k, v in attrs)]))
        key = dict(attrs).get("data-i18n")
        if tag in _VOID:
            if key is not None:
                msg = f"<{tag} data-i18n={key!r}> has no contents to translate."
                raise ValueError(msg)
            return
        if key is not None and any(k is not None for _, k, _ in self._open):
            msg = f"data-i18n={key!r} is inside another data-i18n element."
            raise ValueError(msg)
        start = self._offset() + len(self.get_starttag_text() or "")
        self._open.append((tag, key, start))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(" ".join([tag, *sorted(f"{k}={v!r}" for k, v in attrs)]))

    def handle_endtag(self, tag: str) -> None:
        if not self._open or self._open[-1][0] != tag:
            line, column = self.getpos()
            msg = (
                f"unexpected </{tag}> at line {line}, column {column + 1} of the playground's HTML."
            )
            raise ValueError(msg)
        _, key, start = self._open.pop()
        if key is not None:
            self.keyed.append((key, start, self._offset()))


def markup(html: str) -> list[str]:
    """The start tags of ``html`` with their attributes, sorted: its markup without its words.

    A translation may move the markup around its words, but must keep all of it.

    Examples
    --------
    >>> markup('A <code>b</code> <span class="u" id="x"></span>.')
    ['code', "span class='u' id='x'"]
    """
    return sorted(_Markup(html).tags)


def keyed_elements(html: str) -> list[tuple[str, int, int]]:
    """``(key, start, end)`` of every element with ``data-i18n="key"``, in document order:
    ``html[start:end]`` is its contents.

    Raises
    ------
    ValueError
        If the HTML's tags are not balanced, or a keyed element is void or inside another.

    Examples
    --------
    >>> html = '<p><b data-i18n="x">Hi <i>you</i></b>!</p>'
    >>> [(key, html[start:end]) for key, start, end in keyed_elements(html)]
    [('x', 'Hi <i>you</i>')]
    """
    return sorted(_Markup(html).keyed, key=lambda span: span[1])


def translate_html(html: str, language: str) -> tuple[str, list[str]]:
    """``html`` with the contents of each ``data-i18n`` element in ``language``.

    Returns
    -------
    html : str
        The translated HTML; an element whose key has no string is left as it is.
    problems : list of str
        Each key that has no string, and each element whose contents differ from its English
        string (the table and the page have drifted apart).

    Examples
    --------
    >>> translate_html('<legend data-i18n="penalty.legend">Penalty</legend>', "zh_CN")
    ('<legend data-i18n="penalty.legend">惩罚项</legend>', [])
    """
    strings = strings_for(PAGE_STRINGS, language)
    parts, problems, done = [], [], 0
    for key, start, end in keyed_elements(html):
        if key not in PAGE_STRINGS:
            problems.append(f"data-i18n={key!r} has no string in PAGE_STRINGS.")
            continue
        if html[start:end] != PAGE_STRINGS[key][DEFAULT_LANGUAGE]:
            problems.append(f"the contents of data-i18n={key!r} differ from its English string.")
        parts += [html[done:start], strings[key]]
        done = end
    return "".join([*parts, html[done:]]), problems


def script_strings_js(language: str) -> str:
    """A script that assigns the script's strings in ``language`` to ``window.`` :data:`JS_VARIABLE`.

    ``<`` is escaped, so that no string can close the inline ``<script>`` element.

    Examples
    --------
    >>> script_strings_js("en")[:60]
    'window.weightdecayPlaygroundStrings = {"error.no_data":"The '
    """
    text = json.dumps(
        strings_for(SCRIPT_STRINGS, language), ensure_ascii=False, separators=(",", ":")
    )
    safe = text.replace("<", "\\u003c")
    return f"window.{JS_VARIABLE} = {safe};"
