"""The regularization path on a busy machine: one torch thread (the command's choice) against torch's default.

Two processes spin on the CPU for the whole benchmark, as other work does on a shared machine.
Meanwhile:

* (a) ``regularization_path`` over 56 values of lambda (100 epochs) is timed in fresh
  processes, one with ``torch.set_num_threads(1)`` and one with torch's default count, in turns;
* (b) the command ``weightdecay path --lambdas 1e-3:1e2:50 --folds 5`` is timed end to end (torch's
  import included), with its default of one thread and with ``--threads`` at torch's default.

A fresh process per measurement, because a process sets its thread count once: torch 2.13 gives
wrong batched solves after ``set_num_threads(1)`` then a larger count. Target: one thread is at
least as fast as the default, under load, in both (a) and (b). On a one-core machine the two
settings are the same and the targets are skipped.

Run: ``python benchmarks/bench_threads.py`` (or ``nox -s bench``). Exits 1 if a target is missed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _timing import report

ROUNDS = 3  # fresh processes per setting, in turns
NUM_LAMBDAS = 56
COMMAND = ["path", "--lambdas", "1e-3:1e2:50", "--folds", "5"]

TIME_THE_PATH = f"""
import statistics, sys, time
import torch
if sys.argv[1] != "default":
    torch.set_num_threads(int(sys.argv[1]))
from weightdecay import make_problem, regularization_path
problem = make_problem(seed=0)
grid = torch.logspace(-3, 2, {NUM_LAMBDAS}, dtype=torch.float64)
regularization_path(problem, grid)  # warm-up
times = []
for _ in range(5):
    start = time.perf_counter()
    regularization_path(problem, grid)
    times.append(time.perf_counter() - start)
print(torch.get_num_threads(), statistics.median(times))
"""


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}


def default_threads() -> int:
    """Torch's own thread count in a fresh process (the number of physical cores)."""
    code = "import torch; print(torch.get_num_threads())"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=_env()
    )
    return int(done.stdout)


def time_path(setting: str) -> tuple[int, float]:
    """(threads used, median seconds of one path) in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", TIME_THE_PATH, setting],
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    threads, seconds = done.stdout.split()
    return int(threads), float(seconds)


def time_command(extra: list[str]) -> float:
    """Wall time of the whole ``weightdecay path`` command, torch's import included."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "weightdecay", *COMMAND, *extra],
        capture_output=True,
        check=True,
        env=_env(),
    )
    return time.perf_counter() - start


def main() -> int:
    print("== benchmarks/bench_threads.py")
    default = default_threads()
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        time.sleep(0.5)
        paths: dict[str, list[float]] = {"1": [], "default": []}
        commands: dict[str, list[float]] = {"1": [], "default": []}
        for _ in range(ROUNDS):
            for setting, times in paths.items():
                threads, seconds = time_path(setting)
                if threads != (1 if setting == "1" else default):
                    msg = f"the process meant for setting {setting} ran {threads} threads"
                    raise SystemExit(msg)
                times.append(seconds)
                extra = [] if setting == "1" else ["--threads", str(default)]
                commands[setting].append(time_command(extra))
        load = os.getloadavg()[0]
    finally:
        for process in busy:
            process.kill()
            process.wait()
    one, many = statistics.median(paths["1"]), statistics.median(paths["default"])
    cli_one, cli_many = statistics.median(commands["1"]), statistics.median(commands["default"])
    print(f"      torch's default: {default} threads; 2 busy processes; load average {load:.1f}")
    print(f"      medians of {ROUNDS} fresh processes per setting, taken in turns")
    print(f"      (a) regularization_path, {NUM_LAMBDAS} lambdas, 1 thread     {one * 1e3:9.1f} ms")
    print(
        f"      (a) regularization_path, {NUM_LAMBDAS} lambdas, {default} threads    {many * 1e3:9.1f} ms"
    )
    print(f"      (b) weightdecay {' '.join(COMMAND)}, 1 thread   {cli_one:6.2f} s")
    print(f"      (b) weightdecay {' '.join(COMMAND)}, {default} threads  {cli_many:6.2f} s")
    if default == 1:
        print("SKIP  one core: the default is one thread already")
        return 0
    ok = [
        report(f"path, {default} threads / 1 thread, under load", many / one, ">= 1x", many >= one),
        report(
            f"command, {default} threads / 1 thread, under load",
            cli_many / cli_one,
            ">= 1x",
            cli_many >= cli_one,
        ),
    ]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
