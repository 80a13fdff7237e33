#!/usr/bin/env python3
# /// script
# dependencies = ["nox>=2024.10.9"]
# ///
"""Developer sessions: ``nox -s tests``, ``lint``, ``typecheck``, ``docs``, ``site``,
``notebooks``, ``build``, ``bench``, ``mutation``, ``precommit``, ``frameworks``.

Sessions use pip-based virtual environments on purpose: uv ignores pip's configuration and this
machine's local CPU wheel of torch, and would download a multi-GB CUDA build instead. CI pins torch
through a constraints file exported as ``PIP_CONSTRAINT`` (see ``.ci/run``), which pip honours in
every session.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
import zipfile
from pathlib import Path

import nox

nox.needs_version = ">=2024.10.9"
nox.options.default_venv_backend = "venv"

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml(ROOT / "pyproject.toml")

# Pin torch in every session unless the caller chose a constraints file: an unpinned torch
# resolves to a multi-GB CUDA build on Linux. pip reads PIP_CONSTRAINT in every session venv.
os.environ.setdefault("PIP_CONSTRAINT", str(ROOT / ".ci" / "constraints.txt"))


def _install(session: nox.Session, *groups: str, editable: bool = True) -> None:
    """Install the package (editable, so doctests and tests see one copy) and dependency groups."""
    session.install("--upgrade", "pip")
    deps = [dep for group in groups for dep in nox.project.dependency_groups(PYPROJECT, group)]
    target = ["-e", "."] if editable else ["."]
    session.install(*target, *deps)


@nox.session(default=True)
def tests(session: nox.Session) -> None:
    """Run the test suite, the doctests of the package and the Markdown pages."""
    _install(session, "test")
    session.run("pytest", *session.posargs)


@nox.session(default=True)
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(default=True)
def typecheck(session: nox.Session) -> None:
    """mypy --strict on the package, the tests, the benchmarks, the site tests and this file."""
    _install(session, "test", "site")
    session.install("mypy", "nox", "types-tqdm")
    session.run("mypy", *session.posargs)


BUILD = ["sphinx-build", "-W", "--keep-going", "-n"]  # offline, warnings as errors
LOCALES = ROOT / "docs" / "locales" / "zh_CN" / "LC_MESSAGES"


@nox.session(default=False)
def docs(session: nox.Session) -> None:
    """Build the site in English and in Chinese, offline, warnings as errors.

    English goes to ``docs/_build/html/``, Chinese to ``docs/_build/html/zh_CN/``; the session
    ends by printing the address of each language's ``index.html``. The Chinese
    build reuses the gallery that the English one ran (sphinx-gallery skips an example whose
    script has not changed), and starts only if every message of the current sources is
    translated (``docs/_ext/catalogs.py``). ``-- --serve`` serves the result on port 8000.
    """
    _install(session, "docs")
    serve = "--serve" in session.posargs
    args = [a for a in session.posargs if a != "--serve"]
    session.run(*BUILD, "-b", "html", "docs", "docs/_build/html", *args)
    session.run("sphinx-build", "-q", "-b", "gettext", "docs", "docs/_build/gettext")
    session.run("python", "docs/_ext/catalogs.py", str(LOCALES), "docs/_build/gettext")
    session.run(*BUILD, "-b", "html", "-D", "language=zh_CN", "-d", "docs/_build/doctrees-zh_CN",
                "docs", "docs/_build/html/zh_CN", *args)  # fmt: skip
    html = ROOT / "docs" / "_build" / "html"
    print("\nThe site is built. Open its entry page in a browser (no server needed):")
    print(f"  English: {(html / 'index.html').as_uri()}")
    print(f"  中文:    {(html / 'zh_CN' / 'index.html').as_uri()}")
    if serve:
        session.run(
            "python", "-m", "http.server", "-d", "docs/_build/html", "-b", "127.0.0.1", "8000"
        )


@nox.session(default=False)
def translations(session: nox.Session) -> None:
    """Bring the Chinese catalogs up to date with the sources, and list what needs translating.

    Extracts the messages of every page (``sphinx-build -b gettext``), merges them into the
    ``.po`` files of ``docs/locales/zh_CN/LC_MESSAGES/`` with ``sphinx-intl update`` (a changed
    English message comes back fuzzy, with the old translation as a start), and prints each
    message that is untranslated or fuzzy. Translate those, remove the fuzzy flags, commit.
    """
    _install(session, "docs")
    session.run("sphinx-build", "-q", "-b", "gettext", "docs", "docs/_build/gettext")
    session.run("sphinx-intl", "update", "-p", "docs/_build/gettext", "-l", "zh_CN",
                "-d", "docs/locales", "-w", "0")  # fmt: skip
    session.run("python", "docs/_ext/catalogs.py", str(LOCALES), success_codes=[0, 1])


@nox.session(default=False)
def site(session: nox.Session) -> None:
    """Test the built site in headless Chromium, with no network (run ``nox -s docs`` first).

    The pytest-playwright suite in ``site_tests/`` serves ``docs/_build/html`` (and every language
    built inside it) on 127.0.0.1 and drives Debian's ``chromium`` (never a browser download):
    per page a test of what loads (console errors, remote or failed requests, math, images, links
    and anchors, 375 px), an axe accessibility test and the language tests, all in one shared tab;
    the search, the playground, and screenshots into ``docs/_build/screenshots/``. Two
    pytest-xdist workers share the pages, each page's tests on one worker (``--dist
    loadgroup``). Other arguments go to pytest: ``nox -s site -- -k faq``, or ``-- -n 0`` for a
    single process.
    """
    if shutil.which("chromium") is None:
        session.error(
            "Debian's Chromium is not on PATH: install it with `apt-get install -y chromium` "
            "(never `playwright install`, which downloads a browser build)"
        )
    html = ROOT / "docs" / "_build" / "html"
    if not (html / "index.html").is_file():
        session.error(f"no built site in {html}: run `nox -s docs` first")
    _install(session, "site")  # the playground's test trains its reference with the package
    # --confcutdir: the suite needs neither torch nor the root conftest.py that seeds it.
    workers = ["-n", "2", "--dist", "loadgroup"]
    session.run("pytest", "site_tests", "--confcutdir=site_tests", *workers, *session.posargs)


@nox.session(default=False)
def notebooks(session: nox.Session) -> None:
    """Run every downloadable notebook of the built site top to bottom, as a learner would.

    After ``nox -s docs``: in a venv that has only ``pip install ".[examples]"`` and Jupyter's
    kernel (no editable install, no docs or test group), ``notebook_tests/`` executes every
    notebook that the English and the Chinese site offer (nbclient, one fresh kernel each, in an
    empty folder), and checks their links against the built site, their translation and the
    zips. Two kernels at a time (pytest-xdist), one thread each. ``-- -k "not execute"`` runs
    only the quick checks.
    """
    html = ROOT / "docs" / "_build" / "html"
    if not (html / "zh_CN" / "index.html").is_file():
        session.error(f"no English and Chinese site in {html}: run `nox -s docs` first")
    session.install("--upgrade", "pip")
    session.install(".[examples]", "nbclient", "ipykernel", "markdown-it-py", "polib")
    session.install("pytest", "pytest-xdist")
    # The kernel is this venv's Python: a "python3" kernel spec in the user's Jupyter folders
    # would otherwise take precedence.
    jupyter = Path(session.create_tmp()) / "jupyter"
    env = {"JUPYTER_DATA_DIR": str(jupyter), "JUPYTER_PLATFORM_DIRS": "1"}
    session.run("python", "-m", "ipykernel", "install", "--sys-prefix", env=env)
    env |= {"OMP_NUM_THREADS": "1"}  # one core per notebook: the tutorials' models are small
    session.run(
        "pytest",
        "notebook_tests",
        "--confcutdir=notebook_tests",
        "-p",
        "no:cacheprovider",
        "--durations=5",
        "--numprocesses=2",
        *session.posargs,
        env=env,
    )


@nox.session(default=False)
def build(session: nox.Session) -> None:
    """Build the sdist and wheel, check them, install the wheel in a fresh venv and run the CLI."""
    session.install("build", "twine")
    dist = ROOT / "dist"
    shutil.rmtree(dist, ignore_errors=True)
    session.run("python", "-m", "build", "--outdir", str(dist))
    session.run("twine", "check", "--strict", *map(str, dist.glob("*")))
    wheel = next(dist.glob("*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    stray = [n for n in names if not n.startswith(("weightdecay/", "weightdecay-"))]
    if stray or "weightdecay/py.typed" not in names:
        session.error(f"the wheel should hold only the package and py.typed; extra: {stray}")
    venv = Path(session.create_tmp()) / "wheel-venv"
    shutil.rmtree(venv, ignore_errors=True)
    session.run("python", "-m", "venv", str(venv))
    bin_dir = venv / "bin"
    session.run(str(bin_dir / "python"), "-m", "pip", "install", "-q", str(wheel), external=True)
    session.run(str(bin_dir / "python"), "-c", "import weightdecay", external=True)
    session.run(str(bin_dir / "weightdecay"), "--help", external=True)
    session.run(str(bin_dir / "weightdecay"), "compare", "--epochs", "20", external=True)

    # `python -m build` made that wheel from the sdist; one built straight from the tree must
    # hold the same files with the same contents.
    from_tree = Path(session.create_tmp()) / "wheel-from-tree"
    shutil.rmtree(from_tree, ignore_errors=True)
    session.run("python", "-m", "build", "--wheel", "--outdir", str(from_tree), str(ROOT))
    shipped, direct = _wheel_digests(wheel), _wheel_digests(next(from_tree.glob("*.whl")))
    if shipped != direct:
        differ = sorted(
            n for n in shipped.keys() | direct.keys() if shipped.get(n) != direct.get(n)
        )
        session.error(f"the wheel built from the sdist and the tree's differ in: {differ}")
    session.log(f"the sdist and the tree build the same wheel: {len(shipped)} files, same contents")


def _wheel_digests(wheel: Path) -> dict[str, str]:
    """SHA-256 of every file in a wheel, but RECORD (which lists those hashes itself)."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if not name.endswith(".dist-info/RECORD")
        }


