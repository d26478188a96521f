"""Offline docs for this nbdev 2 project, without Quarto (see `docs.mk`, target `docs`).

Two steps, each a mode of this script (run both from the repository root):

`python tools/prep_docs.py --proc`
    nbdev's own doc processing of nbs/ into _proc/ (what `nbdev_proc_nbs`, i.e. `nbdev.quarto._pre_docs(force=True)`,
    does: frontmatter, a `show_doc` cell after every exported name, doc links, robolm/_modidx.py, the sidebar order),
    with these changes:
    - no Quarto: `_pre_docs` would try to install it with sudo (network), then `pip install -e .`, and would write
      the Quarto-only nbs/_quarto.yml and nbs/nbdev.yml; nothing is written into nbs/ (the sidebar order goes to
      _proc/sidebar.yml; a hand-written nbs/sidebar.yml is used when settings.ini has custom_sidebar = True);
    - a code cell that mixes imports with other code (nbdev warns "Found cells containing imports and other code")
      only has its import statements run, and one line says so. nbdev would run the whole cell while building the
      docs; such cells are usually tests using names from earlier cells that the docs build does not run, so the
      build fails (nbs/04_models.ipynb's save/load test did) or does real work (training a tokenizer);
    - `show_doc` documents the exported module's object (robolm.models.ModelConfig) instead of the one the notebook
      cell defined in `__main__`: Python 3.11's `inspect` cannot find the source of a class defined in a notebook,
      so dataclass fields would lose their comments. Classes are shown as `class X(...)` (fastcore writes `def`).
    The package documented is this checkout's (the repository root goes first on sys.path).

`python tools/prep_docs.py [--toctree] [SRC=_proc] [DST=_docsrc]`
    turns the _proc/ notebooks into plain notebooks that Sphinx + myst-nb can render. Per notebook it does what
    Quarto would otherwise do:
    - first raw cell (YAML frontmatter) -> markdown cell "# title" + "> description"; the file is renamed after
      `output-file` (04_models.ipynb -> models.ipynb, same folder) so nbdev's doc links (`models.html#codelm`)
      keep working;
    - `#| output: asis` cells (all show_doc cells) -> markdown cells holding their text/markdown output, minus the
      Pandoc-only bits: the leading `---` rule is dropped (docutils rejects a document ending in a transition) and
      `[source](url){target=... style=...}` becomes an HTML <a>; an `<a id=...>` anchor with nbdev's anchor name
      (`codelm`, `codelm.forward`) is put before the symbol heading;
    - `#| echo: false` -> tag `remove-input`, `#| output: false` -> tag `remove-output`, `#| include: false` and
      cells nbdev emptied (`#| hide`, `#| export`) -> dropped; leading `#|` lines are removed from shown code;
    - links to the doc site (doc_host + doc_baseurl in settings.ini) become relative, and links to `x.ipynb` point
      to that page's html name.
    Pages come in nbdev's sidebar order (_proc/sidebar.yml); notebooks in sub-folders of nbs/ (nbs/pipeline/,
    nbs/tutorials/) stay in those folders and become sidebar sections.
    --toctree  append hidden MyST {toctree}s (one for top-level pages, one per folder, captioned with the folder
               name) to the root page: plain Sphinx needs them to build the navigation.
"""
import ast, functools, html, importlib, inspect, json, posixpath as pp, re, shutil, sys
from configparser import ConfigParser
from pathlib import Path

import yaml

# ---------------------------------------------------------------------------------------------------------------
# Step 1: nbdev processing (--proc)
# ---------------------------------------------------------------------------------------------------------------

def _lib_obj(sym, mod):
    "`sym` as defined in the exported module `mod` (robolm.models) when `sym` was defined in the notebook's shell"
    if getattr(sym, '__module__', None) != '__main__' or not mod or not hasattr(sym, '__qualname__'): return sym
    try:
        o = importlib.import_module(mod)
        for part in sym.__qualname__.split('.'): o = getattr(o, part)
    except Exception: return sym
    return o


