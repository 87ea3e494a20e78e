import numpy as np
import pytest

from models.errors import ArtifactIncompatible, InvalidInput, Unavailable
from models.matching.encoder import EmbeddingCache, Encoder, cache_key, packaged_model_dir


def test_default_model_is_the_packaged_minilm(encoder):
    assert encoder.resolved_model_dir() == packaged_model_dir()
    assert encoder.model_id_.startswith("all-MiniLM-L6-v2@")
    assert encoder.dim == 384


def test_embeddings_are_unit_float32_and_batched(encoder):
    vectors = encoder.encode(["data engineer", "数据分析师", "fund manager"] * 3)
    assert vectors.shape == (9, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(vectors[0], vectors[3], atol=1e-6)


def test_second_encoding_is_served_from_the_cache(encoder):
    first = encoder.encode(["a unique text about cache hits 1729"])
    hits = encoder.stats.cache_hits
    again = encoder.encode(["a unique text about cache hits 1729"])
    assert encoder.stats.cache_hits == hits + 1
    np.testing.assert_array_equal(first, again)


def test_cache_key_depends_on_the_model():
    assert cache_key("model-a", "text") != cache_key("model-b", "text")
    assert cache_key("model-a", "text") == cache_key("model-a", "text")


def test_on_disk_cache_round_trip_and_refuses_another_model(tmp_path):
    cache = EmbeddingCache(dim=3)
    cache.put(b"k" * 32, np.array([1, 0, 0], np.float32))
    cache.save(tmp_path, "model-a")
    loaded = EmbeddingCache(dim=3)
    loaded.load(tmp_path, "model-a")
    np.testing.assert_array_equal(loaded.get(b"k" * 32), [1, 0, 0])
    with pytest.raises(ArtifactIncompatible, match="model-a"):
        EmbeddingCache(dim=3).load(tmp_path, "model-b")


def test_long_text_is_chunked_not_truncated(encoder):
    head = "Robotics engineer designing industrial robot motion control. " * 60
    tail = "Clinical research associate monitoring drug trials. " * 60
    chunked_before = encoder.stats.chunked_texts
    whole = encoder.encode([head + tail])[0]
    assert encoder.stats.chunked_texts == chunked_before + 1
    head_only = encoder.encode([head])[0]
    tail_only = encoder.encode([tail])[0]
    # the tail beyond max_seq_length still counts: the pooled vector leans towards it
    assert float(whole @ tail_only) > 0.5
    assert abs(float(np.linalg.norm(whole)) - 1.0) < 1e-5
    assert float(whole @ head_only) < 0.999


def test_empty_text_is_refused(encoder):
    with pytest.raises(InvalidInput, match="empty"):
        encoder.encode(["ok", "  "])


def test_a_missing_model_directory_is_unavailable_not_downloaded(tmp_path):
    with pytest.raises(Unavailable, match="never downloaded"):
        Encoder(tmp_path / "nowhere").load()


def test_bfloat16_forward_pass_gives_the_float32_vectors():
    # The precision changes the arithmetic, not the space: indexes built either way serve each other.
    texts = ["机器学习工程师，负责推荐系统与数据平台", "Senior embedded software engineer, automotive ECUs"]
    exact = Encoder(precision="float32", num_threads=2).load()
    fast = Encoder(precision="bfloat16", num_threads=2).load()
    assert (exact.precision_, fast.precision_) == ("float32", "bfloat16")
    assert exact.model_id_ == fast.model_id_
    a, b = exact.encode(texts), fast.encode(texts)
    assert b.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(b, axis=1), 1.0, atol=1e-5)
    assert np.all(np.sum(a * b, axis=1) > 0.999)
    assert not np.array_equal(a, b)  # bfloat16 really ran


def test_auto_precision_follows_the_cpu(monkeypatch):
    from models.matching import encoder as module

    monkeypatch.setattr(module, "native_bfloat16", lambda: False)
    assert module.resolve_precision("auto", "cpu") == "float32"
    monkeypatch.setattr(module, "native_bfloat16", lambda: True)
    assert module.resolve_precision("auto", "cpu") == "bfloat16"
    assert module.resolve_precision("float32", "cpu") == "float32"
    with pytest.raises(InvalidInput, match="embedding precision must be one of"):
        module.resolve_precision("int4", "cpu")
