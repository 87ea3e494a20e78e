"""The one settings object (prefix ``TALENTCLUSTER_``), read once at start-up and passed down."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.errors import InvalidInput

REPO_ROOT = Path(__file__).resolve().parents[1]
# Secrets that ship with a development value, by field name, and that value: refused in production.
DEVELOPMENT_SECRETS = {"pseudonym_key": "development-only-pseudonym-key"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TALENTCLUSTER_", extra="ignore")

    env: Literal["development", "demo", "production"] = Field(
        default="development",
        description="`production` refuses to start while a secret keeps its development default.",
    )

    home: Path = Field(
        default=REPO_ROOT / "var",
        description="Home of the embedded defaults: SQLite file, artifacts, indexes, simulations.",
    )
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; empty means the SQLite file <home>/talentcluster.db.",
    )
    reference_dir: Path = Field(
        default=REPO_ROOT / "data" / "reference",
        description="Directory of the reference CSVs (chains, occupations, zones).",
    )
    programmes_file: Path | None = Field(
        default=None,
        description="Calendar of announced policy programmes (CSV or JSON; docs/forecasting.md), a known "
        "input of the store forecast; unset means <home>/programmes.csv when that file exists.",
    )
    embedding_model: str = Field(
        default="",
        description="Directory of a sentence-transformers model; empty means the packaged all-MiniLM-L6-v2.",
    )
    embedding_precision: Literal["auto", "float32", "bfloat16"] = Field(
        default="auto",
        description="Precision of the encoder's forward pass; `auto` is bfloat16 on a CPU that computes "
        "it natively (AVX512-BF16, AMX), else float32.",
    )
    seed: int = 20121018
    pseudonym_key: str = Field(
        default=DEVELOPMENT_SECRETS["pseudonym_key"],
        min_length=1,
        description="Secret key of the pseudonyms shown instead of names; required in production.",
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
    api_key_cache_seconds: float = Field(
        default=30.0,
        ge=0,
        le=3600,
        description="How long a worker trusts a key it has looked up: a key revoked on another worker "
        "stops working there within this time (at once on the worker that revoked it); 0 = no cache.",
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

    @model_validator(mode="after")
    def _no_development_secret_in_production(self) -> Settings:
        if self.env == "production" and (names := self.development_secrets()):
            variables = ", ".join(f"TALENTCLUSTER_{name.upper()}" for name in names)
            raise InvalidInput(
                f"{variables} still has its development default, refused with TALENTCLUSTER_ENV=production: "
                "set your own secret (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')",
                field=names[0],
            )
        return self

    def development_secrets(self) -> list[str]:
        """Names of the secret settings still at their development default (warned about outside
        production, refused in it)."""
        return [name for name, value in DEVELOPMENT_SECRETS.items() if getattr(self, name) == value]

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
    def programme_calendar(self) -> Path | None:
        """The programme calendar the store forecast reads, if there is one."""
        if self.programmes_file is not None:
            return self.programmes_file
        default = self.home / "programmes.csv"
        return default if default.is_file() else None

    @property
    def simulations_dir(self) -> Path:
        return self.home / "sim"
