"""The console's HTTP side: the page shell at ``/``, its static files, login, logout and the session.

Everything the pages show comes from ``/v1`` with the session cookie; these routes only open and close
sessions and serve files. Plotly is served from the installed ``plotly`` package, so nothing is fetched
from a CDN.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from models.auth import authenticate, hash_secret
from models.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from service.console.sessions import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    SessionStore,
    check_csrf,
    store,
)
from service.deps import UnitOfWorkDep, current_principal

STATIC = Path(__file__).resolve().parent / "static"
MAX_KEY_LENGTH = 200
# style-src needs 'unsafe-inline': Plotly sets element styles and injects its own stylesheet.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

router = APIRouter(include_in_schema=False)


def _plotly_js() -> Path | None:
    try:
        import plotly
    except ImportError:
        return None
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    return path if path.is_file() else None


def _same_origin(request: Request) -> bool:
    """A login posted from another site (login CSRF) carries its own Origin; browsers always send one
    on a cross-site POST."""
    origin = request.headers.get("origin")
    return origin is None or origin == f"{request.url.scheme}://{request.headers.get('host', '')}"


async def _api_key_from(request: Request) -> str:
    """``api_key`` from a urlencoded form (what the login page posts) or a JSON object."""
    body = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            raise InvalidInput("the body is not JSON", field="body") from None
        key = data.get("api_key") if isinstance(data, dict) else None
    else:
        key = (parse_qs(body.decode("utf-8", "replace")).get("api_key") or [None])[0]
    if not isinstance(key, str) or not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise InvalidInput("api_key: an API key is required", field="api_key")
    return key.strip()


def _who(principal) -> dict:
    return {
        "authenticated": True,
        "role": principal.role.value,
        "tenant": principal.tenant,
        "profile_id": principal.profile_id,
    }


@router.get("/")
def shell() -> FileResponse:
    return FileResponse(STATIC / "index.html", headers=SECURITY_HEADERS | {"Cache-Control": "no-store"})


@router.get("/console/vendor/plotly.min.js")
def plotly_js() -> FileResponse:
    path = _plotly_js()
    if path is None:
        raise NotFound("plotly is not installed; charts are off (pip install plotly)", field="plotly")
    return FileResponse(path, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


@router.post("/console/login")
async def login(request: Request, db: UnitOfWorkDep) -> JSONResponse:
    """Exchange an API key for a session cookie; the key itself is kept nowhere."""
    if not _same_origin(request):
        raise Forbidden("login from another site refused", field="origin")
    key = await _api_key_from(request)
    principal = authenticate(db, key)
    sessions = store(request)
    if old := request.cookies.get(SESSION_COOKIE):
        sessions.close(db, old)
    opened = sessions.open(db, hash_secret(key))
    response = JSONResponse(_who(principal) | {"expires_at": opened.expires_at.timestamp()})
    secure = request.url.scheme == "https"
    max_age = sessions.ttl_seconds
    response.set_cookie(
        SESSION_COOKIE,
        opened.session_id,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=secure,
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        opened.csrf_token,
        max_age=max_age,
        httponly=False,
        samesite="strict",
        secure=secure,
        path="/",
    )
    return response


@router.post("/console/logout", status_code=204)
def logout(request: Request, db: UnitOfWorkDep) -> Response:
    """End the session (CSRF-checked, like every state change made with the cookie), on every worker."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id and (session := store(request).get(db, session_id)) is not None:
        check_csrf(request, session)
        store(request).close(db, session_id)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="strict")
    return response


@router.get("/console/session")
def whoami(request: Request) -> JSONResponse:
    """Who the cookie names, for the shell's navigation; ``authenticated: false`` (not a 401, which the
    browser would log as an error) when nobody is logged in."""
    if not request.cookies.get(SESSION_COOKIE):
        return JSONResponse({"authenticated": False})
    try:
        principal = current_principal(request, None, None)
    except Unauthenticated:
        return JSONResponse({"authenticated": False})
    return JSONResponse(_who(principal))


def install(app: FastAPI, *, session_ttl_seconds: int = 8 * 3600) -> None:
    """Serve the console from ``app``: the shell at ``/``, files under ``/console/static``."""
    app.state.console_sessions = SessionStore(session_ttl_seconds)
    app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
