"""Background jobs (model retraining, matching-index builds) run as a child process, their state kept
in JSON files.

Files rather than process memory because several service workers answer the same clients: a job
started through one worker is polled through another. One job of a kind runs at a time across all
workers, enforced by an exclusive ``flock`` on ``<kind>.lock`` held for the job's life (the OS releases
it if the worker dies, and a job whose lock is free while its file still says running is reported failed).

The child is a command line (``talentcluster forecast train --store --progress json``) that prints one
JSON object per line: ``{"progress": 0.4, "message": "…"}`` and finally ``{"result": {…}}``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import threading
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from models.errors import Conflict, NotFound

JOB_ID = re.compile(r"^[0-9a-f]{32}$")
STATES = ("queued", "running", "succeeded", "failed")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Job:
    id: str
    kind: str
    status: str
    requested_by: str
    created_at: str
    progress: float = 0.0
    message: str = ""
    started_at: str | None = None
    finished_at: str | None = None
    result: dict = field(default_factory=dict)


class JobRunner:
    """Starts jobs of one ``kind`` with ``command`` and records them under ``directory``."""

    def __init__(
        self,
        directory: Path,
        command: Sequence[str],
        *,
        kind: str = "retrain",
        env: Mapping[str, str] | None = None,
        timeout_s: float = 3600,
    ):
        self.directory = Path(directory)
        self.command = list(command)
        self.kind = kind
        self.env = dict(env or {})
        self.timeout_s = timeout_s
        self._write_lock = threading.Lock()

    # -- records ---------------------------------------------------------------------------------
    def _path(self, job_id: str) -> Path:
        return self.directory / f"{job_id}.json"

    def _save(self, job: Job) -> None:
        with self._write_lock:
            tmp = self._path(job.id).with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(job), ensure_ascii=False))
            os.replace(tmp, self._path(job.id))

    def get(self, job_id: str) -> Job:
        """The job's record; NotFound for an unknown id. A job left running by a dead worker reads failed."""
        path = self._path(job_id) if JOB_ID.fullmatch(job_id) else None
        if path is None or not path.is_file():
            raise NotFound(f"unknown job {job_id!r}", field="job_id")
        job = Job(**json.loads(path.read_text()))
        # Runners of every kind share the directory: a job is alive while *its* kind's lock is held.
        if job.status in ("queued", "running") and self._lock_is_free(job.kind):
            job = Job(**json.loads(path.read_text()))  # it may have finished in between
            if job.status in ("queued", "running"):
                job.status, job.message, job.finished_at = "failed", "the worker running it stopped", _now()
        return job

    # -- running ---------------------------------------------------------------------------------
    def _lock_file(self, kind: str | None = None):
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{kind or self.kind}.lock"
        return open(self.directory / name, "a+")  # noqa: SIM115 - held for the job's life

    def _lock_is_free(self, kind: str) -> bool:
        if not re.fullmatch(r"[a-z][a-z0-9-]*", kind):  # a kind names a lock file
            return True
        with self._lock_file(kind) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            fcntl.flock(f, fcntl.LOCK_UN)
            return True

    def submit(self, requested_by: str) -> Job:
        """Queue a job and start it in a background thread; Conflict (409) if one is running."""
        lock = self._lock_file()
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            running = lock.read().strip()
            lock.close()
            raise Conflict(
                f"a {self.kind} job is already running ({running or 'id unknown'}); "
                f"poll it at /v1/jobs/{running}"
            ) from None
        job = Job(
            id=uuid.uuid4().hex, kind=self.kind, status="queued", requested_by=requested_by, created_at=_now()
        )
        lock.seek(0), lock.truncate(), lock.write(job.id), lock.flush()
        self._save(job)
        queued = replace(job)  # the thread mutates ``job``; the caller gets the state it was queued in
        threading.Thread(target=self._run, args=(job, lock), daemon=True, name=f"job-{job.id[:8]}").start()
        return queued

    def _run(self, job: Job, lock) -> None:
        log_path = self.directory / f"{job.id}.log"
        try:
            job.status, job.started_at, job.message = "running", _now(), "starting"
            self._save(job)
            env = {**os.environ, **self.env}
            with (
                open(log_path, "w") as log,
                subprocess.Popen(
                    self.command, stdout=subprocess.PIPE, stderr=log, text=True, env=env
                ) as proc,
            ):
                timer = threading.Timer(self.timeout_s, proc.kill)
                timer.start()
                try:
                    for line in proc.stdout:
                        self._progress(job, line)
                finally:
                    timer.cancel()
                code = proc.wait()
            if code == 0:
                job.status, job.progress = "succeeded", 1.0
                job.message = job.message if job.message != "done" else "finished"
                version = job.result.get("version")
                job.message = f"version {version} written" + (
                    "" if job.result.get("serving") else "; not serving until promoted"
                )
            else:
                job.status, job.message = "failed", _last_error(log_path, code)
        except OSError as exc:
            job.status, job.message = "failed", f"could not start the job: {exc}"
        finally:
            job.finished_at = _now()
            self._save(job)
            with contextlib.suppress(OSError):
                fcntl.flock(lock, fcntl.LOCK_UN)
                lock.close()

    def _progress(self, job: Job, line: str) -> None:
        try:
            event = json.loads(line)
        except json.JSONDecodeError:
            return
        if not isinstance(event, dict):
            return
        if "result" in event and isinstance(event["result"], dict):
            job.result = event["result"]
        if "progress" in event:
            job.progress = float(event["progress"])
        if event.get("message"):
            job.message = str(event["message"])
        self._save(job)


def _last_error(log_path: Path, code: int) -> str:
    """The child's last ``error:`` line (a domain error), else its last line, else the exit code."""
    try:
        lines = [ln.strip() for ln in log_path.read_text(errors="replace").splitlines() if ln.strip()]
    except OSError:
        lines = []
    errors = [ln for ln in lines if ln.startswith("error:")]
    tail = errors[-1] if errors else (lines[-1] if lines else "")
    return f"exit code {code}: {tail[:500]}" if tail else f"exit code {code}"
