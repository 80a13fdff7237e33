"""Gather the framework checks' reports and hold them against the committed ``results.json``.

``nox -s frameworks`` ends with ``python frameworks/collect.py --out DIR``: every framework's
report must be there, and must agree with ``frameworks/results.json``, the file the
documentation cites (the same conventions, settings, defaults, decayed parameters and package
versions; each difference within its tolerance; a difference that is a finding, with no
tolerance, within 1% of the committed one). ``--update`` rewrites the committed file instead,
after a deliberate change (a new framework version, a new check).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
COMMITTED = HERE / "results.json"
FRAMEWORKS = ("keras", "jax", "paddle", "mxnet", "fastai", "hf")
NOISE = 1e-12  # below this, two float64 differences are both rounding


def gather(out: Path) -> dict[str, Any]:
    reports = {}
    for name in FRAMEWORKS:
        path = out / f"{name}.json"
        if not path.is_file():
            sys.exit(f"no report from the {name} check in {out}: did it run?")
        reports[name] = json.loads(path.read_text(encoding="utf-8"))
    return {"measured_by": "nox -s frameworks", "frameworks": reports}


def disagreements(new: dict[str, Any], old: dict[str, Any]) -> list[str]:
    """What differs between a fresh measurement and the committed one, beyond its tolerance."""
    found = []
    for name in FRAMEWORKS:
        a, b = new["frameworks"][name], old["frameworks"].get(name)
        if b is None:
            found.append(f"{name}: not in the committed results")
            continue
        found += [
            f"{name} {key}: measured {a[key]}, committed {b[key]}"
            for key in ("versions", "decays", "facts")
            if a[key] != b[key]
        ]
        if len(a["runs"]) != len(b["runs"]):
            found.append(f"{name}: {len(a['runs'])} runs measured, {len(b['runs'])} committed")
            continue
        for run, kept in zip(a["runs"], b["runs"], strict=True):
            found += _run_disagreements(name, run, kept)
    return found


def _run_disagreements(name: str, run: dict[str, Any], kept: dict[str, Any]) -> list[str]:
    where = f"{name} {run['key']}"
    fixed = (
        "key",
        "convention",
        "label",
        "source",
        "source_setting",
        "setting",
        "reference",
        "tolerance",
    )
    found = [f"{where}: {k} {run[k]!r}, committed {kept[k]!r}" for k in fixed if run[k] != kept[k]]
    for key in ("rel_w", "rel_b"):
        now, then, tol = run[key], kept[key], run["tolerance"]
        if tol is not None and then > tol:
            found.append(f"{where}: the committed {key} {then:.1e} exceeds its tolerance {tol:.0e}")
        elif tol is None and abs(now - then) > 0.01 * then:
            found.append(f"{where}: {key} {now:.3e} measured, {then:.3e} committed (not within 1%)")
        elif (
            tol is not None and max(now, then) > NOISE and not 0.01 <= now / max(then, NOISE) <= 100
        ):
            found.append(f"{where}: {key} {now:.1e} measured, {then:.1e} committed")
    return found


def summary(results: dict[str, Any]) -> str:
    lines = [f"{'convention':13} {'run':27} {'rel. diff. w':>12} {'tolerance':>10}  reference"]
    for report in results["frameworks"].values():
        for run in report["runs"]:
            tol = "finding" if run["tolerance"] is None else f"{run['tolerance']:.0e}"
            lines.append(
                f"{run['convention']:13} {run['label'] or '-':27} {run['rel_w']:12.1e} "
                f"{tol:>10}  {run['reference']}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="the checks' report folder")
    parser.add_argument("--update", action="store_true", help=f"rewrite {COMMITTED.name}")
    args = parser.parse_args()
    results = gather(args.out)
    print(summary(results))
    if args.update:
        COMMITTED.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {COMMITTED}")
        return
    if not COMMITTED.is_file():
        sys.exit(f"{COMMITTED} is missing: run `nox -s frameworks -- --update` and commit it")
    found = disagreements(results, json.loads(COMMITTED.read_text(encoding="utf-8")))
    if found:
        print("\n".join(["", "The measurement disagrees with frameworks/results.json:", *found]))
        sys.exit("if the change is deliberate, run `nox -s frameworks -- --update` and commit")
    print(f"the measurement agrees with {COMMITTED.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
