"""The method note (编制说明), in zh and en, written from the edition's own rules and provenance.

The thresholds in the sentences are read from the document's ``rules``, so the published explanation
cannot drift from the rules that were applied.
"""

from __future__ import annotations

from collections.abc import Mapping


def method_paragraphs(doc: Mapping) -> list[tuple[str, str]]:
    """(zh, en) paragraphs, in reading order."""
    r = doc["rules"]
    p = doc["provenance"]
    start, end = p["data_window"]["start"], p["data_window"]["end"]
    models = p.get("models", {})
    model_zh = "；".join(f"{k}：{v.get('version', '')}" for k, v in models.items()) or "—"
    return [
        (
            "一、编制依据。依据《关于推进首都人才集群化发展的实施意见》（京办发〔2012〕18号）“定期向海内外发布急需的"
            "高层次人才需求目录”的要求，围绕产业链布局人才链，按产业链及其上、中、下游环节编制本目录。",
            "1. Basis. The policy on talent clusters in the capital (Jing Ban Fa [2012] No. 18) asks for a "
            "regularly published catalogue of urgently needed talent; it is organised by industry chain and "
            "by the upstream, midstream and downstream segments of each chain.",
        ),
        (
            f"二、数据来源。各功能区、产业链环节与职业的月度招聘岗位数、求职人数、薪酬中位数与平均招聘周期，"
            f"数据期间为{start}至{end}。",
            f"2. Data. Monthly postings, job seekers, median offered wages and days to fill per function "
            f"zone, chain segment and occupation, from {start} to {end}.",
        ),
        (
            "三、预测方法。对每一“职业×产业链环节”（各功能区合计）分别预测目录年度12个月的岗位需求与求职人数"
            "（全局梯度提升树模型，保形预测区间）；已观测月份取实际值。预测求人倍率为全年岗位需求均值与求职人数均值"
            f"之比；短缺概率为全年平均求人倍率超过{r['entry_index']:g}的概率。缺口=岗位需求−求职人数，"
            "80%区间假定同一序列各月误差完全相关、供需两侧相互独立。",
            "3. Forecasts. For every occupation × chain segment (all zones together) a global gra"
            "dient-boosted "
            "model forecasts postings and job seekers for the 12 months of the catalogue year, wi"
            "th conformal "
            "intervals; months already observed use the observed values. The forecast shortage index is mean "
            "postings ÷ mean job seekers over the year; P(short) is the probability that the year"
            "'s mean index "
            f"exceeds {r['entry_index']:g}. Gap = postings − job seekers; its 80% interval assumes a series' "
            "monthly errors fully correlated and demand and supply independent.",
        ),
        (
            f"四、列入标准（规则版本{r['version']}）。预测求人倍率不低于{r['entry_index']:g}且短缺概率不低于"
            f"{r['entry_probability']:.0%}的职业列入目录；同一职业在一条产业链中只列一次（取最紧缺的环节），"
            f"每条产业链最多{r['max_entries_per_chain']}项。",
            f"4. Entry (rules version {r['version']}). An occupation enters when its forecast shor"
            "tage index is "
            f"at least {r['entry_index']:g} and P(short) at least {r['entry_probability']:.0%}; it is listed "
            f"once per chain (its most urgent segment), at most {r['max_entries_per_chain']} entri"
            "es per chain.",
        ),
        (
            f"五、紧缺程度。按指标计分：求人倍率≥{r['index_two_points']:g}计2分、≥{r['index_one_point']:g}计1分；"
            f"短缺概率≥{r['probability_point']:.0%}计1分；平均招聘周期同比延长≥{r['fill_growth_point']:.0%}计1分；"
            f"薪酬中位数同比上涨≥{r['wage_growth_point']:.0%}计1分；产业链战略权重≥{r['strategic_point']:g}计1分。"
            f"合计≥{r['severe_points']}分为“特别紧缺”，≥{r['marked_points']}分为“比较紧缺”，其余为“一般紧缺”。"
            "同一等级内按综合得分排序。",
            f"5. Urgency. Points per indicator: shortage index ≥ {r['index_two_points']:g} scores 2, "
            f"≥ {r['index_one_point']:g} scores 1; P(short) ≥ {r['probability_point']:.0%} 1; days"
            " to fill up "
            f"≥ {r['fill_growth_point']:.0%} year on year 1; median wage up ≥"
            f" {r['wage_growth_point']:.0%} 1; "
            f"the chain's strategic weight ≥ {r['strategic_point']:g} 1. {r['severe_points']} poin"
            "ts or more: "
            f"Severe shortage; {r['marked_points']} or more: Marked shortage; otherwise Moderate shortage. "
            "Within a level entries are ordered by a composite score.",
        ),
        (
            "六、其他字段。人才层次取自产业链人才链参考数据；学历与经验为该职业的典型要求；薪酬指导区间为近12个月"
            "各功能区月度薪酬中位数的第25至第75百分位（取整至500元）；重点区域为近12个月岗位需求超出求职人数最多的"
            "功能区；库内可推荐人才为同意“目录推荐”（pool:catalogue）且职业相符的人才数。",
            "6. Other fields. Talent levels come from the chain's talent-chain reference data; education and "
            "experience are the occupation's typical requirements; pay guidance is the 25th–75th "
            "percentile of "
            "the monthly median wages of the last 12 months across zones (rounded to CNY 500); zo"
            "nes are those "
            "where postings most exceeded job seekers over the last 12 months; candidates in pool count "
            "people who consented to catalogue recommendations (pool:catalogue) with that occupation.",
        ),
        (
            f"七、可复现性。同一数据、模型版本、规则版本与随机种子（{p['seed']}）生成逐字节相同的文件。模型：{model_zh}。",
            f"7. Reproducibility. The same data, model versions, rules version and seed ({p['seed']}) give "
            f"byte-identical files. Models: {model_zh}.",
        ),
    ]
