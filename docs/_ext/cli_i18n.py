"""The command-line reference in the page's language: the parser's help texts through the catalogs.

sphinx-argparse-cli renders the parser as nodes that hold the help texts as plain ``Text``, with
no ``source`` and no ``rawsource``. Sphinx's gettext skips a node without a source (it takes it
for a built-in message), so none of them reached a catalog and the Chinese page stayed English.
Giving those nodes a source would not do either: the ``Locale`` transform replaces a translated
node's children by the translation parsed as the page's markup (MyST here), which would drop the
option's anchor and its bold name, the literal default, and the protection of ``--flags`` from
smart dashes.

So this extension translates the parser's texts, not the nodes. :class:`TranslatedArgparseCli`
takes over the ``sphinx_argparse_cli`` directive:

* where the page has a catalog in the build's language (``api/cli.po`` on the Chinese site), it
  replaces every text that the page shows (descriptions, examples, group titles, each option's
  help) by its translation before sphinx-argparse-cli renders the parser, so both languages go
  through the same renderer. A text with no translation is a warning, which fails a ``-W`` build;
* elsewhere (the English site, and ``sphinx-build -b gettext``) it adds an invisible
  :class:`cli_messages` node that carries the same texts as translatable messages, so the gettext
  builder writes them into the page's ``.pot`` and ``sphinx-intl update`` into its catalog.

A new subcommand or option needs nothing here: its texts become messages of the page, and
``docs/_ext/catalogs.py`` and ``tests/test_cli_i18n.py`` fail until they are translated.
"""

from __future__ import annotations

import argparse
import re
from typing import TYPE_CHECKING, Any

from docutils import nodes
from sphinx import addnodes
from sphinx.locale import init as init_locale
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx_argparse_cli._logic import SphinxArgparseCli

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from gettext import NullTranslations

    from sphinx.application import Sphinx

__all__ = [
    "DEFAULT",
    "TranslatedArgparseCli",
    "adds_default",
    "cli_messages",
    "texts",
    "translate_parser",
]

logger = logging.getLogger(__name__)

DEFAULT = "(default: %(default)s)"
"""What the renderer appends to a help that does not state the option's default itself."""
_STATES_DEFAULT = re.compile(r"\bdefaults?\b", re.IGNORECASE)  # sphinx-argparse-cli's own test


def _subcommands(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[argparse.ArgumentParser, argparse.Action | None]]:
    """Each subcommand's parser, depth first, with its entry in its parent's command list."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            entries = {entry.dest: entry for entry in action._choices_actions}
            seen: set[int] = set()  # an alias maps to the same parser
            for name, sub in action.choices.items():
                entry = entries.get(name)
                if id(sub) in seen or (entry is not None and entry.help == argparse.SUPPRESS):
                    continue
                seen.add(id(sub))
                yield sub, entry
                yield from _subcommands(sub)


def _groups(
    parser: argparse.ArgumentParser,
) -> Iterator[tuple[argparse._ArgumentGroup, list[argparse.Action]]]:
    """The option groups that the reference lists, each with its options."""
    for group in parser._action_groups:
        shown = [
            action
            for action in group._group_actions
            if action.help != argparse.SUPPRESS
            and not isinstance(action, argparse._SubParsersAction)
        ]
        if shown:
            yield group, shown


def adds_default(action: argparse.Action) -> bool:
    """Whether sphinx-argparse-cli appends ``(default: X)`` to this option's English help."""
    flag = isinstance(action, argparse._StoreTrueAction | argparse._StoreFalseAction)
    return (
        action.default is not None
        and action.default != argparse.SUPPRESS
        and not _STATES_DEFAULT.search(action.help or "")
        and not flag
    )


def _group_texts(parser: argparse.ArgumentParser, *, show_defaults: bool) -> list[str]:
    found = []
    for group, actions in _groups(parser):
        # an untitled group is headed by its description (and "arguments" without one)
        found += [group.title or group.description or "arguments"]
        found += [group.description or ""] if group.title else []
        for action in actions:
            found.append(action.help or "")
            found += [DEFAULT] if show_defaults and adds_default(action) else []
    return found


def texts(parser: argparse.ArgumentParser, *, show_defaults: bool = True) -> list[str]:
    """Every text of ``parser`` that the reference shows, once each, in the page's order.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The parser that the directive renders.
    show_defaults : bool, default=True
        False when the directive has the option ``:no_default_values:``.

    Returns
    -------
    list of str
        The descriptions (a subcommand's summary where it has none), the group titles and
        descriptions, each option's help as written (``%(default)s`` unexpanded), the examples
        (epilogs), and :data:`DEFAULT` if the renderer appends it to some help.

    Examples
    --------
    >>> parser = argparse.ArgumentParser(prog="tool", description="Do a thing.", epilog="Bye.")
    >>> _ = parser.add_argument("--n", type=int, default=3, help="how many")
    >>> texts(parser)  # doctest: +NORMALIZE_WHITESPACE
    ['Do a thing.', 'options', 'show this help message and exit', 'how many',
     '(default: %(default)s)', 'Bye.']
    """
    found = [parser.description or "", *_group_texts(parser, show_defaults=show_defaults)]
    for sub, entry in _subcommands(parser):
        found.append(sub.description or (entry.help if entry else "") or "")
        found += _group_texts(sub, show_defaults=show_defaults)
        found.append(sub.epilog or "")
    found.append(parser.epilog or "")
    return list(dict.fromkeys(text for text in found if text.strip()))


