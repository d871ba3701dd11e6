"""claimgraph's benchmark: synthetic corpora at several sizes, each operation beside its baseline.

Run ``python -m bench --sizes 10k,100k,1M`` (see ``python -m bench --help``); it writes
``bench/results.md`` and ``bench/results.json``.
"""
