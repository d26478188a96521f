"""The monitoring dashboard driven as widget objects: a fake run folder whose metrics file grows while we watch."""
import json, time
from pathlib import Path

import pytest

from robolm.monitor import Dashboard, read_run, write_fake_run


def append(run:Path, *rows, phase='pretrain', raw:str=''):
    with open(run/'logs'/f'{phase}_metrics.jsonl', 'a') as f:
        for r in rows: f.write(json.dumps(r) + '\n')
        f.write(raw)


def curves(d:Dashboard)->dict:
    "label -> (x, y) of the lines on the dashboard's loss and LR axes"
    out = {}
    for ax in d.fig.axes:
        for ln in ax.lines: out[ln.get_label() if not ln.get_label().startswith('_') else ax.get_title()] = (list(ln.get_xdata()), list(ln.get_ydata()))
    return out


def test_dashboard_follows_a_growing_log(tmp_path):
    run = write_fake_run(tmp_path/'run', steps=20, max_steps=100, samples=False)   # half-written line at the end
    d = Dashboard(run, refresh_s=0)
    assert not d.refreshing
    assert (d.progress.value, d.progress.max) == (20, 100)
    assert 'step 20/100 (20%)' in d.progress_label.value and 'ETA 40s' in d.progress_label.value
    assert 'pretrain' in d.title.value and 'running' in d.title.value
    assert d.samples.value == '' and d.notes.value == ''
    c0, png0 = curves(d), d.plot.value
    assert c0['train'][0] == [10, 20] and c0['validation'] == ([20], [pytest.approx(6.2 * 0.985 ** 20, abs=1e-4)])

    # the trainer finishes the half-written line, logs two more with a validation pass and samples
    append(run, raw='5}\n')
    append(run, {'step': 40, 'loss': 1.5, 'lr': 1e-3, 'elapsed': 20.0, 'val_loss': 1.7, 'mfu': 0.37, 'memory_gb': 3.5,
                 'samples': [{'prompt': 'Blink an LED on pin 2', 'text': 'from machine import Pin\nled = Pin(2, Pin.OUT)', 'syntax_ok': True}]})
    v = d.update()
    assert v.step == 40 and d.progress.value == 40
    assert 'step 40/100 (40%)' in d.progress_label.value and 'ETA 30s' in d.progress_label.value   # 2 steps/s, 60 left
    assert 'MFU</b> 37.0%' in d.stats.value and '3.50 GB' in d.stats.value and '1.7000' in d.stats.value
    assert 'samples at step 40' in d.samples.value and 'led = Pin(2, Pin.OUT)' in d.samples.value and 'syntax_ok=True' in d.samples.value
    c1 = curves(d)
    assert c1['train'][0] == [10, 20, 30, 40] and c1['train'][1][-1] == 1.5       # the completed line (step 30) is read
    assert c1['validation'][0] == [20, 40] and c1['learning rate'][0][-1] == 40
    assert d.plot.value != png0

    # a damaged line is reported with file and line, the rest still shown
    append(run, {'step': 50, 'loss': 'NaN?', 'lr': 1e-3, 'elapsed': 25.0}, raw='not json\n')
    d.update()
    assert d.progress.value == 50
    assert 'pretrain_metrics.jsonl:5: field &#x27;loss&#x27; is' in d.notes.value and 'pretrain_metrics.jsonl:6: not JSON' in d.notes.value

    # the phase ends: summary written, bar complete, no ETA
    append(run, {'step': 100, 'loss': 1.0, 'lr': 3e-4, 'elapsed': 50.0, 'val_loss': 1.2})
    (run/'logs'/'pretrain_summary.json').write_text(json.dumps({'phase': 'pretrain', 'step': 100, 'stopped_early': False, 'best_val_loss': 1.2}))
    d.update()
    assert d.progress.value == d.progress.max == 100 and d.progress.bar_style == 'success'
    assert 'finished' in d.title.value and 'ETA -' in d.progress_label.value


def test_dashboard_refreshes_in_the_background_and_stops_when_done(tmp_path):
    run = write_fake_run(tmp_path/'run', steps=10, max_steps=30, partial=False)
    d = Dashboard(run, refresh_s=0.05)
    try:
        assert d.refreshing and d.progress.value == 10
        append(run, {'step': 20, 'loss': 2.0, 'lr': 1e-3, 'elapsed': 10.0})
        deadline = time.time() + 10
        while d.progress.value != 20 and time.time() < deadline: time.sleep(0.05)
        assert d.progress.value == 20, 'the background refresh did not pick up the new line'
        append(run, {'step': 30, 'loss': 1.0, 'lr': 1e-3, 'elapsed': 15.0})
        (run/'logs'/'pretrain_summary.json').write_text(json.dumps({'step': 30, 'stopped_early': False}))
        deadline = time.time() + 10
        while d.refreshing and time.time() < deadline: time.sleep(0.05)
        assert not d.refreshing and d.progress.value == 30 and 'finished' in d.title.value
    finally: d.stop()


def test_dashboard_on_an_empty_folder_waits_for_the_first_line(tmp_path):
    d = Dashboard(tmp_path, refresh_s=0)
    assert d.view.status == 'waiting' and 'no logs yet' in d.title.value and d.progress.value == 0
    write_fake_run(tmp_path, steps=10, max_steps=40, partial=False, phase='finetune')
    d.update()
    assert d.view.phase == 'finetune' and d.progress.value == 10 and d.progress.max == 40


def test_resumed_run_speed_uses_the_current_process(tmp_path):
    run = tmp_path/'run'; (run/'logs').mkdir(parents=True)
    rows = [{'step': s, 'loss': 2.0, 'elapsed': s * 1.0, 'max_steps': 100} for s in (10, 20, 30)]   # 1 step/s
    rows += [{'step': s, 'loss': 2.0, 'elapsed': (s - 30) * 0.25, 'max_steps': 100} for s in (40, 50)]  # resumed: 4 steps/s
    append(run, *rows)
    v = read_run(run)
    assert v.steps_per_s() == pytest.approx(4.0) and v.eta_s == pytest.approx(50 / 4)
    assert v.elapsed == pytest.approx(30 + 5)
