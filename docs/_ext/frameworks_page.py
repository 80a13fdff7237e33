"""Sphinx extension of the page "One λ, every framework" (``docs/explanation/frameworks.md``).

Every number on that page comes from code, at build time:

* conversions from :func:`weightdecay.conventions.convert`, called here;
* measured differences from ``frameworks/results.json``, which ``nox -s frameworks`` writes and
  re-checks (the docs build needs none of the frameworks).

It adds two directives and three roles:

``{convention} NAME``
    A card for one convention: its code with the equivalent setting filled in, its update, its
    loss, its default, what it decays by default, what ``nox -s frameworks`` measured, and its
    sources.
``{conventions-table}``
    One row per convention.
``{conv}`NAME.FIELD[:FORMAT]```
    ``lr`` or ``decay`` of the equivalent setting, or the ``default`` decay (format ``g`` unless
    given).
``{measured}`KEY.FIELD[:FORMAT]```
    ``rel_w``, ``rel_b`` or ``tolerance`` of the run ``KEY`` of ``results.json`` (format ``.1e``).
``{version}`PACKAGE```
    The version of a package that the session ran.

Labels and short phrases carry their source line, so gettext extracts them and the Chinese site
translates them; numbers, code and formulas carry none and are the same in every language.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective, SphinxRole

from weightdecay.conventions import CONVENTIONS, Convention, convert

if TYPE_CHECKING:
    from sphinx.application import Sphinx

__all__ = ["RESULTS", "equivalent", "measured_runs", "setup"]

RESULTS = Path(__file__).resolve().parents[2] / "frameworks" / "results.json"
N_TRAIN = 20  # d2l's training set: Ridge's alpha is n_train * lambd
CHECKED_BY_TESTS = {"torch-sgd", "sklearn-sgd", "sklearn-ridge"}  # tests/test_conventions.py
REFERENCES = {"d2l", "torch-adam", "torch-adamw"}  # what the package's trainers run


@cache
def _results() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(RESULTS.read_text(encoding="utf-8"))
    return data


def measured_runs() -> dict[str, dict[str, Any]]:
    """Every run of ``results.json`` by its key (``keras-l2``, ``paddle-adamw.float32``...)."""
    return {run["key"]: run for fw in _results()["frameworks"].values() for run in fw["runs"]}


def _reference_settings() -> dict[str, tuple[str, float, float]]:
    """The settings the frameworks session converted from: family -> (source, decay, lr)."""
    found: dict[str, tuple[str, float, float]] = {}
    for run in measured_runs().values():
        family = CONVENTIONS[run["convention"]].family
        lr, decay = run["source_setting"]
        found[family] = (run["source"], decay, lr)
    return found


def equivalent(name: str) -> tuple[float | None, float]:
    """The convention's setting that takes the reference's steps (for Adam: its own)."""
    c = CONVENTIONS[name]
    refs = _reference_settings()
    if c.family == "adam":  # no other convention shares its steps: PyTorch's default lr, decay
        _, decay, lr = refs["adamw"]
        return lr, decay
    source, decay, lr = refs["sgd" if c.family in ("sgd", "ridge") else c.family]
    new_lr, new_decay = convert(decay, lr=lr, source=source, target=name, n_train=N_TRAIN)
    return new_lr, new_decay


def _number(value: float, spec: str = "g") -> nodes.literal:
    return nodes.literal(text=format(value, spec))


class _Labelled:
    """Helpers that make a translatable text node: it carries the directive's source line."""

    directive: SphinxDirective

    def label(self, text: str, cls: type[nodes.TextElement] = nodes.paragraph) -> nodes.TextElement:
        node = cls(text, text)
        self.directive.set_source_info(node)
        return node


class ConventionCard(SphinxDirective, _Labelled):
    """``{convention} NAME``: one convention's code, update, default, decays and measurement."""

    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        self.directive = self
        name = self.arguments[0]
        if name not in CONVENTIONS:
            msg = f"unknown convention {name!r}; known: {', '.join(CONVENTIONS)}"
            raise self.error(msg)
        c = CONVENTIONS[name]
        self.env.note_dependency(str(RESULTS))
        lr, decay = equivalent(name)
        code = nodes.literal_block(
            text=c.code("None" if lr is None else lr, decay), language="python"
        )
        fields = nodes.field_list()
        for label, body in self._fields(c):
            field = nodes.field(
                "", self.label(label, nodes.field_name), nodes.field_body("", *body)
            )
            fields += field
        title = nodes.rubric(text=name)
        return [title, code, fields]

    def _fields(self, c: Convention) -> list[tuple[str, list[nodes.Node]]]:
        rows: list[tuple[str, list[nodes.Node]]] = [
            ("Update", [nodes.paragraph("", "", nodes.math(text=c.update))]),
            ("Loss it assumes", [nodes.paragraph("", "", nodes.math(text=c.loss))]),
            ("Equivalent setting", self._setting(c)),
            (
                "Default decay",
                [nodes.paragraph("", "", _number(c.default))]
                if c.default is not None
                else [self.label("none: it must be given")],
            ),
            ("Decayed by default", [self.label(_decayed(c))]),
        ]
        if c.d2l_decays_bias is not None:
            phrase = "decays the bias" if c.d2l_decays_bias else "leaves the bias alone"
            rows.append(("d2l's code", [self.label(phrase)]))
        rows.append(("Measured by nox -s frameworks", self._measured(c)))
        links = [
            nodes.paragraph("", "", nodes.reference(url, url, refuri=url)) for url in c.sources
        ]
        rows.append(("Sources", links))
        return rows

    def _setting(self, c: Convention) -> list[nodes.Node]:
        if c.family == "adam":
            return [self.label("none: no other convention takes the steps of Adam with an L2 term")]
        return [nodes.paragraph("", "", nodes.literal(text=_setting_text(c)))]

    def _measured(self, c: Convention) -> list[nodes.Node]:
        runs = [r for r in measured_runs().values() if r["convention"] == c.name]
        if not runs:
            if c.name in CHECKED_BY_TESTS:
                return [self.label("not executed by the session: the test suite runs it")]
            if c.name in REFERENCES:
                return [self.label("the package's trainers run it: it is the reference")]
            return [self.label("not executed here")]
        items = nodes.bullet_list()
        for run in runs:
            tol = "" if run["tolerance"] is None else f" ≤ {run['tolerance']:.0e}"
            text = f"{run['key']}: {max(run['rel_w'], run['rel_b']):.1e}{tol}"
            items += nodes.list_item("", nodes.paragraph("", "", nodes.literal(text=text)))
        return [items]


