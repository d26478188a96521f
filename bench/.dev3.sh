export PYTHONPATH=$PWD PYTHONUNBUFFERED=1 ROBOLM_HOME=$PWD
rm -rf /tmp/r && mkdir -p /tmp/r && cp -r .exp/gpurun/data .exp/gpurun/tokenizer /tmp/r/
python -c 'import sys; from robolm.cli import main; sys.exit(main(sys.argv[1:]))' train auto --recipe small --run /tmp/r --phase pretrain --max-steps 400 --eval-every 400 --ckpt-every 4000 --sample-every 0 --set log_every=20 --set eval_batches=4 > /tmp/r.log 2>&1
cp /tmp/r/logs/pretrain_metrics.jsonl $OUT/h100_train_auto_small_prefetch_metrics.jsonl
python -c "
import json;rows=[json.loads(l) for l in open('/tmp/r/logs/pretrain_metrics.jsonl')]
print([r.get('tokens_per_s') for r in rows])"
for f in --no-fuse ''; do
python bench/train_throughput.py --dim 768 --layers 12 --heads 6 --vocab 50304 --seq 1024 --batch 32 --autocast-residual --compile-mode reduce-overhead --compile-tuning --steps 40 $f --out $OUT/h100_train_124M_fuse$f.json 2>&1 | tail -1 | cut -c300-700
done
