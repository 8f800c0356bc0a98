"""Bench: every ward of Hà Nội submitting its situation report before a deadline, while districts poll.

    .venv/bin/python bench/sitreps_deadline.py [--clients C] [--pause-ms P] [--retry-share R]
        [--districts D] [--poll-ms M] [--workers W] [--worker-threads N]
        (defaults 30 clients, 1,000 ms mean pause, 10 % retries, 30 district pollers every 2,000 ms,
         4 gunicorn workers x 10 threads)

DATABASE_URL must name a PostgreSQL database; it is created if missing and migrated. Setting up (not
timed): one ward officer per ward (579) and one district officer per district (30), each with an API
token, inserted in bulk (unusable passwords: the clients authenticate with their bearer tokens, so no
password is ever hashed); and a bench schedule, `bench-deadline`, on the shipped form for every ward of
the city, with one slot whose time and deadline are the wall-clock minute 12 minutes after setup, so
the whole run falls in the 15 minutes before its deadline and every report is on time (the shipped
`ward-daily-1630` would need the clock at 16:15 to do the same).

The project is then served by gunicorn on 127.0.0.1 (W gthread workers of N threads, bench/_settings.py:
the project's URLs plus `/bench/ping`) and, all at once, from Python threads with http.client keep-alive
connections:
  - C ward clients share the 579 wards (shuffled): each submits its ward's report,
    `POST /api/v1/sitreps/submissions` with an `Idempotency-Key`, then waits a random (exponential)
    pause of mean P ms before its next ward: the deadline rush, C requests in flight at most;
    R of the wards retry with the same key: half at once on a second connection (a client that gave
    up waiting and sent again while the first was still being served), half after the answer;
  - D district clients poll `GET /api/v1/sitreps/schedules/bench-deadline/timeliness?date=...` with
    their district's token every M ms until the wards are done;
  - 4 clients poll `GET /bench/ping` every 100 ms: the baseline, a trivial view of the same server
    under the same load.
Every answer must be 201 or 200 (a retry answers 200 with the first report's id). Afterwards the
database must hold exactly 579 reports, one per ward, each with one revision, all on time, and the
timeliness endpoint must say 579 expected, 579 on time, none missing. Prints p50/p95/p99 of each and
    BENCH name=sitreps_deadline value=<p95 submit ms> unit=ms baseline=<p95 ping ms> ratio=<value/baseline>
          target=p95<=500ms,p99<=1000ms
"""

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

from bench._common import ensure_database, setup_django, step  # noqa: E402

SCHEDULE = "bench-deadline"
SUBMIT_PATH = "/api/v1/sitreps/submissions"
PING_PATH = "/bench/ping"
P95_TARGET_MS, P99_TARGET_MS = 500, 1000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=30, help="concurrent ward clients (default 30)")
    parser.add_argument("--pause-ms", type=float, default=1000, help="mean pause between a client's wards")
    parser.add_argument("--retry-share", type=float, default=0.10, help="share of wards that retry (0.10)")
    parser.add_argument("--districts", type=int, default=30, help="district pollers (default 30)")
    parser.add_argument("--poll-ms", type=float, default=2000, help="timeliness poll interval (default 2000)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes (default 4)")
    parser.add_argument("--worker-threads", type=int, default=10, help="threads per worker (default 10)")
    return parser.parse_args()


# Setting up ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Official:
    unit_code: str
    token: str


