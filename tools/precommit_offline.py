#!/usr/bin/env python3
"""Run pre-commit on a machine that reaches the package registries but not GitHub.

``nox -s precommit`` runs this (``python tools/precommit_offline.py [pre-commit args]``; with no
arguments, ``run --all-files --show-diff-on-failure``).

``.pre-commit-config.yaml`` names the real hook repositories on GitHub at real revs, as the
Scientific Python Development Guide's checks expect. pre-commit clones them with git, and this
project's machines and its CI cannot reach GitHub. So, for each repository at the rev the
config names, this script builds a small local git repository that stands in for the upstream
one:

- ``.pre-commit-hooks.yaml``: the upstream hook definitions at that rev, reproduced below
  verbatim (ids, entries, languages, file types, arguments), each with a note of where the text
  comes from;
- the installable metadata that pre-commit needs, as in upstream's own mirror repositories: a
  placeholder Python package whose only content is a dependency on the tool's release on PyPI
  (``ruff==0.17.6``, ``mypy==2.4.1``, ...); ``language: pygrep`` hooks need none.

Each mirror is committed with fixed dates (so its commit is the same on every run) and tagged
with the rev. pre-commit is then run with git's ``url.<mirror>.insteadOf=<GitHub URL>`` given
through ``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n`` (which pre-commit
passes on to git), so every clone is served from the mirrors; any other GitHub URL is sent to a
path that does not exist, so it fails at once instead of waiting on the network. The tools
themselves come from PyPI, the same releases the upstream hooks install.

A rev in the config that differs from the one reproduced here is an error: bump both together.
pre-commit's store lives in ``~/.cache/weightdecay-pre-commit/<hash of the mirrors>`` so that a
changed mirror never meets a stale clone. ``PIP_CONSTRAINT`` defaults to
``.ci/constraints.txt`` (torch 2.13.0, CPU) for the mypy hook's environment.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["MIRRORS", "Mirror", "build_mirrors", "config_revs", "main"]

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / ".pre-commit-config.yaml"


@dataclass(frozen=True)
class Mirror:
    """A stand-in for one upstream hook repository at one rev."""

    url: str
    rev: str
    source: str  # where the text of ``hooks`` comes from
    hooks: str  # upstream .pre-commit-hooks.yaml, verbatim
    files: dict[str, str] = field(default_factory=dict)  # installable metadata


def _placeholder_setup_py(requirement: str) -> dict[str, str]:
    """The ``setup.py`` of pre-commit's own mirror repositories (mirrors-mypy, ...)."""
    return {
        "setup.py": (
            "from __future__ import annotations\n\n"
            "from setuptools import setup\n\n\n"
            "setup(\n"
            "    name='pre_commit_placeholder_package',\n"
            "    version='0.0.0',\n"
            f"    install_requires=[{requirement!r}],\n"
            ")\n"
        )
    }


RUFF_VERSION = "0.17.6"
MYPY_VERSION = "2.4.1"
PRE_COMMIT_HOOKS_VERSION = "6.0.0"
CODESPELL_VERSION = "2.4.3"
MDFORMAT_VERSION = "1.0.0"

