"""Sphinx configuration of the weightdecay site.

Build it with ``nox -s docs`` (or ``sphinx-build -W --keep-going -n -b html docs docs/_build/html``).
The build needs no network: MathJax is served from the site itself, no intersphinx inventory is
fetched, and the gallery's computation-times page (which loads a table library from a CDN) is not
written; the per-example run times are printed in the build log instead.
"""

from __future__ import annotations

import sys
from importlib.metadata import version as _version
from pathlib import Path

import sphinx_gallery

_sphinx_gallery_version = tuple(int(p) for p in sphinx_gallery.__version__.split(".")[:2])
HERE = Path(__file__).parent
sys.path.insert(0, str(HERE / "_ext"))  # the extensions named below

# -- Project ----------------------------------------------------------------------------------
project = "weightdecay"
author = "The weightdecay developers"
copyright = "The weightdecay developers"
release = _version("weightdecay")
version = ".".join(release.split(".")[:2])

# -- General ----------------------------------------------------------------------------------
extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "numpydoc",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",  # MathJax 3 copied into _static/mathjax: no CDN
    "sphinx_copybutton",
    "sphinx_gallery.gen_gallery",
    "sphinx_design",  # dropdowns (the practice answers) and tabs (one per framework, as d2l has)
    "practice",  # docs/_ext/practice.py: answers hidden until asked for, the map to the book
    "playground",  # docs/_ext/playground.py: the λ playground's data, computed at build time
    # The command-line reference, rendered from the argparse parser by sphinx-argparse-cli, its
    # help texts through the catalogs (docs/_ext/cli_i18n.py).
    "cli_i18n",
    "accessibility",  # docs/_ext/accessibility.py: fixes for what axe finds (nox -s site)
    "languages",  # docs/_ext/languages.py: <html lang="zh-CN"> on the Chinese site
    "theme_i18n",  # docs/_ext/theme_i18n.py: furo's texts in the page's language
    "recorded",  # docs/_ext/recorded.py: :val:`plot_02.name` cites a number a tutorial computed
    "frameworks_page",  # docs/_ext/frameworks_page.py: "One λ, every framework", computed
    "notebooks",  # docs/_ext/notebooks.py: the downloadable notebooks, with links, per language
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "_ext",
    "_static",
    "gen_modules",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.json",
    # The exercises' gallery has one page, which the Explanation section lists; its gallery
    # index (a thumbnail and the downloads, which the page has itself) is not built.
    "auto_exercises/index.rst",
    "auto_exercises/*.ipynb",
    "auto_exercises/*.py",
    "auto_exercises/*.zip",
    "auto_exercises/*.md5",
    "auto_exercises/*.json",
]
nitpicky = True
# Types of other projects: this offline build fetches no intersphinx inventory, so their names
# cannot be resolved into links. Everything of weightdecay's own must resolve.
nitpick_ignore_regex = [
    (r"py:.*", r"(torch|matplotlib|numpy|argparse|collections\.abc|typing)(\..*)?"),
    # Bare names that annotations use (imported under TYPE_CHECKING or from other projects).
    (r"py:class", r"(Axes|Figure|Tensor|Generator|Iterator|Iterable|Callable|Sequence|Any)"),
    # Type aliases of annotations (numpy's ArrayLike and DTypeLike) and the parts Sphinx splits
    # the string annotations of dataclass fields into (``dict[str, Any]`` -> ``dict[str``).
    (r"py:class", r"(ArrayLike|DTypeLike|Mapping|Mapping\[str|dict\[str|tuple\[torch\.Tensor)"),
]
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}  # never fetched

# -- MyST -------------------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# -- autodoc and numpydoc ---------------------------------------------------------------------
autodoc_typehints = "signature"  # the numpydoc sections carry the types in words
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
python_use_unqualified_type_names = True
toc_object_entries = False  # each object has its own heading on its module page
numpydoc_show_class_members = False  # members are documented explicitly on each API page
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# -- Translations -----------------------------------------------------------------------------
# The Chinese site: ``sphinx-build -D language=zh_CN docs docs/_build/html/zh_CN`` (nox -s docs
# builds both). Catalogs in docs/locales/zh_CN/LC_MESSAGES/, one per page; regenerate them with
# ``nox -s translations`` and translate what it reports.
language = "en"
locale_dirs = ["locales/"]
gettext_compact = False  # one catalog per page: translated and reviewed page by page
gettext_uuid = False
gettext_location = False  # no line numbers in the catalogs: they would churn on every edit
LANGUAGES = {"en": "English", "zh_CN": "中文"}  # what the switcher on every page says
templates_path = ["_templates"]  # _templates/page.html: the language switcher
# furo's own texts ("Back to top", the theme toggle's labels) in the page's language: the
# catalog locales/<lang>/LC_MESSAGES/sphinx.po, and a loader that makes the few labels furo
# writes in plain English translatable too (docs/_ext/theme_i18n.py).
template_bridge = "theme_i18n.ThemeStringsLoader"

# -- HTML -------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"weightdecay {release}"
html_static_path = ["_static"]
html_favicon = "_static/weightdecay-logo.svg"
html_logo = "_static/weightdecay-logo.svg"
html_theme_options = {"sidebar_hide_name": False}
# Pygments' accessible styles: every token colour reaches WCAG AA contrast (4.5:1) on its
# background. furo's defaults (tango, native) do not: native's comments fail in the dark theme.
pygments_style = "a11y-light"
pygments_dark_style = "a11y-dark"
html_show_sourcelink = True
html_context = {"languages": LANGUAGES}
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True

# -- sphinx-gallery (after scikit-learn's configuration) -----------------------------------
sphinx_gallery_conf = {
    # The tutorials, and the book's exercises with their answers (executed like a tutorial).
    "examples_dirs": ["../gallery", "../exercises"],
    "gallery_dirs": ["auto_examples", "auto_exercises"],
    "within_subsection_order": "FileNameSortKey",
    "filename_pattern": r"/plot_",
    "doc_module": ("weightdecay",),
    "backreferences_dir": "gen_modules/backreferences",
    "remove_config_comments": True,
    # Close figures, reset matplotlib and seed torch before every example; log its time after.
    "reset_modules": ("matplotlib", "gallery_hooks.reset_torch_and_figures"),
    "reset_modules_order": "both",  # gallery_hooks logs each example's run time after it
    "only_warn_on_example_error": False,  # a failing example fails the build
    "abort_on_example_error": False,  # run them all, then report every failure
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
    # sg_execution_times.html loads DataTables from a CDN, and a page's "Total running time"
    # changes at every build (a new message to translate each time): neither is written. The
    # build log prints each example's run time instead (gallery_hooks).
    "write_computation_times": False,
    "min_reported_time": float("inf"),
    "show_memory": False,
    "download_all_examples": True,
    # No "first_notebook_cell": the notebooks extension (docs/_ext/notebooks.py) rewrites the
    # notebooks of the built site, with a first cell that checks what each one imports.
}
if _sphinx_gallery_version < (0, 22):
    # Before 0.22, links from the examples' code to this API needed it; 0.22 resolves them from
    # the documentation being built and logs that the option is ignored.
    sphinx_gallery_conf["reference_url"] = {"weightdecay": None}
