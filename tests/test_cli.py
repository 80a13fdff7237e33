"""The ``weightdecay`` command (issue 21): instant answers, one thread, streaming, what finished kept.

Most tests call :func:`weightdecay.cli.main` in this process. What only a real process shows
(Ctrl-C, a closed pipe, a full standard output, threads, imports, an allocation that fails)
runs in subprocesses, started together by the ``processes`` fixture so that their torch imports
overlap.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from typing import TYPE_CHECKING, Any

import pytest
import torch

import weightdecay
from weightdecay import _cli_train, make_problem, train_concise, train_scratch
from weightdecay._cli_options import PENALTY_NAMES
from weightdecay._cli_types import parse_grid
from weightdecay.cli import _threads_wanted, build_parser, main
from weightdecay.penalty import PENALTIES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from weightdecay.problem import Problem

PNG = b"\x89PNG\r\n\x1a\n"
COMMAND = [sys.executable, "-m", "weightdecay"]
ENV = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}


def _rows(text: str) -> list[list[str]]:
    """The table rows of the output: the lines that start with an epoch number."""
    return [line.split() for line in text.splitlines() if line[:5].strip().isdigit()]


def _hand_baseline(problem: Problem, *, mse: bool = False) -> float:
    """The zero predictor's test loss from its definition: w = 0, b = the mean training label."""
    squared = float(((problem.y_test - problem.y_train.mean()) ** 2).mean())
    return squared if mse else squared / 2


def _usage_and_error(err: str) -> tuple[str, str]:
    """An argument error: the command's usage line, then one line naming the flag."""
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    return lines[0], lines[1]


# --------------------------------------------------------------------------------------------
# Real processes, started together (their torch imports overlap)
# --------------------------------------------------------------------------------------------
def _start(argv: list[str], *, stdout: Any = subprocess.PIPE, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, text=True, env=ENV | env)


def _with_address_space(limit: int, argv: list[str]) -> list[str]:
    """The command with at most ``limit`` bytes of address space: a large allocation fails."""
    code = (
        "import resource, runpy, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
        f"sys.argv = ['weightdecay', *{argv!r}]\n"
        "runpy.run_module('weightdecay', run_name='__main__')\n"
    )
    return [sys.executable, "-c", code]


@pytest.fixture(scope="module")
def processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("processes")
    one_epoch = [*COMMAND, "train", "--epochs", "1", "--json", "-"]
    long_compare = ["compare", "--epochs", "1000000", "--json", str(folder / "i.json")]
    started: dict[str, Any] = {
        "interrupted": _start([*COMMAND, *long_compare]),  # stopped by Ctrl-C
        "threads": _start([*one_epoch, "--threads", "2"], OMP_NUM_THREADS="3"),  # the flag wins
        "omp": _start(one_epoch, OMP_NUM_THREADS="2"),
        "memory": _start(_with_address_space(3 << 30, ["train", "--num-inputs", "20000000"])),
    }
    started["folder"] = folder
    yield started
    for process in started.values():
        if isinstance(process, subprocess.Popen) and process.poll() is None:
            process.kill()
            process.communicate()


def test_rows_stream_and_ctrl_c_keeps_what_finished(processes: dict[str, Any]) -> None:
    process: subprocess.Popen[str] = processes["interrupted"]
    assert process.stdout is not None
    seen: list[str] = []
    while not (seen and seen[-1][:5].strip().isdigit()):  # the first row, long before the end
        seen.append(process.stdout.readline())
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == "weightdecay compare: interrupted"
    assert "lambda = 0 (l2): interrupted; at its last evaluation, epoch " in out
    document = json.loads((processes["folder"] / "i.json").read_text())
    assert document["interrupted"] is True
    assert document["config"]["threads"] == 1  # the default: one thread
    (run,) = document["runs"]  # the second run never started
    assert run["interrupted"] is True
    assert run["w"] is None
    epochs = run["history"]["epochs"]
    assert epochs[0] == 5
    assert run["history"]["num_updates"] == epochs[-1] * 4


@pytest.mark.parametrize("name", ["threads", "omp"])
def test_threads_are_one_unless_asked(name: str, processes: dict[str, Any]) -> None:
    out, err = processes[name].communicate(timeout=120)
    assert processes[name].returncode == 0, err
    assert json.loads(out)["config"]["threads"] == 2  # one, by default: see the Ctrl-C test


