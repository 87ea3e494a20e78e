"""Prometheus text exposition of request counts and latencies, per worker process.

Kept in-process on purpose: no extra dependency, and each uvicorn worker reports its own series
(scrape every worker, or sum them, as with any multi-process Python server).
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import defaultdict

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class RequestMetrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str, int], int] = defaultdict(int)
        self._buckets: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * (len(BUCKETS) + 1))
        self._sums: dict[tuple[str, str], float] = defaultdict(float)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self._counts[(method, route, status)] += 1
            self._buckets[(method, route)][bisect_left(BUCKETS, seconds)] += 1
            self._sums[(method, route)] += seconds

    def render(self, gauges: dict[str, float] | None = None) -> str:
        lines = [
            "# HELP talentcluster_http_requests_total Requests answered, by route template and status.",
            "# TYPE talentcluster_http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), n in sorted(self._counts.items()):
                lines.append(
                    f'talentcluster_http_requests_total{{method="{method}",route="{route}",'
                    f'status="{status}"}} {n}'
                )
            lines += [
                "# HELP talentcluster_http_request_duration_seconds Time to answer, by route template.",
                "# TYPE talentcluster_http_request_duration_seconds histogram",
            ]
            for (method, route), counts in sorted(self._buckets.items()):
                labels = f'method="{method}",route="{route}"'
                cumulative = 0
                for bound, n in zip((*BUCKETS, "+Inf"), counts, strict=True):
                    cumulative += n
                    lines.append(
                        f'talentcluster_http_request_duration_seconds_bucket{{{labels},le="{bound}"}} '
                        f"{cumulative}"
                    )
                lines.append(
                    f"talentcluster_http_request_duration_seconds_sum{{{labels}}} "
                    f"{self._sums[(method, route)]:.6f}"
                )
                lines.append(f"talentcluster_http_request_duration_seconds_count{{{labels}}} {cumulative}")
        for name, value in sorted((gauges or {}).items()):
            lines += [f"# TYPE {name} gauge", f"{name} {value:g}"]
        return "\n".join(lines) + "\n"
