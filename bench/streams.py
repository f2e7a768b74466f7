"""`python -m bench.streams`: what idle open event streams (`GET /api/progress/stream`) cost a
server, and how fast an unlock reaches every one of them, on SQLite and on PostgreSQL.

For each backend, one `questpath serve` worker. Learners sign up over HTTP (with Argon2 made
cheap for the setup: `SETUP_ENVIRONMENT`), then:
- **baseline**: the server's CPU (and the database server's) over `--idle-seconds` with no
  stream open: the webhook worker and the reminder sweeper run by themselves (sse-starlette's
  shutdown watcher, a look every 0.5 s, starts with the first stream: it counts as theirs);
- **open**: bench/stream_client.py, a process of its own, opens one stream per learner (50 at a
  time) and waits until each has sent its first `unread` event;
- **idle**: the same CPU over the same time with every stream open and nothing happening, and
  the client's;
- **unlock**: an admin's API key records one `exercise_completed` event per learner in one
  batch, each learner's first, which unlocks "First Steps" for all of them at once; each
  stream's `achievement` event is timed from the moment the batch's response arrived.

The target: 1,000 idle open streams cost at most 2% of a core (server and database, over the
baseline), and an unlock reaches all of them within 1 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx

from bench import load
from bench.accounts import Learner, api_key, create_admin, register
from bench.load import percentile
from bench.postgres import throwaway_database
from bench.profile import Profile, Profiler
from bench.sections import replace_section
from bench.servers import PYTHON, ROOT, QuestPathServer, cpu_seconds, new_secret_key
from questpath.events.rules import MAX_BATCH

# Sign-up hashes each password with Argon2, slowly on purpose: 1,000 sign-ups at the default
# cost would take minutes of both cores. Only the hashing is made cheap; nothing measured hashes.
SETUP_ENVIRONMENT = {
    "QUESTPATH_PASSWORD_HASH_TIME_COST": "1",
    "QUESTPATH_PASSWORD_HASH_MEMORY_KIB": "1024",
}
STREAM_LIFETIME = 1800  # QUESTPATH_RATE_LIMIT_STREAM_SECONDS's default: then clients reconnect
SETTLE_SECONDS = 5.0  # after setup and after opening, before a measurement starts
OPEN_TIMEOUT = 600.0
DELIVERY_TIMEOUT = 30.0
TARGET_SHARE = 0.02
TARGET_SECONDS = 1.0

Meter = Callable[[], float]


def say(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class BackendResult:
    backend: str
    version: str
    streams: int  # open during the idle phase
    failed: list[str]  # why the others failed
    idle_seconds: float
    baseline: dict[str, float]  # share of one core, no stream open: server, database
    idle: dict[str, float]  # the same with every stream open, and the client
    open_seconds: float  # wall time to open every stream
    open_cpu: float  # server CPU seconds (with the database's) per stream opened
    pings: int  # keep-alive comments the streams received
    write_seconds: float  # the batch's request, send to response
    write_cpu: float  # server and database CPU seconds from sending the batch to its response
    delivery_cpu: float  # the same from the response to the last delivery
    after_response: list[float | None]  # per learner: achievement arrival - response, s
    after_send: list[float | None]  # per learner: achievement arrival - just before sending, s
    notified: int  # streams that also received the `notification` event
    profiles: dict[str, Profile]

    @property
    def stream_share(self) -> float:
        """What the open streams cost, server and database, over the baseline."""
        return sum(self.idle[k] - self.baseline[k] for k in ("server", "database"))

    @property
    def reconnect_share(self) -> float:
        """Each stream ends after STREAM_LIFETIME s and its client opens another: that cost,
        spread over the lifetime, from the measured cost of an open."""
        return self.streams * self.open_cpu / STREAM_LIFETIME

    def delivered(self, within: float = TARGET_SECONDS) -> int:
        return sum(1 for t in self.after_response if t is not None and t <= within)

    def met(self) -> tuple[bool, bool]:
        everyone = len(self.after_response) == self.streams and not self.failed
        return (
            self.stream_share <= TARGET_SHARE,
            everyone and self.delivered() == self.streams,
        )


class StreamServer(QuestPathServer):
    def environment(self) -> dict[str, str]:
        return {**super().environment(), **SETUP_ENVIRONMENT}


class Client:
    """bench/stream_client.py in a process of its own, talked to a JSON line at a time."""

    def __init__(self, base_url: str, learners_file: Path, log: Path) -> None:
        self.log = log.open("wb")
        self.process = subprocess.Popen(
            [str(PYTHON), "-m", "bench.stream_client", base_url, str(learners_file)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            cwd=ROOT,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, command: str) -> None:
        stdin: IO[bytes] | None = self.process.stdin
        assert stdin is not None
        stdin.write(command.encode() + b"\n")
        stdin.flush()

    def answer(self, timeout: float) -> dict[str, Any]:
        stdout: IO[bytes] | None = self.process.stdout
        assert stdout is not None
        ready, _, _ = select.select([stdout], [], [], timeout)
        line = stdout.readline() if ready else b""
        if not line:
            self.stop()
            raise RuntimeError(f"the stream client said nothing:\n{self._output()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def _output(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(BrokenPipeError):
                self.send("quit")
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def shares(meters: dict[str, Meter], seconds: float) -> dict[str, float]:
    """Each meter's CPU seconds over the next `seconds`, as a share of one core."""
    before = {name: meter() for name, meter in meters.items()}
    started = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - started
    return {name: (meter() - before[name]) / wall for name, meter in meters.items()}