def test_threads_wanted() -> None:
    assert _threads_wanted(None, {}) == 1
    assert _threads_wanted(None, {"OMP_NUM_THREADS": ""}) == 1
    assert _threads_wanted(3, {"OMP_NUM_THREADS": "2"}) == 3
    assert _threads_wanted(None, {"OMP_NUM_THREADS": "2"}) is None  # torch reads it itself


def test_a_closed_pipe_ends_quietly() -> None:
    process = _start([*COMMAND, "--help"])
    assert process.stdout is not None
    process.stdout.close()  # the reader has gone before the command writes
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (141, "")


def test_a_closed_pipe_stops_the_training_quietly(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class ClosedAfterTwoLines(io.StringIO):
        def write(self, text: str) -> int:
            if self.getvalue().count("\n") >= 2:
                raise BrokenPipeError
            return super().write(text)

    monkeypatch.setattr(sys, "stdout", ClosedAfterTwoLines())
    assert main(["compare", "--epochs", "50"]) == 141
    assert capsys.readouterr().err == ""


def test_a_full_standard_output_is_one_line() -> None:
    with open("/dev/full", "w") as full:  # noqa: PTH123 - a device
        done = subprocess.run(
            [*COMMAND, "--help"], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert done.returncode == 1
    assert (
        done.stderr
        == "weightdecay: error: cannot write the standard output: No space left on device\n"
    )


def test_a_full_standard_output_stops_the_training_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with open("/dev/full", "w", buffering=1) as full:  # noqa: PTH123 - a device
        monkeypatch.setattr(sys, "stdout", full)
        code = main(["train", "--epochs", "5"])
        monkeypatch.undo()
        with contextlib.suppress(OSError):
            full.close()
    assert code == 1
    error = "cannot write the standard output: No space left on device"
    assert capsys.readouterr().err == f"weightdecay train: error: {error}\n"


def test_an_allocation_failure_is_one_line(processes: dict[str, Any]) -> None:
    out, err = processes["memory"].communicate(timeout=120)
    assert processes["memory"].returncode == 1
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith("weightdecay train: error: out of memory (can't allocate memory")
    assert "--num-inputs" in line


def test_ctrl_c_while_torch_loads_is_one_line() -> None:
    process = _start([*COMMAND, "train"])
    time.sleep(0.3)  # torch takes seconds to import
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert out == ""
    assert err in ("weightdecay train: interrupted\n", "weightdecay: interrupted\n")  # or earlier


def test_help_version_and_argument_errors_never_import_torch() -> None:
    code = textwrap.dedent(
        """
        import contextlib, io, sys
        from weightdecay.cli import main
        codes = []
        for argv in ([], ["--help"], ["--version"], ["train", "--help"], ["trian"],
                     ["train", "--lr", "-1"], ["path", "--lambdas", "1,2,abc"],
                     ["train", "--batch-size", "30"], ["train", "--num-inputs", "1000000000"]):
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                codes.append(main(argv))
        print(codes, "torch" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("]")[0] + "]" == "[0, 0, 0, 0, 2, 2, 2, 2, 1]"
    assert done.stdout.strip().endswith("False")


def test_a_new_command_is_one_entry_and_imports_only_what_it_uses() -> None:
    code = textwrap.dedent(
        """
        import sys
        from weightdecay._cli_options import COMMANDS, Command
        from weightdecay.cli import main

        def run(args):
            print("twice", 2 * args.x)
            return 0

        COMMANDS["twice"] = Command(
            summary="double a number",
            description="Print twice --x.",
            examples="examples:\\n  weightdecay twice --x 3",
            add_options=lambda parser: parser.add_argument("--x", type=int, required=True),
            check=lambda args: None,
            run="__main__:run",
        )
        assert main(["twice", "--x", "3"]) == 0
        assert main([]) == 0  # the help lists it
        print("torch" in sys.modules)
        """
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "twice 6"
    assert any(line.split()[:1] == ["twice"] for line in lines[1:])
    assert lines[-1] == "False"


def test_help_imports_no_torch() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "weightdecay", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]
    assert "weightdecay.cli" in imported
    assert not [name for name in imported if name.split(".")[0] in ("torch", "numpy")]
    assert "usage: weightdecay" in done.stdout


# --------------------------------------------------------------------------------------------
# What train and compare print and write
# --------------------------------------------------------------------------------------------
def test_train_prints_rows_the_baseline_and_the_norm(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--penalty", "l1", "--lambda", "2", "--epochs", "10"]) == 0
    out = capsys.readouterr().out
    problem = make_problem()
    baseline = _hand_baseline(problem)
    assert out.startswith(
        f"baseline: the zero predictor (w = 0, b = the mean training label) has test loss {baseline:.4g}\n"
    )
    assert "lambda = 2 (l1), loss = half squared error:" in out
    reference = train_scratch(problem, lambd=2.0, penalty="l1", num_epochs=10)
    rows = _rows(out)
    assert [int(r[0]) for r in rows] == reference.history.epochs
    assert [float(r[1]) for r in rows] == pytest.approx(reference.history.train_loss, rel=1e-4)
    assert [float(r[2]) for r in rows] == pytest.approx(reference.history.test_loss, rel=1e-4)
    ratios = [t / baseline for t in reference.history.test_loss]
    assert [float(r[3]) for r in rows] == pytest.approx(ratios, rel=0.05)
    assert f"||w||_2 = {reference.w_norm:.4g}" in out
    assert "(epoch 10, 40 updates)" in out


def test_compare_sets_both_runs_against_the_baseline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare"]) == 0
    out = capsys.readouterr().out
    problem = make_problem()
    baseline = _hand_baseline(problem)
    summaries = [line for line in out.splitlines() if "the baseline" in line]
    assert [s.split(":")[0] for s in summaries] == ["lambda = 0 (l2)", "lambda = 3 (l2)"]
    for summary, lambd in zip(summaries, (0.0, 3.0), strict=True):
        test = train_scratch(problem, lambd=lambd).history.test_loss[-1]
        ratio = test / baseline
        shown = f"{ratio:.0f}" if ratio >= 100 else f"{ratio:.2g}"
        assert f"test loss {test:.4g} = {shown}x the baseline" in summary
    assert "= 6.7x the baseline" in summaries[1]  # the README's story, checkable from a shell


def test_concise_tables_name_their_loss(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compare", "--concise", "--optimizer", "adamw", "--epochs", "5", "--json", "-"]
    assert main(argv) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)
    baseline = _hand_baseline(make_problem(), mse=True)
    assert document["baseline"]["loss"] == "mean squared error"
    assert document["baseline"]["test_loss"] == pytest.approx(baseline, rel=1e-6)
    assert "weight_decay = 7 (adamw), loss = mean squared error:" in captured.err  # the table
    assert [run["label"] for run in document["runs"]] == [
        "weight_decay = 0 (adamw)",
        "weight_decay = 7 (adamw)",
    ]


def test_labels_name_the_penalty(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", "--penalty", "elasticnet", "--l1-ratio", "0.3", "--epochs", "5"]) == 0
    out = capsys.readouterr().out
    assert "lambda = 0 (elasticnet(l1_ratio=0.3)), loss = half squared error:" in out
    assert "lambda = 3 (elasticnet(l1_ratio=0.3)), loss = half squared error:" in out


def test_json_holds_everything_to_redo_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "run.json"
    argv = ["train", "--concise", "--optimizer", "adam", "--weight-decay", "0.5", "--epochs", "7",
            "--lr", "0.01", "--batch-size", "4", "--eval-every", "2", "--seed", "3",
            "--data-seed", "9", "--n-train", "24", "--n-test", "30", "--num-inputs", "50",
            "--true-w", "0.02", "--true-b", "0.1", "--noise", "0.05", "--json", str(data)]  # fmt: skip
    assert main(argv) == 0
    document = json.loads(data.read_text())
    (run,) = document["runs"]
    config = run["config"]
    assert config["weightdecay_version"] == weightdecay.__version__
    problem = make_problem(n_train=config["n_train"], n_test=config["n_test"],
                           num_inputs=config["num_inputs"], true_w=config["true_w"],
                           true_b=config["true_b"], noise=config["noise"],
                           seed=config["data_seed"], num_nonzero=config["num_nonzero"])  # fmt: skip
    redo = train_concise(problem, weight_decay=config["weight_decay"], optimizer=config["optimizer"],
                         lr=config["lr"], num_epochs=config["num_epochs"],
                         batch_size=config["batch_size"], eval_every=config["eval_every"],
                         seed=config["seed"])  # fmt: skip
    assert run["w"] == pytest.approx(redo.w.flatten().tolist())
    assert run["test_loss_ratio"] == pytest.approx(
        redo.history.test_loss[-1] / _hand_baseline(problem, mse=True), rel=1e-5
    )
    assert f"wrote {data}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "keys"),
    [
        (["train", "--epochs", "5"], ["baseline", "runs"]),
        (["compare", "--epochs", "5"], ["baseline", "runs"]),
        (["path", "--lambdas", "0.1,1", "--epochs", "5"], ["path", "selection"]),
    ],
)
def test_every_json_is_one_object_of_one_shape(
    argv: list[str], keys: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--json", "-"]) == 0
    captured = capsys.readouterr()
    document = json.loads(captured.out)  # the standard output holds the JSON alone
    assert list(document) == ["command", "weightdecay_version", "config", "interrupted", *keys]
    assert document["command"] == argv[0]
    assert document["config"]["epochs"] == 5
    assert document["interrupted"] is False
    json.dumps(document, allow_nan=False)  # strict JSON
    assert "epoch" in captured.err or "lambda" in captured.err  # the table went to stderr
    if argv[0] != "path":
        assert len(document["runs"]) == (1 if argv[0] == "train" else 2)
        assert "What finished is above" not in captured.err


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


def test_ctrl_c_writes_the_evaluations_that_finished(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def stopped_at_the_third_evaluation(problem: Problem, **kwargs: Any) -> Any:
        show = kwargs.pop("callback")

        def callback(history: Any) -> None:
            show(history)
            if len(history.epochs) == 3:
                raise KeyboardInterrupt

        return train_scratch(problem, callback=callback, **kwargs)

    monkeypatch.setattr(_cli_train, "train_scratch", stopped_at_the_third_evaluation)
    data, plot = tmp_path / "c.json", tmp_path / "c.png"
    assert main(["compare", "--epochs", "40", "--json", str(data), "--plot", str(plot)]) == 130
    out, err = capsys.readouterr()
    assert len(_rows(out)) == 3
    assert (
        "lambda = 0 (l2): interrupted; at its last evaluation, epoch 15, after 60 updates: " in out
    )
    assert err.strip().splitlines()[-1] == "weightdecay compare: interrupted"
    full = train_scratch(make_problem(), num_epochs=40)
    (run,) = json.loads(data.read_text())["runs"]
    assert run["interrupted"] is True
    assert run["config"] == full.config  # the trainer's own settings, though it never returned
    assert run["history"]["epochs"] == full.history.epochs[:3]
    assert run["history"]["test_loss"] == pytest.approx(full.history.test_loss[:3])
    assert run["history"]["step_loss"] == pytest.approx(full.history.step_loss[:60])
    assert plot.read_bytes()[:8] == PNG


# --------------------------------------------------------------------------------------------
# Divergence and the path
# --------------------------------------------------------------------------------------------
def test_a_diverging_run_is_summarized_at_one_moment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "c.json"
    assert main(["compare", "--lr", "0.5", "--epochs", "30", "--json", str(data)]) == 1
    out, err = capsys.readouterr()
    reference = train_scratch(make_problem(), lr=0.5, num_epochs=30, on_divergence="stop")
    d, h = reference.divergence, reference.history
    assert d is not None
    summary = next(line for line in out.splitlines() if line.startswith("lambda = 0 (l2): "))
    assert summary.startswith(
        f"lambda = 0 (l2): diverged at epoch {d.epoch}, update {d.step} (the loss became inf); "
        f"at its last evaluation, epoch {h.epochs[-1]}, after {h.epochs[-1] * 4} updates: "
        f"test loss {h.test_loss[-1]:.4g}"
    )
    lines = [line for line in err.splitlines() if "diverged" in line]
    assert len(lines) == 2  # both runs diverge at lr = 0.5
    for flag in ("--lr", "--max-grad-norm C", "--batch-size"):
        assert flag in lines[0]
    assert "initial weights" not in lines[0]
    assert "What finished is above" not in err
    runs = json.loads(data.read_text())["runs"]
    assert runs[0]["divergence"]["step"] == d.step


def test_a_decay_step_that_is_too_large_names_both_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["train", "--lr", "5e-3", "--lambda", "1e3", "--epochs", "20"]) == 1
    err = capsys.readouterr().err
    (line,) = err.strip().splitlines()
    assert "--lr x --lambd = 5 >= 2: the decay step alone" in line
    assert "Lower --lr or --lambd" in line


def test_the_path_table_shows_a_diverged_row_at_its_last_finite_evaluation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["path", "--lambdas", "1,100,1000", "--epochs", "50"]) == 0
    out, err = capsys.readouterr()
    assert "1 of the 3 lambdas has --lr x lambda >= 2 (from 1000)" in err
    path = weightdecay.regularization_path(make_problem(), [1.0, 100.0, 1000.0], num_epochs=50)
    divergence = path.divergences[2]
    kept = path.epochs.index(divergence.epoch) - 1  # the evaluation before the failing one
    row = next(line.split() for line in out.splitlines() if line.split()[:1] == ["1000"])
    assert float(row[1]) == pytest.approx(float(path.train_loss[kept, 2]), rel=1e-3)
    assert float(row[2]) == pytest.approx(float(path.test_loss[kept, 2]), rel=1e-3)
    assert "nan" not in row[:4]
    assert (
        f"<- diverged at epoch {divergence.epoch}; values of epoch {path.epochs[kept]}"
        in " ".join(row)
    )
    assert "diverged: 1 lambda (1000); the table shows each at its last finite evaluation" in out


def test_a_path_where_every_lambda_diverges_names_the_flags(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["path", "--lambdas", "1000,5000", "--epochs", "50"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    note, failure = err.strip().splitlines()
    assert "2 of the 2 lambdas have --lr x lambda >= 2" in note
    assert failure.endswith("so none can be chosen; lower --lr or the largest of --lambdas.")


def test_cli_path_with_cv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plot, data = tmp_path / "path.png", tmp_path / "path.json"
    argv = ["path", "--lambdas", "0.1:100:4", "--folds", "4", "--epochs", "20"]
    assert main([*argv, "--plot", str(plot), "--json", str(data)]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0].split() == ["lambda", "train", "test", "||w||", "CV", "mean", "+-", "std"]
    assert [float(line.split()[0]) for line in lines[1:5]] == [0.1, 1.0, 10.0, 100.0]
    assert sum("<- chosen" in line for line in lines) == 1
    assert "4-fold cross-validation" in out
    assert "one-standard-error rule" in out
    assert plot.read_bytes()[:8] == PNG
    payload = json.loads(data.read_text())
    assert payload["selection"]["config"]["folds"] == 4
    assert len(payload["path"]["w_norm"]) == 4
    assert "%|" not in err  # no progress bar when stderr is not a terminal


# --------------------------------------------------------------------------------------------
# Help, errors and outputs that cannot be written
# --------------------------------------------------------------------------------------------
def test_no_arguments_prints_the_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: weightdecay")
    for name in ("train", "compare", "path"):  # each command listed once
        assert sum(line.split()[:1] == [name] for line in out.splitlines()) == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"weightdecay {weightdecay.__version__}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["trian"],
            "invalid choice: 'trian' (choose from train, compare, path, convert); did you mean 'train'?",
        ),
        (
            ["train", "--lambd", "-1"],
            "argument --lambd/--lambda: must be a finite number >= 0, got -1",
        ),
        (
            ["train", "--lambda", "nan"],
            "argument --lambd/--lambda: must be a finite number >= 0, got nan",
        ),
        (["train", "--lr", "0"], "argument --lr: must be a finite number > 0, got 0"),
        (["train", "--epochs", "ten"], "argument --epochs: must be an integer >= 1, got 'ten'"),
        (["train", "--threads", "0"], "argument --threads: must be an integer >= 1, got 0"),
        (
            ["train", "--batch-size", "21"],
            "argument --batch-size: must be at most 20 (the training rows), got 21",
        ),
        (
            ["train", "--l1-ratio", "1.5"],
            "argument --l1-ratio: must be a number in [0, 1], got 1.5",
        ),
        (
            ["train", "--num-nonzero", "300"],
            "argument --num-nonzero: must be at most --num-inputs (200), got 300",
        ),
        (
            ["train", "--concise", "--lambda", "3"],
            "argument --lambd: applies to the from-scratch trainer",
        ),
        (["train", "--weight-decay", "3"], "argument --weight-decay: applies to --concise"),
        (["train", "--l1-ratio", "0.3"], "argument --l1-ratio: goes with --penalty elasticnet"),
        (
            ["train", "--plot", "curves.txt"],
            "argument --plot: the file must end in .png, .pdf or .svg",
        ),
        (["train", "--lamdb", "3"], "unrecognized arguments: --lamdb 3; did you mean --lambd?"),
        (["path", "--n-val", "20"], "argument --n-val: must be at most --n-train - 1 (19), got 20"),
        (["path", "--folds", "21"], "argument --folds: must be at most --n-train (20), got 21"),
        (
            ["path", "--folds", "4", "--batch-size", "16"],
            "argument --batch-size: must be at most 15",
        ),
        (["path", "--lambdas", "1,0.1"], "argument --lambdas: 0.1 comes after 1 (in '1,0.1')"),
        (["path", "--lambdas", "0.1,0.1"], "argument --lambdas: 0.1 appears twice (in '0.1,0.1')"),
        (
            ["path", "--lambdas=-1,2"],
            "argument --lambdas: -1 is not a finite number >= 0 (in '-1,2')",
        ),
        (
            ["path", "--lambdas", "1,2,abc"],
            "argument --lambdas: 'abc' is not a number (in '1,2,abc')",
        ),
        (["path", "--lambdas", "1:0.1:5"], "argument --lambdas: expected START:STOP:NUM"),
        (["path", "--lambdas", ""], "argument --lambdas: expected START:STOP:NUM"),
        (["path", "--folds", "4", "--n-val", "4"], "not allowed with argument --folds"),
    ],
)
def test_bad_arguments_give_the_usage_line_and_name_the_flag(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    captured = capsys.readouterr()
    usage, error = _usage_and_error(captured.err)
    prog = "weightdecay" if argv == ["trian"] else f"weightdecay {argv[0]}"
    assert usage.startswith(f"usage: {prog} ")
    assert error.startswith(f"{prog}: error: ")
    assert message in error
    assert error.endswith(f"(see '{prog} --help')")
    assert captured.out == ""  # nothing was trained or printed


@pytest.mark.parametrize(
    ("flag", "target", "cause"),
    [
        ("--json", "/proc/x.json", "No such file or directory"),
        ("--plot", "/proc/x.png", "No such file or directory"),
        ("--json", "/no/such/folder/x.json", "the folder '/no/such/folder' does not exist"),
        ("--plot", "/tmp", "it is a folder, not a file name"),
    ],
)
def test_unwritable_outputs_are_refused_before_training(
    flag: str, target: str, cause: str, capsys: pytest.CaptureFixture[str]
) -> None:
    start = time.perf_counter()
    assert main(["compare", "--epochs", "100000", flag, target]) == 1
    assert time.perf_counter() - start < 5  # 100000 epochs were not trained
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"weightdecay compare: error: cannot write {flag} '{target}': {cause}\n"


def test_a_full_disk_after_training_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "--epochs", "5", "--json", "/dev/full"]) == 1
    out, err = capsys.readouterr()
    assert len(_rows(out)) == 1  # the run finished and was printed
    assert (
        err
        == "weightdecay train: error: cannot write --json '/dev/full': No space left on device\n"
    )


def test_data_larger_than_the_machine_is_refused_before_torch_allocates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["train", "--num-inputs", "1000000000"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(
        "weightdecay train: error: not enough memory: --n-train 20 and --n-test 100 rows of "
        "--num-inputs 1000000000 features need 480 GB"
    )


def test_help_shows_defaults_examples_the_alias_and_short_lines() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name, sub in subparsers.choices.items():
        assert "examples:" in (sub.epilog or ""), name
        for action in sub._actions:
            if action.option_strings and action.help and action.nargs != 0:
                assert "default" in action.help, f"{name} {action.option_strings[0]}"
        assert all(len(line) <= 100 for line in (sub.description or "").splitlines())
    train_help = subparsers.choices["train"].format_help()
    assert "--lambd LAMBDA, --lambda LAMBDA" in train_help
    path_help = subparsers.choices["path"].format_help()
    assert "save the lambda path" in path_help
    assert "loss curves" not in path_help


def test_the_parser_knows_the_penalties_without_importing_them() -> None:
    assert tuple(sorted(PENALTIES)) == PENALTY_NAMES


def test_parse_grid_is_geomspace() -> None:
    grid = parse_grid("1e-3:1e2:51")
    assert len(grid) == 51
    assert (grid[0], grid[-1]) == (1e-3, 100.0)
    reference = torch.logspace(-3, 2, 51, dtype=torch.float64)
    assert grid == pytest.approx(reference.tolist(), rel=1e-11)
    assert parse_grid("3") == [3.0]
