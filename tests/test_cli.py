"""The ``weightdecay`` command: output, errors that name the flag, and no rough edges."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
import torch

import weightdecay
from weightdecay import make_problem, train_concise, train_scratch
from weightdecay._cli_options import parse_grid
from weightdecay.cli import build_parser, main

if TYPE_CHECKING:
    from pathlib import Path

PNG = b"\x89PNG\r\n\x1a\n"


def _code(argv: list[str]) -> int:
    """main's exit code, also when argparse exits from inside parse_args."""
    try:
        return main(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)


def _command(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "weightdecay", *argv],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


# --------------------------------------------------------------------------------------------
# What it prints and writes
# --------------------------------------------------------------------------------------------
def test_train_prints_a_table_and_the_norm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--penalty", "l1", "--lambd", "2", "--epochs", "10"]) == 0
    out = capsys.readouterr().out
    assert "lambda = 2 (l1)" in out
    rows = [line.split() for line in out.splitlines() if line[:5].strip().isdigit()]
    reference = train_scratch(make_problem(), lambd=2.0, penalty="l1", num_epochs=10)
    assert [int(r[0]) for r in rows] == reference.history.epochs
    assert [float(r[2]) for r in rows] == pytest.approx(reference.history.test_loss, rel=1e-4)
    assert f"||w||_2 = {reference.w_norm:.4g}" in out
    assert "40 updates" in out


def test_labels_name_the_penalty_and_the_optimizer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--penalty", "elasticnet", "--l1-ratio", "0.3", "--epochs", "5"]) == 0
    header = capsys.readouterr().out.splitlines()[0]
    labels = [part.strip() for part in header.removeprefix("epoch").split("  ") if part.strip()]
    assert labels == [
        "lambda = 0 (elasticnet(l1_ratio=0.3))",
        "lambda = 3 (elasticnet(l1_ratio=0.3))",
    ]
    assert (
        main(["train", "--concise", "--optimizer", "adamw", "--weight-decay", "7", "--epochs", "5"])
        == 0
    )
    assert "weight_decay = 7 (adamw)" in capsys.readouterr().out


def test_json_holds_everything_to_redo_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "run.json"
    argv = ["train", "--concise", "--optimizer", "adam", "--weight-decay", "0.5", "--epochs", "7",
            "--lr", "0.01", "--batch-size", "4", "--eval-every", "2", "--seed", "3",
            "--data-seed", "9", "--n-train", "24", "--n-test", "30", "--num-inputs", "50",
            "--true-w", "0.02", "--true-b", "0.1", "--noise", "0.05", "--json", str(data)]  # fmt: skip
    assert main(argv) == 0
    config = json.loads(data.read_text())["config"]
    assert config["weightdecay_version"] == weightdecay.__version__
    problem = make_problem(n_train=config["n_train"], n_test=config["n_test"],
                           num_inputs=config["num_inputs"], true_w=config["true_w"],
                           true_b=config["true_b"], noise=config["noise"],
                           seed=config["data_seed"], num_nonzero=config["num_nonzero"])  # fmt: skip
    redo = train_concise(problem, weight_decay=config["weight_decay"], optimizer=config["optimizer"],
                         lr=config["lr"], num_epochs=config["num_epochs"],
                         batch_size=config["batch_size"], eval_every=config["eval_every"],
                         seed=config["seed"])  # fmt: skip
    assert json.loads(data.read_text())["w"] == pytest.approx(redo.w.flatten().tolist())
    assert "wrote" in capsys.readouterr().err


def test_json_to_stdout_is_pure_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--epochs", "5", "--json", "-"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["config"]["trainer"] == "scratch"
    assert data["history"]["epochs"] == [5]


