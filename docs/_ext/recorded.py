"""Numbers in the prose, computed by the build: ``record`` in a tutorial, ``:val:`` in the text.

A number typed into prose goes stale, and a translation must not change when a number does. So a
gallery script records the values its prose talks about while it runs, inside a hidden block::

    # sphinx_gallery_start_ignore
    from recorded import record

    record("l2_test_loss", runs["L2, lambda = 3"].history.test_loss[-1])
    # sphinx_gallery_end_ignore

and any page cites them by the script's prefix (``plot_02`` for ``plot_02_weight_decay_scratch.py``)
and an optional Python format spec after a second colon:

* in a gallery script's reST comments: ``:val:`plot_02.l2_test_loss:.3g```;
* in a MyST page: ``{val}`plot_02.l2_test_loss:.3g```.

The build replaces the role by the number, in every language: the catalogs hold the role, never
the number. A cited value that no script recorded is an error (the build runs with ``-W``).

How it works: ``gallery_hooks`` calls :func:`start` before each example and :func:`finish` after
it, which writes what the example recorded to ``<gallery dir>/<script stem>.values.json``, next
to the example's other outputs. sphinx-gallery skips an example whose script has not changed, and
its values file stays from the run before, so the Chinese build (which reuses the English build's
gallery) reads the same numbers. A page that cites a value depends on that file: Sphinx reads the
page again when the file changes.

Outside a docs build (``python gallery/plot_02_....py`` with ``docs/_ext`` on ``PYTHONPATH``),
:func:`record` only checks its arguments.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx.util import logging

if TYPE_CHECKING:
    from docutils.parsers.rst.states import Inliner
    from sphinx.application import Sphinx
    from sphinx.environment import BuildEnvironment

__all__ = ["Value", "cite", "finish", "load_values", "prefix_of", "record", "start"]

logger = logging.getLogger(__name__)
Value = int | float | str
SUFFIX = ".values.json"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CITATION = re.compile(
    r"(?P<prefix>[A-Za-z0-9_]+)\.(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<spec>.*))?"
)

_running: dict[str, Value] | None = None  # the values of the example being run, if any


def prefix_of(script: str | Path) -> str:
    """The name pages cite a script's values by: ``plot_02`` for ``plot_02_weight_decay_scratch.py``.

    >>> prefix_of("gallery/plot_02_weight_decay_scratch.py")
    'plot_02'
    >>> prefix_of("exercises.py")
    'exercises'
    """
    stem = Path(script).stem
    match = re.match(r"[A-Za-z]+_\d+[a-z]?(?![A-Za-z0-9])", stem)
    return match.group(0) if match else stem


def record(name: str, value: Value) -> None:
    """Record ``value`` under ``name`` for the prose of the pages to cite.

    Parameters
    ----------
    name : str
        A Python identifier, unique within the script.
    value : int, float or str
        A finite number (a NumPy or torch scalar is converted with ``float``/``int``), or a string.

    >>> record("answer", 42)
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        msg = f"record: name must be a Python identifier, got {name!r}."
        raise ValueError(msg)
    value = _plain(name, value)
    if _running is not None:
        if name in _running and _running[name] != value:
            msg = f"record: {name!r} was already recorded as {_running[name]!r}, now {value!r}."
            raise ValueError(msg)
        _running[name] = value


def _plain(name: str, value: Any) -> Value:
    """``value`` as a JSON number or string; bool, NaN, infinity and arrays are refused."""
    if getattr(value, "ndim", 0) == 0 and hasattr(value, "item"):
        value = value.item()  # a NumPy or torch scalar
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        msg = f"record: {name!r} must be a number or a string, got {type(value).__name__}."
        raise TypeError(msg)
    if isinstance(value, float) and not math.isfinite(value):
        msg = f"record: {name!r} is {value}; prose can only cite finite numbers."
        raise ValueError(msg)
    return value


def start() -> None:
    """Begin collecting the values of the example about to run."""
    global _running  # noqa: PLW0603 - one example runs at a time, in this process
    _running = {}