def translate_parser(
    parser: argparse.ArgumentParser, gettext: Callable[[str], str], *, show_defaults: bool = True
) -> dict[str, str]:
    """Put the translation of each text into ``parser``; return the group titles' translations.

    The group titles stay English in the parser, since sphinx-argparse-cli makes the anchors
    (``#weightdecay-train-training``) from them: :class:`TranslatedArgparseCli` translates the
    headings after rendering, so a link works in both languages. Where the renderer would
    append ``(default: X)`` in English, the translated :data:`DEFAULT` is appended to the help
    here, with the default as a literal, as the renderer writes it (the directive then renders
    with ``:no_default_values:``: its test for the word "default" knows no Chinese).
    """
    done: set[int] = set()  # parsers made with ``parents=`` share their parents' actions
    titles: dict[str, str] = {}
    for sub, entry in [(parser, None), *_subcommands(parser)]:
        if entry is not None and not sub.description:  # the summary stands in for it
            entry.help = _maybe(gettext, entry.help)
        sub.description = _maybe(gettext, sub.description)
        sub.epilog = _maybe(gettext, sub.epilog)
        for group, actions in _groups(sub):
            heading = group.title or group.description or "arguments"
            titles[heading] = gettext(heading)
            if group.title:
                group.description = _maybe(gettext, group.description)
            for action in actions:
                if id(action) in done:
                    continue
                done.add(id(action))
                suffix = ""
                if show_defaults and adds_default(action):
                    suffix = gettext(DEFAULT).replace("%(default)s", "``%(default)s``")
                action.help = _maybe(gettext, action.help) or ""
                action.help += suffix
    return titles


def _maybe(gettext: Callable[[str], str], text: str | None) -> str | None:
    return gettext(text) if text and text.strip() else text


class cli_messages(nodes.comment, addnodes.translatable):
    """Invisible: the reference's texts, as messages for the gettext builder.

    A comment, with the texts in an attribute: every writer of Sphinx and its search index skip
    it, so the English page is as sphinx-argparse-cli makes it.
    """

    def preserve_original_messages(self) -> None:
        """The messages are the attribute ``texts``, which nothing changes."""

    def apply_translated_message(self, original_message: str, translated_message: str) -> None:
        """Nothing: a translated page is rendered from the translated parser instead."""

    def extract_original_messages(self) -> Sequence[str]:
        """The reference's texts."""
        messages: list[str] = self["texts"]
        return messages


class TranslatedArgparseCli(SphinxArgparseCli):
    """``sphinx_argparse_cli``, in the language of the page's catalog when there is one."""

    _titles: dict[str, str]  # each group title's translation

    def run(self) -> list[nodes.Node]:
        """Render the parser, translated if the page has a catalog; else add the messages."""
        show_defaults = "no_default_values" not in self.options
        gettext = self._page_catalog()
        self._titles = {}
        if gettext is None:
            holder = cli_messages("", "", texts=texts(self.parser, show_defaults=show_defaults))
            self.set_source_info(holder)
            return [*super().run(), holder]
        self._titles = translate_parser(self.parser, gettext, show_defaults=show_defaults)
        self.options["no_default_values"] = ""  # the translated helps carry their defaults
        return super().run()

    def _mk_option_group(
        self, group: argparse._ArgumentGroup, *args: Any, **kwargs: Any
    ) -> nodes.section:
        """The group's section, with the translated heading (the anchor stays English)."""
        section: nodes.section = super()._mk_option_group(group, *args, **kwargs)
        heading = group.title or group.description or "arguments"
        title = section.next_node(nodes.title)
        if heading in self._titles and title is not None:
            text = title.astext().removesuffix(heading)
            title.replace(title[0], nodes.Text(text + self._titles[heading]))
        return section

    def _page_catalog(self) -> Callable[[str], str] | None:
        """The page's catalog in the build's language, as a gettext that warns when it misses.

        None when there is none: the English site and the gettext builder.
        """
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        dirs = [self.env.srcdir / directory for directory in self.config.locale_dirs]
        translator, found = init_locale(dirs, self.config.language, domain)
        if not found:
            return None
        catalog: dict[str, str] = {}  # as Sphinx's Locale transform merges them
        current: NullTranslations | None = translator
        while current is not None:
            catalog = getattr(current, "_catalog", {}) | catalog
            current = current._fallback  # type: ignore[attr-defined]

        warned: set[str] = set()  # a help can be shared by every subcommand: warn once

        def gettext(message: str) -> str:
            translated = catalog.get(message, "")
            if not translated and message not in warned:
                warned.add(message)
                logger.warning(
                    "no %s translation of the command-line text %r: translate it in the "
                    "catalog %s.po (nox -s translations)",
                    self.config.language,
                    message,
                    domain,
                    location=self.get_location(),
                )
            return translated or message

        return gettext


def setup(app: Sphinx) -> dict[str, Any]:
    """Replace sphinx-argparse-cli's directive by :class:`TranslatedArgparseCli`."""
    app.setup_extension("sphinx_argparse_cli")
    app.add_directive("sphinx_argparse_cli", TranslatedArgparseCli, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