@nox.session(default=False)
def bench(session: nox.Session) -> None:
    """Run the benchmarks; each prints timings and ratios against a baseline timed in the same run."""
    _install(session, "test")
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        session.run("python", str(script), *session.posargs)


# The frameworks whose conventions `nox -s frameworks` runs, pinned: frameworks/results.json
# records what these versions do, and the documentation cites it.
FRAMEWORKS = [
    "keras==3.15.1",  # on the torch backend (KERAS_BACKEND=torch): no TensorFlow
    "jax==0.10.2",
    "jaxlib==0.10.2",
    "optax==0.2.8",
    "paddlepaddle==3.3.1",
    "transformers==5.25.0",
    "accelerate==1.16.0",
]
# fastai comes after the Hugging Face check: it brings PyPI's torchvision, whose operators do not
# load with the CPU torch here, and transformers imports torchvision whenever it is installed.
FASTAI = "fastai==2.8.12"
# MXNet's last release needs NumPy < 1.24: it gets a venv of its own (without torch).
MXNET = ["mxnet==1.9.1", "numpy<1.24"]


@nox.session(default=False)
def frameworks(session: nox.Session) -> None:
    """Run each framework's weight-decay convention and compare it with the package's trainers.

    Installs Keras 3 (torch backend), JAX with optax, PaddlePaddle, Hugging Face Transformers,
    fastai and, in a venv of its own, MXNet; trains d2l's linear model in each with the
    setting that ``weightdecay.conventions.convert`` gives, from the same start on the same
    minibatches as ``train_scratch`` / ``train_concise``, and checks the final weights, which
    parameters each framework decays by default and its default decay (``frameworks/``). The
    measurement must agree with ``frameworks/results.json``, which the documentation cites;
    ``nox -s frameworks -- --update`` rewrites that file instead.
    """
    start, installing = time.monotonic(), 0.0

    def install(*args: str, python: Path | None = None) -> None:
        # --no-compile: the frameworks ship thousands of modules that no check imports.
        nonlocal installing
        began = time.monotonic()
        if python is None:
            session.install("--no-compile", *args)
        else:
            pip = (str(python), "-m", "pip", "install", "-q", "--no-compile")
            session.run(*pip, *args, external=True)
        installing += time.monotonic() - began
        session.log(f"installed in {time.monotonic() - began:.0f} s")

    def run(*args: str, python: Path | None = None) -> None:
        began = time.monotonic()
        if python is None:
            session.run("python", *args)
        else:
            session.run(str(python), *args, external=True)
        session.log(f"ran in {time.monotonic() - began:.0f} s")

    out = Path(session.create_tmp()) / "frameworks"
    shutil.rmtree(out, ignore_errors=True)
    install("-e", ".", *FRAMEWORKS)
    for check in ("keras", "jax", "paddle", "hf"):
        run(f"frameworks/check_{check}.py", "--out", str(out))
    install(FASTAI)
    run("frameworks/check_fastai.py", "--out", str(out))

    mxnet = Path(session.create_tmp()) / "mxnet-venv" / "bin" / "python"
    if not mxnet.is_file():
        session.run("python", "-m", "venv", str(mxnet.parents[1]))
    install(*MXNET, python=mxnet)
    run("frameworks/check_mxnet.py", "export", "--out", str(out))
    run("frameworks/check_mxnet.py", "train", "--out", str(out), python=mxnet)
    run("frameworks/check_mxnet.py", "report", "--out", str(out))

    run("frameworks/collect.py", "--out", str(out), *session.posargs)
    total = time.monotonic() - start
    session.log(f"frameworks: {total:.0f} s in all, {installing:.0f} s of it installing")