def finish(target: Path) -> None:
    """Write the running example's values to ``target`` (``<gallery dir>/<stem>.values.json``)."""
    global _running
    values, _running = _running or {}, None
    target.write_text(json.dumps(values, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_values(gallery_dirs: list[Path]) -> dict[str, tuple[Path, dict[str, Value]]]:
    """Every example's recorded values, by prefix, with the file they came from."""
    found: dict[str, tuple[Path, dict[str, Value]]] = {}
    for folder in gallery_dirs:
        for path in sorted(folder.rglob(f"*{SUFFIX}")):
            prefix = prefix_of(path.name.removesuffix(SUFFIX))
            if prefix in found:
                msg = f"two examples record values as {prefix!r}: {found[prefix][0]} and {path}"
                raise ValueError(msg)
            found[prefix] = (path, json.loads(path.read_text(encoding="utf-8")))
    return found


def cite(values: dict[str, tuple[Path, dict[str, Value]]], citation: str) -> tuple[str, Path]:
    """The text a citation such as ``plot_02.l2_test_loss:.3g`` stands for, and its values file.

    Raises
    ------
    KeyError
        If no script recorded the value (the message says which scripts recorded what).
    ValueError
        If the citation is malformed or its format spec does not apply to the value.
    """
    match = _CITATION.fullmatch(citation.strip())
    if match is None:
        msg = f"a value is cited as prefix.name or prefix.name:format, got {citation!r}"
        raise ValueError(msg)
    prefix, name, spec = match.group("prefix", "name", "spec")
    if prefix not in values:
        msg = f"no example recorded values as {prefix!r} (known: {', '.join(sorted(values))})"
        raise KeyError(msg)
    path, recorded = values[prefix]
    if name not in recorded:
        msg = f"{prefix} recorded no value {name!r} (it recorded: {', '.join(sorted(recorded))})"
        raise KeyError(msg)
    return format(recorded[name], spec or ""), path


# -- Sphinx -------------------------------------------------------------------------------------
_cache: dict[str, dict[str, tuple[Path, dict[str, Value]]]] = {}


def _values(env: BuildEnvironment) -> dict[str, tuple[Path, dict[str, Value]]]:
    """The recorded values, read once per build (after sphinx-gallery ran the examples)."""
    if "values" not in _cache:
        src = Path(env.srcdir)
        dirs = env.config.recorded_dirs
        if dirs is None:  # the gallery's output folders
            dirs = getattr(env.config, "sphinx_gallery_conf", {}).get("gallery_dirs", [])
        dirs = [dirs] if isinstance(dirs, str) else list(dirs)
        _cache["values"] = load_values([src / d for d in dirs])
    return _cache["values"]


def _val_role(
    name: str,
    rawtext: str,
    text: str,
    lineno: int,
    inliner: Inliner,
    options: dict[str, Any] | None = None,
    content: list[str] | None = None,
) -> tuple[list[nodes.Node], list[nodes.system_message]]:
    """``:val:`prefix.name:format```: the recorded number, as text."""
    del name, options, content
    env = inliner.document.settings.env
    try:
        shown, path = cite(_values(env), text)
    except (KeyError, ValueError) as error:
        message = inliner.reporter.error(f"cannot cite {text!r}: {error}", line=lineno)
        problem = inliner.problematic(rawtext, rawtext, message)
        return [problem], [message]
    env.note_dependency(str(path))  # read the page again when the number changes
    return [nodes.inline(rawtext, shown, classes=["computed-value"])], []


def _forget(app: Sphinx) -> None:
    """Read the values again at the next build (the gallery may have run in between)."""
    del app
    _cache.clear()


def setup(app: Sphinx) -> dict[str, Any]:
    """Register the ``val`` role."""
    app.add_role("val", _val_role)
    # Where the values files are, relative to the source folder; None: sphinx-gallery's folders.
    app.add_config_value("recorded_dirs", None, "env", types=frozenset({list, str, type(None)}))
    # After sphinx-gallery's own builder-inited handler (priority 500) has run the examples.
    app.connect("builder-inited", _forget, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
