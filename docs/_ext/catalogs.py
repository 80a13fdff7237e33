"""Are the translation catalogs complete? Every message of the site, translated, none fuzzy.

``python docs/_ext/catalogs.py LOCALE_DIR [POT_DIR]`` prints the catalog statistics and exits 1
when a message is missing: untranslated or fuzzy in a ``.po`` file of ``LOCALE_DIR``, or, given
the ``.pot`` templates that ``sphinx-build -b gettext`` extracts from the current sources, absent
from the ``.po`` file of its page. ``nox -s docs`` runs it before building the Chinese site, so
an English change without its translation fails the build; ``tests/test_translations.py`` runs
the same checks on the committed catalogs.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import polib

__all__ = ["CatalogReport", "check_catalogs", "main"]


@dataclass
class CatalogReport:
    """What the catalogs hold, and every message that is not ready."""

    files: int = 0
    messages: int = 0
    translated: int = 0
    fuzzy: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line of statistics."""
        return (
            f"{self.files} catalogs, {self.messages} messages: {self.translated} translated, "
            f"{self.fuzzy} fuzzy, {self.messages - self.translated} not ready"
        )


def check_catalogs(locale_dir: Path, pot_dir: Path | None = None) -> CatalogReport:
    """Check every ``.po`` file under ``locale_dir`` (against the templates in ``pot_dir``).

    A message is ready when its translation is non-empty and not marked fuzzy. Obsolete
    messages (``#~``, left by ``sphinx-intl update`` when the English text changed) do not count.
    """
    report = CatalogReport()
    catalogs = {
        path.relative_to(locale_dir).with_suffix(""): path for path in locale_dir.rglob("*.po")
    }
    for name, path in sorted(catalogs.items()):
        report.files += 1
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            report.messages += 1
            if "fuzzy" in entry.flags:
                report.fuzzy += 1
                report.problems.append(f"{name}: fuzzy: {entry.msgid[:70]!r}")
            elif not entry.msgstr.strip():
                report.problems.append(f"{name}: untranslated: {entry.msgid[:70]!r}")
            else:
                report.translated += 1
    if pot_dir is not None:
        for pot in sorted(pot_dir.rglob("*.pot")):
            name = pot.relative_to(pot_dir).with_suffix("")
            ready = _ready_messages(catalogs.get(name))
            for entry in polib.pofile(str(pot)):
                if (entry.msgctxt, entry.msgid) not in ready:
                    report.problems.append(f"{name}: not in the catalog: {entry.msgid[:70]!r}")
    return report


def _ready_messages(path: Path | None) -> set[tuple[str | None, str]]:
    if path is None:
        return set()
    return {
        (e.msgctxt, e.msgid)
        for e in polib.pofile(str(path))
        if not e.obsolete and e.msgstr.strip() and "fuzzy" not in e.flags
    }


def main(argv: list[str] | None = None) -> int:
    """Print the statistics and the problems; exit 1 if there is any."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("locale_dir", type=Path, help="e.g. docs/locales/zh_CN/LC_MESSAGES")
    parser.add_argument("pot_dir", type=Path, nargs="?", help="e.g. docs/_build/gettext")
    args = parser.parse_args(argv)
    report = check_catalogs(args.locale_dir, args.pot_dir)
    for problem in report.problems:
        print(problem)
    print(report.summary())
    if report.problems:
        print(
            f"{len(report.problems)} messages are not ready: run `nox -s translations`, then "
            "translate them in the .po files it names (and remove their fuzzy flags).",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
