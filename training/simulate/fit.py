"""The hidden true fit between projects and people (truth/fit.parquet), graded 0–3 from latents.

grade = relation − penalties, clipped to 0..3, where relation is 3 for the project's main occupation,
2 for its other required occupations, 1 for an occupation of the same ISCO-08 unit group as the main one
working in the project's segment,
and the penalties are listed in docs/simulator.md. Only pairs with grade ≥ 1 are written.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from models.taxonomy import Taxonomy
from training.simulate.people import PeopleContext


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(np.asarray(x, dtype=np.uint64)).astype(np.int64)


class FitGrader:
    """Candidate projects indexed by (occupation, bucket); ``grade`` is vectorised over a block of people.

    A person meets only the projects of their own bucket: for the project's main occupation the bucket
    is the focus area; for other occupations it is ``(person index + project index) mod K`` (one person
    in K of that occupation shares the unobserved sub-specialty). So the work per block stays
    proportional to the relevant pairs, not to the number of projects.
    """

    def __init__(
        self,
        taxonomy: Taxonomy,
        ctx: PeopleContext,
        req: dict,
        project_refs: list[str],
        enterprise_codes: list[str],
    ):
        w = ctx.world
        self.ctx, self.req = ctx, req
        self.project_refs = np.array(project_refs, dtype=object)
        self.enterprise_codes = np.array(enterprise_codes, dtype=object)
        self.bucket_offset = np.concatenate([[0], np.cumsum(ctx.occ_focus)])
        unit = np.array([taxonomy.occupations[c].isco08_unit for c in w.occupation_codes])
        main: list[tuple[int, int]] = []  # (bucket key, project)
        other: dict[tuple[int, int], int] = {}  # (occupation, project) → relation
        for j, primary in enumerate(req["primary"]):
            main.append((int(self.bucket_offset[primary] + req["focus"][j]), j))
            for o in np.flatnonzero(unit == unit[primary]):
                if o != primary:
                    other[(int(o), j)] = 1
            for o in req["secondary"][j]:
                other[(o, j)] = 2
        self.main = self._csr([k for k, _ in main], [j for _, j in main], [3] * len(main))
        keys = sorted(other)
        buckets = [int(self.bucket_offset[o] + (-j) % ctx.occ_focus[o]) for o, j in keys]
        self.other = self._csr(buckets, [j for _, j in keys], [other[k] for k in keys])
        self.req_popcount = _popcount(req["skill_mask"])

    def _csr(self, bucket: list[int], project: list[int], relation: list[int]):
        order = np.lexsort((np.array(project, dtype=np.int64), np.array(bucket, dtype=np.int64)))
        bucket_sorted = np.array(bucket, dtype=np.int64)[order]
        ptr = np.searchsorted(bucket_sorted, np.arange(self.bucket_offset[-1] + 1))
        return ptr, np.array(project, dtype=np.int64)[order], np.array(relation, dtype=np.int64)[order]

    @staticmethod
    def _pairs(index, keys: np.ndarray):
        ptr, project, relation = index
        start, stop = ptr[keys], ptr[keys + 1]
        counts = stop - start
        person = np.repeat(np.arange(len(keys)), counts)
        entry = (
            np.repeat(start, counts) + np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        )
        return person, project[entry], relation[entry]

    def grade(self, lat: dict[str, np.ndarray]) -> pd.DataFrame:
        occ = lat["occupation"]
        p1, j1, r1 = self._pairs(self.main, self.bucket_offset[occ] + lat["focus"])
        p2, j2, r2 = self._pairs(self.other, self.bucket_offset[occ] + lat["index"] % self.ctx.occ_focus[occ])
        person, j, rel = np.concatenate([p1, p2]), np.concatenate([j1, j2]), np.concatenate([r1, r2])
        r = self.req
        d_rank = np.abs(lat["level_rank"][person] - r["rank"][j])
        years, min_exp = lat["years"][person], r["min_exp"][j]
        overlap = _popcount(lat["skill_mask"][person] & r["skill_mask"][j]) / self.req_popcount[j]
        penalty = (
            np.where(d_rank == 0, 0, np.where(d_rank == 1, 1, 3))
            + np.where(years < min_exp - 5, 3, np.where(years < min_exp, 1, 0))
            + np.clip(r["min_edu"][j] - lat["education"][person], 0, 2)
            + (np.isin(r["kind"][j], (1, 3)) & (lat["zone"][person] != r["zone"][j]))
            + ((rel == 3) & (overlap < 0.5))
            + np.where((rel == 1) & (lat["segment"][person] != r["segment"][j]), 3, 0)
        )
        grade = np.clip(rel - penalty, 0, 3)
        keep = grade >= 1
        p, j = person[keep], j[keep]
        return pd.DataFrame(
            {
                "project": j.astype(np.int32),
                "profile": lat["index"][p].astype(np.int64),
                "grade": grade[keep].astype(np.int8),
                "profile_matchable": lat["matching"][p],
            }
        )

    def table(self, pieces: list[pd.DataFrame]) -> pd.DataFrame:
        """truth/fit.parquet from the per-block pieces, sorted by project then profile."""
        fit = pd.concat(pieces, ignore_index=True).sort_values(["project", "profile"], kind="stable")
        return pd.DataFrame(
            {
                "project_external_ref": self.project_refs[fit["project"].to_numpy()],
                "enterprise_code": self.enterprise_codes[fit["project"].to_numpy()],
                "profile_external_ref": np.char.add(
                    "P", np.char.zfill(fit["profile"].to_numpy().astype(str), 8)
                ).astype(object),
                "grade": fit["grade"].to_numpy(),
                "profile_matchable": fit["profile_matchable"].to_numpy(),
            }
        )
