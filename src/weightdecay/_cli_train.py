"""``weightdecay train`` and ``weightdecay compare``: each evaluation printed as it is computed.

Every row sets the test loss against the zero predictor's
(:func:`~weightdecay.evaluate.zero_predictor_loss`), the baseline that a trained model must
beat. On Ctrl-C, what finished is summarized and written, marked interrupted; a diverged run is
summarized at its last evaluation, then explained on one line of the standard error with the
flags that can fix it.
"""

from __future__ import annotations

import math
import sys
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import torch

from weightdecay._cli_checks import OutputError
from weightdecay._cli_report import (
    command_name,
    json_document,
    table_stream,
    times,
    write_json,
    write_plot,
)
from weightdecay._cli_signals import exit_at_once_on_interrupt, report_interrupt
from weightdecay._json import strict_json
from weightdecay._settings import check_settings
from weightdecay.data import make_problem
from weightdecay.evaluate import squared_loss, zero_predictor_loss
from weightdecay.penalty import ElasticNet, get_penalty, penalty_parts
from weightdecay.results import History
from weightdecay.trainer import train_concise, train_scratch

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from matplotlib.figure import Figure

    from weightdecay.penalty import Penalty
    from weightdecay.problem import Problem
    from weightdecay.results import TrainResult

__all__ = ["Run", "problem_of", "run"]

BASELINE = "the zero predictor (w = 0, b = the mean training label)"


@dataclass
class Run:
    """One run of ``train`` or ``compare``: its settings, and what it has done so far."""

    label: str
    strength: float
    decay: float  # the L2 decay rate: lr x decay >= 2 makes the decay step alone diverge
    config: dict[str, Any]  # the trainer's result.config, known before it starts
    result: TrainResult | None = None  # once finished
    history: History = field(default_factory=History)  # the trainer's own, growing
    seen: tuple[int, int] = (0, 0)  # evaluations and updates at the last evaluation

    def last_evaluation(self) -> History:
        """The history up to the last evaluation: all its numbers are of one moment."""
        h, (k, n) = self.history, self.seen
        return History(
            h.epochs[:k], h.train_loss[:k], h.test_loss[:k], n, h.step_loss[:n], h.grad_norm[:n]
        )


def run(args: argparse.Namespace) -> int:
    """Train, print each evaluation, then summarize and write; the exit code."""
    problem = problem_of(args)
    loss_name = "mean squared error" if args.concise else "half squared error"
    baseline = zero_predictor_loss(
        problem, torch.nn.MSELoss(reduction="none") if args.concise else squared_loss
    )
    out = table_stream(args)
    print(f"baseline: {BASELINE} has test loss {baseline:.4g}", file=out, flush=True)
    runs: list[Run] = []
    interrupted = False
    try:
        for strength in _strengths(args):
            runs.append(_plan(args, problem, strength))
            print(f"\n{runs[-1].label}, loss = {loss_name}:", file=out)
            print(f"{'epoch':>5} {'train loss':>12} {'test loss':>12} {'x baseline':>11}", file=out)
            runs[-1].result = _train(args, problem, runs[-1], out, baseline)
    except KeyboardInterrupt:
        interrupted = True
    with exit_at_once_on_interrupt(command_name(args)):  # a second Ctrl-C ends at once
        return _finish(args, runs, baseline, loss_name, interrupted=interrupted)


def problem_of(args: argparse.Namespace) -> Problem:
    """The data that the --data-seed, --n-train, ... options describe."""
    return make_problem(
        n_train=args.n_train,
        n_test=args.n_test,
        num_inputs=args.num_inputs,
        true_w=args.true_w,
        true_b=args.true_b,
        noise=args.noise,
        seed=args.data_seed,
        num_nonzero=args.num_nonzero,
    )


def _strengths(args: argparse.Namespace) -> list[float]:
    """``train``: the one asked for (default 0); ``compare``: 0, then the one asked for."""
    given = args.weight_decay if args.concise else args.lambd
    if args.command == "train":
        return [0.0 if given is None else float(given)]
    default = 7.0 if args.concise else 3.0
    return [0.0, default if given is None else float(given)]