def unlock_batches(learners: list[Learner]) -> list[bytes]:
    """One `exercise_completed` per learner, as few batches as the events API allows."""
    events = [
        {"id": f"streams-unlock-{learner.id}", "kind": "exercise_completed",
         "user_id": learner.id}
        for learner in learners
    ]  # fmt: skip
    return [
        json.dumps({"events": events[i : i + MAX_BATCH]}).encode()
        for i in range(0, len(events), MAX_BATCH)
    ]


def latencies(arrivals: list[float | None], starts: list[float]) -> list[float | None]:
    return [None if at is None else at - start for at, start in zip(arrivals, starts, strict=True)]


def measure(
    backend: str,
    version: str,
    url: str,
    database: Meter,
    args: argparse.Namespace,
    workdir: Path,
) -> BackendResult:
    secret = new_secret_key()
    with contextlib.ExitStack() as stack:
        server = StreamServer(workdir, url, secret).start()
        stack.callback(server.stop)
        say(f"{backend}: {args.streams} learners sign up, an admin and its API key")
        learners = load.run(register(server.base_url, args.streams, f"{backend}-streams"))
        email, password = create_admin(workdir, url, secret, backend)
        key = api_key(server.base_url, email, password, f"{backend} streams")
        learners_file = workdir / f"{backend}-learners.json"
        learners_file.write_text(json.dumps([vars(learner) for learner in learners]))
        meters = {"server": server.cpu_time, "database": database}
        profiles: dict[str, Profile] = {}

        time.sleep(SETTLE_SECONDS)
        say(f"{backend}: baseline, no stream open, {args.idle_seconds:g} s")
        baseline = shares(meters, args.idle_seconds)

        say(f"{backend}: opening {args.streams} streams")
        opened_cpu = server.cpu_time() + database()
        opened = time.monotonic()
        client = Client(server.base_url, learners_file, workdir / f"{backend}-client.log")
        stack.callback(client.stop)
        ready = client.answer(OPEN_TIMEOUT)
        open_seconds = time.monotonic() - opened
        open_cpu = (server.cpu_time() + database() - opened_cpu) / max(ready["ready"], 1)
        say(f"{backend}: {ready['ready']} streams open in {open_seconds:.1f} s; {ready['failed']}")

        time.sleep(SETTLE_SECONDS)
        say(f"{backend}: idle, {ready['ready']} streams open, {args.idle_seconds:g} s")
        with _profiled(args.profile, server.pid, workdir / f"{backend}-idle.txt", profiles, "idle"):
            idle = shares({**meters, "client": lambda: cpu_seconds(client.pid)}, args.idle_seconds)

        say(f"{backend}: one exercise_completed per learner, in one batch")
        client.send(f"collect {DELIVERY_TIMEOUT}")
        before = server.cpu_time() + database()
        sent, answered = [], []
        with (
            _profiled(args.profile, server.pid, workdir / f"{backend}-unlock.txt", profiles,
                      "unlock"),
            httpx.Client(base_url=server.base_url, timeout=120) as http,
        ):  # fmt: skip
            for body in unlock_batches(learners):
                sent.append(time.monotonic())
                response = http.post(
                    "/api/events",
                    content=body,
                    headers={"authorization": f"Bearer {key}", "content-type": "application/json"},
                )
                answered.append(time.monotonic())
                written = server.cpu_time() + database()
                if response.status_code != 201:
                    raise RuntimeError(
                        f"POST /api/events: {response.status_code} {response.text}\n"
                        + server.output()
                    )
            arrivals = client.answer(DELIVERY_TIMEOUT + 30)
        delivered = server.cpu_time() + database()
        per_learner = [n // MAX_BATCH for n in range(len(learners))]
        client.stop()
    return BackendResult(
        backend=backend,
        version=version,
        streams=ready["ready"],
        failed=ready["failed"] + arrivals["closed"],
        idle_seconds=args.idle_seconds,
        baseline=baseline,
        idle=idle,
        open_seconds=open_seconds,
        open_cpu=open_cpu,
        pings=arrivals["pings"],
        write_seconds=sum(answered) - sum(sent),
        write_cpu=written - before,
        delivery_cpu=delivered - written,
        after_response=latencies(arrivals["achievement"], [answered[b] for b in per_learner]),
        after_send=latencies(arrivals["achievement"], [sent[b] for b in per_learner]),
        notified=sum(at is not None for at in arrivals["notification"]),
        profiles=profiles,
    )


@contextlib.contextmanager
def _profiled(
    enabled: bool, pid: int, output: Path, profiles: dict[str, Profile], phase: str
) -> Iterator[None]:
    if not enabled:
        yield
        return
    with Profiler(pid, output) as profiler:
        yield
    profiles[phase] = profiler.result()


# The report ----------------------------------------------------------------------------------

# From `--profile` (py-spy on the server during the idle and the unlock phases).
WHERE_THE_TIME_GOES = (
    "Where the time goes (`--profile` samples the server with py-spy). An idle stream touches "
    "no database: what it costs is sse-starlette's keep-alive comment, sent every 15 s on every"
    " stream (67 a second for 1,000 streams) through the send wrappers of the app's "
    "middlewares, and the event loop's timers and socket writes; on SQLite also the one query a"
    " second that looks for other processes' notifications. An unlock wakes every learner's "
    "stream; the streams woken within 10 ms of each other read together "
    "(`notifications/news.py`): one read-only transaction of three queries (unlocks, "
    "notifications, unread counts) for all their learners, 500 to a query, and each stream is "
    "handed its own rows, then sends its three events. Before that shared read, each stream "
    "read for itself: 1,000 transactions and 3,000 queries one after another on the worker's "
    "one event loop, 2 to 4 ms of CPU per stream, and a delivery p50 of 0.8 to 1.2 s with the "
    "slowest at about 2 s. *With reconnects* adds the CPU of opening the streams again when "
    "they end (`QUESTPATH_RATE_LIMIT_STREAM_SECONDS`, 1,800 s by default), estimated from the "
    "opening cost measured here: a shorter lifetime makes it larger (300 s: six times), and a "
    "longer one ends later the stream of a browser signed out elsewhere. On SQLite the "
    "committing process wakes its streams at the commit, before the response is written, so "
    "part of the delivery's CPU falls in the write's. Wall times depend on the load of the "
    "machine (two cores, shared); CPU times much less."
)


def _pct(share: float) -> str:
    return f"{100 * share + 0.0:.2f}%" if abs(share) >= 0.00005 else "0.00%"


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "–"
    return f"{1000 * (max(values) if q == 100 else percentile(values, q)):.0f}"


def _verdict(met: bool) -> str:
    return "met" if met else "**not met**"


def markdown(results: list[BackendResult], command: str) -> str:
    lines = [
        "### Event streams: idle open streams and an unlock",
        "",
        f"`{command}`. One `questpath serve` worker; each learner signs up and opens one "
        "`GET /api/progress/stream` (server-sent events) from a client in a process of its own "
        "(bench/stream_client.py: raw sockets on uvloop), 50 opening at a time, until each has "
        "sent its first `unread` event. Sign-up hashes passwords with Argon2 at time cost 1 and "
        "1 MiB for the setup (`QUESTPATH_PASSWORD_HASH_*`); nothing measured hashes. *Baseline*: "
        "the same server with no stream open, over the same time (its webhook worker and "
        "reminder sweeps run by themselves). *Streams' cost* is the server's and the database's "
        "CPU with every stream open and idle, less the baseline. Then one batch from an admin's "
        "API key records one `exercise_completed` per learner, each learner's first, which "
        "unlocks *First Steps* for every learner at once; *delivery* is the time from the "
        "batch's response arriving to the `achievement` event arriving on the learner's stream. "
        "Target: 1,000 idle streams cost ≤ 2% of a core, and the unlock reaches every one within "
        "1 s.",
        "",
        "| Backend | Streams open | Server, idle streams | Server, baseline | Database, idle "
        "streams | Database, baseline | Streams' cost | Target ≤ 2% | With reconnects (estimate) "
        "| Client |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for r in results:
        database = r.backend != "sqlite"
        lines.append(
            f"| {r.backend} {r.version} | {r.streams:,} | {_pct(r.idle['server'])} | "
            f"{_pct(r.baseline['server'])} | "
            f"{_pct(r.idle['database']) if database else '–'} | "
            f"{_pct(r.baseline['database']) if database else '–'} | "
            f"{_pct(r.stream_share)} | {_verdict(r.met()[0])} | "
            f"{_pct(r.stream_share + r.reconnect_share)} | {_pct(r.idle['client'])} |"
        )
    lines += [
        "",
        "CPU as % of one core over "
        + ", ".join(sorted({f"{r.idle_seconds:g} s" for r in results}))
        + " each.",
        "",
        "| Backend | Write (send to response), s | Delivered | p50, ms | p95, ms | Max, ms "
        "| Within 1 s | Target | Max from sending, ms | CPU, write, s | CPU, delivery, s "
        "| Delivery CPU per stream, ms |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        got = [t for t in r.after_response if t is not None]
        from_send = [t for t in r.after_send if t is not None]
        lines.append(
            f"| {r.backend} {r.version} | {r.write_seconds:.2f} | {len(got):,} of {r.streams:,} | "
            f"{_ms(got, 50)} | {_ms(got, 95)} | {_ms(got, 100)} | {r.delivered():,} | "
            f"{_verdict(r.met()[1])} | {_ms(from_send, 100)} | {r.write_cpu:.1f} | "
            f"{r.delivery_cpu:.1f} | {1000 * r.delivery_cpu / max(len(got), 1):.1f} |"
        )
    lines += ["", WHERE_THE_TIME_GOES, ""]
    for r in results:
        lines.append(
            f"- {r.backend}: opening the {r.streams:,} streams took {r.open_seconds:.1f} s and "
            f"{1000 * r.open_cpu:.1f} ms of CPU each (server and database); a stream ends after "
            f"{STREAM_LIFETIME} s and its client opens another, which adds "
            f"{_pct(r.reconnect_share)} of a core for {r.streams:,} streams (*with reconnects*). "
            f"{r.notified:,} streams also got the `notification` event; "
            f"{r.pings:,} keep-alive comments arrived in all."
            + (f" Failed: {'; '.join(r.failed)}." if r.failed else "")
        )
    return "\n".join(lines) + "\n"


def print_profiles(results: list[BackendResult]) -> None:
    for result in results:
        for phase, profile in result.profiles.items():
            print(f"\n{result.backend}, {phase}: {profile.samples} samples (busy only)")
            for title, rows in (("on the stack", profile.total), ("innermost", profile.own)):
                print(f" {title}:")
                for name, share in rows:
                    print(f"  {100 * share:5.1f}%  {name}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.streams", description=__doc__)
    parser.add_argument("--streams", type=int, default=1000, help="learners, one stream each")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--profile", action="store_true", help="sample the server with py-spy")
    parser.add_argument("--doc", type=Path, help="replace the streams section of this page")
    args = parser.parse_args(argv)

    results = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as temp, throwaway_database(backend, Path(temp)) as db:
            results.append(measure(backend, db.version, db.url, db.cpu_seconds, args, Path(temp)))
    command = "python -m bench.streams " + " ".join(sys.argv[1:] if argv is None else argv)
    page = markdown(results, command.strip())
    print(page)
    print_profiles(results)
    if args.doc is not None:
        replace_section(args.doc, "streams", page)


if __name__ == "__main__":
    main()
