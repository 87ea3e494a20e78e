"""Fake but plausible personal data (PII) for simulated profiles: names, phones, ID numbers, e-mails.

Vectorised over a block of people. E-mail domains are reserved example domains, so no address is real.
"""

from __future__ import annotations

import numpy as np

# Common surnames with pinyin and rough relative frequency.
SURNAMES = [
    ("王", "Wang", 7.1),
    ("李", "Li", 7.0),
    ("张", "Zhang", 6.7),
    ("刘", "Liu", 5.4),
    ("陈", "Chen", 4.5),
    ("杨", "Yang", 3.1),
    ("赵", "Zhao", 2.3),
    ("黄", "Huang", 2.2),
    ("周", "Zhou", 2.1),
    ("吴", "Wu", 2.0),
    ("徐", "Xu", 1.7),
    ("孙", "Sun", 1.5),
    ("胡", "Hu", 1.3),
    ("朱", "Zhu", 1.3),
    ("高", "Gao", 1.2),
    ("林", "Lin", 1.2),
    ("何", "He", 1.2),
    ("郭", "Guo", 1.1),
    ("马", "Ma", 1.1),
    ("罗", "Luo", 0.9),
    ("梁", "Liang", 0.9),
    ("宋", "Song", 0.8),
    ("郑", "Zheng", 0.8),
    ("谢", "Xie", 0.7),
    ("韩", "Han", 0.7),
    ("唐", "Tang", 0.6),
    ("冯", "Feng", 0.6),
    ("于", "Yu", 0.6),
    ("董", "Dong", 0.6),
    ("萧", "Xiao", 0.5),
    ("程", "Cheng", 0.5),
    ("曹", "Cao", 0.5),
    ("袁", "Yuan", 0.5),
    ("邓", "Deng", 0.5),
    ("许", "Xu", 0.5),
    ("傅", "Fu", 0.4),
    ("沈", "Shen", 0.4),
    ("曾", "Zeng", 0.4),
    ("彭", "Peng", 0.4),
    ("吕", "Lyu", 0.4),
]
GIVEN = [
    ("伟", "Wei"),
    ("芳", "Fang"),
    ("娜", "Na"),
    ("敏", "Min"),
    ("静", "Jing"),
    ("磊", "Lei"),
    ("强", "Qiang"),
    ("洋", "Yang"),
    ("艳", "Yan"),
    ("勇", "Yong"),
    ("军", "Jun"),
    ("杰", "Jie"),
    ("娟", "Juan"),
    ("涛", "Tao"),
    ("明", "Ming"),
    ("超", "Chao"),
    ("秀", "Xiu"),
    ("霞", "Xia"),
    ("平", "Ping"),
    ("刚", "Gang"),
    ("桂", "Gui"),
    ("华", "Hua"),
    ("玉", "Yu"),
    ("建", "Jian"),
    ("丽", "Li"),
    ("文", "Wen"),
    ("斌", "Bin"),
    ("宇", "Yu"),
    ("浩", "Hao"),
    ("鑫", "Xin"),
    ("婷", "Ting"),
    ("雪", "Xue"),
    ("晨", "Chen"),
    ("欣", "Xin"),
    ("博", "Bo"),
    ("思", "Si"),
    ("佳", "Jia"),
    ("子", "Zi"),
    ("梓", "Zi"),
    ("涵", "Han"),
    ("轩", "Xuan"),
    ("睿", "Rui"),
    ("怡", "Yi"),
    ("嘉", "Jia"),
    ("凯", "Kai"),
    ("然", "Ran"),
    ("琳", "Lin"),
    ("志", "Zhi"),
    ("海", "Hai"),
    ("晓", "Xiao"),
    ("雨", "Yu"),
    ("天", "Tian"),
    ("一", "Yi"),
    ("诗", "Shi"),
    ("泽", "Ze"),
    ("昊", "Hao"),
]
FOREIGN_FIRST = [
    "James",
    "Maria",
    "David",
    "Anna",
    "Michael",
    "Sarah",
    "Thomas",
    "Laura",
    "Daniel",
    "Sofia",
    "Lukas",
    "Emma",
    "Hiroshi",
    "Yuki",
    "Min-jun",
    "Ji-woo",
    "Arjun",
    "Priya",
    "Pierre",
    "Claire",
]
FOREIGN_LAST = [
    "Smith",
    "Müller",
    "Johnson",
    "Brown",
    "Garcia",
    "Martin",
    "Schmidt",
    "Rossi",
    "Tanaka",
    "Suzuki",
    "Kim",
    "Park",
    "Sharma",
    "Patel",
    "Dubois",
    "Novak",
    "Williams",
    "Wilson",
    "Lopez",
    "Meyer",
]
EMAIL_DOMAINS = ["example.com", "example.cn", "example.net", "example.org", "mail.example.com"]
# 6-digit administrative division codes of the birthplace: mostly Beijing districts, then other provinces.
REGION_CODES = [
    "110101",
    "110102",
    "110105",
    "110106",
    "110107",
    "110108",
    "110109",
    "110111",
    "110112",
    "110113",
    "110114",
    "110115",
    "110116",
    "110117",
    "110118",
    "110119",
    "130102",
    "130602",
    "370102",
    "370202",
    "410102",
    "420102",
    "430102",
    "510104",
    "320102",
    "330106",
    "440103",
    "440304",
    "610103",
    "210102",
    "220102",
    "230102",
    "140105",
    "340102",
    "360102",
    "500103",
]
PHONE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "195",
    "198",
    "199",
]
_ID_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
_ID_CHECK = np.array(list("10X98765432"))


