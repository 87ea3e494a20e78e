"""The one settings object (prefix ``TALENTCLUSTER_``), read once at start-up and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTCLUSTER_", extra="ignore")

    home: Path = Field(
        default=REPO_ROOT / "var",
        description="Working directory for the embedded defaults: SQLite file, artifacts, indexes, simulations.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means the SQLite file <home>/talentcluster.db.",
    )
    reference_dir: Path = Field(
        default=REPO_ROOT / "data" / "reference",
        description="Directory of the reference CSVs (chains, occupations, zones).",
    )
    embedding_model: str = Field(
        default="",
        description="Directory of a sentence-transformers model; empty means the packaged all-MiniLM-L6-v2.",
    )
    seed: int = 20121018
    pseudonym_key: str = Field(
        default="development-only-pseudonym-key",
        description="Secret key of the pseudonyms shown instead of names; set your own in production.",
    )

    max_body_bytes: int = Field(
        default=1_048_576, ge=1, description="Largest request body accepted; larger ones answer 413."
    )
    rate_limit_per_minute: float = Field(
        default=600,
        gt=0,
        description="Sustained requests per minute per API key (or per address, without one).",
    )
    rate_limit_burst: int = Field(
        default=120, ge=1, description="Requests a key may make at once before the per-minute rate applies."
    )

    index_refresh_seconds: float = Field(
        default=5.0,
        ge=0,
        description="How often (at most) a worker looks for a new matching index version to swap in.",
    )

    forecast_horizon: int = Field(
        default=24, ge=1, le=24, description="Months ahead of a production forecast run (and a retrain job)."
    )
    forecast_params: dict = Field(
        default_factory=dict,
        description="Overrides of the forecast run's LightGBM parameters, as JSON "
        '(e.g. {"n_estimators": 100}); empty = the tuned store parameters.',
    )
    forecast_refresh_seconds: float = Field(
        default=5.0, ge=0, description="How often (at most) a worker looks for a newly promoted forecaster."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.home / 'talentcluster.db'}"

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"

    @property
    def index_dir(self) -> Path:
        """Versions of the matching index and the ``CURRENT`` pointer."""
        return self.home / "index"

    @property
    def embedding_cache_dir(self) -> Path:
        return self.home / "cache" / "embeddings"

    @property
    def simulations_dir(self) -> Path:
        return self.home / "sim"
