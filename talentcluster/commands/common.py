"""What every command shares: the settings, the database, and turning domain errors into exit codes."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import typer
from rich.console import Console

from models.errors import TalentClusterError
from models.settings import Settings

console = Console(stderr=True)


def settings() -> Settings:
    return Settings()


@contextlib.contextmanager
def domain_errors() -> Iterator[None]:
    """Print a domain error as one clear line on stderr and exit 2, instead of a traceback."""
    try:
        yield
    except TalentClusterError as exc:
        console.print(f"[bold red]error:[/] {exc.message}", highlight=False, soft_wrap=True)
        problems = getattr(exc, "problems", None)
        if problems:
            path = getattr(exc, "path", "")
            for line, field, reason in problems[:50]:
                console.print(f"  {path}:{line}: {field}: {reason}", highlight=False, soft_wrap=True)
            if len(problems) > 50:
                console.print(f"  … {len(problems) - 50} more", highlight=False)
        sys.exit(2)
    except typer.Exit:
        raise