@nox.session(default=False)
def mutation(session: nox.Session) -> None:
    """Mutation testing of the lesson's modules with mutmut; not in CI (it takes 16 minutes here).

    ``[tool.mutmut]`` in pyproject.toml names the modules (trainer and its update step, penalty,
    evaluate, model, data) and the fast tests that guard them. mutmut plants one bug at a time,
    runs the tests that reach it, and keeps its results in ``mutants/``, so a second run only
    re-tests what changed. The session ends with the score and every mutant that survived;
    ``tests/mutation_survivors.py`` explains those known to be equivalent and fails on any other.
    Other arguments go to ``mutmut run``: ``nox -s mutation -- "weightdecay.model*"``.
    """
    _install(session, "test")
    session.install("mutmut>=3.8")
    # mutmut imports the mutated copy from mutants/src: keep any other copy off the path.
    env = {"PYTHONPATH": ""}
    session.run("mutmut", "run", "--max-children", "1", *session.posargs, env=env)
    session.run("mutmut", "export-cicd-stats", env=env)
    session.run("python", "tests/mutation_survivors.py", env=env)


@nox.session(default=False)
def precommit(session: nox.Session) -> None:
    """Every pre-commit hook on the whole tree: local hooks whose tools come from PyPI.

    Other arguments go to pre-commit instead: ``nox -s precommit -- run ruff-check --all-files``.
    PIP_CONSTRAINT (set above) pins the CPU torch in the mypy hook's environment.
    """
    session.install("pre-commit")
    args = session.posargs or ["run", "--all-files", "--show-diff-on-failure"]
    session.run("pre-commit", *args)


if __name__ == "__main__":
    nox.main()
