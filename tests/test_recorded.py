"""The ``:val:`` role: numbers that tutorials record, cited by the prose (docs/_ext/recorded.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

DOCS_EXT = Path(__file__).resolve().parents[1] / "docs" / "_ext"
sys.path.insert(0, str(DOCS_EXT))
import recorded

sphinx_cmd = pytest.importorskip("sphinx.cmd.build")


def test_record_collects_only_while_an_example_runs(tmp_path: Path) -> None:
    recorded.record("outside", 1.0)  # outside a build: checked, kept nowhere
    recorded.start()
    recorded.record("loss", torch.tensor(0.25))
    recorded.record("count", np.int64(7))
    recorded.record("label", "L2")
    target = tmp_path / "plot_09_x.values.json"
    recorded.finish(target)
    assert json.loads(target.read_text()) == {"count": 7, "label": "L2", "loss": 0.25}
    recorded.start()
    recorded.finish(target)  # a run that records nothing writes an empty file
    assert json.loads(target.read_text()) == {}


@pytest.mark.parametrize(
    ("name", "value", "error"),
    [
        ("not an identifier", 1.0, ValueError),
        ("nan", float("nan"), ValueError),
        ("inf", float("inf"), ValueError),
        ("flag", True, TypeError),
        ("array", np.ones(3), TypeError),
        ("none", None, TypeError),
    ],
)
def test_record_refuses_what_prose_cannot_cite(name: str, value: object, error: type) -> None:
    with pytest.raises(error, match="record"):
        recorded.record(name, value)


def test_recording_one_name_twice_with_different_values_is_an_error() -> None:
    recorded.start()
    recorded.record("x", 1.0)
    recorded.record("x", 1.0)  # the same value again is fine
    with pytest.raises(ValueError, match="already recorded"):
        recorded.record("x", 2.0)
    recorded.finish(Path("/dev/null"))


def test_cite_formats_and_names_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "plot_02_scratch.values.json").write_text('{"loss": 0.084912, "n": 400}')
    values = recorded.load_values([tmp_path])
    assert recorded.cite(values, "plot_02.loss:.3g")[0] == "0.0849"
    assert recorded.cite(values, "plot_02.loss:.1%")[0] == "8.5%"
    assert recorded.cite(values, "plot_02.n")[0] == "400"
    with pytest.raises(KeyError, match=r"recorded no value .lost.*loss, n"):
        recorded.cite(values, "plot_02.lost")
    with pytest.raises(KeyError, match=r"no example recorded values as .plot_99."):
        recorded.cite(values, "plot_99.loss")
    with pytest.raises(ValueError, match=r"prefix\.name"):
        recorded.cite(values, "loss")


CONF = """
extensions = ["myst_parser", "recorded"]
recorded_dirs = ["auto"]
exclude_patterns = ["auto/*.json"]
"""


def _build(src: Path, index: str, page: str) -> tuple[int, Path]:
    (src / "conf.py").write_text(f"import sys\nsys.path.insert(0, {str(DOCS_EXT)!r})\n{CONF}")
    (src / "index.rst").write_text(f"Title\n=====\n\n{index}\n\n.. toctree::\n\n   page\n")
    (src / "page.md").write_text(f"# Page\n\n{page}\n")
    out = src / "_build"
    status = sphinx_cmd.build_main(["-q", "-W", "-b", "html", str(src), str(out)])
    return status, out


def test_the_role_becomes_the_number_in_rest_and_myst(tmp_path: Path) -> None:
    (tmp_path / "auto").mkdir()
    (tmp_path / "auto" / "plot_01_demo.values.json").write_text('{"ratio": 6.71, "n": 20}')
    status, out = _build(
        tmp_path,
        "The ratio is :val:`plot_01.ratio:.2g` with n = :val:`plot_01.n`.",
        "In Markdown: {val}`plot_01.ratio:.1f`.",
    )
    assert status == 0
    assert "The ratio is <span" in (out / "index.html").read_text()
    assert ">6.7</span> with n = <span" in (out / "index.html").read_text()
    assert ">6.7</span>." in (out / "page.html").read_text()


def test_a_missing_value_fails_the_build(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "auto").mkdir()
    (tmp_path / "auto" / "plot_01_demo.values.json").write_text('{"ratio": 6.71}')
    status, _ = _build(tmp_path, "Fine: :val:`plot_01.ratio`.", "Missing: {val}`plot_01.gone`.")
    assert status != 0
    assert "cannot cite 'plot_01.gone'" in capsys.readouterr().err
