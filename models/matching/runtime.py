"""Explicit thread counts for torch and FAISS (both use OpenMP; left alone they oversubscribe)."""

from __future__ import annotations


def configure_threads(torch_threads: int | None = None, faiss_threads: int | None = None) -> None:
    """Set torch's and FAISS's intra-op thread counts. Torch is imported first (the order we test).

    On CPU, sentence-transformers is often *slower* with more threads (sentence-transformers #1321);
    pass small numbers and measure with ``bench/match_bench.py``.
    """
    if torch_threads is not None:
        import torch

        torch.set_num_threads(max(1, int(torch_threads)))
    if faiss_threads is not None:
        import faiss

        faiss.omp_set_num_threads(max(1, int(faiss_threads)))


def configure_serving_threads() -> None:
    """One thread each for torch, FAISS and BLAS in a service worker: a search embeds one short text,
    and the cores are shared by the workers (and whatever else runs). With two threads, OpenMP's
    spinning thread teams made embedding one 46-token text 20 times slower when the 2-core machine was
    busy (p50 1.26 s against 48 ms with one thread); workers, not threads, use the cores."""
    from threadpoolctl import threadpool_limits

    configure_threads(torch_threads=1, faiss_threads=1)
    threadpool_limits(1)