@pytest.mark.parametrize("name", ["plot.png", "plot.svg", "noextension"])
def test_plot_writes_the_file_it_names(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / name
    assert main(["compare", "--epochs", "5", "--plot", str(target)]) == 0
    assert target.is_file()
    assert not (tmp_path / f"{name}.png").exists()
    head = target.read_bytes()[:8]
    assert head == PNG if not name.endswith(".svg") else head.startswith(b"<?xml")
    assert f"wrote {target}" in capsys.readouterr().err


def test_cli_path_with_cv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot, data = tmp_path / "path.png", tmp_path / "path.json"
    argv = ["path", "--lambdas", "0.1:100:4", "--folds", "4", "--epochs", "20"]
    assert main([*argv, "--plot", str(plot), "--json", str(data)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["lambda", "train", "test", "||w||", "CV", "mean", "+-", "std"]
    assert [float(line.split()[0]) for line in lines[1:5]] == [0.1, 1.0, 10.0, 100.0]
    assert sum("<- chosen" in line for line in lines) == 1
    assert "chosen lambda = " in out
    assert "4-fold cross-validation" in out
    assert "one-standard-error rule" in out
    assert "wrote" in err
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    payload = json.loads(data.read_text())
    assert payload["selection"]["config"]["folds"] == 4
    assert payload["selection"]["best_lambda"] in [0.1, 1.0, 10.0, 100.0]
    assert len(payload["path"]["w_norm"]) == 4


def test_cli_path_holdout_l1_and_json_to_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["path", "--penalty", "l1", "--lambdas", "0.5,2", "--epochs", "10"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "|w|<1e-3" in out.splitlines()[0]
    assert "hold-out validation on the last 5 rows" in out
    assert main([*argv, "--json", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["path"]["config"]["penalty"] == "l1"


# --------------------------------------------------------------------------------------------
# Divergence: what finished is kept
# --------------------------------------------------------------------------------------------
def test_a_diverging_run_keeps_the_healthy_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "c.json"
    assert main(["compare", "--lr", "0.05", "--epochs", "400", "--json", str(data)]) == 1
    out, err = capsys.readouterr()
    assert "lambda = 3 (l2): ||w||_2 = " in out  # the healthy run's summary
    assert "1600 updates)" in out
    assert "before diverging" in out
    lines = [line for line in err.splitlines() if "diverged" in line]
    assert len(lines) == 1
    assert "--max-grad-norm C" in lines[0]
    assert "max_grad_norm" not in lines[0]
    runs = json.loads(data.read_text())
    assert runs[0]["divergence"]["step"] > 0
    assert runs[1]["divergence"] is None
    assert len(runs[1]["history"]["epochs"]) == 80


def test_divergence_explains_a_decay_step_that_is_too_large(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["train", "--lr", "5e-3", "--lambd", "1e3", "--epochs", "20"]) == 1
    err = capsys.readouterr().err
    assert "--lr x --lambd = 5 >= 2: the decay step alone" in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_path_warns_before_training_about_unstable_lambdas(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["path", "--lambdas", "1,100,1000,5000", "--epochs", "50"]) == 0
    out, err = capsys.readouterr()
    assert "2 of the 4 lambdas have --lr x lambda >= 2 (from 1000)" in err
    assert "diverged (kept at their last finite evaluation): lambda = 1000, 5000" in out


def test_the_grid_end_note_says_where_sgd_stops(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["path", "--lambdas", "0.1,1,10,100", "--epochs", "50"]) == 0
    out = capsys.readouterr().out
    if "largest lambda of the grid" in out:  # the choice at the end of a grid
        assert "lambda >= 666.7" in out


# --------------------------------------------------------------------------------------------
# Errors name the flag and come before any training
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--lambd", "-1"], "argument --lambd: must be a finite number >= 0, got -1"),
        (["train", "--lambd", "nan"], "argument --lambd: must be a finite number >= 0, got nan"),
        (["train", "--lr", "0"], "argument --lr: must be a finite number > 0, got 0"),
        (["train", "--data-seed", "-3"], "argument --data-seed: must be an integer >= 0, got -3"),
        (["train", "--epochs", "0"], "argument --epochs: must be an integer >= 1, got 0"),
        (["train", "--epochs", "ten"], "argument --epochs: must be an integer >= 1, got 'ten'"),
        (["train", "--batch-size", "21"], "argument --batch-size: must be at most 20"),
        (
            ["train", "--l1-ratio", "1.5"],
            "argument --l1-ratio: must be a number in [0, 1], got 1.5",
        ),
        (
            ["train", "--num-nonzero", "300"],
            "argument --num-nonzero: must be at most --num-inputs (200)",
        ),
        (
            ["train", "--concise", "--lambd", "3"],
            "argument --lambd: applies to the from-scratch trainer",
        ),
        (["train", "--weight-decay", "3"], "argument --weight-decay: applies to --concise"),
        (["train", "--l1-ratio", "0.3"], "argument --l1-ratio: goes with --penalty elasticnet"),
        (["train", "--penalty", "l3"], "argument --penalty: invalid choice: 'l3'"),
        (["path", "--n-val", "20"], "argument --n-val: must be at most --n-train - 1 (19), got 20"),
        (["path", "--folds", "21"], "argument --folds: must be at most --n-train (20), got 21"),
        (["path", "--folds", "1"], "argument --folds: must be an integer >= 2, got 1"),
        (
            ["path", "--folds", "4", "--batch-size", "16"],
            "argument --batch-size: must be at most 15",
        ),
        (
            ["path", "--lambdas", "1,0.1"],
            "argument --lambdas: the grid must be in increasing order",
        ),
        (["path", "--lambdas", "0.1,0.1"], "argument --lambdas: the grid must not repeat a value"),
        (
            ["path", "--lambdas=-1,2"],
            "argument --lambdas: the grid[0] must be a finite number >= 0",
        ),
        (["path", "--lambdas", "1:0.1:5"], "argument --lambdas: expected START:STOP:NUM"),
        (["path", "--lambdas", ""], "argument --lambdas: expected START:STOP:NUM"),
        (["path", "--folds", "4", "--n-val", "4"], "not allowed with argument --folds"),
        (["fly"], "argument COMMAND: invalid choice: 'fly'"),
        (["train", "--lamb", "3"], "unrecognized arguments: --lamb 3"),
        (["train", "--lambda", "3"], "did you mean --lambd?"),
    ],
)
def test_bad_arguments_exit_2_with_one_line_naming_the_flag(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _code(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert len(captured.err.strip().splitlines()) == 1
    assert "Traceback" not in captured.err
    assert captured.out == ""  # nothing was trained or printed


@pytest.mark.parametrize("flag", ["--plot", "--json"])
def test_output_folders_are_checked_before_training(
    flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "out.png"
    start = time.perf_counter()
    assert _code(["compare", "--epochs", "100000", flag, str(target)]) == 2
    assert time.perf_counter() - start < 5  # 100000 epochs were not trained
    err = capsys.readouterr().err
    assert f"argument {flag}: the folder" in err
    assert "does not exist" in err


def test_plot_with_an_unknown_format_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _code(["train", "--plot", str(tmp_path / "curves.txt")]) == 2
    assert "argument --plot: the file must end in .png, .pdf or .svg" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# Help, version, signals and pipes
# --------------------------------------------------------------------------------------------
def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert _code(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"weightdecay {weightdecay.__version__}"


def test_help_shows_defaults_examples_and_short_lines() -> None:
    parser = build_parser()
    assert all(len(line) <= 100 for line in (parser.description or "").splitlines())
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        assert "examples:" in (sub.epilog or ""), name
        for action in sub._actions:
            if action.option_strings and action.help and action.nargs != 0:
                assert "default" in action.help, f"{name} {action.option_strings[0]}"
    path_help = subparsers.choices["path"].format_help()
    assert "save the lambda path" in path_help
    assert "loss curves" not in path_help


def test_progress_bars_stay_out_of_redirected_logs() -> None:
    done = _command("path", "--lambdas", "0.1,1", "--epochs", "300")
    assert done.returncode == 0
    assert "%|" not in done.stderr
    assert "\r" not in done.stderr


def test_progress_true_in_the_api_shows_a_bar(capsys: pytest.CaptureFixture[str]) -> None:
    weightdecay.regularization_path(make_problem(), [0.1, 1.0], num_epochs=10, progress=True)
    assert "path:   0%|" in capsys.readouterr().err  # tqdm's bar, on standard error


def test_ctrl_c_prints_one_line_and_exits_130() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "weightdecay", "path", "--lambdas", "1,1000", "--epochs", "1000000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    note = process.stderr.readline()  # printed just before training starts
    assert "--lr x lambda >= 2" in note
    time.sleep(0.5)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert err.strip() == "weightdecay: interrupted"


def test_a_closed_pipe_ends_quietly() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "weightdecay", "compare", "--epochs", "2000", "--eval-every", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith(b"epoch")  # what `| head -1` reads
    process.stdout.close()
    _, err = process.communicate(timeout=300)
    assert err == b""
    assert process.returncode == 141


def test_module_entry_point() -> None:
    done = _command("--help")
    assert done.returncode == 0
    assert "compare" in done.stdout
    bad = _command("train", "--lr", "-1")
    assert bad.returncode == 2
    assert bad.stderr.startswith(
        "weightdecay train: error: argument --lr: must be a finite number > 0"
    )


def test_parse_grid_is_geomspace() -> None:
    grid = parse_grid("1e-3:1e2:51")
    assert len(grid) == 51
    assert (grid[0], grid[-1]) == (1e-3, 100.0)
    reference = torch.logspace(-3, 2, 51, dtype=torch.float64)
    assert grid == pytest.approx(reference.tolist(), rel=1e-11)
    assert parse_grid("3") == [3.0]
