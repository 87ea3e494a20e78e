"""A tiny but complete reference taxonomy written as CSVs, so simulator tests run in seconds.

Four industries (two fast-growing, one flat, one with a graduate-heavy research chain), three segments each,
ten occupations and five zones: enough to exercise every part of the generative model.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from models.taxonomy import Taxonomy

LEVELS = [
    ("top_leading", 1, "拔尖领军", "Top leading talent"),
    ("research_leader", 2, "科研带头", "Research leader"),
    ("innovation_team", 3, "创新团队", "Innovation team member"),
    ("high_level", 4, "高层次", "High-level professional"),
    ("high_skill", 5, "高技能", "High-skill technician"),
    ("professional", 6, "专业人才", "Professional"),
    ("young_reserve", 7, "青年后备", "Young reserve"),
]

OCCUPATIONS = [
    # code, zh, en, isco, group, education, years, skills_zh, skills_en, aliases_zh, aliases_en
    (
        "TC-2512-01",
        "软件工程师",
        "Software engineer",
        "2512",
        2,
        "bachelor",
        3,
        "Java;Python;分布式系统;数据库;微服务",
        "Java;Python;distributed systems;databases;microservices",
        "程序员;开发工程师;后端工程师",
        "software developer;programmer;backend engineer",
    ),
    (
        "TC-2512-02",
        "算法工程师",
        "Algorithm engineer",
        "2512",
        2,
        "master",
        3,
        "机器学习;深度学习;Python;数据挖掘",
        "machine learning;deep learning;Python;data mining",
        "机器学习工程师;AI工程师",
        "ML engineer;AI engineer;machine learning engineer",
    ),
    (
        "TC-2131-01",
        "药物研发科学家",
        "Drug discovery scientist",
        "2131",
        2,
        "doctorate",
        5,
        "药物化学;分子生物学;高通量筛选;药理学",
        "medicinal chemistry;molecular biology;high-throughput screening;pharmacology",
        "新药研发员;药物化学家",
        "medicinal chemist;drug researcher",
    ),
    (
        "TC-2131-02",
        "临床研究员",
        "Clinical research associate",
        "2131",
        2,
        "master",
        3,
        "临床试验;GCP;数据管理;医学写作",
        "clinical trials;GCP;data management;medical writing",
        "CRA;临床监查员",
        "CRA;clinical monitor",
    ),
    (
        "TC-3116-01",
        "制药工艺技术员",
        "Pharmaceutical process technician",
        "3116",
        3,
        "associate",
        2,
        "GMP;工艺验证;设备操作",
        "GMP;process validation;equipment operation",
        "工艺员;生产技术员",
        "process technician;production technician",
    ),
    (
        "TC-2413-01",
        "金融分析师",
        "Financial analyst",
        "2413",
        2,
        "master",
        3,
        "财务建模;估值;行业研究;Excel",
        "financial modelling;valuation;industry research;Excel",
        "投资分析师;研究员",
        "investment analyst;equity analyst",
    ),
    (
        "TC-2413-02",
        "风险管理师",
        "Risk manager",
        "2413",
        2,
        "master",
        5,
        "信用风险;市场风险;风险模型;合规",
        "credit risk;market risk;risk models;compliance",
        "风控经理;风险分析师",
        "risk analyst;risk officer",
    ),
    (
        "TC-2144-01",
        "电池工程师",
        "Battery engineer",
        "2144",
        2,
        "master",
        3,
        "电化学;电池管理系统;材料表征",
        "electrochemistry;battery management systems;materials characterisation",
        "电芯工程师;BMS工程师",
        "cell engineer;BMS engineer",
    ),
    (
        "TC-7233-01",
        "设备维修技师",
        "Equipment maintenance technician",
        "7233",
        6,
        "vocational",
        3,
        "机械维修;电气控制;PLC",
        "mechanical repair;electrical control;PLC",
        "维修工;机修技师",
        "maintenance fitter;mechanic",
    ),
    (
        "TC-2431-01",
        "市场营销经理",
        "Marketing manager",
        "2431",
        2,
        "bachelor",
        5,
        "市场分析;品牌策划;渠道管理",
        "market analysis;brand planning;channel management",
        "营销经理;市场经理",
        "marketing lead;brand manager",
    ),
]

INDUSTRIES = [
    ("NIT", "high_tech", "新一代信息技术", "Next-generation IT", 0.9),
    ("BIO", "strategic_emerging", "生物医药", "Biomedicine", 0.8),
    ("NEV", "strategic_emerging", "新能源汽车", "New-energy vehicles", 0.7),
    ("FIN", "finance", "金融", "Finance", 1.0),
]

SEGMENTS = {
    "NIT": [
        (
            "芯片与基础软件",
            "Chips and base software",
            {"TC-2512-01": 0.5, "TC-2512-02": 0.3, "TC-7233-01": 0.2},
        ),
        ("平台与云服务", "Platforms and cloud", {"TC-2512-01": 0.6, "TC-2512-02": 0.4}),
        ("行业应用", "Industry applications", {"TC-2512-01": 0.5, "TC-2431-01": 0.5}),
    ],
    "BIO": [
        ("药物发现", "Drug discovery", {"TC-2131-01": 0.7, "TC-2512-02": 0.3}),
        ("临床试验", "Clinical trials", {"TC-2131-02": 0.8, "TC-2131-01": 0.2}),
        ("生产制造", "Manufacturing", {"TC-3116-01": 0.7, "TC-7233-01": 0.3}),
    ],
    "NEV": [
        ("电池材料", "Battery materials", {"TC-2144-01": 1.0}),
        ("整车制造", "Vehicle manufacturing", {"TC-7233-01": 0.6, "TC-2144-01": 0.4}),
        ("销售与服务", "Sales and service", {"TC-2431-01": 0.7, "TC-7233-01": 0.3}),
    ],
    "FIN": [
        ("投资研究", "Investment research", {"TC-2413-01": 0.8, "TC-2512-02": 0.2}),
        ("风险管理", "Risk management", {"TC-2413-02": 0.7, "TC-2413-01": 0.3}),
        ("金融科技", "Fintech", {"TC-2512-01": 0.6, "TC-2413-02": 0.4}),
    ],
}

ZONES = [
    ("haidian", "district", "海淀区", "Haidian", "haidian", 2, 2, 39.96, 116.30),
    ("xicheng", "district", "西城区", "Xicheng", "xicheng", 2, 3, 39.91, 116.37),
    ("daxing", "district", "大兴区", "Daxing", "daxing", 4, 3, 39.73, 116.34),
    ("zhongguancun", "core_function_zone", "中关村", "Zhongguancun", "haidian", 1, 2, 39.98, 116.31),
    ("financial_street", "core_function_zone", "金融街", "Financial Street", "xicheng", 1, 3, 39.92, 116.36),
    ("yizhuang", "core_function_zone", "北京经济技术开发区", "Beijing E-Town", "daxing", 3, 4, 39.79, 116.50),
]

ZONE_INDUSTRIES = [
    ("haidian", "NIT", 0.8),
    ("haidian", "BIO", 0.3),
    ("xicheng", "FIN", 0.9),
    ("xicheng", "NIT", 0.2),
    ("daxing", "BIO", 0.6),
    ("daxing", "NEV", 0.5),
    ("zhongguancun", "NIT", 1.0),
    ("zhongguancun", "BIO", 0.4),
    ("financial_street", "FIN", 1.0),
    ("yizhuang", "BIO", 0.8),
    ("yizhuang", "NEV", 0.9),
    ("yizhuang", "NIT", 0.3),
]


def _write(path: Path, header: list[str], rows: list[tuple]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def write_tiny_reference(directory: Path) -> Path:
    """Write a small, internally consistent set of reference CSVs (the columns of data/README.md)."""
    directory.mkdir(parents=True, exist_ok=True)
    _write(
        directory / "cn_major_groups.csv",
        ["cn_major_group", "name_zh", "name_en"],
        [
            (2, "专业技术人员", "Professional and technical personnel"),
            (3, "办事人员和有关人员", "Clerical and related personnel"),
            (6, "生产制造及有关人员", "Production and manufacturing personnel"),
        ],
    )
    _write(
        directory / "talent_levels.csv",
        ["level_code", "rank", "name_zh", "name_en", "description_en"],
        [(*level, f"{level[3]}.") for level in LEVELS],
    )
    _write(
        directory / "clusters.csv",
        ["cluster_code", "name_zh", "name_en", "kind"],
        [
            ("finance", "金融", "Finance", "world_class"),
            ("high_tech", "高技术", "High-tech", "world_class"),
            ("strategic_emerging", "战略性新兴产业", "Strategic emerging industries", "strategic_emerging"),
        ],
    )
    _write(
        directory / "industries.csv",
        ["industry_code", "cluster_code", "name_zh", "name_en", "strategic_weight", "description_en"],
        [(*industry, f"The {industry[3]} chain.") for industry in INDUSTRIES],
    )
    segments, links = [], []
    streams = ("upstream", "midstream", "downstream")
    for industry, chain in SEGMENTS.items():
        for position, (zh, en, occupations) in enumerate(chain, start=1):
            code = f"{industry}-{position}"
            segments.append((code, industry, position, streams[position - 1], zh, en, f"{en}."))
            for occupation, weight in occupations.items():
                levels = "professional;young_reserve;high_level"
                if occupation in ("TC-2131-01", "TC-2512-02", "TC-2144-01"):
                    levels = "top_leading;research_leader;innovation_team;young_reserve;professional"
                elif occupation in ("TC-7233-01", "TC-3116-01"):
                    levels = "high_skill;professional;young_reserve"
                links.append((code, occupation, weight, levels))
    _write(
        directory / "segments.csv",
        ["segment_code", "industry_code", "position", "stream", "name_zh", "name_en", "description_en"],
        segments,
    )
    _write(
        directory / "segment_occupations.csv",
        ["segment_code", "occupation_code", "weight", "talent_levels"],
        links,
    )
    _write(
        directory / "occupations.csv",
        [
            "occupation_code",
            "name_zh",
            "name_en",
            "isco08_unit",
            "cn_major_group",
            "typical_education",
            "typical_experience_years",
            "skills_zh",
            "skills_en",
        ],
        [o[:9] for o in OCCUPATIONS],
    )
    aliases = []
    for o in OCCUPATIONS:
        aliases += [(o[0], "zh", a) for a in o[9].split(";")] + [(o[0], "en", a) for a in o[10].split(";")]
    _write(directory / "occupation_aliases.csv", ["occupation_code", "lang", "alias"], aliases)
    _write(
        directory / "zones.csv",
        ["zone_code", "kind", "name_zh", "name_en", "district_code", "grid_row", "grid_col", "lat", "lon"],
        ZONES,
    )
    _write(directory / "zone_industries.csv", ["zone_code", "industry_code", "intensity"], ZONE_INDUSTRIES)
    return directory


@pytest.fixture(scope="session")
def tiny_taxonomy(tmp_path_factory) -> Taxonomy:
    return Taxonomy.load(write_tiny_reference(tmp_path_factory.mktemp("reference")))


CUTOFF = "2024-06"


@pytest.fixture(scope="session")
def simulated(tiny_taxonomy, tmp_path_factory):
    """One small simulation shared by the read-only tests: (output directory, manifest)."""
    from training.simulate import simulate

    out = tmp_path_factory.mktemp("simulated")
    manifest = simulate(
        tiny_taxonomy, seed=11, out_dir=out, cutoff=CUTOFF, n_profiles=2_500, chunk_size=1_000
    )
    return out, manifest
