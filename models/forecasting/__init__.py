"""Forecasting of talent demand and supply: a global LightGBM model, baselines, hierarchy, shortage."""
