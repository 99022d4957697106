#!/usr/bin/env bash
# Full fine-tuning of nlsh's model on a lent GPU, over all the training data for several epochs in
# bf16 within a time budget, exported as a llama.cpp adapter GGUF (each weight's update cut to
# --svd-rank by SVD), with its timings and logs.
#
# A device call carries the checkout plus at most 64 MiB, and the base GGUF alone is 98 MB, so what
# the run needs (base, data, wheels) is packed here into one payload cut in two, and the device
# machine gets it in two calls on the same warm machine (it stays warm 30 s after a call):
#
#   here:    bash bench/gpu_train.sh prepare      # builds the data, packs .gpu1/ and .gpu2/ (git-ignored)
#   call 1:  command "bash bench/gpu_train.sh stash",  carry [".gpu1"]               (seconds)
#   call 2:  command "MINUTES=6 bash bench/gpu_train.sh train", carry [".gpu2"], timeout_s 600
#
# 15 minutes of device time in all: about 1.5 to start the machine, seconds for call 1, and call 2
# is MINUTES of training plus about 2.5 (unpack, load and tokenise, export), so MINUTES=6 leaves room
# for a start-up that runs long. Call 2 writes to $OUT: adapter-best.gguf and adapter-last.gguf (in
# parts of 15 MiB, `.part-aa` ..., when larger: `cat adapter-best.gguf.part-* > adapter-best.gguf`),
# timings.json and logs.tgz (train log, log.json, loss.png, export logs, versions).
#
# prepare reads these (defaults in brackets):
#   BASE       the base model, a GGUF file or an HF folder [the bundled SmolLM2-135M-Instruct GGUF]
#   DATA_DIR   train.jsonl and dev.jsonl already built [built now by `python -m finetune data $DATA_ARGS`]
#   DATA_ARGS  [--train-limit 0 --everyday-repeat 3 --task-example-share 0.5 --everyday-dev-fraction 0, and
#              --core-pairs $CORE --core-count 1000000000 where CORE (runs/core/pairs.jsonl) is built]
#   EXTRA      more training records (finetune.records JSONL, e.g. runs/rft/accepted.jsonl), space-separated
#   WHEELS     1: fetch the packages the GPU image lacks (pydantic, bashlex, gguf) for its Python 3.12 [1]
# train reads MINUTES [6], EPOCHS [8], LR [1e-4], FIRST_LAYER [0: all layers], BATCH_TOKENS [16384],
# EVAL_EVERY [400], SVD_RANK [32], DTYPE [bf16], STASH [/root/stash], PYTHON [python3].
# The dry run on a CPU (test_the_gpu_script_trains_and_exports_on_a_cpu in tests/test_finetune.py)
# sets BASE to a tiny random Llama, WHEELS=0, a few seconds of MINUTES, and runs all three steps here.
set -uo pipefail
export PYTHONUNBUFFERED=1 TOKENIZERS_PARALLELISM=false TQDM_MININTERVAL=20
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
STASH=${STASH:-/root/stash}
CARRY=${CARRY:-.}  # where .gpu1/ and .gpu2/ are: the checkout, as the device calls carry them
CORE=${CORE:-runs/core/pairs.jsonl}  # the verified core pairs (`python -m finetune core`), all of them when built
DATA_ARGS=${DATA_ARGS:---train-limit 0 --everyday-repeat 3 --task-example-share 0.5 --everyday-dev-fraction 0$(
  [ -f "$CORE" ] && echo " --core-pairs $CORE --core-count 1000000000")}
LIMIT=$((64 * 1024 * 1024))  # what one device call carries, the checkout included
WHEEL_PACKAGES="pydantic pydantic_core annotated_types typing_inspection typing_extensions bashlex gguf"

say() { echo "[$(date +%H:%M:%S)] $*"; }
die() { echo "gpu_train.sh: $*" >&2; exit "${2:-1}"; }

tree_bytes() {  # what a device call sends besides the carried folders: tracked and untracked, not ignored
  git ls-files -z --cached --others --exclude-standard | xargs -0 stat -c %s 2>/dev/null | awk '{s += $1} END {print s + 0}'
}