def create_officials() -> tuple[list[Official], list[Official]]:
    """A ward officer per ward and a district officer per district, each with a bearer token (bulk)."""
    from django.db import transaction
    from django.utils import timezone

    from phaodai.accounts.models import ApiToken, RoleAssignment, User
    from phaodai.accounts.roles import Role
    from phaodai.accounts.services import TOKEN_PREFIX
    from phaodai.territory.models import Unit

    units = list(Unit.objects.filter(level__in=["ward", "district"]).order_by("code"))
    moment = timezone.now()
    with transaction.atomic():
        users = []
        for unit in units:
            user = User(username=f"bench-{unit.level}-{unit.code}", is_active=True)
            user.set_unusable_password()
            users.append(user)
        users = User.objects.bulk_create(users)
        RoleAssignment.objects.bulk_create(
            RoleAssignment(
                user=user, unit=unit, active=True,
                role=Role.WARD_OFFICER if unit.level == "ward" else Role.DISTRICT_OFFICER,
            )
            for user, unit in zip(users, units, strict=True)
        )  # fmt: skip
        raws = [TOKEN_PREFIX + secrets.token_urlsafe(32) for _ in users]
        ApiToken.objects.bulk_create(
            ApiToken(
                user=user, digest=hashlib.sha256(raw.encode()).hexdigest(),
                prefix=raw[: len(TOKEN_PREFIX) + 5], expires_at=moment + timedelta(days=1),
            )
            for user, raw in zip(users, raws, strict=True)
        )  # fmt: skip
    officials = [Official(unit.code, raw) for unit, raw in zip(units, raws, strict=True)]
    wards = [o for o, unit in zip(officials, units, strict=True) if unit.level == "ward"]
    districts = [o for o, unit in zip(officials, units, strict=True) if unit.level == "district"]
    return wards, districts


def create_schedule() -> tuple[str, date, datetime]:
    """The bench schedule: every ward, one slot 12-13 minutes from now. Its ISO slot, day and deadline."""
    from django.utils import timezone

    from phaodai.core.clock import to_local
    from phaodai.sitreps.models import Schedule, Slot

    shipped = Schedule.objects.get(code="ward-daily-1630")
    deadline = to_local(timezone.now() + timedelta(minutes=13)).replace(second=0, microsecond=0)
    schedule = Schedule.objects.create(
        code=SCHEDULE, name="Bench: báo cáo trước hạn", name_en="Bench: deadline rush", form=shipped.form,
        reporter_level="ward", scope=shipped.scope, grace_minutes=0, lock_after_hours=24, open_hours_before=8,
        remind_minutes_before=60, active_from=deadline.date() - timedelta(days=1),
    )  # fmt: skip
    Slot.objects.create(
        schedule=schedule, name="Hạn", name_en="Deadline", at=deadline.time(), deadline=deadline.time()
    )
    return f"{deadline:%Y-%m-%dT%H:%M}", deadline.date(), deadline


def ward_report(n: int) -> dict[str, Any]:
    """A consistent report, different for each ward (seeded)."""
    rng = random.Random(n)
    taken = rng.randint(50, 3000)
    found = rng.randint(0, 20)
    fined = rng.randint(0, found)
    recipients = rng.randint(0, 200)
    return {
        "new_f0_community": rng.randint(0, 15), "new_f0_quarantine": rng.randint(0, 30),
        "f1_traced": rng.randint(0, 300), "quarantine_concentrated": rng.randint(0, 500),
        "quarantine_home": rng.randint(0, 800), "tests_taken": taken,
        "tests_positive": rng.randint(0, taken // 50),
        "results_pending": rng.randint(0, 500), "vaccinations": rng.randint(0, 5000),
        "checkpoints_staffed": rng.randint(0, 12), "violations_found": found, "violations_fined": fined,
        "fines_amount": 2_000_000 * fined, "welfare_recipients": recipients,
        "welfare_paid": 1_500_000 * recipients, "situation": "Tình hình ổn định, kiểm soát tốt.",
        "proposals": "" if n % 3 else "Đề nghị bổ sung test nhanh kháng nguyên.",
    }  # fmt: skip


# Serving ------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve(port: int, workers: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench._settings",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        # Submitting notifies nobody; should anything notify, keep the console quiet.
        "PHAODAI_NOTIFIER": "phaodai.notifications.backends.SilentNotifier",
    }
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
        "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
        "--backlog", "2048", "--keep-alive", "30", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# Load ---------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Latencies (ms) and answers of one kind of request, from many threads."""

    latencies: list[float] = field(default_factory=list)
    finished: list[float] = field(default_factory=list)  # when each answer came (perf_counter)
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    problems: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, ms: float, status: str, problem: str = "") -> None:
        with self.lock:
            self.latencies.append(ms)
            self.finished.append(time.perf_counter())
            self.statuses[status] += 1
            if problem and len(self.problems) < 20:
                self.problems.append(problem)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]

    def slowest(self, since: float, n: int = 5) -> str:
        """The n slowest requests, each as latency@seconds into the run (a tail at the start is warm-up)."""
        worst = sorted(zip(self.latencies, self.finished, strict=True), reverse=True)[:n]
        return ", ".join(f"{ms:.0f} ms@{end - ms / 1000 - since:.1f} s" for ms, end in worst)

    def summary(self) -> str:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"{len(self.latencies)} requests, p50 {self.percentile(50):.1f} ms, "
            f"p95 {self.percentile(95):.1f} ms, p99 {self.percentile(99):.1f} ms, "
            f"max {max(self.latencies, default=float('nan')):.0f} ms ({statuses})"
        )


