"""Draw docs/grafana/questpath.png: the Grafana dashboard's own queries over a short load run.

This is not Grafana's UI (Grafana is not installable on the machines QuestPath is built on).
What is real: `questpath serve --workers 2` on SQLite, a Prometheus (Debian's `prometheus`
package) scraping its /metrics every 2 s, and a load of concurrent single-event and batch
posts, progress reads, unknown paths, failed sign-ins, open event streams and quizzes whose LLM
server is unreachable. Each panel's PromQL from docs/grafana/questpath.json is then evaluated by
that Prometheus' query_range API (`$__rate_interval` replaced by a fixed window), drawn as SVG
lines in one HTML page, and headless Chromium screenshots the page.

    apt-get install prometheus chromium
    .venv/bin/python -m scripts.render_dashboard [--seconds 90] [--output FILE.png]
"""

# A load generator and a test harness: its randomness guards nothing, its commands are its own.
# ruff: noqa: S105, S311, S603, S607

from __future__ import annotations

import argparse
import asyncio
import html
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import sync_playwright
from tests.chromium import launch_chromium

ROOT = Path(__file__).resolve().parent.parent
DASHBOARD = ROOT / "docs" / "grafana" / "questpath.json"
QUESTPATH = Path(sys.executable).parent / "questpath"
SCRAPE_SECONDS = 2
RATE_WINDOW = "10s"  # what Grafana's $__rate_interval would be: four scrape intervals and more
COLOURS = ["#73bf69", "#f2cc0c", "#5794f2", "#ff780a", "#b877d9", "#f2495c", "#8ab8ff", "#96d98d"]
PASSWORD = "a long and unusual passphrase"
TRACK = """# Databases

What a database does underneath.

## Storage
- [ ] B-tree index: a balanced tree that keeps its keys sorted
- [ ] Write-ahead log: changes are logged before the data files change

## Queries
- [ ] Joins combine rows of two tables
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(url: str, seconds: float = 180) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {seconds} s")


# The load -------------------------------------------------------------------------------------


async def learner(client: httpx.AsyncClient, n: int) -> dict[str, str]:
    body = {"email": f"learner{n}@example.com", "password": PASSWORD}
    response = await client.post("/api/auth/register", json=body)
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


async def singles(client: httpx.AsyncClient, headers: dict[str, str], until: float) -> None:
    n = 0
    while time.monotonic() < until:
        n += 1
        kind = random.choice(["exercise_completed", "study_session", "check_in"])
        event: dict[str, Any] = {"id": f"s{n}-{random.random()}", "kind": kind}
        if kind == "exercise_completed":
            event |= {"topic": "sql", "grade": random.randint(40, 100)}
        elif kind == "study_session":
            event |= {"topic": "sql", "time_spent_seconds": 600}
        await client.post("/api/events", json=event, headers=headers)


async def batches(client: httpx.AsyncClient, headers: dict[str, str], until: float) -> None:
    n = 0
    while time.monotonic() < until:
        n += 1
        events = [
            {
                "id": f"b{n}-{i}-{random.random()}",
                "kind": "exercise_completed",
                "topic": "git",
                "grade": 80,
            }
            for i in range(50)
        ]
        await client.post("/api/events", json={"events": events}, headers=headers)
        await asyncio.sleep(0.5)


async def reads(client: httpx.AsyncClient, headers: dict[str, str], until: float) -> None:
    paths = ["/api/progress", "/api/events", "/api/users/me", "/no-such-page"]
    while time.monotonic() < until:
        await client.get(random.choice(paths), headers=headers)
        await asyncio.sleep(0.05)


async def guesses(client: httpx.AsyncClient, until: float) -> None:
    """Someone guessing a password now and then: failures, then 429s."""
    while time.monotonic() < until:
        for _ in range(8):
            body = {"email": "learner0@example.com", "password": "wrong password guess"}
            await client.post("/api/auth/login", json=body)
        await asyncio.sleep(10)


async def stream(base_url: str, headers: dict[str, str], seconds: float) -> None:
    timeout = httpx.Timeout(30, read=60)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=timeout) as client,
        client.stream("GET", "/api/progress/stream", headers=headers) as response,
    ):
        deadline = time.monotonic() + seconds
        async for _ in response.aiter_lines():
            if time.monotonic() > deadline:
                break


async def quizzes(client: httpx.AsyncClient, headers: dict[str, str], until: float) -> None:
    response = await client.post(
        "/api/tracks/import",
        content=TRACK.encode(),
        headers=headers | {"Content-Type": "text/markdown"},
    )
    response.raise_for_status()
    track_id = response.json()["id"]
    while time.monotonic() < until:
        body = {"track_id": track_id, "count": 3, "generator": "llm"}
        await client.post("/api/quizzes", json=body, headers=headers)
        await asyncio.sleep(4)


async def load(base_url: str, seconds: float) -> None:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        people = [await learner(client, n) for n in range(12)]
        start = time.monotonic()
        until = start + seconds
        tasks = [singles(client, people[n], until) for n in range(8)]
        tasks += [batches(client, people[n], until) for n in (8, 9)]
        tasks += [reads(client, people[n], until) for n in (10, 11)]
        tasks += [guesses(client, until), quizzes(client, people[1], until)]
        # Streams come and go: a few open for the middle of the run.
        tasks += [
            _later(seconds * f, stream(base_url, people[n], seconds * 0.4))
            for n, f in ((2, 0.2), (3, 0.25), (4, 0.3), (5, 0.5))
        ]
        await asyncio.gather(*tasks)


async def _later(delay: float, work: Any) -> None:
    await asyncio.sleep(delay)
    await work


# The picture ----------------------------------------------------------------------------------


def query_range(prometheus: str, expr: str, start: float, end: float) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{prometheus}/api/v1/query_range",
        params={
            "query": expr.replace("$__rate_interval", RATE_WINDOW),
            "start": start,
            "end": end,
            "step": SCRAPE_SECONDS,
        },
        timeout=30,
    )
    response.raise_for_status()
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


def legend(template: str, labels: dict[str, str]) -> str:
    for name, value in labels.items():
        template = template.replace("{{" + name + "}}", value)
    return template


def svg(
    series: list[tuple[str, list[tuple[float, float]]]], start: float, end: float, unit: str
) -> str:
    width, height, left, bottom = 560, 190, 56, 22
    values = [v for _, points in series for _, v in points]
    top = max(values, default=1.0) or 1.0
    top *= 1.1

    def x(t: float) -> float:
        return left + (t - start) / (end - start) * (width - left - 8)

    def y(v: float) -> float:
        return 6 + (1 - v / top) * (height - bottom - 6)

    parts = [f'<svg width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg">']
    for fraction in (0, 0.25, 0.5, 0.75, 1):
        level = top * fraction
        parts.append(
            f'<line x1="{left}" x2="{width - 8}" y1="{y(level):.1f}" y2="{y(level):.1f}" '
            'stroke="#2c3235"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y(level) + 4:.1f}" text-anchor="end">'
            f"{_number(level, unit)}</text>"
        )
    for seconds in range(0, int(end - start) + 1, 30):
        parts.append(
            f'<text x="{x(start + seconds):.1f}" y="{height - 4}" text-anchor="middle">'
            f"{seconds}s</text>"
        )
    for (name, points), colour in zip(series, COLOURS * 4, strict=False):
        line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
        parts.append(
            f'<polyline points="{line}" fill="none" stroke="{colour}" '
            f'stroke-width="1.6"><title>{html.escape(name)}</title></polyline>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float, unit: str) -> str:
    suffix = {"s": " s", "reqps": "/s", "ops": "/s"}.get(unit, "")
    if unit == "s" and value < 1:
        return f"{value * 1000:.0f} ms"
    return f"{value:.3g}{suffix}"


def page(dashboard: dict[str, Any], prometheus: str, start: float, end: float) -> str:
    cards = []
    for panel in dashboard["panels"]:
        series = []
        for target in panel["targets"]:
            for result in query_range(prometheus, target["expr"], start, end):
                points = [
                    (float(t), float(v))
                    for t, v in result["values"]
                    if v not in ("NaN", "+Inf", "-Inf")
                ]
                series.append((legend(target["legendFormat"], result["metric"]), points))
        series.sort(key=lambda s: -max((v for _, v in s[1]), default=0))
        series = series[:8]  # the busiest, as a legend limited to one card would show
        keys = "".join(
            f'<span><i style="background:{c}"></i>{html.escape(name)}</span>'
            for (name, _), c in zip(series, COLOURS * 4, strict=False)
        )
        body = (
            svg(series, start, end, panel["fieldConfig"]["defaults"]["unit"])
            if series
            else ('<p class="empty">No data in this run</p>')
        )
        cards.append(
            f"<section><h2>{html.escape(panel['title'])}</h2>{body}"
            f'<div class="legend">{keys}</div></section>'
        )
    minutes = (end - start) / 60
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body{{background:#111217;color:#ccccdc;font:13px system-ui,sans-serif;margin:16px;width:1180px}}
h1{{font-size:18px;margin:0 0 4px}} p.note{{margin:0 0 14px;color:#8e8e9e}}
main{{display:grid;grid-template-columns:1fr 1fr;gap:12px}}
section{{background:#181b1f;border:1px solid #2c3235;border-radius:4px;padding:8px 10px}}
h2{{font-size:14px;margin:0 0 6px;font-weight:500}} svg text{{fill:#8e8e9e;font-size:10px}}
.legend span{{margin-right:12px;display:inline-block;font-size:11px}}
.legend i{{display:inline-block;width:10px;height:3px;margin:0 4px 3px 0;vertical-align:middle}}
.empty{{height:190px;color:#8e8e9e}}
</style></head><body>
<h1>QuestPath — dashboard queries over a {minutes:.1f}-minute load run</h1>
<p class="note">Each panel is the PromQL of docs/grafana/questpath.json, evaluated by Prometheus
(scraping <code>questpath serve --workers 2</code> every {SCRAPE_SECONDS} s,
<code>$__rate_interval</code> = {RATE_WINDOW}) and drawn by scripts/render_dashboard.py.
Not Grafana's UI.</p><main>{"".join(cards)}</main></body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90)
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "grafana" / "questpath.png")
    args = parser.parse_args()
    dashboard = json.loads(DASHBOARD.read_text())

    with tempfile.TemporaryDirectory(prefix="questpath-dashboard-") as tmp:
        work = Path(tmp)
        port, prom_port = free_port(), free_port()
        env = {
            **os.environ,
            "QUESTPATH_DATA_DIR": str(work),
            "QUESTPATH_DATABASE_URL": f"sqlite+aiosqlite:///{work / 'questpath.db'}",
            "QUESTPATH_LOG_LEVEL": "WARNING",
            "QUESTPATH_STREAM_POLL_SECONDS": "1",
            "QUESTPATH_PASSWORD_HASH_TIME_COST": "1",
            "QUESTPATH_PASSWORD_HASH_MEMORY_KIB": "1024",
            # Nothing listens there: every generation fails and falls back to the offline one.
            "QUESTPATH_LLM_BASE_URL": f"http://127.0.0.1:{free_port()}/v1",
            "QUESTPATH_LLM_MODEL": "unreachable",
        }
        (work / "prometheus.yml").write_text(
            f"global:\n  scrape_interval: {SCRAPE_SECONDS}s\n"
            "scrape_configs:\n  - job_name: questpath\n"
            f"    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        )
        log = (work / "processes.log").open("wb")
        server = subprocess.Popen(
            [str(QUESTPATH), "serve", "--port", str(port), "--workers", "2"],
            env=env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        prometheus = subprocess.Popen(
            [
                "prometheus",
                f"--config.file={work / 'prometheus.yml'}",
                f"--storage.tsdb.path={work / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
            ],
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        try:
            wait_for(f"http://127.0.0.1:{port}/health")
            wait_for(f"http://127.0.0.1:{prom_port}/-/ready")
            time.sleep(3 * SCRAPE_SECONDS)
            start = time.time()
            asyncio.run(load(f"http://127.0.0.1:{port}", args.seconds))
            time.sleep(3 * SCRAPE_SECONDS)
            end = time.time()
            document = page(dashboard, f"http://127.0.0.1:{prom_port}", start, end)
        finally:
            for process in (server, prometheus):
                process.terminate()
                process.wait(timeout=30)
        (work / "dashboard.html").write_text(document)
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            view = browser.new_page(viewport={"width": 1212, "height": 900})
            view.goto((work / "dashboard.html").as_uri())
            view.screenshot(path=str(args.output), full_page=True)
            browser.close()
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