MIRRORS = (
    Mirror(
        url="https://github.com/astral-sh/ruff-pre-commit",
        rev=f"v{RUFF_VERSION}",
        source=(
            "astral-sh/ruff-pre-commit .pre-commit-hooks.yaml as of the 0.16 series (ruff-check, "
            "ruff-format with Markdown among its file types, and the legacy `ruff` alias), which "
            "the 0.17 tags keep; pyproject.toml as upstream writes it, pinning ruff to the rev"
        ),
        hooks="""\
- id: ruff-check
  name: ruff check
  description: "Run 'ruff check' for extremely fast Python linting"
  entry: ruff check --force-exclude
  language: python
  types_or: [python, pyi, jupyter]
  args: []
  require_serial: true
  additional_dependencies: []
  minimum_pre_commit_version: "2.9.2"

- id: ruff-format
  name: ruff format
  description: "Run 'ruff format' for extremely fast Python formatting"
  entry: ruff format --force-exclude
  language: python
  types_or: [python, pyi, jupyter, markdown]
  args: []
  require_serial: true
  additional_dependencies: []
  minimum_pre_commit_version: "2.9.2"

# Legacy alias
- id: ruff
  name: ruff (legacy alias)
  description: "Run 'ruff check' for extremely fast Python linting"
  entry: ruff check --force-exclude
  language: python
  types_or: [python, pyi, jupyter]
  args: []
  require_serial: true
  additional_dependencies: []
  minimum_pre_commit_version: "2.9.2"
""",
        files={
            "pyproject.toml": (
                "[project]\n"
                'name = "ruff-pre-commit"\n'
                'version = "0.0.0"\n'
                "dependencies = [\n"
                f'    "ruff=={RUFF_VERSION}",\n'
                "]\n"
            )
        },
    ),
    Mirror(
        url="https://github.com/pre-commit/mirrors-mypy",
        rev=f"v{MYPY_VERSION}",
        source=(
            "pre-commit/mirrors-mypy .pre-commit-hooks.yaml and setup.py, generated the same way "
            "for every mypy release, pinning mypy to the rev"
        ),
        hooks="""\
-   id: mypy
    name: mypy
    entry: mypy
    language: python
    'types_or': [python, pyi]
    args: ["--ignore-missing-imports", "--scripts-are-modules"]
    require_serial: true
    additional_dependencies: []
    minimum_pre_commit_version: '2.9.2'
""",
        files=_placeholder_setup_py(f"mypy=={MYPY_VERSION}"),
    ),
    Mirror(
        url="https://github.com/pre-commit/pre-commit-hooks",
        rev=f"v{PRE_COMMIT_HOOKS_VERSION}",
        source=(
            "pre-commit/pre-commit-hooks .pre-commit-hooks.yaml at v6.0.0 (its CHANGELOG: "
            "check-byte-order-marker and fix-encoding-pragma removed); every `entry` is a console "
            "script of pre-commit-hooks 6.0.0 on PyPI, which the placeholder package installs"
        ),
        hooks="""\
-   id: check-added-large-files
    name: check for added large files
    description: prevents giant files from being committed.
    entry: check-added-large-files
    language: python
    stages: [pre-commit, pre-push, manual]
    minimum_pre_commit_version: 3.2.0
-   id: check-ast
    name: check python ast
    description: simply checks whether the files parse as valid python.
    entry: check-ast
    language: python
    types: [python]
-   id: check-byte-order-marker
    name: check-byte-order-marker (removed)
    description: (removed) use fix-byte-order-marker instead.
    entry: pre-commit-hooks-removed check-byte-order-marker fix-byte-order-marker https://github.com/pre-commit/pre-commit-hooks
    language: python
    types: [text]
-   id: check-builtin-literals
    name: check builtin type constructor use
    description: requires literal syntax when initializing empty or zero python builtin types.
    entry: check-builtin-literals
    language: python
    types: [python]
-   id: check-case-conflict
    name: check for case conflicts
    description: checks for files that would conflict in case-insensitive filesystems.
    entry: check-case-conflict
    language: python
-   id: check-docstring-first
    name: check docstring is first (deprecated)
    description: checks a common error of defining a docstring after code.
    entry: check-docstring-first
    language: python
    types: [python]
-   id: check-executables-have-shebangs
    name: check that executables have shebangs
    description: ensures that (non-binary) executables have a shebang.
    entry: check-executables-have-shebangs
    language: python
    types: [text, executable]
    stages: [pre-commit, pre-push, manual]
    minimum_pre_commit_version: 3.2.0
-   id: check-illegal-windows-names
    name: check illegal windows names
    entry: Illegal Windows filenames detected
    language: fail
    files: '(?i)((^|/)(CON|PRN|AUX|NUL|COM[\\d¹²³]|LPT[\\d¹²³])(\\.|/|$)|[<>:\\"\\\\|?*\\x00-\\x1F]|/[^/]*[\\.\\s]/|[^/]*[\\.\\s]$)'
-   id: check-json
    name: check json
    description: checks json files for parseable syntax.
    entry: check-json
    language: python
    types: [json]
-   id: check-shebang-scripts-are-executable
    name: check that scripts with shebangs are executable
    description: ensures that (non-binary) files with a shebang are executable.
    entry: check-shebang-scripts-are-executable
    language: python
    types: [text]
    stages: [pre-commit, pre-push, manual]
    minimum_pre_commit_version: 3.2.0
-   id: pretty-format-json
    name: pretty format json
    description: sets a standard for formatting json files.
    entry: pretty-format-json
    language: python
    types: [json]
-   id: check-merge-conflict
    name: check for merge conflicts
    description: checks for files that contain merge conflict strings.
    entry: check-merge-conflict
    language: python
    types: [text]
-   id: check-symlinks
    name: check for broken symlinks
    description: checks for symlinks which do not point to anything.
    entry: check-symlinks
    language: python
    types: [symlink]
-   id: check-toml
    name: check toml
    description: checks toml files for parseable syntax.
    entry: check-toml
    language: python
    types: [toml]
-   id: check-vcs-permalinks
    name: check vcs permalinks
    description: ensures that links to vcs websites are permalinks.
    entry: check-vcs-permalinks
    language: python
    types: [text]
-   id: check-xml
    name: check xml
    description: checks xml files for parseable syntax.
    entry: check-xml
    language: python
    types: [xml]
-   id: check-yaml
    name: check yaml
    description: checks yaml files for parseable syntax.
    entry: check-yaml
    language: python
    types: [yaml]
-   id: debug-statements
    name: debug statements (python)
    description: checks for debugger imports and py37+ `breakpoint()` calls in python source.
    entry: debug-statement-hook
    language: python
    types: [python]
-   id: destroyed-symlinks
    name: detect destroyed symlinks
    description: detects symlinks which are changed to regular files with a content of a path which that symlink was pointing to.
    entry: destroyed-symlinks
    language: python
    types: [file]
    stages: [pre-commit, pre-push, manual]
-   id: detect-aws-credentials
    name: detect aws credentials
    description: detects *your* aws credentials from the aws cli credentials file.
    entry: detect-aws-credentials
    language: python
    types: [text]
-   id: detect-private-key
    name: detect private key
    description: detects the presence of private keys.
    entry: detect-private-key
    language: python
    types: [text]
-   id: double-quote-string-fixer
    name: fix double quoted strings
    description: replaces double quoted strings with single quoted strings.
    entry: double-quote-string-fixer
    language: python
    types: [python]
-   id: end-of-file-fixer
    name: fix end of files
    description: ensures that a file is either empty, or ends with one newline.
    entry: end-of-file-fixer
    language: python
    types: [text]
    stages: [pre-commit, pre-push, manual]
    minimum_pre_commit_version: 3.2.0
-   id: file-contents-sorter
    name: file contents sorter
    description: sorts the lines in specified files (defaults to alphabetical). you must provide list of target files as input in your .pre-commit-config.yaml file.
    entry: file-contents-sorter
    language: python
    files: '^$'
-   id: fix-byte-order-marker
    name: fix utf-8 byte order marker
    description: removes utf-8 byte order marker.
    entry: fix-byte-order-marker
    language: python
    types: [text]
-   id: fix-encoding-pragma
    name: fix python encoding pragma (removed)
    description: (removed) use pyupgrade instead.
    entry: pre-commit-hooks-removed fix-encoding-pragma pyupgrade https://github.com/asottile/pyupgrade
    language: python
    types: [python]
-   id: forbid-new-submodules
    name: forbid new submodules
    description: prevents addition of new git submodules.
    language: python
    entry: forbid-new-submodules
    types: [directory]
-   id: forbid-submodules
    name: forbid submodules
    description: forbids any submodules in the repository
    language: fail
    entry: 'submodules are not allowed in this repository:'
    types: [directory]
-   id: mixed-line-ending
    name: mixed line ending
    description: replaces or checks mixed line ending.
    entry: mixed-line-ending
    language: python
    types: [text]
-   id: name-tests-test
    name: python tests naming
    description: verifies that test files are named correctly.
    entry: name-tests-test
    language: python
    files: (^|/)tests/.+\\.py$
-   id: no-commit-to-branch
    name: "don't commit to branch"
    entry: no-commit-to-branch
    language: python
    pass_filenames: false
    always_run: true
-   id: requirements-txt-fixer
    name: fix requirements.txt
    description: sorts entries in requirements.txt.
    entry: requirements-txt-fixer
    language: python
    files: (requirements|constraints).*\\.txt$
-   id: sort-simple-yaml
    name: sort simple yaml files
    description: sorts simple yaml files which consist only of top-level keys, preserving comments and blocks.
    language: python
    entry: sort-simple-yaml
    files: '^$'
-   id: trailing-whitespace
    name: trim trailing whitespace
    description: trims trailing whitespace.
    entry: trailing-whitespace-fixer
    language: python
    types: [text]
    stages: [pre-commit, pre-push, manual]
    minimum_pre_commit_version: 3.2.0
""",
        files=_placeholder_setup_py(f"pre-commit-hooks=={PRE_COMMIT_HOOKS_VERSION}"),
    ),
    Mirror(
        url="https://github.com/codespell-project/codespell",
        rev=f"v{CODESPELL_VERSION}",
        source=(
            "codespell-project/codespell .pre-commit-hooks.yaml, identical to the copy in "
            "codespell-2.4.3.tar.gz on PyPI; the placeholder package installs codespell 2.4.3"
        ),
        hooks="""\
- id: codespell
  name: codespell
  description: Checks for common misspellings in text files.
  entry: codespell
  language: python
  types: [text]
""",
        files=_placeholder_setup_py(f"codespell=={CODESPELL_VERSION}"),
    ),
    Mirror(
        url="https://github.com/pre-commit/pygrep-hooks",
        rev="v1.10.0",
        source=(
            "pre-commit/pygrep-hooks .pre-commit-hooks.yaml, whose README names v1.10.0 as the "
            "rev to use; `language: pygrep` hooks are regular expressions and install nothing"
        ),
        hooks="""\
-   id: python-check-blanket-noqa
    name: check blanket noqa
    description: 'Enforce that `noqa` annotations always occur with specific codes. Sample annotations: `# noqa: F401`, `# noqa: F401,W203`'
    entry: '(?i)# noqa(?!: )'
    language: pygrep
    types: [python]
-   id: python-check-blanket-type-ignore
    name: check blanket type ignore
    description: 'Enforce that `# type: ignore` annotations always occur with specific codes. Sample annotations: `# type: ignore[attr-defined]`, `# type: ignore[attr-defined, name-defined]`'
    entry: '# type:? *ignore(?!\\[|\\w)'
    language: pygrep
    types: [python]
-   id: python-check-mock-methods
    name: check for not-real mock methods
    description: >-
        Prevent common mistakes of `assert mck.not_called()`, `assert mck.called_once_with(...)`
        and `mck.assert_called`.
    language: pygrep
    entry: >
        (?x)(
            assert .*\\.(
                not_called|
                called_
            )|
            # ''.join(rf'(?<!\\b{s})' for s in dir(mock) if s.endswith('Mock')))
            (?<!\\bAsyncMock)(?<!\\bMagicMock)(?<!\\bMock)(?<!\\bNonCallableMagicMock)(?<!\\bNonCallableMock)(?<!\\bPropertyMock)
            \\.assert_(
                any_call|
                called|
                called_once|
                called_once_with|
                called_with|
                has_calls|
                not_called
            )($|[^(\\w])
        )
    types: [python]
-   id: python-no-eval
    name: check for eval()
    description: 'A quick check for the `eval()` built-in function'
    entry: '\\beval\\('
    language: pygrep
    types: [python]
-   id: python-no-log-warn
    name: use logger.warning(
    description: 'A quick check for the deprecated `.warn()` method of python loggers'
    entry: '(?<!warnings)\\.warn\\('
    language: pygrep
    types: [python]
-   id: python-use-type-annotations
    name: type annotations not comments
    description: 'Enforce that python3.6+ type annotations are used instead of type comments'
    entry: '# type(?!: *ignore([^a-zA-Z0-9]|$))'
    language: pygrep
    types: [python]
-   id: rst-backticks
    name: rst ``code`` is two backticks
    description: 'Detect common mistake of using single backticks when writing rst'
    entry: '^(?!    ).*(^| )`[^`]+`([^_]|$)'
    language: pygrep
    types: [rst]
-   id: rst-directive-colons
    name: rst directives end with two colons
    description: 'Detect mistake of rst directive not ending with double colon or space before the double colon'
    entry: '^\\s*\\.\\. [a-z]+(| | :):$'
    language: pygrep
    types: [rst]
-   id: rst-inline-touching-normal
    name: rst ``inline code`` next to normal text
    description: 'Detect mistake of inline code touching normal text in rst'
    entry: '\\w``\\w'
    language: pygrep
    types: [rst]
-   id: text-unicode-replacement-char
    name: no unicode replacement chars
    description: 'Forbid files which have a UTF-8 Unicode replacement character'
    entry: "\\uFFFD"
    language: pygrep
    types: [text]
""",
    ),
    Mirror(
        url="https://github.com/hukkin/mdformat",
        rev=MDFORMAT_VERSION,
        source=(
            "hukkin/mdformat .pre-commit-hooks.yaml (hook `mdformat` on Markdown files; its docs "
            "name rev 1.0.0 and plugins as additional_dependencies); the placeholder package "
            "installs mdformat 1.0.0 from PyPI, where upstream's repository is the package itself"
        ),
        hooks="""\
- id: mdformat
  name: mdformat
  description: "CommonMark compliant Markdown formatter"
  entry: mdformat
  language: python
  # This is to support a use case where pre-commit runs in Python 2.
  # Should eventually be removed, at latest when `minimum_pre_commit_version`
  # is set to 2.0.0.
  language_version: python3
  types: [markdown]
  minimum_pre_commit_version: '1.0.0'
""",
        files=_placeholder_setup_py(f"mdformat=={MDFORMAT_VERSION}"),
    ),
)

