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
