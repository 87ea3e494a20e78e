import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.errors import Conflict, InvalidInput
from models.matching.vector_index import VectorIndex

DIM = 16
FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def unit(rng, n, d=DIM):
    x = rng.normal(size=(n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def exact_top(ids, vectors, q, k, allowed=None):
    keep = np.ones(len(ids), bool) if allowed is None else np.isin(ids, list(allowed))
    scores = vectors[keep] @ q
    order = np.argsort(-scores, kind="stable")[:k]
    return ids[keep][order]


@pytest.mark.parametrize("threshold", [10_000, 50])  # flat, then HNSW
@FAST
@given(seed=st.integers(0, 10_000), n=st.integers(1, 300), k=st.integers(1, 20))
def test_faiss_top_k_equals_exact_numpy_search(threshold, seed, n, k):
    rng = np.random.default_rng(seed)
    ids = rng.choice(10**9, size=n, replace=False).astype(np.int64)
    x = unit(rng, n)
    index = VectorIndex(DIM, exact_threshold=threshold, ef_search=400)
    index.add(ids, x)
    q = unit(rng, 1)[0]
    hits = index.search(q, k)
    assert len(hits.ids) == min(k, n)
    np.testing.assert_array_equal(hits.ids, exact_top(ids, x, q, k))


@pytest.mark.parametrize("threshold", [10_000, 40])
@FAST
@given(
    seed=st.integers(0, 10_000),
    share=st.floats(0.0, 1.0),
    k=st.integers(1, 30),
    form=st.sampled_from(["set", "sorted", "repeated"]),
)
def test_filter_is_never_violated_and_never_leaves_fewer_than_k(threshold, seed, share, k, form):
    rng = np.random.default_rng(seed)
    n = 400
    ids = np.arange(n, dtype=np.int64) * 3 + 1
    index = VectorIndex(DIM, exact_threshold=threshold)
    index.add(ids, unit(rng, n))
    index.delete(ids[rng.random(n) < 0.1])  # tombstones must not count as eligible either
    allowed = set(ids[rng.random(n) < share].tolist())
    given_ids = {  # sorted ids take a faster path; unsorted and repeated ones must answer the same
        "set": allowed,
        "sorted": np.array(sorted(allowed), dtype=np.int64),
        "repeated": rng.permutation(np.repeat(np.array(sorted(allowed), dtype=np.int64), 2)),
    }[form]
    hits = index.search(unit(rng, 1)[0], k, allowed_ids=given_ids)
    eligible = allowed & set(index.ids().tolist())
    assert set(hits.ids.tolist()) <= eligible
    assert len(set(hits.ids.tolist())) == len(hits.ids)
    assert len(hits.ids) == min(k, len(eligible))
    assert (hits.ids >= 0).all()


ops = st.lists(
    st.tuples(
        st.sampled_from(["add", "upsert", "delete"]),
        st.lists(st.integers(0, 60), min_size=1, max_size=8, unique=True),
    ),
    min_size=1,
    max_size=25,
)


@pytest.mark.parametrize("threshold", [10_000, 20])
@FAST
@given(script=ops, seed=st.integers(0, 1000))
def test_ids_stay_stable_and_writes_are_visible_to_the_next_query(threshold, script, seed):
    rng = np.random.default_rng(seed)
    index = VectorIndex(DIM, exact_threshold=threshold, rebuild_fraction=0.3)
    truth: dict[int, np.ndarray] = {}
    for op, batch in script:
        vectors = unit(rng, len(batch))
        if op == "add":
            fresh = [i for i in batch if i not in truth]
            if len(fresh) != len(batch):
                with pytest.raises(Conflict):
                    index.add(batch, vectors)
                continue
            index.add(batch, vectors)
            truth.update(zip(batch, vectors, strict=True))
        elif op == "upsert":
            index.upsert(batch, vectors)
            truth.update(zip(batch, vectors, strict=True))
        else:
            index.delete(batch)
            for i in batch:
                truth.pop(i, None)
        assert sorted(truth) == index.ids().tolist()
        for i, v in truth.items():  # each id still names its own latest vector
            np.testing.assert_allclose(index.vector(i), v, atol=1e-6)
        if truth:
            some = next(iter(truth))
            assert index.search(truth[some], 1).ids[0] == some


def test_save_and_load_give_identical_results(tmp_path):
    rng = np.random.default_rng(1)
    for threshold in (10_000, 100):
        index = VectorIndex(DIM, exact_threshold=threshold, metadata={"model_id": "m"})
        index.add(np.arange(500), unit(rng, 500))
        index.delete([3, 5, 7])
        index.save(tmp_path / str(threshold))
        loaded = VectorIndex.load(tmp_path / str(threshold), expect_metadata={"model_id": "m"})
        assert loaded.kind == index.kind and loaded.tombstones == 3
        for q in unit(rng, 20):
            a, b = (
                index.search(q, 10, allowed_ids=range(0, 500, 2)),
                loaded.search(q, 10, allowed_ids=range(0, 500, 2)),
            )
            np.testing.assert_array_equal(a.ids, b.ids)
            np.testing.assert_array_equal(a.scores, b.scores)


def test_save_is_versioned_and_current_pointer_moves(tmp_path):
    rng = np.random.default_rng(2)
    index = VectorIndex(DIM)
    index.add([1, 2], unit(rng, 2))
    first = index.save(tmp_path)
    index.upsert([3], unit(rng, 1))
    second = index.save(tmp_path)
    assert (tmp_path / "CURRENT").read_text() == second.name != first.name
    assert len(VectorIndex.load(tmp_path)) == 3


def test_rebuild_swaps_atomically_while_queries_continue():
    rng = np.random.default_rng(3)
    x = unit(rng, 3000)
    index = VectorIndex(DIM, exact_threshold=1000, auto_rebuild=False)
    index.add(np.arange(3000), x)
    index.delete(np.arange(0, 3000, 2))
    errors, results = [], []

    def query():
        try:
            for i in range(1, 400, 2):
                results.append(index.search(x[i], 5).ids[0] == i)
        except Exception as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    thread = threading.Thread(target=query)
    thread.start()
    index.rebuild()
    index.upsert([10**6], x[[1]])  # a write during/after the swap is kept
    thread.join()
    assert not errors and all(results)
    assert index.tombstones == 0 and 10**6 in index and len(index) == 1501


def test_hnsw_above_threshold_and_bad_input_is_refused():
    rng = np.random.default_rng(4)
    index = VectorIndex(DIM, exact_threshold=100)
    index.add(np.arange(101), unit(rng, 101))
    assert index.kind == "hnsw"
    with pytest.raises(InvalidInput, match="normalised"):
        index.add([500], np.ones((1, DIM), np.float32))
    with pytest.raises(InvalidInput, match="shape"):
        index.add([501], np.ones((1, DIM + 1), np.float32))
    with pytest.raises(InvalidInput, match="-1"):
        index.add([-1], unit(rng, 1))