def _patch_nbdev():
    """Patch nbdev (this process and, see below, its worker processes) for the offline docs build:
    run only the imports of cells that mix imports and other code; let `show_doc` document
    the exported module's object (robolm.models.ModelConfig) rather than the class the notebook's cell defined in
    `__main__`, whose source Python 3.11's `inspect` cannot find (dataclass field comments would be missing), and
    show classes as `class X(...)` (fastcore writes `def X(...)`)."""
    import nbdev.processors as P, nbdev.showdoc as S
    from nbdev.config import get_config
    if getattr(P, '_docs_patched', False): return
    root = str(Path(__file__).resolve().parent.parent)     # document this checkout's package, not an installed one
    if root not in sys.path: sys.path.insert(0, root)
    _orig_eval, _orig_sd = P._do_eval, S.show_doc
    _orig_call, _orig_begin = P.exec_show_docs.__call__, P.exec_show_docs.begin
    show_dirs, cur = {'export', 'exports', 'exporti', 'exec_doc'}, {}

    def _import_nodes(cell):
        "Top-level import statements of a cell nbdev would warn about (imports mixed with other code), else None"
        if cell.get('cell_type') != 'code' or not cell.get('source') or 'nbdev_export' + '()' in cell.source: return
        if P.cell_lang(cell) != 'python': return
        if cell.directives_.keys() & show_dirs: return
        if cell.directives_.get('eval:', [''])[0].lower() == 'false': return
        trees = cell.parsed_()
        if not trees: return
        if not P._ast_contains(trees, (ast.Import, ast.ImportFrom)): return
        if not P._ast_contains(trees, (ast.Expr, ast.Assign)): return
        return [n for n in trees if isinstance(n, (ast.Import, ast.ImportFrom))]

    def _do_eval(cell):
        return False if _import_nodes(cell) is not None else _orig_eval(cell)

    def __call__(self, cell):
        nodes = _import_nodes(cell)
        if nodes is not None and hasattr(self, 'k') and self.nb.has_docs_:
            first = next((l for l in cell.source.splitlines() if l.strip() and not l.startswith('#|')), '')
            print(f'prep_docs: {Path(self.nb.path_).name}: a cell mixes imports and other code; '
                  f'the docs build runs only its imports: {first[:60]}', file=sys.stderr)
            self.k.run('\n'.join(ast.unparse(n) for n in nodes))   # sets self.k.exc; checked by _orig_call
        return _orig_call(self, cell)

    def begin(self):
        exp = P._default_exp(self.nb)
        cur['mod'] = f"{get_config().lib_name}.{exp}" if exp else None
        return _orig_begin(self)

    @functools.wraps(_orig_sd)
    def show_doc(sym, *args, **kwargs):
        obj = _lib_obj(sym, cur.get('mod'))
        res = _orig_sd(obj, *args, **kwargs)
        # nbdev finds the source line from the short name it uses for `__main__` objects (`CodeLM.forward`);
        # with the full name (`robolm.models.CodeLM`) its source link would end in `#LNone`
        if obj is not sym and hasattr(res, 'fn'): res.fn = sym.__qualname__
        if inspect.isclass(obj) and hasattr(res, '_repr_markdown_'):   # fastcore writes `def CodeLM(` for classes too
            md, nm = res._repr_markdown_, getattr(obj, '__name__', '')
            def _md(md=md, nm=nm):
                s = md().replace(f'```python\ndef {nm}(', f'```python\nclass {nm}(', 1)
                return re.sub(r'^\)->None:$', '):', s, count=1, flags=re.MULTILINE)   # dataclasses' __init__
            res._repr_markdown_ = _md
        return res

    P._do_eval, P.exec_show_docs.__call__, P.exec_show_docs.begin, S.show_doc = _do_eval, __call__, begin, show_doc
    P._docs_patched = True


# `proc_nbs` runs notebooks in `spawn`ed worker processes. A spawned worker re-imports this script as `__mp_main__`,
# so patching at import time (and only running the steps under `__main__`) puts the patch in the workers too.
if __name__ in ('__main__', '__mp_main__') and '--proc' in sys.argv: _patch_nbdev()


def proc():
    """nbdev's `_pre_docs(force=True)` (what `nbdev_proc_nbs` runs) minus what only Quarto uses: no Quarto check or
    install, no nbs/_quarto.yml or nbs/nbdev.yml, and the sidebar goes to _proc/sidebar.yml rather than nbs/."""
    import contextlib, io
    import nbdev.doclinks
    from nbdev.config import get_config
    from nbdev.quarto import nbdev_sidebar
    from nbdev.serve import proc_nbs
    cfg = get_config()
    nbdev.doclinks._build_modidx()
    cache = proc_nbs(cfg.nbs_path, force=True)
    if not (cfg.custom_sidebar and (cache/'sidebar.yml').exists()):   # a hand-written nbs/sidebar.yml is kept
        with contextlib.redirect_stdout(io.StringIO()) as f:
            nbdev_sidebar.__wrapped__(path=cfg.nbs_path, printit=True, force=True)
        (cache/'sidebar.yml').write_text(f.getvalue(), encoding='utf-8')