def _setting_text(c: Convention) -> str:
    lr, decay = equivalent(c.name)
    value = f"{c.decay_name}={decay:g}"
    return value if lr is None else f"lr={lr:g}, {value}"


def _decayed(c: Convention) -> str:
    if c.decays_norm is None:
        return "the weights and the bias" if c.decays_bias else "the weights only"
    if c.decays_norm:
        return "every parameter, biases and normalization layers included"
    return (
        "the weights and biases, not normalization layers" if c.decays_bias else "the weights only"
    )


class ConventionsTable(SphinxDirective, _Labelled):
    """``{conventions-table}``: one row per convention."""

    COLUMNS = ("convention", "family", "equivalent setting", "default", "bias decayed", "measured")

    def run(self) -> list[nodes.Node]:
        self.directive = self
        self.env.note_dependency(str(RESULTS))
        table = nodes.table(classes=["conventions-table"])
        group = nodes.tgroup(cols=len(self.COLUMNS))
        table += group
        group += [nodes.colspec(colwidth=1) for _ in self.COLUMNS]
        head = nodes.thead("", self._row([[self.label(c.capitalize())] for c in self.COLUMNS]))
        body = nodes.tbody("", *(self._row(self._cells(c)) for c in CONVENTIONS.values()))
        group += [head, body]
        return [table]

    @staticmethod
    def _row(cells: list[list[nodes.Node]]) -> nodes.row:
        return nodes.row("", *(nodes.entry("", *cell) for cell in cells))

    def _cells(self, c: Convention) -> list[list[nodes.Node]]:
        runs = [
            r
            for r in measured_runs().values()
            if r["convention"] == c.name and r["tolerance"] is not None
        ]
        measured = (
            [
                nodes.paragraph(
                    "", "", _number(min(max(r["rel_w"], r["rel_b"]) for r in runs), ".0e")
                )
            ]
            if runs
            else [
                self.label(
                    "tests"
                    if c.name in CHECKED_BY_TESTS
                    else "reference"
                    if c.name in REFERENCES
                    else "not executed here"
                )
            ]
        )
        family = {"sgd": "SGD", "adam": "Adam + L2", "adamw": "AdamW", "ridge": "closed form"}[
            c.family
        ]
        setting = (
            [self.label("none")]
            if c.family == "adam"
            else [nodes.paragraph("", "", nodes.literal(text=_setting_text(c)))]
        )
        return [
            [nodes.paragraph("", "", nodes.literal(text=c.name))],
            [self.label(family)],
            setting,
            [
                nodes.paragraph("", "", _number(c.default))
                if c.default is not None
                else self.label("none")
            ],
            [self.label("yes" if c.decays_bias else "no")],
            measured,
        ]


class ConvRole(SphinxRole):
    """``{conv}`NAME.FIELD[:FORMAT]```: ``lr``, ``decay`` or ``default`` of a convention."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        target, _, spec = self.text.partition(":")
        name, _, field = target.rpartition(".")
        value = _conv_value(name, field)
        if value is None:
            msg = self.inliner.reporter.error(f"conv: no value for {self.text!r}", line=self.lineno)
            return [], [msg]
        return [nodes.Text(format(value, spec or "g"))], []


def _conv_value(name: str, field: str) -> float | None:
    if name not in CONVENTIONS or field not in ("lr", "decay", "default"):
        return None
    if field == "default":
        return CONVENTIONS[name].default
    lr, decay = equivalent(name)
    return lr if field == "lr" else decay


class MeasuredRole(SphinxRole):
    """``{measured}`KEY.FIELD[:FORMAT]```: a number of ``frameworks/results.json``."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        target, _, spec = self.text.partition(":")
        key, _, field = target.rpartition(".")
        self.env.note_dependency(str(RESULTS))
        run = measured_runs().get(key)
        if run is None or not isinstance(run.get(field), float):
            msg = self.inliner.reporter.error(
                f"measured: no number {self.text!r}", line=self.lineno
            )
            return [], [msg]
        return [nodes.Text(format(run[field], spec or ".1e"))], []


class VersionRole(SphinxRole):
    """``{version}`PACKAGE```: the version of a package that ``nox -s frameworks`` ran."""

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        self.env.note_dependency(str(RESULTS))
        versions = {
            p: v for fw in _results()["frameworks"].values() for p, v in fw["versions"].items()
        }
        if self.text not in versions:
            msg = self.inliner.reporter.error(
                f"version: {self.text!r} did not run", line=self.lineno
            )
            return [], [msg]
        return [nodes.Text(versions[self.text])], []


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the directives and the roles."""
    app.add_directive("convention", ConventionCard)
    app.add_directive("conventions-table", ConventionsTable)
    app.add_role("conv", ConvRole())
    app.add_role("measured", MeasuredRole())
    app.add_role("version", VersionRole())
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