# Fixed identity and dates: a mirror's commit is the same on every run and every machine.
_GIT_ENV = {
    "GIT_AUTHOR_NAME": "weightdecay offline mirror",
    "GIT_AUTHOR_EMAIL": "mirror@localhost",
    "GIT_COMMITTER_NAME": "weightdecay offline mirror",
    "GIT_COMMITTER_EMAIL": "mirror@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}


def config_revs(config: Path = CONFIG) -> dict[str, str]:
    """The ``repo: rev`` pairs of a pre-commit config, read line by line.

    The config keeps each ``- repo:`` line directly followed by its ``rev:`` line; anything else
    is reported rather than guessed.
    """
    revs: dict[str, str] = {}
    lines = config.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = re.match(r"\s*-\s+repo:\s*(\S+)", line)
        if not match or match.group(1) in {"local", "meta"}:
            continue
        rev = re.match(
            r"\s*rev:\s*[\"']?([^\"'\s#]+)", lines[number + 1] if number + 1 < len(lines) else ""
        )
        if rev is None:
            msg = f"{config}:{number + 2}: expected the `rev:` of {match.group(1)} on this line"
            raise ValueError(msg)
        revs[match.group(1)] = rev.group(1)
    return revs


def _digest() -> str:
    text = "\n".join(f"{m.url} {m.rev}\n{m.hooks}\n{sorted(m.files.items())}" for m in MIRRORS)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _git(*args: str, cwd: Path) -> None:
    env = {**os.environ, **_GIT_ENV}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def build_mirrors(directory: Path) -> dict[str, Path]:
    """Write one tagged git repository per mirror under ``directory``; map URLs to them."""
    paths: dict[str, Path] = {}
    for mirror in MIRRORS:
        path = directory / mirror.url.removeprefix("https://github.com/").replace("/", "--")
        if path.exists():
            shutil.rmtree(path)
        path.mkdir(parents=True)
        (path / ".pre-commit-hooks.yaml").write_text(mirror.hooks, encoding="utf-8")
        for name, text in mirror.files.items():
            (path / name).write_text(text, encoding="utf-8")
        (path / "MIRROR.md").write_text(
            f"Offline stand-in for {mirror.url} at {mirror.rev}, built by "
            f"tools/precommit_offline.py.\n\nHook definitions: {mirror.source}.\n",
            encoding="utf-8",
        )
        _git("init", "--quiet", "--initial-branch=main", cwd=path)
        _git("add", "--all", cwd=path)
        _git("commit", "--quiet", "--no-gpg-sign", "-m", f"Mirror of {mirror.url}", cwd=path)
        _git("tag", mirror.rev, cwd=path)
        paths[mirror.url] = path
    return paths


def _check_config() -> list[str]:
    """Every GitHub repository in the config must have a mirror at the same rev."""
    known = {m.url: m.rev for m in MIRRORS}
    problems = []
    for url, rev in config_revs().items():
        if url not in known:
            problems.append(f"{url} has no offline mirror: add it to MIRRORS in {__file__}")
        elif known[url] != rev:
            problems.append(
                f"{url}: the config asks for {rev}, the offline mirror reproduces {known[url]}; "
                f"update both together"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    problems = _check_config()
    if problems:
        print("precommit_offline: " + "\n  ".join(["config and mirrors disagree:", *problems]))
        return 2
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    home = cache / "weightdecay-pre-commit" / _digest()
    mirrors = build_mirrors(home / "mirrors")
    rewrites = [(f"url.{path.as_uri()}.insteadOf", url) for url, path in mirrors.items()]
    # Longest match wins in git: every other GitHub URL goes to a path that does not exist.
    rewrites.append((f"url.{(home / 'no-network').as_uri()}/.insteadOf", "https://github.com/"))
    env = dict(os.environ)
    env.setdefault("PIP_CONSTRAINT", str(ROOT / ".ci" / "constraints.txt"))
    env["PRE_COMMIT_HOME"] = str(home / "store")
    env["GIT_CONFIG_COUNT"] = str(len(rewrites))
    for number, (key, value) in enumerate(rewrites):
        env[f"GIT_CONFIG_KEY_{number}"] = key
        env[f"GIT_CONFIG_VALUE_{number}"] = value
    command = [sys.executable, "-m", "pre_commit", *(args or ["run", "--all-files"])]
    if not args:
        command.append("--show-diff-on-failure")
    print(f"precommit_offline: {len(mirrors)} mirrors in {home / 'mirrors'}", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
