"""The theme in the page's language: furo's own texts through the project's catalogs.

furo marks most of its interface texts for translation ("Skip to content", "Back to top",
"On this page", "Previous", "Next", the "Made with Sphinx and @pradyunsg's Furo" footer) but
ships no translations. Sphinx looks these up in a ``sphinx.po`` catalog of the project's
``locale_dirs`` before its own: ``docs/locales/zh_CN/LC_MESSAGES/sphinx.po`` holds their Chinese.

A few labels are plain English in furo's templates: the ``aria-label`` of the theme toggle and
of the two sidebar toggles, the ``<title>`` of each icon (the theme toggle's tooltips: "Light
mode", "Dark mode", ...) and the footer's "'s". :class:`ThemeStringsLoader`, Sphinx's template
loader (``template_bridge`` in ``conf.py``), reads furo's templates with those literals wrapped
in ``_()``, so that the same catalog translates them. A literal that a new furo no longer has
is reported as a warning, which fails the ``-W`` build; ``tests/test_chinese_usage.py`` checks
the installed furo and the catalog.

One label is written by furo's Python code: each section of the navigation sidebar has a
"Toggle navigation of <title>" switch. :func:`translate_navigation` translates it after furo
has built the sidebar.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import furo
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.util import logging

if TYPE_CHECKING:
    from collections.abc import Callable

    from jinja2 import Environment
    from sphinx.application import Sphinx

__all__ = [
    "FURO",
    "HARD_CODED",
    "NAVIGATION",
    "ThemeStringsLoader",
    "translate_navigation",
    "wrap_hard_coded",
]

logger = logging.getLogger(__name__)

FURO = Path(furo.__file__).parent / "theme" / "furo"
"""furo's templates."""

HARD_CODED: dict[str, list[tuple[str, str]]] = {
    "page.html": [
        ('aria-label="{}"', "Toggle site navigation sidebar"),
        ('aria-label="{}"', "Toggle table of contents sidebar"),
        ('aria-label="{}"', "Toggle Light / Dark / Auto color theme"),
        ("</a>{}", "'s"),
    ],
    "partials/icons.html": [
        ("<title>{}</title>", title)
        for title in (
            "Contents",
            "Menu",
            "Expand",
            "Light mode",
            "Dark mode",
            "Auto light/dark, in light mode",
            "Auto light/dark, in dark mode",
        )
    ],
}
"""Per template of furo: each English text written into it as it is, and its context."""

NAVIGATION = "Toggle navigation of %(title)s"
"""The message of the navigation sidebar's switches (furo writes it as an f-string)."""
NAVIGATION_LABEL = re.compile(r'aria-label="Toggle navigation of ([^"]*)"')


def wrap_hard_coded(template: str, source: str) -> tuple[str, list[str]]:
    """``source`` with the hard-coded texts of ``template`` wrapped in ``_()``; those missing."""
    missing = []
    for context, text in HARD_CODED.get(template, []):
        literal = context.format(text)
        if literal not in source:
            missing.append(literal)
        call = "{{ _(" + json.dumps(text) + ") }}"
        source = source.replace(literal, context.format(call))
    return source, missing


class ThemeStringsLoader(BuiltinTemplateLoader):
    """Sphinx's template loader, with furo's hard-coded labels made translatable."""

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        """Load ``template``; one of furo's own goes through :func:`wrap_hard_coded`."""
        source, filename, uptodate = super().get_source(environment, template)
        name = template.removeprefix("!")
        if name in HARD_CODED and Path(filename).is_relative_to(FURO):
            source, missing = wrap_hard_coded(name, source)
            for literal in missing:
                logger.warning(
                    "furo's %s no longer has %r: update docs/_ext/theme_i18n.py", name, literal
                )
        return source, filename, uptodate


def translate_navigation(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: object
) -> None:
    """Translate the ``aria-label`` of the navigation sidebar's switches (after furo's hook)."""
    del pagename, templatename, doctree
    tree = context.get("furo_navigation_tree")
    if tree:
        label = app.translator.gettext(NAVIGATION)
        context["furo_navigation_tree"] = NAVIGATION_LABEL.sub(
            lambda m: f'aria-label="{label % {"title": m.group(1)}}"', tree
        )


def setup(app: Sphinx) -> dict[str, Any]:
    """Translate the navigation's labels after furo has written them (furo's hook runs at 500)."""
    app.connect("html-page-context", translate_navigation, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
