# Sphinx config for the robolm docs site (Sphinx + myst-nb + furo; no Quarto, works offline).
# Source dir: _docsrc/, written by tools/prep_docs.py from nbdev's _proc/; run `make docs` (docs.mk).
import configparser, pathlib

_ini = configparser.ConfigParser(delimiters=['='])
_ini.read(pathlib.Path(__file__).resolve().parent.parent/'settings.ini', encoding='utf-8')
_c = _ini['DEFAULT']

project = _c.get('title', _c['lib_name'])
author = _c['author']
copyright = _c.get('copyright', '')
release = version = _c['version']

extensions = ['myst_nb']
root_doc = 'index'
exclude_patterns = ['**/.ipynb_checkpoints']
nb_execution_mode = 'off'        # nbdev already ran what the docs need (show_doc); never execute notebooks here
myst_all_links_external = True   # keep nbdev's `models.html#codelm` links as plain hrefs
# nbdev's show_doc headings are always `###`/`####`, whatever precedes them (Quarto does not mind)
suppress_warnings = ['myst.header']
html_theme = 'furo'
html_title = project
html_show_sourcelink = False
html_copy_source = False
# Widget outputs: myst-nb would load require.js and the widgets bundle from a CDN on those pages; keep the site
# offline and show the outputs' plain-text fallback instead (papermill keeps no widget state anyway).
nb_ipywidgets_js = {}
nb_mime_priority_overrides = [('html', 'application/vnd.jupyter.widget-view+json', None)]
