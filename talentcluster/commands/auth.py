"""`talentcluster auth …`: API keys and enterprises, without the HTTP API (bootstrap the first admin key)."""

from __future__ import annotations

import typer

from talentcluster.commands.common import console, domain_errors, settings

app = typer.Typer(help="API keys and enterprises (tenants).", no_args_is_help=True)


def _factory():
    from models.storage.database import make_engine, session_factory

    return session_factory(make_engine(settings().resolved_database_url))


@app.command("create-enterprise")
def create_enterprise(
    code: str = typer.Argument(..., help="Slug [a-z0-9-]{2,40}."),
    name: str = typer.Option(..., "--name", help="Display name."),
) -> None:
    """Create an enterprise (a tenant)."""
    from models.auth import create_enterprise as create
    from models.storage.database import transaction

    with domain_errors(), transaction(_factory()) as session:
        enterprise = create(session, code, name)
        console.print(f"enterprise {enterprise.code} (id {enterprise.id}) created")


@app.command("create-key")
def create_key(
    role: str = typer.Option(..., "--role", help="bureau_analyst | enterprise_user | talent | admin."),
    tenant: str = typer.Option(None, "--tenant", help="Enterprise code (enterprise_user only)."),
    profile: int = typer.Option(None, "--profile", help="Profile id (talent only)."),
    label: str = typer.Option("", "--label", help="What the key is for."),
) -> None:
    """Issue an API key and print it once on stdout (the database keeps only its hash)."""
    from models.auth import create_api_key
    from models.storage.database import transaction

    with domain_errors(), transaction(_factory()) as session:
        issued = create_api_key(session, role, tenant=tenant, profile_id=profile, label=label)
        key_id = issued.key.id
    console.print(f"key {key_id} ({role}) created; it is shown once:")
    typer.echo(issued.secret)


@app.command("list")
def list_keys(all_: bool = typer.Option(False, "--all", help="Include revoked keys.")) -> None:
    """List keys: id, prefix, role, tenant, profile, label, created, revoked. Never the secrets."""
    from models.auth import list_api_keys

    with domain_errors(), _factory()() as session:
        for key, tenant in list_api_keys(session, include_revoked=all_):
            revoked = key.revoked_at.isoformat(timespec="seconds") if key.revoked_at else "-"
            typer.echo(
                f"{key.id}\t{key.prefix}…\t{key.role}\t{tenant or '-'}\t{key.profile_id or '-'}\t"
                f"{key.label or '-'}\t{key.created_at.isoformat(timespec='seconds')}\t{revoked}"
            )


@app.command()
def revoke(key_id: int = typer.Argument(..., help="The key's id (see `auth list`).")) -> None:
    """Revoke a key at once."""
    from models.auth import revoke_api_key
    from models.storage.database import transaction

    with domain_errors(), transaction(_factory()) as session:
        revoke_api_key(session, key_id)
    console.print(f"key {key_id} revoked")
