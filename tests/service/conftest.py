"""A real uvicorn server on a free local port, in a background thread, for HTTP tests."""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest
import uvicorn

from models.settings import Settings
from service.app import create_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    def __init__(self, settings: Settings):
        self.port = free_port()
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def live_settings(tmp_path, database_url, migrated) -> Settings:
    return Settings(home=tmp_path, database_url=database_url)


@pytest.fixture
def client(live_settings):
    with LiveServer(live_settings) as server, httpx.Client(base_url=server.url, timeout=10) as http:
        yield http
