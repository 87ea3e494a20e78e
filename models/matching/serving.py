"""The serving side of the matching index: one loaded version, swapped for a newer one without a pause.

``IndexHolder`` owns the loaded ``MatchingIndex``. At most every ``refresh_seconds`` a request looks at
the ``CURRENT`` pointer; when it moved, a background thread loads and warms the new version while
requests go on against the old one, then the reference is swapped under the write lock. Queries hold
the read lock (many at once); a deletion holds the write lock briefly, because the retriever's
dictionaries must not change under a running query (faiss #367 is the same rule one level down).

Deletion (right to erasure) removes the profile from the loaded index at once, and appends it to the
tombstone log so that other workers (on their next refresh) and any later load of a version built
before the deletion forget it too. The routes still check every returned id against the database
before showing it, which also makes a withdrawn consent effective on the very next query.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from models.errors import TalentClusterError, Unavailable
from models.matching.index_store import (
    MatchingIndex,
    append_tombstones,
    current_version,
    read_tombstones,
)

log = logging.getLogger("talentcluster.matching")
MISSING_MESSAGE = "matching index not built; run talentcluster match build-index"


class ReadWriteLock:
    """Many readers or one writer; a waiting writer holds off new readers (no writer starvation)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._writers_waiting = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._writers_waiting:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                if not self._readers:
                    self._cond.notify_all()

    @contextlib.contextmanager
    def writing(self) -> Iterator[None]:
        with self._cond:
            self._writers_waiting += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._writers_waiting -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


class IndexHolder:
    """The loaded matching index of one worker; see the module docstring.

    ``load(version_dir) -> MatchingIndex`` is supplied by the app (it knows the encoder and taxonomy).
    Also what profile deletion calls (``models.profiles.ProfileIndex``): ``delete(ids)``.
    """

    def __init__(
        self,
        index_dir: str | Path,
        load: Callable[[Path], MatchingIndex],
        *,
        refresh_seconds: float = 5.0,
    ):
        self.index_dir = Path(index_dir)
        self.load_version = load
        self.refresh_seconds = refresh_seconds
        self._index: MatchingIndex | None = None
        self._lock = ReadWriteLock()
        self._state = threading.Lock()
        self._checked_at = float("-inf")
        self._loader: threading.Thread | None = None
        self._failed: dict[str, str] = {}  # version → why it could not be loaded (not retried)

    # -- state ---------------------------------------------------------------------------------------
    @property
    def version(self) -> str | None:
        return self._index.version if self._index is not None else None

    def status(self) -> str:
        """``ok`` when a version is loaded, else ``missing`` (or why the newest version failed)."""
        if self._index is not None:
            return "ok"
        name = current_version(self.index_dir)
        if name in self._failed:
            return f"failed: {self._failed[name]}"
        return "missing"

    def start(self) -> IndexHolder:
        """Load the current version now (at start-up), if there is one."""
        name = current_version(self.index_dir)
        if name is not None:
            self._load_and_swap(name)
        self._checked_at = time.monotonic()
        return self

    # -- reads ---------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def reading(self) -> Iterator[MatchingIndex]:
        """The current index, held for one query; ``Unavailable`` (503) when none is loaded."""
        self.refresh()
        with self._lock.reading():
            index = self._index
            if index is None:
                raise Unavailable(MISSING_MESSAGE, field="index")
            yield index

    def refresh(self, force: bool = False) -> None:
        """Look at ``CURRENT`` (at most every ``refresh_seconds``); load a new version in the background."""
        now = time.monotonic()
        with self._state:
            if not force and now - self._checked_at < self.refresh_seconds:
                return
            self._checked_at = now
            name = current_version(self.index_dir)
            busy = self._loader is not None and self._loader.is_alive()
            stale = name is not None and name != self.version and name not in self._failed
            if stale and not busy:
                self._loader = threading.Thread(
                    target=self._load_and_swap, args=(name,), name=f"index-load-{name}", daemon=True
                )
                self._loader.start()
        self._apply_tombstones()

    def wait_for_loader(self, timeout: float | None = None) -> None:
        loader = self._loader
        if loader is not None:
            loader.join(timeout)

    def _load_and_swap(self, name: str) -> None:
        started = time.perf_counter()
        try:
            index = self.load_version(self.index_dir / name)
            index.warm()
        except TalentClusterError as exc:
            self._failed[name] = exc.message
            log.error("matching index %s not loaded: %s", name, exc.message)
            return
        except (OSError, ValueError, KeyError) as exc:
            self._failed[name] = f"{type(exc).__name__}: {exc}"
            log.exception("matching index %s not loaded", name)
            return
        with self._lock.writing():
            gone = read_tombstones(self.index_dir, index.card.get("db_read_at"))
            index.candidates.delete(gone)
            self._index = index
        log.info(
            "matching index %s loaded in %.2f s (%d candidates, %d opportunities)",
            name,
            time.perf_counter() - started,
            len(index.candidates),
            len(index.opportunities),
        )

    def _apply_tombstones(self) -> None:
        index = self._index
        if index is None:
            return
        gone = [
            i for i in read_tombstones(self.index_dir, index.card.get("db_read_at")) if i in index.candidates
        ]
        if gone:
            with self._lock.writing():
                index.candidates.delete(gone)

    # -- writes --------------------------------------------------------------------------------------
    def delete(self, ids: Iterable[int]) -> None:
        """Forget these profiles now, here, and (through the tombstone log) in every other worker."""
        ids = [int(i) for i in ids]
        append_tombstones(self.index_dir, ids)
        index = self._index
        if index is not None and any(i in index.candidates for i in ids):
            with self._lock.writing():
                index.candidates.delete(ids)
