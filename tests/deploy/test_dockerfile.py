"""Docker cannot build here, so check what it can: every COPY source exists, the command is real."""

import json
import re
import shlex
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text()


def instructions(name: str) -> list[str]:
    joined = re.sub(r"\\\n", " ", DOCKERFILE)
    return [line.split(None, 1)[1] for line in joined.splitlines() if line.upper().startswith(name + " ")]


def test_every_copied_path_exists_in_the_repository():
    for args in instructions("COPY"):
        if "--from=" in args:
            continue
        *sources, _dest = shlex.split(args)
        for source in sources:
            assert (REPO / source).exists(), f"Dockerfile copies {source}, which is not in the repository"


def test_it_is_multi_stage_runs_as_non_root_and_has_a_healthcheck():
    assert len(instructions("FROM")) >= 2
    users = instructions("USER")
    assert users and users[-1].strip() not in ("root", "0")
    assert instructions("HEALTHCHECK")


def test_the_command_names_a_console_script_of_the_distribution():
    command = json.loads(instructions("CMD")[-1])
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert command[0] in scripts
    module, function = scripts[command[0]].split(":")
    source = (REPO / (module.replace(".", "/") + ".py")).read_text()
    assert f"def {function}(" in source
    from typer.testing import CliRunner

    from talentcluster.cli import app

    result = CliRunner().invoke(app, [*command[1:], "--help"])
    assert result.exit_code == 0, result.output
