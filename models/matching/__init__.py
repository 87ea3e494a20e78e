"""Talent matching: dense + lexical + taxonomy retrieval over FAISS, fused, scored and explained.

Modules are small and import their heavy dependencies (torch, faiss, jieba, lightgbm) themselves, so
importing this package costs nothing. Import order torch → faiss is the one we ship and test
(faiss #2555: two OpenMP runtimes can clash depending on order).
"""
