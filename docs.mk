# Docs site, offline (Quarto cannot be installed here): nbdev's own processing, then Sphinx + myst-nb + furo.
# Included by the Makefile (`include docs.mk`); also works alone: `make -f docs.mk docs`.
#   nbs/**/*.ipynb --nbdev (tools/prep_docs.py --proc)--> _proc/ --tools/prep_docs.py--> _docsrc/
#   --sphinx-build (config: docs/conf.py)--> _build/html/ --> _docs/
# Also (re)writes, like nbdev_proc_nbs: robolm/*.py + robolm/_modidx.py (nbdev_export), nbs/sidebar.yml,
# nbs/nbdev.yml and nbs/_quarto.yml (if missing). -W: any Sphinx warning fails the build.
VENV ?= .venv
_docs_mk_goal := $(.DEFAULT_GOAL)

.PHONY: docs
docs:  ## static HTML docs site in _docs/ (offline, no Quarto; open _docs/index.html)
	$(VENV)/bin/nbdev_export
	$(VENV)/bin/python tools/prep_docs.py --proc
	$(VENV)/bin/python tools/prep_docs.py --toctree _proc _docsrc
	rm -rf _build
	$(VENV)/bin/sphinx-build -W -q -b html -c docs -d _build/doctrees _docsrc _build/html
	rm -rf _docs && cp -r _build/html _docs

# Including this file first must not make `docs` the Makefile's default goal.
.DEFAULT_GOAL := $(_docs_mk_goal)
