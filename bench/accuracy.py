"""Dev-set accuracy of nlsh's translation: BM25 lookup vs base model vs shipped model (and Gemma).

Thin front for `python -m finetune eval`, which answers every held-out dev instruction through nlsh's
own inference path. Needs the dev split built by `python -m finetune data` (it reads ../shared/data).

    python bench/accuracy.py --data-dir runs/data --systems bm25,base,tuned,gemma
"""

import sys

from finetune.__main__ import main

if __name__ == "__main__":
    sys.exit(main(["eval", *sys.argv[1:]]))
