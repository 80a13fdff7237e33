from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from weightdecay.cli import main

if TYPE_CHECKING:
    from pathlib import Path


def test_train_prints_a_table_and_the_norm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--penalty", "l1", "--lambd", "2", "--epochs", "10"]) == 0
    out = capsys.readouterr().out
    assert "lambda = 2 (l1)" in out
    rows = [line.split() for line in out.splitlines() if line[:5].strip().isdigit()]
    assert [int(r[0]) for r in rows] == [5, 10]
    assert all(float(v) > 0 for r in rows for v in r[1:])
    assert "||w||_2 = " in out
    assert "40 updates" in out


def test_concise_and_compare(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--concise", "--weight-decay", "7", "--epochs", "5"]) == 0
    assert "weight_decay = 7" in capsys.readouterr().out
    assert main(["compare", "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    assert "lambda = 0" in out
    assert "lambda = 3 (l2)" in out


def test_json_and_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot, data = tmp_path / "c.png", tmp_path / "c.json"
    code = main(
        ["compare", "--concise", "--epochs", "10", "--plot", str(plot), "--json", str(data)]
    )
    assert code == 0
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    runs = json.loads(data.read_text())
    assert [r["config"]["weight_decay"] for r in runs] == [0.0, 7.0]
    assert runs[1]["w_norm"] < runs[0]["w_norm"]
    assert "wrote" in capsys.readouterr().err


def test_json_to_stdout_is_pure_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--epochs", "5", "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["config"]["trainer"] == "scratch"
    assert data["history"]["epochs"] == [5]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--lambd", "-1"], "lambd must be a finite number >= 0, got -1.0"),
        (["train", "--lambd", "nan"], "lambd must be a finite number >= 0, got nan"),
        (["train", "--batch-size", "0"], "batch_size must be an integer in [1, 20], got 0"),
        (["train", "--concise", "--lambd", "3"], "--lambd applies to the from-scratch trainer"),
        (["train", "--weight-decay", "3"], "--weight-decay applies to --concise"),
        (["train", "--l1-ratio", "0.3"], "--l1-ratio goes with --penalty elasticnet"),
        (["train", "--penalty", "l3"], "argument --penalty: invalid choice: 'l3'"),
        (["train", "--epochs", "ten"], "argument --epochs: invalid int value: 'ten'"),
        (["fly"], "argument COMMAND: invalid choice: 'fly'"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(argv)
    except SystemExit as exit_:  # argparse's own errors exit from inside parse_args
        code = exit_.code  # type: ignore[assignment]
    assert code == 2
    err = capsys.readouterr().err
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_module_entry_point_and_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "weightdecay", "--help"], capture_output=True, text=True, check=True
    )
    assert "compare" in done.stdout
    assert "train" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "weightdecay", "train", "--lr", "-1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "weightdecay: error: lr must be a finite number > 0, got -1.0."
