"""The labour-market simulator: a documented generative model of Beijing's talent demand and supply,
talent profiles and projects, with the ground truth kept apart (docs/simulator.md)."""

from training.simulate.core import simulate
from training.simulate.output import SimulationManifest

__all__ = ["SimulationManifest", "simulate"]
