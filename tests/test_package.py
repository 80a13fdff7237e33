"""Package-level promises: a light, side-effect-free import and a documented public API."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import subprocess
import sys
import textwrap

import pytest

import weightdecay

# Every public module: the docstring and __all__ checks below cover each one, new ones too.
MODULES = sorted(
    info.name
    for info in pkgutil.iter_modules(weightdecay.__path__)
    if not info.name.startswith("_")
)


def test_import_leaves_matplotlib_and_global_state_alone() -> None:
    code = textwrap.dedent(
        """
        import sys, torch
        state = torch.get_rng_state()
        settings = (torch.get_default_dtype(), torch.get_num_threads(), torch.is_grad_enabled())
        before = set(sys.modules)
        import weightdecay
        from weightdecay import *
        assert "matplotlib" not in sys.modules, "matplotlib was imported"
        third_party = {
            m.split(".")[0] for m in set(sys.modules) - before
        } - set(sys.stdlib_module_names) - {"weightdecay"}
        assert not third_party, f"import weightdecay imported {sorted(third_party)}"
        assert torch.equal(state, torch.get_rng_state()), "the global RNG moved"
        assert settings == (torch.get_default_dtype(), torch.get_num_threads(), torch.is_grad_enabled())
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_stable_entry_points_are_top_level() -> None:
    for name in ("make_problem", "train_scratch", "train_concise", "TrainResult", "History"):
        assert name in weightdecay.__all__
        assert hasattr(weightdecay, name)


@pytest.mark.parametrize(
    ("name", "home"),
    [
        ("sgd", "trainer"),
        ("linreg", "model"),
        ("init_params", "model"),
        ("squared_loss", "evaluate"),
        ("evaluate_loss", "evaluate"),
        ("l2_penalty", "penalty"),
        ("l1_penalty", "penalty"),
        ("minibatches", "data"),
    ],
)
def test_the_notebooks_building_blocks_are_top_level(name: str, home: str) -> None:
    # `from weightdecay import sgd` gives the very function the trainers use.
    assert name in weightdecay.__all__
    module = importlib.import_module(f"weightdecay.{home}")
    assert getattr(weightdecay, name) is getattr(module, name)


def _public_objects() -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for module_name in MODULES:
        module = importlib.import_module(f"weightdecay.{module_name}")
        for name in module.__all__:
            obj = getattr(module, name)
            if (
                inspect.isfunction(obj) or inspect.isclass(obj)
            ) and obj.__module__ == module.__name__:
                found.append((f"{module_name}.{name}", obj))
    return found


@pytest.mark.parametrize(
    ("name", "obj"), _public_objects(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_public_name_has_a_numpydoc_docstring_with_an_example(name: str, obj: object) -> None:
    doc = inspect.getdoc(obj)
    assert doc, f"{name} has no docstring"
    summary = doc.splitlines()[0]
    assert summary.endswith("."), f"{name}: the summary line should be a sentence"
    assert "Examples\n--------" in doc, f"{name} has no Examples section"
    assert ">>> " in doc, f"{name} has no doctest"
    params = [
        p
        for p in inspect.signature(obj).parameters.values()  # type: ignore[arg-type]
        if p.name not in {"self", "cls"}
    ]
    if (params and not inspect.isclass(obj)) or (inspect.isclass(obj) and "Parameters" in doc):
        assert "Parameters\n----------" in doc, f"{name} has parameters but no Parameters section"
        for p in params:
            assert p.name in doc, f"{name}: parameter {p.name} is not documented"


def test_every_module_declares_all() -> None:
    for module_name in [*MODULES, "__init__"]:
        module = importlib.import_module(
            "weightdecay" if module_name == "__init__" else f"weightdecay.{module_name}"
        )
        assert isinstance(module.__all__, list)
        assert all(hasattr(module, n) for n in module.__all__)
