"""What changed between two editions: entries added, removed, and whose urgency changed, each with why.

Entries are keyed by (chain, occupation), the key an edition holds once. The reason of a removal comes
from ``current``: the new assessment of that occupation × segment (its indicators), when the job has it;
otherwise the sentence says the entry no longer meets the entry rule.
"""

from __future__ import annotations

from collections.abc import Mapping

from models.catalogue.build import iter_entries


def _key(e: Mapping) -> tuple[str, str]:
    return (e["chain"]["code"], e["occupation"]["code"])


def _name(e: Mapping) -> dict:
    return {
        "chain": e["chain"]["code"],
        "occupation": e["occupation"]["code"],
        "name_zh": e["occupation"]["name_zh"],
        "name_en": e["occupation"]["name_en"],
        "chain_name_zh": e["chain"]["name_zh"],
        "chain_name_en": e["chain"]["name_en"],
    }


def _fmt(x) -> str:
    return "n/a" if x is None else f"{x:.2f}"


def diff_documents(
    previous: Mapping | None,
    new: Mapping,
    *,
    current: Mapping[tuple[str, str], Mapping] | None = None,
    previous_label: str = "",
) -> dict:
    """``{"previous": label, "added": [...], "removed": [...], "urgency_changed": [...], "unchanged": n}``.

    ``current``: (chain, occupation) → indicators of this year's assessment for occupations that are
    not entries (so that a removal can say what its indicators are now). Lists are sorted by chain,
    then occupation code, so the diff is deterministic.
    """
    old = {_key(e): e for e in iter_entries(previous)} if previous else {}
    now = {_key(e): e for e in iter_entries(new)}
    current = current or {}
    rules = new.get("rules", {})
    threshold = rules.get("entry_index", 1.5)
    p_min = rules.get("entry_probability", 0.5)
    added, removed, changed = [], [], []
    unchanged = 0
    for key in sorted(set(old) | set(now)):
        if key in now and key not in old:
            e = now[key]
            first = e["reasons"][0]
            added.append(
                {
                    **_name(e),
                    "urgency": e["urgency"]["code"],
                    "reason_zh": f"新增：{first['zh']}",
                    "reason_en": f"added: {first['en']}",
                }
            )
        elif key in old and key not in now:
            e = old[key]
            ind = current.get(key)
            if ind is not None:
                zh = (
                    f"移出：预测求人倍率{_fmt(ind.get('shortage_index'))}，短缺概率"
                    f"{(ind.get('p_short') or 0) * 100:.0f}%，未达到列入标准（求人倍率≥{threshold:g}且概率"
                    f"≥{p_min:.0%}）"
                )
                en = (
                    f"removed: forecast ratio {_fmt(ind.get('shortage_index'))}, P(short) "
                    f"{(ind.get('p_short') or 0):.0%}, below the entry rule (ratio ≥ {threshold:g} and "
                    f"P ≥ {p_min:.0%})"
                )
            else:
                zh = "移出：本年度不再满足列入标准，或在本产业链中排名超出收录上限"
                en = "removed: no longer meets the entry rule this year, or ranks beyond the chain's limit"
            removed.append({**_name(e), "urgency": e["urgency"]["code"], "reason_zh": zh, "reason_en": en})
        else:
            a, b = old[key], now[key]
            if a["urgency"]["code"] == b["urgency"]["code"]:
                unchanged += 1
                continue
            ia, ib = a["indicators"], b["indicators"]
            up = b["urgency"]["rank"] < a["urgency"]["rank"]
            changed.append(
                {
                    **_name(b),
                    "from": a["urgency"]["code"],
                    "to": b["urgency"]["code"],
                    "reason_zh": (
                        f"紧缺程度由{a['urgency']['name_zh']}"
                        f"{'升为' if up else '降为'}{b['urgency']['name_zh']}："
                        f"求人倍率{_fmt(ia['shortage_index'])}→{_fmt(ib['shortage_index'])}，"
                        f"评分点数{ia['points']}→{ib['points']}"
                    ),
                    "reason_en": (
                        f"urgency {'raised' if up else 'lowered'} from {a['urgency']['name_en']} to "
                        f"{b['urgency']['name_en']}: ratio {_fmt(ia['shortage_index'])} → "
                        f"{_fmt(ib['shortage_index'])}, points {ia['points']} → {ib['points']}"
                    ),
                }
            )
    return {
        "previous": previous_label or None,
        "added": added,
        "removed": removed,
        "urgency_changed": changed,
        "unchanged": unchanged,
    }