prepare() {
  local work base data tree part
  work=$(mktemp -d)
  trap 'rm -rf "$work"' RETURN
  base=${BASE:-$($PYTHON -c 'from nlsh.bundled import default_model_path; print(default_model_path())')}
  [ -e "$base" ] || die "no base model at $base" 2
  mkdir -p "$work/payload/data"
  tar -C "$(dirname "$base")" -chf "$work/payload/base.tar" "$(basename "$base")" || die "cannot pack $base"
  data=${DATA_DIR:-}
  if [ -z "$data" ]; then
    data=$work/built
    say "building the data: python -m finetune data $DATA_ARGS"
    # shellcheck disable=SC2086  # DATA_ARGS is a list of flags
    $PYTHON -m finetune data --out-dir "$data" $DATA_ARGS > "$work/data.log" \
      || die "python -m finetune data failed: $(tail -3 "$work/data.log")"
  fi
  for f in train.jsonl dev.jsonl; do
    [ -f "$data/$f" ] || die "no $f in $data" 2
    cp "$data/$f" "$work/payload/data/"
  done
  local n=0
  for f in ${EXTRA:-}; do
    [ -f "$f" ] || die "no such file: $f" 2
    n=$((n + 1)); cp "$f" "$work/payload/data/extra-$n.jsonl"
  done
  if [ "${WHEELS:-1}" = 1 ]; then
    mkdir -p "$work/payload/wheels"
    local pins=""
    for p in $WHEEL_PACKAGES; do pins="$pins $p==$($PYTHON -c "import importlib.metadata as m; print(m.version('$p'))")"; done
    # shellcheck disable=SC2086
    $PYTHON -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
      --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
      -d "$work/payload/wheels" $pins 2> "$work/pip.log" || die "pip download failed for:$pins: $(tail -1 "$work/pip.log")"
  fi
  # xz: the JSONL shrinks about 12-fold, the Q4_1 base by about 9%; the device unpacks it with Python's lzma.
  (cd "$work/payload" && tar -cf - . | xz -6 -T2 > "$work/payload.tar") || die "cannot pack the payload"
  tree=$(tree_bytes)
  part=$(( (LIMIT - tree - 2 * 1024 * 1024) ))  # 2 MiB to spare for files others add before the call
  local size; size=$(stat -c %s "$work/payload.tar")
  [ $((2 * part)) -ge "$size" ] || die "the payload ($((size >> 20)) MiB) does not fit two calls beside the checkout ($((tree >> 20)) MiB)"
  part=$(( (size + 1) / 2 ))
  rm -rf "$CARRY/.gpu1" "$CARRY/.gpu2" && mkdir -p "$CARRY/.gpu1" "$CARRY/.gpu2"
  split -b "$part" -a 1 "$work/payload.tar" "$work/payload.part-"
  mv "$work/payload.part-a" "$CARRY/.gpu1/" && mv "$work/payload.part-b" "$CARRY/.gpu2/"
  sha256sum < "$work/payload.tar" | cut -d' ' -f1 > "$CARRY/.gpu2/payload.sha256"
  say "payload $((size >> 20)) MiB in .gpu1/ and .gpu2/; the checkout sends $((tree >> 20)) MiB with each"
  du -sh "$CARRY/.gpu1" "$CARRY/.gpu2"
}

stash() {
  [ -f "$CARRY/.gpu1/payload.part-a" ] || die "no .gpu1/payload.part-a: carry .gpu1 in this call" 2
  mkdir -p "$STASH" && cp "$CARRY/.gpu1/payload.part-a" "$STASH/" || die "cannot stash the payload's first part"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || true
  $PYTHON -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available())"
  say "stashed $(du -h "$STASH/payload.part-a" | cut -f1) in $STASH; now call 2 within 30 s"
}

