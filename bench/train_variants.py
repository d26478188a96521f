# Throughput experiments on the L8 d512 V8192 T1024 B64 shape (not committed): which changes move tokens/s.
import json, os, sys, time, torch, torch.nn as nn, torch.nn.functional as F
from robolm.models import CodeLM, ModelConfig, count_params, apply_rope
torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = True
dev = torch.device('cuda')

class FusedLM(CodeLM):
    "Same model, q/k/v and w1/w3 as single matmuls, loss without the fp32 copy of the logits."
    def __init__(self, cfg, fuse=True, lossfix=True):
        super().__init__(cfg); self.fuse, self.lossfix = fuse, lossfix
        if fuse:
            for l in self.layers:
                a, f = l.attn, l.ffn
                a.wqkv = nn.Linear(cfg.dim, (a.n_heads + 2 * a.n_kv) * a.hd, bias=False)
                f.w13 = nn.Linear(cfg.dim, 2 * f.w1.out_features, bias=False)
                del a.wq, a.wk, a.wv, f.w1, f.w3
    def forward(self, tokens, targets):
        B, T = tokens.shape
        cos, sin = self.rope_cos[:T], self.rope_sin[:T]
        x = self.tok_emb(tokens)
        for l in self.layers:
            a, f = l.attn, l.ffn
            h = l.attn_norm(x)
            if self.fuse:
                q, k, v = a.wqkv(h).split([a.n_heads * a.hd, a.n_kv * a.hd, a.n_kv * a.hd], dim=-1)
            else:
                q, k, v = a.wq(h), a.wk(h), a.wv(h)
            q = q.view(B, T, a.n_heads, a.hd).transpose(1, 2); k = k.view(B, T, a.n_kv, a.hd).transpose(1, 2); v = v.view(B, T, a.n_kv, a.hd).transpose(1, 2)
            q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + a.wo(y.transpose(1, 2).reshape(B, T, -1))
            h = l.ffn_norm(x)
            if self.fuse:
                g, u = f.w13(h).chunk(2, dim=-1)
            else:
                g, u = f.w1(h), f.w3(h)
            x = x + f.w2(F.silu(g) * u)
        logits = self.head(self.norm(x))
        if self.lossfix: return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))
        return F.cross_entropy(logits.float().view(-1, logits.size(-1)), targets.reshape(-1))

def bench(name, model, mode=None, steps=30, B=64, T=1024, V=8192):
    model = model.to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, fused=True)
    fwd = torch.compile(model, mode=mode) if mode != 'none' else model
    x = torch.randint(0, V, (B, T + 1), device=dev)
    def step():
        with torch.autocast('cuda', dtype=torch.bfloat16):
            loss = fwd(x[:, :-1], targets=x[:, 1:]) if not isinstance(model, FusedLM) else fwd(x[:, :-1], x[:, 1:])
        loss.backward(); opt.step(); opt.zero_grad(set_to_none=True); return loss
    for _ in range(6): step()
    torch.cuda.synchronize(); t0 = time.perf_counter()
    for _ in range(steps): loss = step()
    torch.cuda.synchronize(); dt = time.perf_counter() - t0
    tps = B * T * steps / dt; n = count_params(model)
    r = dict(variant=name, tokens_per_s=round(tps), mfu=round(tps * (6 * n + 12 * 8 * 512 * T) / 989e12, 4), params=n,
             mem_gb=round(torch.cuda.max_memory_allocated() / 2**30, 2), loss=float(loss))
    print(json.dumps(r), flush=True); return r

cfg = ModelConfig(vocab_size=8192, dim=512, n_layers=8, n_heads=8, n_kv_heads=8, max_seq_len=1024, tie_embeddings=True)
out = []
torch.manual_seed(0)
out.append(bench('baseline CodeLM', CodeLM(cfg)))
out.append(bench('same graph, own forward', FusedLM(cfg, fuse=False, lossfix=False)))
out.append(bench('loss without fp32 logits copy', FusedLM(cfg, fuse=False, lossfix=True)))
out.append(bench('fused qkv + w13', FusedLM(cfg, fuse=True, lossfix=False)))
out.append(bench('fused + lossfix', FusedLM(cfg, fuse=True, lossfix=True)))
out.append(bench('fused + lossfix, max-autotune-no-cudagraphs', FusedLM(cfg, True, True), mode='max-autotune-no-cudagraphs'))
os.makedirs(os.environ.get('OUT', '/tmp'), exist_ok=True)
open(os.path.join(os.environ.get('OUT', '/tmp'), 'variants.json'), 'w').write(json.dumps(out, indent=1))