# ---------------------------------------------------------------------------------------------------------------
# Step 2: _proc/ -> _docsrc/ (plain notebooks for Sphinx + myst-nb)
# ---------------------------------------------------------------------------------------------------------------

_re_dir = re.compile(r'^\s*#\|\s*([\w-]+)\s*:?\s*(.*?)\s*$')
_re_srclink = re.compile(r'\[([^\]]*)\]\(([^)\s]+)\)\{target="_blank"(?: style="([^"]*)")?\}')
_re_heading = re.compile(r'^(#{1,6}) (.+)$', re.MULTILINE)
_re_nblink = re.compile(r'\]\(([\w./-]+\.ipynb)(#[^)]*)?\)')


def text(v): return ''.join(v) if isinstance(v, list) else (v or '')


def frontmatter(nb):
    c = nb['cells'][0] if nb['cells'] else {}
    s = text(c.get('source'))
    if c.get('cell_type') == 'raw' and s.lstrip().startswith('---'):
        return yaml.safe_load(s.strip().strip('-')) or {}


def directives(source):
    "Leading `#| key: value` lines of a cell -> (dict, rest of the source)"
    d, lines = {}, source.splitlines()
    while lines and (m := _re_dir.match(lines[0])):
        d[m.group(1)] = m.group(2)
        lines.pop(0)
    return d, '\n'.join(lines)


