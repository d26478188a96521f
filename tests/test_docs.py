"""The offline docs site: `make docs` (docs.mk) builds _docs/ from the notebooks; check its pages as HTML and as
rendered by headless Chromium (screenshots in tests/artifacts/)."""
import html, json, os, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS, NBS, ARTIFACTS = ROOT/'_docs', ROOT/'nbs', ROOT/'tests'/'artifacts'
CODELM_DOC = 'A Llama-style decoder-only language model with an explicit KV cache.'
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync', '--no-first-run']


def page_name(nb:Path) -> str:
    "The html page nbdev names after notebook `nb` (nbs/04_models.ipynb -> models.html, keeping sub-folders)"
    from nbdev.doclinks import _nbpath2html
    return _nbpath2html(nb.relative_to(NBS)).as_posix()


def notebooks():
    "Notebooks nbdev documents (it skips files and folders starting with `_` or `.`)"
    return sorted(p for p in NBS.rglob('*.ipynb')
                  if not any(part.startswith(('_', '.')) for part in p.relative_to(NBS).parts))


def plain(raw:str) -> str:
    "Text of an HTML page: tags (Pygments' <span>s) dropped, entities decoded"
    return html.unescape(re.sub(r'<[^>]+>', '', raw))


def first_heading(nb:Path) -> str:
    for c in json.loads(nb.read_text(encoding='utf-8'))['cells']:
        if c['cell_type'] == 'markdown':
            if m := re.search(r'^#\s+(.+?)\s*$', ''.join(c['source']), re.MULTILINE): return m.group(1)
    return 'robolm'


@pytest.fixture(scope='session')
def site():
    "Build the docs once per session with `make docs` (the Makefile includes docs.mk)"
    mk = [] if (ROOT/'Makefile').exists() else ['-f', 'docs.mk']   # docs.mk on its own works too
    cmd = ['make', *mk, 'docs', f'VENV={sys.prefix}']            # the virtualenv running these tests
    t = time.time()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    out = f'$ {" ".join(cmd)}  (exit {r.returncode}, {time.time()-t:.1f} s)\n{r.stdout}\n{r.stderr}'
    assert r.returncode == 0, f'docs build failed:\n{out}'
    print(out)
    return DOCS


def page(site, name):
    p = site/name
    assert p.exists(), f'{p} was not built'
    raw = p.read_text(encoding='utf-8')
    return raw, plain(raw)


def test_every_notebook_has_a_page(site):
    nbs = notebooks()
    assert nbs, f'no notebooks in {NBS}'
    missing = [str(nb.relative_to(ROOT)) for nb in nbs if not (site/page_name(nb)).exists()]
    assert not missing, f'no page for {missing}'
    raw, _ = page(site, 'index.html')
    for nb in nbs:       # every page is in the navigation (sidebar) of the home page
        if page_name(nb) != 'index.html': assert f'href="{page_name(nb)}"' in raw, page_name(nb)


def test_home_page(site):
    raw, text = page(site, 'index.html')
    index_nb = NBS/'index.ipynb'
    assert index_nb.exists(), 'nbs/index.ipynb (the home page) is missing'
    assert first_heading(index_nb) in text
    assert 'robolm' in text


def test_models_api_page(site):
    name = page_name(NBS/'04_models.ipynb')
    assert name == 'models.html'
    raw, text = page(site, name)
    assert re.search(r'class CodeLM\(\s*cfg:ModelConfig\s*\):', text), 'CodeLM signature missing'
    assert CODELM_DOC in text
    assert 'id="codelm"' in raw                          # anchor of nbdev's doc links (`models.html#codelm`)
    # ModelConfig's fields with their comments (fastcore docments), shown inside the signature
    assert re.search(r'class ModelConfig\(', text)
    sys.path.insert(0, str(ROOT))
    from fastcore.docments import docments
    from robolm.models import ModelConfig
    fields = {k: v for k, v in docments(ModelConfig).items() if k != 'return' and v}
    assert fields, 'ModelConfig has no commented fields'
    for k, doc in fields.items():
        assert re.search(rf'\b{k}:[^\n]*# {re.escape(doc)}', text), f'ModelConfig.{k} or its comment missing'
    assert '{target=' not in text and 'LNone' not in raw   # Pandoc-only syntax converted, source links resolved


def chromium():
    exe = shutil.which('chromium') or ('/usr/bin/chromium' if os.path.exists('/usr/bin/chromium') else None)
    if not exe: pytest.fail('headless Chromium (/usr/bin/chromium) is not installed: run `make deps`')
    return exe


def run_chromium(*args, timeout=90):
    with tempfile.TemporaryDirectory() as prof:
        r = subprocess.run([chromium(), *CHROMIUM_FLAGS, f'--user-data-dir={prof}', *args],
                           capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f'chromium {args} failed ({r.returncode}):\n{r.stderr[-3000:]}'
    return r.stdout


@pytest.mark.parametrize('name,shot,expected', [
    ('index.html', 'docs_home.png', None),
    ('models.html', 'docs_models.png', ['CodeLM(', 'cfg:ModelConfig', CODELM_DOC]),
])
def test_rendered_in_chromium(site, name, shot, expected):
    url = (site/name).as_uri()
    dom = plain(run_chromium('--dump-dom', url))
    for s in expected or [first_heading(NBS/'index.ipynb')]: assert s in dom, f'{s!r} not in the DOM of {name}'
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    png = ARTIFACTS/shot
    png.unlink(missing_ok=True)
    run_chromium(f'--screenshot={png}', '--window-size=1280,1600', '--hide-scrollbars', url)
    assert png.exists() and png.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n', f'{png} not written'
    assert png.stat().st_size > 10_000, f'{png} is only {png.stat().st_size} bytes'