def _penalty(args: argparse.Namespace) -> Penalty:
    return ElasticNet(args.l1_ratio) if args.l1_ratio is not None else get_penalty(args.penalty)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """The hyperparameters that both trainers take, by their keyword names."""
    return {
        "num_epochs": args.epochs,
        "lr": args.lr,
        "batch_size": args.batch_size,
        "eval_every": args.eval_every,
        "seed": args.seed,
        "max_grad_norm": args.max_grad_norm,
    }


def _plan(args: argparse.Namespace, problem: Problem, strength: float) -> Run:
    """The run's label and the config that its trainer will record (for an interrupted run)."""
    common = _settings(args)
    if args.concise:
        s = check_settings(problem, **common)
        config = {"trainer": "concise", "weight_decay": strength, "optimizer": args.optimizer}
        decay = 0.0 if args.optimizer == "adam" else strength  # Adam rescales its coupled decay
        label = f"weight_decay = {strength:g} ({args.optimizer})"
        return Run(label, strength, decay, config | s.config(problem))
    s = check_settings(problem, penalty=_penalty(args), l1_update=args.l1_update, **common)
    config = {"trainer": "scratch", "lambd": strength, **s.penalty_config()}
    decay = strength * (penalty_parts(s.penalty) or (0.0, 0.0))[1]
    label = f"lambda = {strength:g} ({config['penalty']})"
    return Run(label, strength, decay, config | s.config(problem))


def _train(
    args: argparse.Namespace, problem: Problem, job: Run, out: Any, baseline: float
) -> TrainResult:
    """Train, printing each evaluation as it comes (flushed, for a pipe or a log)."""

    def show(history: History) -> None:
        job.history, job.seen = history, (len(history.epochs), history.num_updates)
        epoch, train, test = history.epochs[-1], history.train_loss[-1], history.test_loss[-1]
        ratio = times(test / baseline) if baseline > 0 else "-"
        print(f"{epoch:>5} {train:>12.4e} {test:>12.4e} {ratio:>11}", file=out, flush=True)

    common = {**_settings(args), "callback": show, "on_divergence": "stop"}
    if args.concise:
        return train_concise(problem, weight_decay=job.strength, optimizer=args.optimizer, **common)
    return train_scratch(
        problem, lambd=job.strength, penalty=_penalty(args), l1_update=args.l1_update, **common
    )


def _finish(
    args: argparse.Namespace,
    runs: list[Run],
    baseline: float,
    loss_name: str,
    *,
    interrupted: bool,
) -> int:
    """Summarize, explain each divergence, write the JSON and the plot; the exit code."""
    out, prog = table_stream(args), command_name(args)
    print(file=out)
    for job in runs:
        print(_summary(job, baseline), file=out, flush=True)
    for job in runs:
        if job.result is not None and job.result.divergence is not None:
            print(f"{prog}: {_divergence_line(job, args)}", file=sys.stderr, flush=True)
    document = json_document(
        args,
        interrupted=interrupted,
        baseline={"predictor": BASELINE, "loss": loss_name, "test_loss": strict_json(baseline)},
        runs=[_payload(job, baseline) for job in runs],
    )
    failed = not _written(prog, lambda: write_json(document, args))
    failed = not _written(prog, lambda: _plot(args, runs, baseline)) or failed
    if interrupted:
        return report_interrupt(prog)
    return 1 if failed or any(job.result is None or job.result.diverged for job in runs) else 0


def _written(prog: str, write: Callable[[], None]) -> bool:
    """Write one output; if it fails, say why on one line and go on with the others."""
    try:
        write()
    except OutputError as error:
        print(f"{prog}: error: {error}", file=sys.stderr, flush=True)
        return False
    return True


