"""Matching jobs: BEIR-layout evaluation, evaluation-set builders, index building."""
