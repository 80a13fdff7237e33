"""The end of ``nox -s mutation``: the score, and every surviving mutant with why it survives.

Run after ``mutmut run`` and ``mutmut export-cicd-stats`` (the session does both). A mutant is
explained when its change matches an entry of :data:`EQUIVALENT`: a change that no test can see,
because the program computes the same thing with it. Each entry names the function, the line
before and after, and the reason; mutmut's numbering changes with the code, these do not. The
script exits 1 when a survivor is not explained: kill it with a test, or explain it here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Equivalent:
    """A mutant that computes what the original computes, and why."""

    function: str  # module.function as mutmut names it, without the mutant's number
    before: str  # the original line, stripped
    after: str  # the mutated line, stripped
    reason: str


EQUIVALENT: list[Equivalent] = []


def _survivors() -> dict[str, str]:
    """Mutant name -> status, for every mutant that was not killed."""
    out = subprocess.run(["mutmut", "results"], check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name and status != "killed":
            found[name] = status
    return found


def _change(name: str) -> tuple[str, str]:
    """The line a mutant removes and the line it adds (the first of each)."""
    diff = subprocess.run(
        ["mutmut", "show", name], check=True, capture_output=True, text=True
    ).stdout
    removed = [
        ln[1:].strip()
        for ln in diff.splitlines()
        if ln.startswith("-") and not ln.startswith("---")
    ]
    added = [
        ln[1:].strip()
        for ln in diff.splitlines()
        if ln.startswith("+") and not ln.startswith("+++")
    ]
    return (removed[0] if removed else ""), (added[0] if added else "")


def _function(name: str) -> str:
    """``weightdecay.model.x_linreg__mutmut_3`` -> ``weightdecay.model.linreg``.

    Methods are mangled as ``xǁClassǁmethod__mutmut_N``.
    """
    module, _, mangled = name.rpartition(".")
    function = mangled[1:].removeprefix("_").rpartition("__mutmut_")[0]
    return f"{module}.{function.replace('ǁ', '.').strip('.')}"


def main() -> int:
    stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
    detected = stats["killed"] + stats["timeout"]
    considered = detected + stats["survived"] + stats["no_tests"] + stats["suspicious"]
    unexplained = 0
    for name, status in sorted(_survivors().items()):
        before, after = _change(name)
        match = next(
            (
                e
                for e in EQUIVALENT
                if e.function == _function(name) and e.before == before and e.after == after
            ),
            None,
        )
        if match is None:
            unexplained += 1
        print(f"{name} ({status}): {before!r} -> {after!r}")
        print(
            f"    {match.reason if match else 'NOT EXPLAINED: kill it with a test, or explain it'}"
        )
    print(
        f"mutation score: {detected}/{considered} = {detected / considered:.1%} "
        f"({stats['killed']} killed, {stats['timeout']} timed out, {stats['survived']} survived, "
        f"{stats['no_tests']} with no test)"
    )
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
