"""Rendering a block of latent people as import-format ``profiles`` rows (docs/import-format.md).

The text is generated from the latent occupation's names, aliases and skills, in Chinese, English or
both, with the noise real CVs have: aliases instead of canonical names, partial skill lists, skills of a
neighbouring occupation, rare typos.
"""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pandas as pd

from models.taxonomy import Taxonomy
from training.simulate import names
from training.simulate.people import AGE_BANDS, EDUCATION_ORDER, PeopleContext, block_rng

PROFILE_COLUMNS = [
    "external_ref",
    "name",
    "phone",
    "id_number",
    "email",
    "summary",
    "titles",
    "skills",
    "education_level",
    "field_of_study",
    "years_experience",
    "talent_level",
    "zone_code",
    "occupation_code",
    "age_band",
    "publications",
    "patents",
    "languages",
    "consent_scopes",
    "updated_at",
]
PROJECT_KINDS = ("research", "industrialisation", "innovation_team", "startup", "talent_programme")
EDUCATION_ZH = {
    "doctorate": "博士",
    "master": "硕士",
    "bachelor": "本科",
    "associate": "大专",
    "vocational": "中专",
    "secondary": "高中",
}
EDUCATION_EN = {
    "doctorate": "PhD",
    "master": "Master's degree",
    "bachelor": "Bachelor's degree",
    "associate": "Associate degree",
    "vocational": "Vocational diploma",
    "secondary": "Secondary school",
}
SENIOR = {
    "top_leading": ("首席", "Chief "),
    "research_leader": ("首席", "Principal "),
    "high_level": ("高级", "Senior "),
    "high_skill": ("高级", "Senior "),
    "young_reserve": ("助理", "Junior "),
}
LEVEL_PHRASE_ZH = {
    "top_leading": "入选国家级领军人才计划，",
    "research_leader": "担任学科带头人，",
    "innovation_team": "作为创新团队核心成员，",
    "high_skill": "持有高级技师证书，",
}
LEVEL_PHRASE_EN = {
    "top_leading": "Recognised as a national leading talent. ",
    "research_leader": "Leads a research group. ",
    "innovation_team": "Core member of a funded innovation team. ",
    "high_skill": "Certified senior technician. ",
}
# Field of study by ISCO-08 prefix (longest prefix wins).
FIELDS = {
    "211": ("物理学", "Physics"),
    "2113": ("化学", "Chemistry"),
    "212": ("统计学", "Statistics"),
    "213": ("生物学", "Biology"),
    "214": ("工程学", "Engineering"),
    "2144": ("机械工程", "Mechanical engineering"),
    "2145": ("化学工程", "Chemical engineering"),
    "2146": ("材料科学与工程", "Materials science"),
    "2143": ("环境工程", "Environmental engineering"),
    "215": ("电子信息工程", "Electronic engineering"),
    "216": ("设计学", "Design"),
    "22": ("临床医学", "Medicine"),
    "2262": ("药学", "Pharmacy"),
    "23": ("教育学", "Education"),
    "241": ("金融学", "Finance"),
    "2411": ("会计学", "Accounting"),
    "242": ("管理学", "Management"),
    "243": ("市场营销", "Marketing"),
    "25": ("计算机科学与技术", "Computer science"),
    "261": ("法学", "Law"),
    "263": ("经济学", "Economics"),
    "264": ("新闻传播学", "Journalism and communication"),
    "265": ("艺术", "Fine arts"),
    "31": ("工程技术", "Engineering technology"),
    "311": ("工程技术", "Engineering technology"),
    "3116": ("制药工程", "Pharmaceutical engineering"),
    "33": ("经济管理", "Business administration"),
    "35": ("计算机应用技术", "Applied computing"),
    "7": ("机电一体化", "Mechatronics"),
    "8": ("机械制造", "Mechanical manufacturing"),
    "1": ("工商管理", "Business administration"),
    "2": ("理学", "Natural sciences"),
    "3": ("工程技术", "Engineering technology"),
    "4": ("行政管理", "Administration"),
    "5": ("服务管理", "Service management"),
    "6": ("农学", "Agriculture"),
    "9": ("职业技术", "Vocational studies"),
}


