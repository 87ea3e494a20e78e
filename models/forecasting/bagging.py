"""An average of LightGBM boosters as one booster: ``average_boosters``.

Bagging the global model (boosters that differ only in their seed and row sample, averaged) lowers the
variance of its forecasts. Averaging K boosters is itself a sum of trees — every tree of every booster
with its leaf values divided by K — so the bag is written as one LightGBM model: ``predict``,
``pred_contrib`` (contributions average as the forecasts do) and the ``model.txt`` artifact stay what they
are for a single booster. LightGBM folds each booster's starting value (``boost_from_average``) into its
first tree, so nothing else needs carrying over.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_TREE = re.compile(r"(?m)^(?=Tree=\d+$)")
_VALUES = re.compile(r"(?m)^(leaf_value=|internal_value=)(.*)$")


def average_boosters(boosters: Sequence):
    """One ``lightgbm.Booster`` whose prediction is the mean of ``boosters``' (same features required)."""
    import lightgbm as lgb

    if len(boosters) == 1:
        return boosters[0]
    names = boosters[0].feature_name()
    if any(b.feature_name() != names for b in boosters[1:]):
        raise ValueError("boosters to average must share their features")
    K = len(boosters)
    texts = [b.model_to_string() for b in boosters]
    head = texts[0].partition("\nTree=0\n")[0]
    tail = texts[0].partition("end of trees")[2]
    trees = []
    for text in texts:
        body = "Tree=0\n" + text.partition("\nTree=0\n")[2].partition("end of trees")[0]
        trees += [block.split("\n", 1)[1].strip("\n") for block in _TREE.split(body) if block.strip()]

    def divide(m: re.Match) -> str:
        return m.group(1) + " ".join(repr(float(v) / K) for v in m.group(2).split())

    blocks = [f"Tree={k}\n{_VALUES.sub(divide, tree)}\n\n" for k, tree in enumerate(trees)]
    # LightGBM reads the trees by the byte sizes the header lists.
    head = re.sub(r"(?m)^tree_sizes=.*$", "tree_sizes=" + " ".join(str(len(b)) for b in blocks), head)
    return lgb.Booster(model_str=head + "\n" + "".join(blocks) + "end of trees" + tail)