def _summary(job: Run, baseline: float) -> str:
    """One line per run, all its numbers from one moment: the end, or the last evaluation."""
    h = job.last_evaluation()
    if job.result is not None and not job.result.diverged:
        end = f"epoch {h.epochs[-1]}, {h.num_updates} updates"
        return f"{job.label}: ||w||_2 = {job.result.w_norm:.4g}, {_losses(h, baseline)} ({end})"
    if job.result is not None and job.result.divergence is not None:
        d = job.result.divergence
        what = f"diverged at epoch {d.epoch}, update {d.step} (the {d.quantity} became {d.value})"
    else:
        what = "interrupted"
    if not h.epochs:
        return f"{job.label}: {what}, before its first evaluation"
    moment = f"epoch {h.epochs[-1]}, after {h.num_updates} updates"
    return f"{job.label}: {what}; at its last evaluation, {moment}: {_losses(h, baseline)}"


def _losses(h: History, baseline: float) -> str:
    ratio = f" = {times(h.test_loss[-1] / baseline)}x the baseline" if baseline > 0 else ""
    return f"test loss {h.test_loss[-1]:.4g}{ratio}, train loss {h.train_loss[-1]:.4g}"


def _divergence_line(job: Run, args: argparse.Namespace) -> str:
    """Where the run diverged, the numbers just before, and every flag that can fix it."""
    assert job.result is not None
    d = job.result.divergence
    assert d is not None
    strength = "--weight-decay" if args.concise else "--lambd"
    where = (
        f"the {d.quantity} became {d.value} at epoch {d.epoch}, update {d.step}, with --lr {d.lr:g}"
    )
    if d.quantity == "evaluation loss":
        before = f"the weights it evaluated have largest |w| {d.max_abs_w:.4g}"
    else:
        before = (
            f"the update before left the largest |w| at {d.max_abs_w:.4g} "
            f"(minibatch loss {d.last_finite_loss:.4g})"
        )
    if d.lr * job.decay >= 2:
        fix = (
            f"--lr x {strength} = {d.lr * job.decay:g} >= 2: the decay step alone, "
            f"w <- (1 - lr x decay) w, makes |w| grow. Lower --lr or {strength} until their "
            "product is below 2"
        )
    else:
        clip = "a smaller --max-grad-norm" if args.max_grad_norm else "--max-grad-norm C"
        fix = f"Lower --lr, clip the gradient with {clip}, or take a larger --batch-size"
    return f"{job.label}: training diverged: {where}; {before}. {fix}."


def _payload(job: Run, baseline: float) -> dict[str, Any]:
    """The run in the JSON: the trainer's result, or the last evaluation of an interrupted run."""
    h = job.last_evaluation()
    ratio = h.test_loss[-1] / baseline if h.epochs and baseline > 0 else math.nan
    head = {
        "label": job.label,
        "interrupted": job.result is None,
        "test_loss_ratio": strict_json(ratio),
    }
    if job.result is not None:
        return head | job.result.to_dict()
    # An interrupted run keeps its evaluations, not its weights (they were not saved then).
    partial = {"config": job.config, "w": None, "b": None, "w_norm": None}
    body: dict[str, Any] = strict_json(partial | {"history": asdict(h), "divergence": None})
    return head | body


def _plot(args: argparse.Namespace, runs: list[Run], baseline: float) -> None:
    """The loss curves of the runs that were evaluated, and the baseline, in one figure."""

    def draw(fig: Figure) -> None:
        from weightdecay.plot import plot_history  # noqa: PLC0415 - matplotlib only when asked

        ax = fig.add_subplot()
        for job in runs:
            mark = " (interrupted)" if job.result is None else ""
            if job.history.epochs:
                plot_history(job.last_evaluation(), ax, label=job.label + mark)
        ax.axhline(
            baseline, color="k", linestyle=":", linewidth=1.5, label="baseline: predict w = 0"
        )
        ax.legend()
        ax.set_title("train (solid) and test (dashed) loss")

    write_plot(args, draw, height=4)