train() {
  local out=${OUT:-runs/gpu} work=${WORK:-/tmp/gpu_train} t0 t1 t2 t3
  mkdir -p "$out" && out=$(cd "$out" && pwd)
  t0=$(date +%s)
  [ -f "$STASH/payload.part-a" ] || die "no first part in $STASH: run call 1 (stash) on this machine first" 3
  [ -f "$CARRY/.gpu2/payload.part-b" ] || die "no .gpu2/payload.part-b: carry .gpu2 in this call" 2
  rm -rf "$work" && mkdir -p "$work/in"
  cat "$STASH/payload.part-a" "$CARRY/.gpu2/payload.part-b" > "$work/payload.tar"
  [ "$(sha256sum < "$work/payload.tar" | cut -d' ' -f1)" = "$(cat "$CARRY/.gpu2/payload.sha256")" ] || die "the payload is corrupt (parts from two prepares?)" 4
  $PYTHON -c "import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)" "$work/payload.tar" \
    | tar -xf - -C "$work/in" || die "cannot unpack the payload" 4
  # The carried wheels go in only where the packages are missing (the GPU image has no pydantic).
  if [ -d "$work/in/wheels" ] && ! $PYTHON -c "import pydantic, bashlex, gguf" 2>/dev/null; then
    $PYTHON -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target "$work/site" \
      "$work"/in/wheels/*.whl || die "pip install of the carried wheels failed" 5
    export PYTHONPATH=$work/site:$PWD${PYTHONPATH:+:$PYTHONPATH}
  fi
  tar -xf "$work/in/base.tar" -C "$work/in" || die "cannot unpack the base" 4
  local base; base=$(tar -tf "$work/in/base.tar" | head -1); base=$work/in/${base%/}
  {
    nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo "no GPU"
    $PYTHON -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)"
    wc -l "$work"/in/data/*.jsonl
  } | tee "$work/versions.txt"
  local extra=()
  for f in "$work"/in/data/extra-*.jsonl; do [ -f "$f" ] && extra+=(--extra "$f"); done
  t1=$(date +%s)
  say "training: full fine-tuning of layers ${FIRST_LAYER:-0}+ for up to ${EPOCHS:-8} epochs or ${MINUTES:-6} minutes"
  $PYTHON -m finetune train --base "$base" --data-dir "$work/in/data" "${extra[@]}" --out-dir "$work/run" \
    --full --lora-first-layer "${FIRST_LAYER:-0}" --dtype "${DTYPE:-bf16}" --lr "${LR:-1e-4}" \
    --epochs "${EPOCHS:-8}" --minutes "${MINUTES:-6}" --batch-tokens "${BATCH_TOKENS:-16384}" --warmup-steps 50 \
    --eval-every "${EVAL_EVERY:-400}" --eval-records 16 --patience 1000 --save-every 1000000 --seed 0 \
    > "$work/train.log" 2>&1
  local rc=$?
  t2=$(date +%s)
  tr '\r' '\n' < "$work/train.log" | grep -E "epoch|dev loss|budget|early|Error|error" | tail -30
  [ $rc = 0 ] || { tail -20 "$work/train.log"; finish "$out" "$work" "$t0" "$t1" "$t2" "$t2"; die "training failed (exit $rc)" 6; }
  for w in best last; do  # in parallel: each loads the base and cuts 210 updates by SVD
    [ -f "$work/run/$w/weights.pt" ] && OMP_NUM_THREADS=4 timeout 150 $PYTHON -m finetune export \
      --weights "$work/run/$w" --base "$base" --out "$work/adapter-$w.gguf" --svd-rank "${SVD_RANK:-32}" \
      > "$work/export-$w.log" 2>&1 &
  done
  wait
  t3=$(date +%s)
  cat "$work"/export-*.log
  for w in best last; do
    local f=$work/adapter-$w.gguf
    [ -f "$f" ] || continue
    if [ "$(stat -c %s "$f")" -gt $((15 * 1024 * 1024)) ]; then  # a file coming back is at most 16 MiB
      split -b 15M "$f" "$out/adapter-$w.gguf.part-"
    else
      cp "$f" "$out/"
    fi
  done
  finish "$out" "$work" "$t0" "$t1" "$t2" "$t3"
  ls -la "$out"
}

finish() {  # timings.json and logs.tgz, also after a failed run
  local out=$1 work=$2
  $PYTHON - "$work" "$3" "$4" "$5" "$6" > "$out/timings.json" <<'EOF'
import json, re, sys
from pathlib import Path
work, t0, t1, t2, t3 = Path(sys.argv[1]), *map(int, sys.argv[2:])
log = json.loads((work / "run" / "log.json").read_text()) if (work / "run" / "log.json").exists() else []
text = (work / "train.log").read_text(errors="replace").replace("\r", "\n") if (work / "train.log").exists() else ""
epochs = [dict(zip(("epoch", "step", "minutes", "tokens_per_s"), map(float, m)))
          for m in re.findall(r"epoch (\d+) done at step (\d+): ([\d.]+) minutes since start, (\d+) tokens/s", text)]
evals = [{k: r[k] for k in ("step", "dev_loss", "dev_exact")} for r in log if "dev_loss" in r]
exports = {}
for f in sorted(work.glob("export-*.log")):
    m = re.search(r"\{.*\}", f.read_text())
    exports[f.stem] = m.group(0) if m else f.read_text()[-300:]
print(json.dumps({"unpack_install_s": t1 - t0, "train_s": t2 - t1, "export_s": t3 - t2, "steps": log[-1]["step"] if log else 0,
                  "final_loss": log[-1]["loss"] if log else None, "tokens_per_s": log[-1]["tok_s"] if log else None,
                  "epochs": epochs, "evals": evals, "exports": exports,
                  "versions": (work / "versions.txt").read_text() if (work / "versions.txt").exists() else ""}, indent=2))
EOF
  (cd "$work" && tar czf "$out/logs.tgz" train.log versions.txt export-*.log run/log.json run/loss.png 2>/dev/null)
}

case "${1:-}" in
  prepare) prepare ;;
  stash) stash ;;
  train) train ;;
  *) die "usage: bash bench/gpu_train.sh prepare|stash|train (see the header)" 2 ;;
esac