class Converter:
    def __init__(self, src, dst, site, title='', description=''):
        self.title, self.description = title, description
        self.src, self.dst = Path(src), Path(dst)
        self.re_site = re.compile(re.escape(site) + r'/([^\s)"\'<>]*)') if site else None
        sidebar = yaml.safe_load((self.src/'sidebar.yml').read_text(encoding='utf-8'))['website']['sidebar']
        self.groups = self.sections(sidebar['contents'])        # [(caption or None, [nb paths])]
        order = [n for _, ns in self.groups for n in ns]
        self.nbs = {n: json.loads((self.src/n).read_text(encoding='utf-8')) for n in order}
        self.pages = {n: pp.join(pp.dirname(n), Path((frontmatter(nb) or {}).get('output-file', n)).stem)
                      for n, nb in self.nbs.items()}                 # pipeline/10_data.ipynb -> pipeline/data
        dup = {p for p in self.pages.values() if list(self.pages.values()).count(p) > 1}
        if dup: sys.exit(f'prep_docs: several notebooks map to the same page {sorted(dup)}: rename one of them')
        self.root = 'index'    # nbs/index.ipynb; without one a stand-in home page is written (see `run`)

    @staticmethod
    def sections(items, caption=None, href=None):
        "sidebar.yml entries ('x.ipynb' or {section, href?, contents}) -> [(caption, [notebooks])], pages before folders"
        top, subs = [href] if href and href.endswith('.ipynb') else [], []
        for o in items:
            if isinstance(o, dict): subs += Converter.sections(o.get('contents', []), o.get('section'), o.get('href'))
            elif str(o).endswith('.ipynb'): top.append(str(o))
        return ([(caption, top)] if top else []) + subs

    def relink(self, s, name):
        "Make doc-site and notebook links in notebook `name` (e.g. pipeline/10_data.ipynb) relative"
        here = pp.dirname(self.pages[name]) or '.'
        def _site(m):
            path, _, frag = m.group(1).partition('#')
            return pp.relpath(path or 'index.html', here) + (f'#{frag}' if frag else '')
        def _nb(m):
            tgt = pp.normpath(pp.join(pp.dirname(name), m.group(1)))
            out = self.pages[tgt] + '.html' if tgt in self.pages else tgt[:-6] + '.html'
            return '](' + pp.relpath(out, here) + (m.group(2) or '') + ')'
        if self.re_site: s = self.re_site.sub(_site, s)
        return _re_nblink.sub(_nb, s)

    def asis_md(self, md, name):
        md = re.sub(r'^\s*---\s*\n', '', md, count=1)
        def _a(m):
            style = f' style="{m.group(3)}"' if m.group(3) else ''
            return f'<a href="{html.escape(m.group(2))}" target="_blank"{style}>{m.group(1)}</a>'
        md = _re_srclink.sub(_a, md)
        md = _re_heading.sub(lambda m: f'<a id="{m.group(2).strip().lower()}"></a>\n\n{m.group(0)}', md, count=1)
        return self.relink(md, name)

    def convert(self, nb, name):
        cells, fm = [], frontmatter(nb)
        if fm is not None:
            nb['cells'].pop(0)
            md = f"# {fm.get('title', '')}\n" + (f"\n> {fm['description']}\n" if fm.get('description') else '')
            cells.append(dict(cell_type='markdown', metadata={}, source=md))
        for c in nb['cells']:
            s = text(c.get('source'))
            if c['cell_type'] == 'markdown':
                if s.strip(): cells.append({**c, 'source': self.relink(s, name)})
                continue
            if c['cell_type'] != 'code': cells.append(c); continue
            d, body = directives(s)
            if d.get('include') == 'false': continue
            if d.get('output') == 'asis':
                for o in c.get('outputs', []):
                    md = text(o.get('data', {}).get('text/markdown'))
                    if md: cells.append(dict(cell_type='markdown', metadata={}, source=self.asis_md(md, name)))
                continue
            if not body.strip() and not c.get('outputs'): continue   # `#| hide` / `#| export` cells nbdev emptied
            tags = set(c.setdefault('metadata', {}).get('tags', []))
            if d.get('echo') == 'false': tags.add('remove-input')
            if d.get('output') == 'false': tags.add('remove-output')
            if tags: c['metadata']['tags'] = sorted(tags)
            c['source'] = body
            cells.append(c)
        for i, c in enumerate(cells): c['id'] = f'cell-{i}'   # nbformat 4.5 wants cell ids
        nb.update(cells=cells, nbformat=4, nbformat_minor=5)
        return nb

    def toctrees(self):
        "MyST toctree cells for the root page: top-level pages first, then one captioned toctree per folder"
        res = []
        for caption, nbs in self.groups:
            pages = [pp.relpath(self.pages[n]) for n in nbs if self.pages[n] != self.root]
            if not pages: continue
            opts = ':hidden:\n' + (f':caption: {caption}\n' if caption else '')
            res.append(dict(cell_type='markdown', id=f'toctree-{len(res)}', metadata={},
                            source='```{toctree}\n' + opts + '\n' + '\n'.join(pages) + '\n```'))
        return res

    def run(self, toctree=False):
        if self.dst.exists(): shutil.rmtree(self.dst)
        self.dst.mkdir(parents=True)
        for p in self.src.rglob('*'):                           # images etc. used by the notebooks
            if p.is_file() and p.suffix not in ('.ipynb', '.yml', '.qmd') and not p.name.startswith('.'):
                (self.dst/p.relative_to(self.src)).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(p, self.dst/p.relative_to(self.src))
        nbs = {self.pages[n]: self.convert(nb, n) for n, nb in self.nbs.items()}
        if self.root not in nbs:
            print(f'prep_docs: no nbs/index.ipynb: writing a stand-in home page', file=sys.stderr)
            md = f'# {self.title}\n' + (f'\n> {self.description}\n' if self.description else '')
            nbs[self.root] = dict(cells=[dict(cell_type='markdown', id='cell-0', metadata={}, source=md)],
                                  metadata={}, nbformat=4, nbformat_minor=5)
        if toctree: nbs[self.root]['cells'] += self.toctrees()
        for page, nb in nbs.items():
            out = self.dst/f'{page}.ipynb'
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(json.dumps(nb, indent=1), encoding='utf-8')
        print(f'prep_docs: {len(self.pages)} pages -> {self.dst}/: {", ".join(self.pages.values())}')


def main():
    if '--proc' in sys.argv: return proc()
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    cfg = ConfigParser(delimiters=['='])
    cfg.read('settings.ini', encoding='utf-8')
    c = cfg['DEFAULT']
    site = (c.get('doc_host', '') + c.get('doc_baseurl', '')).rstrip('/')
    Converter(args[0] if args else '_proc', args[1] if len(args) > 1 else '_docsrc', site,
              c.get('title', c.get('lib_name', '')), c.get('description', '')).run('--toctree' in sys.argv)


if __name__ == '__main__': main()