def field_of_study(isco: str) -> tuple[str, str]:
    for length in (4, 3, 2, 1):
        if isco[:length] in FIELDS:
            return FIELDS[isco[:length]]
    return ("综合", "General studies")


class ProfileRenderer:
    """Turns latents into text; holds the per-occupation vocabularies built once from the taxonomy."""

    def __init__(self, taxonomy: Taxonomy, ctx: PeopleContext, enterprise_codes: list[str]):
        w = ctx.world
        self.ctx = ctx
        self.occ = [taxonomy.occupations[c] for c in w.occupation_codes]
        self.fields = [field_of_study(o.isco08_unit) for o in self.occ]
        self.zones = [taxonomy.zones[c] for c in w.zone_codes]
        self.industries = [taxonomy.industries[c] for c in w.industry_codes]
        self.levels = [taxonomy.talent_levels[c] for c in ctx.level_codes]
        occ_ix = {c: k for k, c in enumerate(w.occupation_codes)}
        self.neighbours = [
            [occ_ix[so.occupation_code] for so in taxonomy.talent_chain(s)] for s in w.segment_codes
        ]
        self.enterprise_codes = enterprise_codes

    def _typo(self, rnd: random.Random, text: str) -> str:
        if len(text) < 4 or rnd.random() > 0.02:
            return text
        k = rnd.randrange(1, len(text) - 1)
        return (
            text[:k] + text[k + 1] + text[k] + text[k + 2 :] if text.isascii() else text[:k] + text[k + 1 :]
        )

    def _title(self, rnd: random.Random, o: int, lang: str, level: str) -> str:
        occ = self.occ[o]
        aliases = occ.aliases_zh if lang == "zh" else occ.aliases_en
        base = occ.name_zh if lang == "zh" else occ.name_en
        if aliases and rnd.random() < 0.6:
            base = rnd.choice(aliases)
        prefix = SENIOR.get(level)
        if prefix and rnd.random() < 0.5:
            base = prefix[0] + base if lang == "zh" else prefix[1] + base
        return base

    def _skills(self, rnd: random.Random, lat: dict, k: int) -> list[tuple[str, str]]:
        """(zh, en) pairs of the skills shown: most held skills (focus first), maybe a neighbour's."""
        o, occ = lat["occupation"][k], self.occ[lat["occupation"][k]]
        n = self.ctx.occ_n_skills[o]
        held = [j for j in range(n) if lat["skill_mask"][k] >> j & 1]
        shown = [j for j in held if rnd.random() < 0.8] or held[:1]
        rnd.shuffle(shown)
        if self.ctx.occ_focus[o] > 1:
            focus = lat["focus"][k] % n
            shown = [focus] + [j for j in shown if j != focus]
        out = [(self._typo(rnd, occ.skills_zh[j]), self._typo(rnd, occ.skills_en[j])) for j in shown]
        if rnd.random() < 0.3:
            other = self.occ[rnd.choice(self.neighbours[lat["segment"][k]])]
            if other.skills_zh and other.skills_en:
                j = rnd.randrange(min(len(other.skills_zh), len(other.skills_en)))
                out.append((other.skills_zh[j], other.skills_en[j]))
        return [(zh.replace(";", ","), en.replace(";", ",")) for zh, en in dict.fromkeys(out)]

    def render(self, lat: dict[str, np.ndarray], block: int) -> pd.DataFrame:
        """Import-format rows for the people of ``lat`` (a whole block)."""
        ctx, n = self.ctx, len(lat["index"])
        rng = block_rng(ctx.seed, 3, block)
        rnd = random.Random(int(rng.integers(2**62)))
        birth_year = ctx.cutoff_year - lat["age"]
        zh, pinyin, stem = names.names(rng, n, lat["foreign"])
        phone = names.phones(rng, n)
        id_number = names.id_numbers(rng, birth_year, lat["male"])
        email = names.emails(rng, stem)
        year, month = divmod(ctx.cutoff + 1, 12)
        updated = dt.date(year, month + 1, 1) - dt.timedelta(days=1)  # last day of the cut-off month
        rows = []
        for k in range(n):
            o, mode = lat["occupation"][k], int(lat["text_lang"][k])
            occ, level = self.occ[o], self.levels[lat["level"][k]]
            education = EDUCATION_ORDER[lat["education"][k]]
            zone, industry = self.zones[lat["zone"][k]], self.industries[lat["industry"][k]]
            field_zh, field_en = self.fields[o]
            years, pubs, pats = int(lat["years"][k]), int(lat["publications"][k]), int(lat["patents"][k])
            pairs = self._skills(rnd, lat, k)
            skills = [
                pair[0] if mode == 0 or (mode == 2 and rnd.random() < 0.5) else pair[1] for pair in pairs
            ]
            titles, parts = [], []
            if mode in (0, 2):
                title = self._title(rnd, o, "zh", level.code)
                titles.append(title)
                experience = f"{years}年{title}工作经验" if years else f"应届毕业，求职{title}"
                text = (
                    f"{LEVEL_PHRASE_ZH.get(level.code, '')}{experience}，{EDUCATION_ZH[education]}学历，"
                    f"{field_zh}专业。目前在{zone.name_zh}从事{industry.name_zh}相关工作，"
                    f"擅长{'、'.join(zh for zh, _ in pairs[:4])}。"
                )
                if pubs or pats:
                    text += f"发表论文{pubs}篇，授权专利{pats}项。"
                parts.append(text)
            if mode in (1, 2):
                title = self._title(rnd, o, "en", level.code)
                titles.append(title)
                experience = {0: "fresh graduate", 1: "1 year of experience"}.get(
                    years, f"{years} years of experience"
                )
                text = (
                    f"{LEVEL_PHRASE_EN.get(level.code, '')}{title}, {experience} in "
                    f"{industry.name_en}, based in {zone.name_en}. {EDUCATION_EN[education]} in {field_en}. "
                    f"Skilled in {', '.join(en for _, en in pairs[:4])}."
                )
                if pubs or pats:
                    text += f" {pubs} publications and {pats} patents."
                parts.append(text)
            if rnd.random() < 0.4:
                neighbour = rnd.choice(self.neighbours[lat["segment"][k]])
                titles.append(self._title(rnd, neighbour, "zh" if mode == 0 else "en", "young_reserve"))
            languages = (["zh"] if not lat["foreign"][k] or rnd.random() < 0.2 else []) + (
                ["en"] if mode > 0 or education in ("master", "doctorate") else []
            )
            scopes = []
            if lat["matching"][k]:
                scopes.append("pool:matching")
            if lat["catalogue"][k]:
                scopes.append("pool:catalogue")
            own = ctx.industry_enterprises[lat["industry"][k]]
            for j in range(int(lat["n_tenants"][k])):
                u = lat["tenant_u"][k, j]
                pick = own[int(u * len(own))] if len(own) and u < 0.8 else int(u * ctx.n_enterprises)
                scopes.append(f"tenant:{self.enterprise_codes[pick]}")
            if lat["kind_scope"][k] >= 0:
                scopes.append(f"kind:{PROJECT_KINDS[lat['kind_scope'][k]]}")
            rows.append(
                (
                    f"P{lat['index'][k]:08d}",
                    zh[k] if mode != 1 else pinyin[k],
                    phone[k],
                    id_number[k],
                    email[k],
                    " ".join(parts)[:4000],
                    ";".join(t.replace(";", ",") for t in titles),
                    ";".join(skills),
                    education,
                    field_zh if mode == 0 else (field_en if mode == 1 else f"{field_zh} {field_en}"),
                    years,
                    level.code,
                    zone.code,
                    occ.code if lat["occupation_known"][k] else "",
                    AGE_BANDS[lat["age_band"][k]],
                    pubs,
                    pats,
                    ";".join(languages),
                    ";".join(dict.fromkeys(scopes)),
                    (updated - dt.timedelta(days=int(lat["updated_days"][k]))).isoformat(),
                )
            )
        frame = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
        for column in ("years_experience", "publications", "patents"):
            frame[column] = frame[column].astype("int64")
        return frame
