"""The Python API's rough edges (issue 21): a lazy package, plots, progress bars, dtypes, reprs."""

from __future__ import annotations

import ast
import io
import subprocess
import sys
import textwrap
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

import weightdecay
from weightdecay import (
    History,
    Problem,
    _progress,
    make_problem,
    plot_history,
    regularization_path,
    train_concise,
    train_scratch,
)

INIT = Path(weightdecay.__file__)


# --------------------------------------------------------------------------------------------
# The lazy package
# --------------------------------------------------------------------------------------------
def test_the_lazy_table_the_typed_imports_and_all_agree() -> None:
    tree = ast.parse(INIT.read_text(encoding="utf-8"))
    guard = next(
        n for n in tree.body if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
    )
    typed = {
        (node.module.removeprefix("weightdecay."), alias.name)
        for node in guard.body
        if isinstance(node, ast.ImportFrom) and node.module
        for alias in node.names
    }
    table = {(module, name) for module, names in weightdecay._EXPORTS.items() for name in names}
    assert typed == table
    assert {name for _, name in table} | {"__version__"} == set(weightdecay.__all__)


def test_import_is_lazy_and_every_name_is_served() -> None:
    code = textwrap.dedent(
        """
        import importlib, sys
        import weightdecay
        assert "torch" not in sys.modules, "import weightdecay imported torch"
        for module, names in weightdecay._EXPORTS.items():
            for name in names:
                value = getattr(weightdecay, name)
                assert value is getattr(importlib.import_module("weightdecay." + module), name)
        assert "matplotlib" not in sys.modules  # plot's names load the module, not matplotlib
        print(sorted(set(weightdecay.__all__) - set(dir(weightdecay))))
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_submodules_are_attributes_and_unknown_names_fail() -> None:
    assert weightdecay.ridge.ridge_closed_form is weightdecay.ridge_closed_form
    with pytest.raises(AttributeError, match="module 'weightdecay' has no attribute 'nothing'"):
        weightdecay.nothing  # noqa: B018


# --------------------------------------------------------------------------------------------
# The trainers' callback
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("trainer", [train_scratch, train_concise])
def test_the_callback_sees_each_evaluation_as_it_is_made(trainer: Any) -> None:
    seen: list[tuple[int, float, int]] = []
    histories: list[History] = []

    def callback(history: History) -> None:
        seen.append((history.epochs[-1], history.test_loss[-1], history.num_updates))
        histories.append(history)

    result = trainer(make_problem(), num_epochs=12, eval_every=5, callback=callback)
    h = result.history
    assert seen == [(e, t, e * 4) for e, t in zip(h.epochs, h.test_loss, strict=True)]
    assert [e for e, _, _ in seen] == [5, 10, 12]
    assert all(history is h for history in histories)  # the run's own, growing History


def test_a_failing_evaluation_is_not_reported_to_the_callback() -> None:
    seen: list[int] = []
    result = train_scratch(
        make_problem(), lr=0.5, on_divergence="stop", callback=lambda h: seen.append(h.epochs[-1])
    )
    assert result.divergence is not None
    assert seen == result.history.epochs  # only the evaluations that were finite


# --------------------------------------------------------------------------------------------
# plot_history, from_arrays, reprs
# --------------------------------------------------------------------------------------------
def test_plot_history_takes_the_result_or_its_history() -> None:
    result = train_scratch(make_problem(), num_epochs=10)
    for given in (result, result.history):
        train, test = plot_history(given).get_lines()
        assert np.asarray(train.get_xdata()).tolist() == [5, 10]
        assert np.asarray(test.get_ydata()).tolist() == result.history.test_loss


@pytest.mark.parametrize(
    ("dtype", "expected"),
    [
        (torch.float64, torch.float64),
        (np.float64, torch.float64),
        (np.dtype("float32"), torch.float32),
        ("float64", torch.float64),
        ("torch.float16", torch.float16),
        ("f4", torch.float32),
        (None, torch.float64),  # the arrays' own
    ],
)
def test_from_arrays_takes_any_spelling_of_a_dtype(dtype: Any, expected: torch.dtype) -> None:
    X, y = np.ones((4, 3)), np.arange(4.0)
    problem = Problem.from_arrays(X, y, X, y, dtype=dtype)
    assert problem.dtype == expected
    assert problem.y_test.dtype == expected


@pytest.mark.parametrize("dtype", ["int64", np.int32, torch.int64, "nope", 3])
def test_from_arrays_refuses_a_dtype_that_is_not_floating(dtype: Any) -> None:
    X = np.ones((4, 3))
    with pytest.raises(TypeError, match=r"dtype must be a floating-point dtype .* got "):
        Problem.from_arrays(X, X[:, 0], X, X[:, 0], dtype=dtype)


def test_a_diverged_result_says_when_it_stopped() -> None:
    result = train_scratch(make_problem(), lr=0.5, on_divergence="stop")
    d, h = result.divergence, result.history
    assert d is not None
    assert d.epoch < 100
    text = repr(result)
    assert f"epochs={d.epoch} of 100" in text
    assert f"test_loss={h.test_loss[-1]:.4g} at epoch {h.epochs[-1]}" in text
    assert "epochs=100," not in text
    assert len(text) < 300


def test_a_path_where_every_lambda_diverged_has_no_best() -> None:
    path = regularization_path(make_problem(), [1000.0, 5000.0], num_epochs=50)
    assert len(path.divergences) == 2
    text = repr(path)
    assert "no finite test loss" in text
    assert "inf" not in text


def test_a_history_repr_is_short() -> None:
    history = train_scratch(make_problem()).history
    text = repr(history)
    assert len(text) < 150
    assert text.startswith("History(epochs=[5, 10, ..., 100], num_updates=400, ")
    assert f"test_loss=[..., {history.test_loss[-1]:.4g}]" in text
    assert repr(History()) == "History(epochs=[], num_updates=0, train_loss=[], test_loss=[])"


# --------------------------------------------------------------------------------------------
# Progress bars
# --------------------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run_with_bar(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO) -> str:
    monkeypatch.setattr(sys, "stderr", stream)
    regularization_path(make_problem(), [0.1, 1.0], num_epochs=10, progress=True)
    return stream.getvalue()


def test_progress_draws_in_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "path:   0%|" in _run_with_bar(monkeypatch, _Terminal())  # tqdm's first frame


def test_progress_writes_no_frames_into_a_log(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _run_with_bar(monkeypatch, io.StringIO()) == ""


def test_progress_in_a_notebook_without_widgets_is_a_text_bar(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_progress, "in_notebook", lambda: True)
    monkeypatch.setattr(_progress, "widgets_available", lambda: False)
    # filterwarnings = error: tqdm's "IProgress not found" warning would fail this test
    assert "path:   0%|" in _run_with_bar(monkeypatch, io.StringIO())


def test_in_notebook_asks_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not _progress.in_notebook()
    shell = types.SimpleNamespace(config={"IPKernelApp": {}})
    ipython = types.SimpleNamespace(get_ipython=lambda: shell)
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    assert _progress.in_notebook()
    shell.config = {}  # a terminal IPython
    assert not _progress.in_notebook()
