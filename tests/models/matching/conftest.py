"""Shared fixtures: the real MiniLM (loaded once per session), a tiny bilingual occupation list, and a
deterministic hashing encoder for property tests that need many documents fast."""

from __future__ import annotations

import hashlib
import os

import numpy as np
import pytest

from models.matching.runtime import configure_threads
from models.taxonomy import Occupation

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def encoder():
    from models.matching.encoder import Encoder

    configure_threads(torch_threads=2, faiss_threads=2)
    return Encoder(num_threads=2).load()


OCCUPATIONS = [
    Occupation(
        "TC-2521-01",
        "数据分析师",
        "Data analyst",
        "2521",
        2,
        "bachelor",
        3,
        ("数据清洗", "统计分析", "Python"),
        ("data cleaning", "statistical analysis", "Python"),
        ("数据分析员", "BI分析师"),
        ("BI analyst", "data analytics specialist"),
    ),
    Occupation(
        "TC-2212-01",
        "临床监查员",
        "Clinical research associate",
        "2212",
        2,
        "bachelor",
        3,
        ("临床试验监查", "数据核查"),
        ("clinical trial monitoring", "source data verification"),
        ("临床监查",),
        ("CRA", "clinical monitor"),
    ),
    Occupation(
        "TC-2511-01",
        "数据工程师",
        "Data engineer",
        "2511",
        2,
        "bachelor",
        3,
        ("数据管道", "SQL"),
        ("data pipelines", "SQL"),
        ("大数据开发工程师",),
        ("big data developer", "ETL developer"),
    ),
    Occupation(
        "TC-2413-01",
        "基金经理",
        "Fund manager",
        "2413",
        2,
        "master",
        5,
        ("投资组合管理", "风险控制"),
        ("portfolio management", "risk control"),
        ("投资经理",),
        ("portfolio manager", "investment manager"),
    ),
]


@pytest.fixture(scope="session")
def occupations():
    return OCCUPATIONS


class HashEncoder:
    """Deterministic bag-of-tokens hashing encoder with the Encoder interface (no model, no torch)."""

    model_id_ = "hash-64@test"
    dim = 64

    def load(self):
        return self

    def encode(self, texts):
        from models.matching.text import tokens

        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for t in tokens(text) or [text]:
                h = int.from_bytes(hashlib.sha256(t.encode()).digest()[:4], "little")
                out[i, h % self.dim] += 1.0
            out[i, (i * 7 + len(text)) % self.dim] += 0.01
        return out / np.linalg.norm(out, axis=1, keepdims=True)


@pytest.fixture
def hash_encoder():
    return HashEncoder()
