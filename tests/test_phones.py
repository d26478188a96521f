"""Phone exports (`robolm.phones`, nbs/08b_phones.ipynb).

`test_export_phones` (needs the `phones` extra: `make phones`; run by `make test-phones`, about a minute on 2 cores)
exports a tiny CodeLM, trained for a few seconds so that its next-token choices are confident, with one
`export_phones` call: TFLite FP32/int8/int4 run in the ai-edge-litert interpreter, Core ML int8/int4 packages checked
through their spec. Without the extra it is skipped. `test_missing_extra` runs everywhere: without a converter package
the export stops with the install command before writing anything.
"""
import importlib, sys
from importlib.util import find_spec
from unittest import mock

import pytest
import torch

from robolm.core import RobolmError, read_json, write_json
from robolm.models import CodeLM, ModelConfig
from robolm.phones import HAVE_PHONES, PHONE_PACKAGES, export_phones

# tolerances and thresholds, stated once
FP32_REL_TOL = 1e-5      # TFLite FP32 logits vs PyTorch, relative to the largest logit, over prompt chunks + cached steps
INT8_TOP1 = 0.95         # next-token agreement with PyTorch over the cached greedy decode
INT4_TOP1 = 0.80

def tiny_model():
    "A 2-layer GQA CodeLM fitted for a few seconds to a repeating random sequence (confident predictions), and prompts from it."
    torch.manual_seed(0)
    model = CodeLM(ModelConfig(vocab_size=256, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, max_seq_len=64))
    seq = torch.randint(0, 256, (30,), generator=torch.Generator().manual_seed(1)).repeat(2)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2)
    for _ in range(120):
        loss = model(seq[None, :-1], targets=seq[None, 1:]); opt.zero_grad(); loss.backward(); opt.step()
    s = seq.tolist()
    return model.eval(), [s[:11], s[4:7], s[17:30]]

@pytest.mark.skipif(not HAVE_PHONES, reason="needs the phones extra: make phones (pip install 'robolm[phones]')")
def test_export_phones(tmp_path):
    model, prompts = tiny_model()
    out = tmp_path/'exports'
    write_json(out/'manifest.json', {'exports': [{'format': 'onnx', 'file': 'model.onnx'}]})   # an earlier export: kept
    r = export_phones(model, out=out, prompts=prompts, chunk=4, cache_len=48, max_new_tokens=24, log=print,
                      quant={'tflite': ('fp32', 'int8', 'int4'), 'coreml': ('int8', 'int4')})
    m = read_json(out/'manifest.json')
    files = [e['file'] for e in m['exports']]
    assert files == ['model.onnx', 'model.tflite', 'model.int8.tflite', 'model.int4.tflite', 'model.int8.mlpackage', 'model.int4.mlpackage']
    assert m['model']['n_kv_heads'] == 2 and len(r['exports']) == 5
    e = {x['file']: x for x in m['exports'][1:]}
    for x in e.values():
        assert (out/x['file']).exists() and x['bytes'] > 0 and x['quantization'] and (x['cache_len'], x['chunk']) == (48, 4)
    # TFLite FP32: the same logits as PyTorch over the prompt (in chunks) and 24 cached decode steps; same greedy text
    f32 = e['model.tflite']
    assert f32['decode']['max_rel_logit_error'] < FP32_REL_TOL, f32['decode']
    assert f32['decode']['positions'] == 3 * 25 and f32['decode']['top1_agreement'] == 1.0
    assert f32['parity']['greedy_equal'] == 3 and f32['parity']['max_rel_logit_error'] < FP32_REL_TOL
    assert f32['signatures'] == ['decode', 'prefill']
    # int8 / int4: smaller, and agree on the next token
    assert e['model.int8.tflite']['decode']['top1_agreement'] >= INT8_TOP1, e['model.int8.tflite']['decode']
    assert e['model.int4.tflite']['decode']['top1_agreement'] >= INT4_TOP1, e['model.int4.tflite']['decode']
    assert f32['bytes'] > 2 * e['model.int8.tflite']['bytes'] > 2 * e['model.int4.tflite']['bytes']
    # Core ML: the spec declares the fixed-size float16 cache states, int32 inputs of 1..chunk tokens, float32 logits
    for q in ('int8', 'int4'):
        s = e[f'model.{q}.mlpackage']['spec']
        assert s['states'] == {n: {'dtype': 'float16', 'shape': [2, 1, 2, 48, 16]} for n in ('k_cache', 'v_cache')}
        assert {n: (v['dtype'], v['range']) for n, v in s['inputs'].items()} == {'tokens': ('int32', [[1, 1], [1, 4]]), 'input_pos': ('int32', [[1, 4]])}
        assert s['outputs']['logits']['dtype'] == 'float32'
        assert s['ops']['write_state'] == 2 * 2 and any(t.startswith('constexpr') for t in s['ops'])
        assert e[f'model.{q}.mlpackage']['parity'] is None and e[f'model.{q}.mlpackage']['wrapper_parity']['top1_agreement'] == 1.0
    assert e['model.int4.mlpackage']['bytes'] < e['model.int8.mlpackage']['bytes']

@pytest.mark.parametrize('missing', [m for ms in PHONE_PACKAGES.values() for m in ms])
def test_missing_extra(tmp_path, missing):
    model = CodeLM(ModelConfig(vocab_size=64, dim=32, n_layers=1, n_heads=2, max_seq_len=32))
    out = tmp_path/'exports'
    write_json(out/'manifest.json', {'exports': [{'format': 'onnx', 'file': 'model.onnx'}]})
    before = sorted(out.rglob('*')), (out/'manifest.json').read_bytes()
    for m in (m for ms in PHONE_PACKAGES.values() for m in ms if find_spec(m)):
        importlib.import_module(m)       # imported now, so the patch below adds no module (torch ops register only once)
    with mock.patch.dict(sys.modules, {missing: None}):          # as if the package were not installed
        with pytest.raises(RobolmError, match=r"make phones.*pip install 'robolm\[phones\]'") as e:
            export_phones(model, out=out, prompts=[[1, 2, 3]])
    assert missing in str(e.value)
    assert (sorted(out.rglob('*')), (out/'manifest.json').read_bytes()) == before       # nothing written, nothing lost

def test_bad_request(tmp_path):
    model = CodeLM(ModelConfig(vocab_size=64, dim=32, n_layers=1, n_heads=2, max_seq_len=32))
    with pytest.raises(RobolmError, match="quantization.*'fp16'.*not supported"):
        export_phones(model, formats=('tflite',), quant=('fp16',), out=tmp_path/'x', prompts=[[1]])
    with pytest.raises(RobolmError, match="unknown phone format 'onnx'"):
        export_phones(model, formats=('onnx',), out=tmp_path/'x', prompts=[[1]])
    assert not (tmp_path/'x').exists()