class Client:
    """One keep-alive connection to the server (http.client, reopened if the server closed it)."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port, self.token = port, token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: Any = None, key: str = "") -> tuple[int, Any, float]:
        headers = {"Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if key:
            headers["Idempotency-Key"] = key
        payload = json.dumps(body).encode() if body is not None else None
        if payload is not None:
            headers["Content-Type"] = "application/json"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed while idle: reconnect once, not an error.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
                continue
            ms = (time.perf_counter() - started) * 1000
            return response.status, json.loads(data) if data else None, ms
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.connection.close()


@dataclass
class Run:
    port: int
    slot: str
    day: date
    submit: Tally = field(default_factory=Tally)
    retry: Tally = field(default_factory=Tally)
    timeliness: Tally = field(default_factory=Tally)
    ping: Tally = field(default_factory=Tally)
    ids: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    ids_lock: threading.Lock = field(default_factory=threading.Lock)
    wards_done: threading.Event = field(default_factory=threading.Event)
    started: float = 0.0

    def record_id(self, ward: str, body: Any) -> None:
        with self.ids_lock:
            self.ids[ward].add(int(body["id"]))


def send(run: Run, client: Client, tally: Tally, ward: Official, body: dict[str, Any], key: str) -> None:
    try:
        status, answer, ms = client.request("POST", SUBMIT_PATH, body, key)
    except OSError as error:
        tally.add(float("nan"), "exception", f"{ward.unit_code}: {error!r}")
        return
    ok = status in (200, 201) and isinstance(answer, dict) and answer.get("timeliness") == "on_time"
    tally.add(ms, str(status), "" if ok else f"{ward.unit_code}: {status} {str(answer)[:200]}")
    if ok:
        run.record_id(ward.unit_code, answer)


def ward_client(
    run: Run, wards: list[tuple[int, Official]], pause_ms: float, retries: set[str], seed: int
) -> None:
    rng = random.Random(seed)
    clients: dict[str, Client] = {}
    for n, ward in wards:
        time.sleep(rng.expovariate(1000 / pause_ms) if pause_ms else 0)
        client = clients.setdefault(ward.token, Client(run.port, ward.token))
        body = {"schedule": SCHEDULE, "unit": ward.unit_code, "slot": run.slot, "values": ward_report(n)}
        key = f"bench-{ward.unit_code}-{secrets.token_hex(4)}"
        if ward.unit_code in retries and n % 2 == 0:
            # The impatient client: the same request again on a second connection while the first is served.
            twin = Client(run.port, ward.token)
            second = threading.Thread(target=send, args=(run, twin, run.retry, ward, body, key))
            second.start()
            send(run, client, run.submit, ward, body, key)
            second.join()
            twin.close()
        else:
            send(run, client, run.submit, ward, body, key)
            if ward.unit_code in retries:  # the answer was lost: the client sends it again
                send(run, client, run.retry, ward, body, key)
    for client in clients.values():
        client.close()


def poller(
    run: Run, token: str, path: str, every_ms: float, tally: Tally, check: Callable[[Any], str], seed: int
) -> None:
    rng = random.Random(seed)
    client = Client(run.port, token)
    time.sleep(rng.uniform(0, every_ms / 1000))  # spread the pollers over the interval
    while not run.wards_done.is_set():
        started = time.perf_counter()
        try:
            status, answer, ms = client.request("GET", path)
            problem = "" if status == 200 else f"{status} {str(answer)[:200]}"
            problem = problem or check(answer)
            tally.add(ms, str(status) if not problem else f"{status}-bad", problem)
        except OSError as error:
            tally.add(float("nan"), "exception", repr(error))
        run.wards_done.wait(max(0.0, every_ms / 1000 - (time.perf_counter() - started)))
    client.close()


def timeliness_is_sane(answer: Any) -> str:
    if not isinstance(answer, list) or len(answer) != 1:
        return f"unexpected answer {str(answer)[:200]}"
    slot = answer[0]
    if slot["on_time"] + slot["late"] + slot["missing"] != slot["expected"] or slot["expected"] < 1:
        return f"inconsistent {slot}"
    return ""


def drive(run: Run, wards: list[Official], districts: list[Official], args: argparse.Namespace) -> float:
    rng = random.Random(20210908)
    order = list(enumerate(wards))
    rng.shuffle(order)
    retries = {ward.unit_code for _, ward in rng.sample(order, round(len(order) * args.retry_share))}
    shares = [order[i :: args.clients] for i in range(args.clients)]
    timeliness_path = f"/api/v1/sitreps/schedules/{SCHEDULE}/timeliness?date={run.day.isoformat()}"
    background = [
        threading.Thread(
            target=poller,
            args=(run, d.token, timeliness_path, args.poll_ms, run.timeliness, timeliness_is_sane, i),
        )
        for i, d in enumerate(districts[: args.districts])
    ]
    background += [
        threading.Thread(target=poller, args=(run, "", PING_PATH, 100, run.ping, lambda a: "", 1000 + i))
        for i in range(4)
    ]
    for thread in background:
        thread.start()
    started = run.started = time.perf_counter()
    workers = [
        threading.Thread(target=ward_client, args=(run, share, args.pause_ms, retries, i))
        for i, share in enumerate(shares)
    ]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    window = time.perf_counter() - started
    run.wards_done.set()
    for thread in background:
        thread.join()
    return window


def warm_up(
    port: int, wards: list[Official], districts: list[Official], slot: str, day: date, connections: int
) -> None:
    """Not counted: as many connections as the server has threads, each through every code path twice.

    Each gunicorn thread opens its own database connection and each worker imports the submit path on
    first use; without this, the first second of the rush waits ~2.5 s behind those (measured).
    A submission with a bad value runs the whole submit path up to the value check and writes nothing.
    """

    def one(n: int) -> None:
        ward, district = wards[n % len(wards)], districts[n % len(districts)]
        bad = {"schedule": SCHEDULE, "unit": ward.unit_code, "slot": "2000-01-01T00:00", "values": {}}
        bad_values = {**bad, "slot": slot, "values": {"tests_taken": -1}}
        reader, writer = Client(port, district.token), Client(port, ward.token)
        for _round in range(2):
            reader.request("GET", f"/api/v1/sitreps/schedules/{SCHEDULE}/timeliness?date={day.isoformat()}")
            writer.request("POST", SUBMIT_PATH, bad)
            writer.request("POST", SUBMIT_PATH, bad_values)
            reader.request("GET", PING_PATH)
        reader.close()
        writer.close()

    threads = [threading.Thread(target=one, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


# Checking -----------------------------------------------------------------------------------------


def check_database(run: Run, expected: int) -> list[str]:
    from django.db.models import Count

    from phaodai.sitreps.models import Revision, Submission

    reports = Submission.objects.filter(schedule__code=SCHEDULE)
    problems = []
    total = reports.count()
    if total != expected:
        problems.append(f"{total} reports in the database, expected {expected}")
    twice = list(reports.values("unit_id").annotate(n=Count("id")).filter(n__gt=1))
    if twice:
        problems.append(f"units with more than one report: {twice[:10]}")
    revisions = Revision.objects.filter(submission__schedule__code=SCHEDULE).count()
    if revisions != expected:
        problems.append(f"{revisions} revisions, expected {expected} (one per report)")
    late = reports.filter(on_time=False).count()
    if late:
        problems.append(f"{late} reports marked late (the run should fit before the deadline)")
    answered_twice = {ward: ids for ward, ids in run.ids.items() if len(ids) != 1}
    if answered_twice:
        problems.append(f"wards answered with different ids: {list(answered_twice.items())[:10]}")
    if len(run.ids) != expected:
        problems.append(f"{len(run.ids)} wards got an answer, expected {expected}")
    return problems


def main() -> None:
    args = parse_args()
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        sys.exit("sitreps_deadline needs gunicorn in the virtualenv: .venv/bin/pip install gunicorn")
    ensure_database("sitreps_deadline")
    setup_django()

    from django.db import connections

    t0 = time.perf_counter()
    wards, districts = create_officials()
    step(f"{len(wards)} ward and {len(districts)} district officers with API tokens", t0)
    slot, day, deadline = create_schedule()
    print(f"bench schedule {SCHEDULE}: slot {slot}, deadline {deadline:%H:%M} (Hà Nội)", flush=True)
    connections.close_all()

    with tempfile.TemporaryDirectory(prefix="bench-sitreps-") as tmp:
        port, log = free_port(), Path(tmp) / "gunicorn.log"
        server = serve(port, args.workers, args.worker_threads, log)
        try:
            up = time.monotonic() + 60
            while True:
                if server.poll() is not None:
                    sys.exit(f"gunicorn exited with {server.returncode}:\n{log.read_text()}")
                try:
                    if Client(port).request("GET", PING_PATH)[0] == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > up:
                    sys.exit(f"gunicorn did not answer within 60 s:\n{log.read_text()}")
                time.sleep(0.3)
            warm_up(port, wards, districts, slot, day, args.workers * args.worker_threads)
            print(
                f"http://127.0.0.1:{port}: gunicorn, {args.workers} gthread workers x "
                f"{args.worker_threads} threads; {args.clients} ward clients (mean pause "
                f"{args.pause_ms:.0f} ms, {args.retry_share:.0%} retry), "
                f"{args.districts} district pollers every {args.poll_ms:.0f} ms, 4 ping pollers every 100 ms",
                flush=True,
            )
            run = Run(port=port, slot=slot, day=day)
            window = drive(run, wards, districts, args)
            final = Client(port, districts[0].token)
            _status, city_view, _ms = final.request(
                "GET", f"/api/v1/sitreps/schedules/{SCHEDULE}/timeliness?date={day.isoformat()}"
            )
            final.close()
        finally:
            stop(server)
        server_errors = [
            line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line
        ]
        if server_errors:
            print("the server logged errors:\n" + log.read_text()[-3000:], flush=True)

    problems = check_database(run, len(wards))
    first_district = city_view[0] if isinstance(city_view, list) and city_view else {}
    print(f"wards submitted in {window:.1f} s ({len(wards) / window:.1f} reports/s)")
    print(f"submit:     {run.submit.summary()}")
    print(f"retries:    {run.retry.summary()}")
    print(f"timeliness: {run.timeliness.summary()}")
    print(f"ping:       {run.ping.summary()}")
    print(f"slowest submits: {run.submit.slowest(run.started)}")
    print(f"slowest pings: {run.ping.slowest(run.started)}")
    print(f"{districts[0].unit_code}'s timeliness at the end: {first_district}")
    errors = sum(
        n for tally in (run.submit, run.retry, run.timeliness, run.ping) for s, n in tally.statuses.items()
        if s not in ("200", "201")
    )  # fmt: skip
    for tally in (run.submit, run.retry, run.timeliness, run.ping):
        problems += tally.problems
    if first_district.get("missing") != 0 or first_district.get("on_time") != first_district.get("expected"):
        problems.append(f"the district's timeliness at the end is not all on time: {first_district}")
    if server_errors:
        problems.append("the server logged errors")
    submit_p95, ping_p95 = run.submit.percentile(95), run.ping.percentile(95)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"errors {errors}; problems {len(problems)} (listed below if any); load average {load}")
    print(
        f"BENCH name=sitreps_deadline value={submit_p95:.1f} unit=ms baseline={ping_p95:.1f} "
        f"ratio={submit_p95 / ping_p95:.2f} target=p95<={P95_TARGET_MS}ms,p99<={P99_TARGET_MS}ms"
    )
    print(
        f"(submit p99 {run.submit.percentile(99):.1f} ms; "
        f"timeliness p95 {run.timeliness.percentile(95):.1f} ms)"
    )
    if problems:
        sys.exit("FAILED:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
