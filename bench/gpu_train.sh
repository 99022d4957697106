#!/usr/bin/env bash
# Phase 26: train nlsh's adapter on a lent GPU (one H200), over all the training data for up to four
# passes or $MINUTES minutes, three recipes at once on the one GPU (a 135M model leaves it mostly idle), then export each
# as a llama.cpp LoRA GGUF. The figures it prints (tokens/s, minutes per epoch) are the README's.
#
# What it needs beside the checkout, gathered in a stash folder (default /root/stash), because a
# device call carries at most 64 MiB and the base GGUF alone is 98 MB:
#   base.part*   the bundled SmolLM2-135M-Instruct.Q4_1.gguf cut in pieces (`split -b`), base.sha256
#   data.tgz     train.jsonl and dev.jsonl built here by `python -m finetune data`
#   *.whl        packages the GPU image lacks (pydantic and its parts, bashlex, gguf; peft at the
#                version tested here)
# Phase 26 carried base.part0 in .gpu1/ (first call: `mkdir -p /root/stash && cp .gpu1/* /root/stash/`)
# and the rest in .gpu2/, which this script copies into the stash (second call, same warm machine).
# Run there as:  MINUTES=5.5 bash bench/gpu_train.sh     (writes adapters and logs.tgz to $OUT)
# Size MINUTES to the call: loading and tokenising take about a minute before the budget starts,
# saving and exporting about another.
set -uo pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false TQDM_MININTERVAL=20
STASH=${STASH:-/root/stash}
OUT=${OUT:-runs/gpu}
MINUTES=${MINUTES:-5.5}
BATCH_TOKENS=${BATCH_TOKENS:-16384}  # a smaller value lets the script itself be tried on a CPU
EVAL_EVERY=${EVAL_EVERY:-300}
mkdir -p "$STASH" "$OUT"
OUT=$(cd "$OUT" && pwd)
[ -d .gpu2 ] && cp .gpu2/* "$STASH"/
ls "$STASH"/base.part* >/dev/null 2>&1 || { echo "no base parts in $STASH (a fresh machine?)"; exit 3; }

BASE=/tmp/base/SmolLM2-135M-Instruct.Q4_1.gguf
mkdir -p /tmp/base /tmp/data
cat "$STASH"/base.part* > "$BASE"
echo "$(cat "$STASH"/base.sha256)  $BASE" | sha256sum -c --quiet - || { echo "base GGUF corrupt"; exit 4; }
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
  "$STASH"/*.whl || exit 5
export PYTHONPATH=/tmp/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
tar xzf "$STASH"/data.tgz -C /tmp/data || exit 6
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python3 -c "import torch, transformers, peft; print('torch', torch.__version__, 'transformers', transformers.__version__, 'peft', peft.__version__)"
wc -l /tmp/data/*.jsonl

common=(--base "$BASE" --data-dir /tmp/data --batch-tokens "$BATCH_TOKENS" --warmup-steps 50 --eval-every "$EVAL_EVERY"
        --eval-records 16 --patience 100 --save-every 1000000 --minutes "$MINUTES")
# A: the shipped adapter (phase 25: LoRA r=16 on layers 10-29) trained on over all the data.
# B: full fine-tuning of layers 10-29 from the shipped adapter folded in; ships as a rank-32 SVD adapter.
# C: a fresh LoRA r=16 on all 30 layers from the untuned base: what the GPU recipe does on its own.
python3 -m finetune train "${common[@]}" --out-dir /tmp/A --init nlsh/data/nlsh-lora.gguf \
  --lora-first-layer 10 --lr 3e-4 --epochs 4 --seed 26 > /tmp/A.log 2>&1 &
python3 -m finetune train "${common[@]}" --out-dir /tmp/B --init nlsh/data/nlsh-lora.gguf --full \
  --lora-first-layer 10 --lr 5e-5 --epochs 4 --seed 26 > /tmp/B.log 2>&1 &
python3 -m finetune train "${common[@]}" --out-dir /tmp/C --lora-first-layer 0 --lr 6e-4 --epochs 4 \
  --seed 26 > /tmp/C.log 2>&1 &
wait
nvidia-smi --query-gpu=memory.used --format=csv,noheader || true

for r in A B C; do
  for w in last best; do
    # few threads each: six exports with every core apiece stalled B's SVDs past the call's limit
    [ -f /tmp/$r/$w/weights.pt ] && OMP_NUM_THREADS=2 timeout 240 python3 -m finetune export \
      --weights /tmp/$r/$w --base "$BASE" --out "$OUT/$r-$w.gguf" --svd-rank 32 > /tmp/export-$r-$w.log 2>&1 &
  done
done
wait
for r in A B C; do
  echo "== $r"; tr '\r' '\n' < /tmp/$r.log | grep -E "epoch|dev loss|budget|early|resumed|Error|error" | tail -30
  tr '\r' '\n' < /tmp/$r.log | grep -E "it/s|s/it" | tail -1
  cp /tmp/$r/log.json /tmp/$r-log.json 2>/dev/null; cp /tmp/$r/loss.png /tmp/$r-loss.png 2>/dev/null
done
cat /tmp/export-*.log
(cd /tmp && tar czf "$OUT/logs.tgz" A.log B.log C.log export-*.log ./*-log.json ./*-loss.png 2>/dev/null)
ls -la "$OUT"
