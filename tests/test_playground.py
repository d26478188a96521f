"""The playground's callbacks, driven through its widgets as a person would (an untrained model: the plumbing, not the code)."""
import pytest
torch = pytest.importorskip('torch')
pytest.importorskip('ipywidgets')

from robolm.infer import Generator, Playground
from robolm.models import CodeLM, ModelConfig
from robolm.tokenizers import train_bpe, hf_to_tiktoken, TokenizerConfig


@pytest.fixture(scope='module')
def gen():
    enc = hf_to_tiktoken(train_bpe(['from machine import Pin\nled = Pin(2, Pin.OUT)\nvoid setup() {}\n' * 50], TokenizerConfig(vocab_size=300)))
    torch.manual_seed(0)
    return Generator(CodeLM(ModelConfig(vocab_size=300, dim=32, n_layers=1, n_heads=2, max_seq_len=64)), enc)


def test_language_fills_the_prompt(gen):
    pg = Playground(gen, {'en': 'Blink an LED', 'hi': 'एलईडी जलाओ', 'ta': 'எல்இடி ஒளிரச் செய்'})
    assert pg.prompt.value == 'Blink an LED'
    pg.language.value = 'ta'
    assert pg.prompt.value == 'எல்இடி ஒளிரச் செய்'


def test_generate_uses_every_widget(gen):
    pg = Playground(gen, {'en': 'Blink an LED'})
    pg.prompt.value, pg.max_new_tokens.value = 'Beep the buzzer', 8
    pg.button.click()
    g = pg.last
    assert (g.prompt, g.target) == ('Beep the buzzer', 'micropython') and g.new_tokens <= 8
    assert pg.code.value == g.code and 'syntax' in pg.mark.value and 'tokens in' in pg.timing.value
    # sampling sliders and the seed reach the decoder: same seed, same program; greedy ignores the seed
    pg.temperature.value, pg.top_k.value, pg.top_p.value, pg.seed.value = 1.2, 50, 0.9, 7
    a = pg.on_generate().code
    assert pg.on_generate().code == a
    pg.temperature.value = 0.0
    assert pg.on_generate().code == g.code


def test_target_switch_gives_a_compile_mark(gen):
    pg = Playground(gen, {'en': 'Blink an LED'})
    pg.target.value, pg.max_new_tokens.value = 'arduino', 8
    pg.button.click()
    assert pg.last.target == 'arduino' and 'compile' in pg.mark.value and not pg.button.disabled