def id_check_digit(first17: np.ndarray) -> np.ndarray:
    """GB 11643 (ISO 7064 MOD 11-2) check character for rows of 17 digits ([n × 17] ints)."""
    return _ID_CHECK[(first17 * _ID_WEIGHTS).sum(axis=1) % 11]


def id_numbers(rng: np.random.Generator, birth_year: np.ndarray, male: np.ndarray) -> np.ndarray:
    """18-character resident ID numbers: region, birth date, sequence (odd for men), check character."""
    n = len(birth_year)
    region = np.array(REGION_CODES)[rng.integers(0, len(REGION_CODES), n)]
    month = rng.integers(1, 13, n)
    day = rng.integers(1, 29, n)
    seq = rng.integers(0, 50, n) * 10 + rng.integers(0, 5, n) * 2 + male.astype(int)
    body = np.char.add(
        np.char.add(region, np.char.zfill(birth_year.astype(str), 4)),
        np.char.add(
            np.char.add(np.char.zfill(month.astype(str), 2), np.char.zfill(day.astype(str), 2)),
            np.char.zfill(seq.astype(str), 3),
        ),
    )
    digits = np.array([list(b) for b in body], dtype=int).reshape(n, 17)
    return np.char.add(body, id_check_digit(digits)).astype(object)


def names(rng: np.random.Generator, n: int, foreign: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(name_zh, name_pinyin, e-mail stem) for n people; foreigners get a western/Asian name in both."""
    weights = np.array([s[2] for s in SURNAMES])
    surname = rng.choice(len(SURNAMES), n, p=weights / weights.sum())
    two = rng.random(n) < 0.7
    g1, g2 = rng.integers(0, len(GIVEN), n), rng.integers(0, len(GIVEN), n)
    first, last = rng.integers(0, len(FOREIGN_FIRST), n), rng.integers(0, len(FOREIGN_LAST), n)
    zh, pinyin, stem = [], [], []
    for k in range(n):
        if foreign[k]:
            full = f"{FOREIGN_FIRST[first[k]]} {FOREIGN_LAST[last[k]]}"
            zh.append(full)
            pinyin.append(full)
            stem.append(full.lower().replace(" ", ".").replace("ü", "ue").replace("-", ""))
            continue
        s_zh, s_py, _ = SURNAMES[surname[k]]
        given_zh = GIVEN[g1[k]][0] + (GIVEN[g2[k]][0] if two[k] else "")
        given_py = GIVEN[g1[k]][1] + (GIVEN[g2[k]][1].lower() if two[k] else "")
        zh.append(s_zh + given_zh)
        pinyin.append(f"{given_py} {s_py}" if k % 2 else f"{s_py} {given_py}")
        stem.append(f"{s_py}{given_py}".lower())
    return np.array(zh, dtype=object), np.array(pinyin, dtype=object), np.array(stem, dtype=object)


def phones(rng: np.random.Generator, n: int) -> np.ndarray:
    prefix = np.array(PHONE_PREFIXES)[rng.integers(0, len(PHONE_PREFIXES), n)]
    return np.char.add(prefix, np.char.zfill(rng.integers(0, 10**8, n).astype(str), 8)).astype(object)


def emails(rng: np.random.Generator, stems: np.ndarray) -> np.ndarray:
    n = len(stems)
    number = rng.integers(1, 1000, n)
    domain = np.array(EMAIL_DOMAINS)[rng.integers(0, len(EMAIL_DOMAINS), n)]
    with_number = rng.random(n) < 0.7
    return np.array(
        [f"{s}{number[k] if with_number[k] else ''}@{domain[k]}" for k, s in enumerate(stems)], dtype=object
    )
