"""The monitoring tutorial in a real headless JupyterLab, driven by Debian's Chromium through Playwright (no browser
download): run every cell, wait for the live dashboard to render and the tiny run to finish, save a screenshot to
tests/artifacts/."""
import json, os, shutil, signal, socket, subprocess, sys, time, urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NB = ROOT/'nbs'/'tutorials'/'02_monitor.ipynb'
ARTIFACTS = ROOT/'tests'/'artifacts'
TOKEN = 'robolm-test'


def chromium():
    exe = shutil.which('chromium') or ('/usr/bin/chromium' if os.path.exists('/usr/bin/chromium') else None)
    if not exe: pytest.skip('Debian Chromium (/usr/bin/chromium) is not installed: run `make deps`')
    return exe


def free_port():
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


def lab_notebook(folder:Path, run_dir:Path)->Path:
    "A copy of the tutorial whose parameters cell points at `run_dir` (JupyterLab saves what it runs: never the source)."
    nb = json.loads(NB.read_text(encoding='utf-8'))
    params = [c for c in nb['cells'] if 'parameters' in c['metadata'].get('tags', [])]
    assert params, f'{NB}: no cell tagged `parameters`'
    params[0]['source'] = f"run_dir = {str(run_dir)!r}\nrecipe = 'tiny'\n"
    dest = folder/'02_monitor.ipynb'
    dest.write_text(json.dumps(nb), encoding='utf-8')
    return dest


@pytest.fixture
def lab(tmp_path):
    "A headless JupyterLab server on a free port, serving a scratch folder; stopped (with its kernels) afterwards."
    root, cfg = tmp_path/'lab', tmp_path/'cfg'
    for d in (root, cfg/'settings'/'@jupyterlab'/'apputils-extension', cfg/'workspaces', cfg/'runtime'): d.mkdir(parents=True)
    (cfg/'settings'/'@jupyterlab'/'apputils-extension'/'notification.jupyterlab-settings').write_text(
        json.dumps({'fetchNews': 'false', 'checkForUpdates': False}))       # no news pop-up over the screenshot
    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(cfg), JUPYTER_RUNTIME_DIR=str(cfg/'runtime'),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')]).rstrip(os.pathsep),
               ROBOLM_HOME=os.environ.get('ROBOLM_HOME', str(ROOT)))
    cmd = [sys.executable, '-m', 'jupyterlab', '--no-browser', '--allow-root', f'--port={port}', '--ServerApp.ip=127.0.0.1',
           f'--IdentityProvider.token={TOKEN}', f'--ServerApp.root_dir={root}', '--LabApp.expose_app_in_browser=True',
           f'--LabApp.user_settings_dir={cfg/"settings"}', f'--LabApp.workspaces_dir={cfg/"workspaces"}']
    log = open(tmp_path/'lab.log', 'w')
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f'http://127.0.0.1:{port}'
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f'{url}/api/status?token={TOKEN}', timeout=2); break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f'JupyterLab did not start ({proc.poll()}):\n{(tmp_path/"lab.log").read_text()[-3000:]}')
                time.sleep(0.5)
        yield url, root, tmp_path
    finally:
        try: os.killpg(proc.pid, signal.SIGTERM)           # the server and the kernels it started
        except ProcessLookupError: pass
        try: proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL); proc.wait(timeout=5)
        log.close()


def test_dashboard_in_jupyterlab(lab):
    exe = chromium()
    sync_api = pytest.importorskip('playwright.sync_api', reason='playwright is not installed (a dev requirement: pip install -e ".[dev]")')
    url, root, tmp = lab
    nb = lab_notebook(root, tmp/'run')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot, page_shot = ARTIFACTS/'monitor_dashboard.png', ARTIFACTS/'monitor_lab.png'
    for p in (shot, page_shot): p.unlink(missing_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=exe, headless=True, args=['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'])
        try:
            page = browser.new_page(viewport={'width': 1280, 'height': 1400})
            errors = []
            page.on('pageerror', lambda e: errors.append(str(e)))
            page.goto(f'{url}/lab/tree/{nb.name}?token={TOKEN}', timeout=60_000)
            page.wait_for_selector('.jp-Notebook .jp-Cell', timeout=60_000)
            page.wait_for_function('''() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
                const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
                return k && k.status === 'idle'; }''', timeout=60_000)
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            # the dashboard renders while the run trains, and ends showing the finished run
            page.wait_for_selector('.robolm-dash .jp-OutputArea-output img, .robolm-dash img', timeout=120_000)
            seen, deadline = set(), time.time() + 150       # what the dashboard shows, polled until the run is over
            while time.time() < deadline:
                st = page.evaluate("() => [...document.querySelectorAll('.robolm-dash .robolm-status')].map(e => e.textContent)")
                labels = page.evaluate("() => [...document.querySelectorAll('.robolm-dash .widget-label')].map(e => e.textContent)")
                seen.update(st); seen.update(labels)
                if 'finished' in st: break
                time.sleep(0.3)
            assert 'finished' in seen, f'the dashboard never showed the run finished; it showed {sorted(seen)}'
            page.wait_for_function('''() => { const w = window.jupyterapp.shell.currentWidget;
                return w.sessionContext.session.kernel.status === 'idle'; }''', timeout=60_000)
            text = page.inner_text('.robolm-dash')
            errs = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')
            err_text = [errs.nth(i).inner_text() for i in range(errs.count())]
            dash = page.locator('.robolm-dash')
            dash.screenshot(path=str(shot))
            page.screenshot(path=str(page_shot))
        finally: browser.close()
    assert not [e for e in err_text if 'Traceback' in e or 'Error' in e], f'a cell failed in JupyterLab:\n{err_text}'
    # refreshed by its background thread while the run trained (no cell re-displayed it)
    # 'waiting' or 'running', then 'finished', with no cell re-displaying it: the background thread refreshed the widget
    # (which earlier states a poll catches depends on the machine's speed)
    assert seen & {'waiting', 'running'} and any('/16 (100%)' in x for x in seen), sorted(seen)
    assert 'finished' in text and 'step 16/16 (100%)' in text and 'best val loss' in text, text
    img = (tmp/'run'/'training_plot.png')
    assert img.exists(), 'the notebook did not run to its end (no training_plot.png)'
    for p in (shot, page_shot):
        assert p.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n' and p.stat().st_size > 10_000, f'{p}: no real screenshot'
