"""Load test of the production mode (issues 7 and 10): `make loadtest`.

Starts `scripts/serve.sh` (gunicorn + whitenoise) on 127.0.0.1 and a free port with a throw-away
PostgreSQL database filled by `manage.py generate_city` (with STELLENPLAN_DEVTOOLS=1 for that
command only: the server runs without the dev tools, as in production), logs in N simulated
users (threads, one session each) and lets them list, filter, edit and export positions for a
fixed time. Pages are addressed by path (URL names may change, paths stay).

Capacity, measured in the same run before the load: each kind of action runs alone,
sequentially, from one client; the CPU time it costs is read from /proc (utime + stime) of
the gunicorn processes and of the PostgreSQL backends of the test database, before and after.
The capacity for the load's mix is cores ÷ the mean CPU seconds per action (weighted by how
often each kind ran under load), and the load test reports its throughput as a ratio to it
(target ≥ 0.7 with 20 users: the load generator shares the cores).

Reports requests/s, p50/p95 latency per action and the error count (must be 0), then stops the
server and checks that every acknowledged edit is in the database (current value and history).
The result replaces the section "Lasttest" of bench/results.md (unless --no-results).

Loopback only; stops by itself after --seconds. Exit code 1 on any error or lost edit.

    .venv/bin/python bench/loadtest.py                      # 20 users, 60 s, 20,000 positions
    .venv/bin/python bench/loadtest.py --users 5 --seconds 10 --positions 2000 --no-results
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from http_client import Client, form_fields  # noqa: E402

PY = os.environ.get("PY", str(ROOT / ".venv" / "bin" / "python"))
RESULTS = ROOT / "bench" / "results.md"
SECTION = "## Lasttest"
WEIGHTS = {"Liste": 35, "Filter": 35, "Bearbeiten": 20, "Export": 10}
# Paths, not URL names (names are being renamed; paths stay).
LIST_PATH = "/kosten/stellen/"
EXPORT_PATH = "/kosten/excel/stellenliste/"
EDIT_PATH = "/stellen/{pk}/bearbeiten/"
TARGET_RATIO = 0.7
TARGET_CPU_MS = 50  # CPU time (app + database) per user action, weighted by the mix
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sample:
    action: str
    status: int
    seconds: float
    error: str = ""


@dataclass
class Shared:
    samples: list[Sample] = field(default_factory=list)
    acknowledged: list[tuple[int, str]] = field(default_factory=list)  # (position id, title)
    conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds under load, by whom


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True)


def psql(pg: str, sql: str) -> None:
    subprocess.run(["psql", f"{pg}/postgres", "-qc", sql], check=True, capture_output=True)


class Targets:
    """Ids the simulated users pick from (read once from the database)."""

    def __init__(self) -> None:
        from departments.models import OrgUnit
        from stellenplan.models import PayGrade, Position

        self.positions = list(Position.objects.values_list("pk", flat=True))
        self.hot = self.positions[:5]
        self.units = list(OrgUnit.objects.values_list("pk", flat=True))
        self.departments = list(OrgUnit.objects.filter(kind="amt").values_list("pk", flat=True))
        self.grades = list(PayGrade.objects.values_list("pk", flat=True))
        words = Position.objects.values_list("title", flat=True)[:200]
        self.words = sorted({w for t in words for w in t.split() if len(w) > 4}) or ["Stelle"]


def act(
    client: Client,
    action: str,
    targets: Targets,
    shared: Shared,
    rnd: random.Random,
    title: str,
) -> None:
    """One action of a user (one request, or two for an edit: form and save), recorded."""
    try:
        if action == "Liste":
            response = client.get(f"{LIST_PATH}?page={rnd.randint(1, 5)}")
            ok = response.status == 200
        elif action == "Filter":
            choice = rnd.randrange(4)
            query: dict[str, str | int]
            if choice == 0:
                query = {"org_unit": rnd.choice(targets.departments), "year": 2012}
            elif choice == 1:
                query = {"pay_grade": rnd.choice(targets.grades)}
            elif choice == 2:
                query = {"q": rnd.choice(targets.words), "status_group": "tarif"}
            else:
                query = {"org_unit": rnd.choice(targets.units), "note": "KW"}
            response = client.get(f"{LIST_PATH}?{urlencode(query)}")
            ok = response.status == 200
        elif action == "Export":
            unit = rnd.choice(targets.units)
            response = client.get(f"{EXPORT_PATH}?org_unit={unit}&year=2012")
            ok = response.status == 200 and response.headers.get("content-type", "").startswith(
                XLSX
            )
        else:
            # a third of the edits go to a few "hot" positions, so that edits collide
            pool = targets.hot if rnd.random() < 0.3 else targets.positions
            pk = rnd.choice(pool)
            url = EDIT_PATH.format(pk=pk)
            form = client.get(url)
            if form.status != 200:
                record(shared, Sample("Bearbeiten (Formular)", form.status, form.seconds, "GET"))
                return
            record(shared, Sample("Bearbeiten (Formular)", form.status, form.seconds))
            fields = form_fields(form.text)
            fields["title"] = title
            response = client.post(url, fields)
            if response.status == 302:
                with shared.lock:
                    shared.acknowledged.append((pk, title))
                ok = True
            elif response.status == 409:  # someone saved it in between: told, not an error
                with shared.lock:
                    shared.conflicts += 1
                ok = "wurde inzwischen" in response.text
            else:
                errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', response.text)
                record(
                    shared, Sample(action, response.status, response.seconds, "; ".join(errors[:3]))
                )
                return
        record(
            shared,
            Sample(action, response.status, response.seconds, "" if ok else "unerwartet"),
        )
    except Exception as error:  # noqa: BLE001 - every failure is counted and reported
        record(shared, Sample(action, 0, 0.0, f"{type(error).__name__}: {error}"))
        client.close()


def user_loop(
    client: Client, targets: Targets, shared: Shared, deadline: float, rnd: random.Random, name: str
) -> None:
    edits = 0
    while time.monotonic() < deadline:
        action = rnd.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        if action == "Bearbeiten":
            edits += 1
        act(client, action, targets, shared, rnd, f"Lasttest {name} Nr. {edits}")


# --- capacity: CPU seconds of one action of each kind, run alone ----------------------------

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float | None:
    """utime + stime of a process (None if it is gone)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()  # after "pid (comm)": state is fields[0]
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime: fields 14 and 15 of stat


def server_pids(master: int) -> list[int]:
    """The gunicorn master and its workers (the master's children)."""
    pids = [master]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == master:  # field 4 of stat: ppid
            pids.append(int(entry.name))
    return pids


def machine_busy() -> float:
    """CPU seconds all cores of the machine spent busy since boot (/proc/stat, not idle or
    waiting for I/O)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICK


class CpuMeter:
    """CPU time of the app server and of the test database's PostgreSQL backends (the
    database server's own background processes and other databases' backends excluded; the
    meter's own backend excluded)."""

    def __init__(self, master: int) -> None:
        self.master = master

    def backend_pids(self) -> list[int]:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return [row[0] for row in cursor.fetchall()]

    def snapshot(self) -> dict[tuple[str, int], float]:
        """CPU seconds by ("app" or "db", pid)."""
        pids = [("app", pid) for pid in server_pids(self.master)]
        pids += [("db", pid) for pid in self.backend_pids()]
        times = {key: cpu_seconds(key[1]) for key in pids}
        return {key: t for key, t in times.items() if t is not None}

    @staticmethod
    def spent(
        before: dict[tuple[str, int], float],
        after: dict[tuple[str, int], float],
        kind: str | None = None,
    ) -> float:
        """CPU seconds between two snapshots (a process that appeared counts from zero), of
        the app ("app"), the database ("db") or both (None)."""
        return sum(t - before.get(key, 0.0) for key, t in after.items() if kind in (None, key[0]))


@dataclass
class Cost:
    action: str
    actions: int
    requests: int
    cpu_s: float
    db_s: float = 0.0  # of cpu_s, the PostgreSQL backends'

    @property
    def per_action(self) -> float:
        return self.cpu_s / self.actions

    @property
    def db_per_action(self) -> float:
        return self.db_s / self.actions


def measure_capacity(
    client: Client, targets: Targets, meter: CpuMeter, seconds: float, seed: int
) -> tuple[list[Cost], Shared]:
    """Each kind of action alone, sequentially: CPU seconds of app and database per action.

    A few unmeasured actions first warm every worker up; then the kind runs for `seconds`
    (at least 5 actions).
    """
    shared = Shared()  # the edits are checked with the others
    rnd = random.Random(seed)
    costs = []
    for n, action in enumerate(WEIGHTS):
        for i in range(WARMUP):
            act(client, action, targets, shared, rnd, f"Kapazität Aufwärmen {n}.{i}")
        requests_before = len(shared.samples)
        before = meter.snapshot()
        started = time.monotonic()
        count = 0
        while count < 5 or time.monotonic() - started < seconds:
            count += 1
            act(client, action, targets, shared, rnd, f"Kapazität {action} Nr. {count}")
        after = meter.snapshot()
        costs.append(
            Cost(
                action,
                count,
                len(shared.samples) - requests_before,
                meter.spent(before, after),
                meter.spent(before, after, "db"),
            )
        )
    return costs, shared


WARMUP = 6  # > gunicorn workers' share of the first requests (templates, imports)


def capacity_ratio(costs: list[Cost], shared: Shared, elapsed: float) -> dict:
    """Throughput of the load as a ratio to the machine's capacity for the same mix.

    The mix is what the users did (actions per kind under load); the capacity for it is
    cores ÷ the mix's mean CPU seconds per action, so the ratio is the CPU seconds the load's
    actions would cost alone divided by the CPU seconds the cores offered in the time.
    """
    cores = os.cpu_count() or 1
    done: defaultdict[str, int] = defaultdict(int)
    for sample in shared.samples:
        if sample.action in WEIGHTS and not sample.error:
            done[sample.action] += 1
    total = sum(done.values())
    by_action = {c.action: c for c in costs}
    cpu_per_action = (
        sum(n * by_action[a].per_action for a, n in done.items()) / total if total else 0.0
    )
    db_per_action = (
        sum(n * by_action[a].db_per_action for a, n in done.items()) / total if total else 0.0
    )
    requests = sum(1 for s in shared.samples if not s.error)
    capacity = cores / cpu_per_action if cpu_per_action else 0.0
    throughput = total / elapsed
    cpu = dict(shared.cpu)
    if cpu and total:
        cpu["server_per_action"] = cpu["server"] / total
    return {
        "cores": cores,
        "elapsed": elapsed,
        "cpu": cpu,
        "cpu_per_action": cpu_per_action,
        "db_per_action": db_per_action,
        "capacity": capacity,
        "throughput": throughput,
        "requests_per_s": requests / elapsed,
        "requests_per_action": requests / total if total else 0.0,
        "ratio": throughput / capacity if capacity else 0.0,
    }


def record(shared: Shared, sample: Sample) -> None:
    with shared.lock:
        shared.samples.append(sample)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def verify(shared: Shared) -> list[str]:
    """Every acknowledged edit is in the history; each edited position shows its last edit."""
    from stellenplan.models import Position

    problems = []
    by_position: dict[int, set[str]] = defaultdict(set)
    for pk, title in shared.acknowledged:
        by_position[pk].add(title)
    for pk, titles in by_position.items():
        history = list(
            Position.history.filter(id=pk, history_type="~")
            .order_by("history_date", "history_id")
            .values_list("title", flat=True)
        )
        missing = titles - set(history)
        if missing:
            problems.append(f"Stelle {pk}: bestätigte Änderung fehlt in der Historie: {missing}")
        current = Position.objects.filter(pk=pk).values_list("title", flat=True).first()
        if not history or current != history[-1] or current not in titles:
            problems.append(f"Stelle {pk}: gespeichert „{current}“, zuletzt bestätigt {titles}")
    return problems


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}, {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}"


def de(value: float, places: int = 0) -> str:
    text = f"{value:,.{places}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def cpu_under_load(capacity: dict) -> list[str]:
    """Where the cores' time went during the load (explains a low ratio on a shared machine)."""
    cpu = capacity.get("cpu")
    if not cpu:
        return []
    offered = capacity["cores"] * capacity["elapsed"]
    other = max(0.0, cpu["machine"] - cpu["server"] - cpu["generator"])
    return [
        f"CPU-Zeit während der Last ({de(capacity['cores'])} Kerne × "
        f"{de(capacity['elapsed'], 1)} s = {de(offered, 1)} s): gunicorn und PostgreSQL-Backends "
        f"{de(cpu['server'], 1)} s ({de(cpu['server_per_action'] * 1000)} ms je Aktion, allein "
        f"{de(capacity['cpu_per_action'] * 1000)} ms), Lastgenerator {de(cpu['generator'], 1)} s, "
        f"alles andere auf dem Rechner {de(other, 1)} s, frei "
        f"{de(max(0.0, offered - cpu['machine']), 1)} s.",
        "",
    ]


def capacity_lines(costs: list[Cost], capacity: dict, users: int) -> list[str]:
    met = capacity["ratio"] >= TARGET_RATIO
    cpu_ms = capacity["cpu_per_action"] * 1000
    lines = [
        "Kapazität des Rechners für diese Mischung, im selben Lauf gemessen: jede Aktion allein, "
        "nacheinander von einem Client; CPU-Zeit (utime + stime aus /proc) der gunicorn-Prozesse "
        "und der PostgreSQL-Backends der Testdatenbank vorher und nachher:",
        "",
        "| Aktion | Aktionen | Anfragen | CPU-Zeit je Aktion (App + Datenbank) | davon Datenbank |",
        "|---|---:|---:|---:|---:|",
        *(
            f"| {c.action} | {c.actions} | {c.requests} | {de(c.per_action * 1000)} ms "
            f"| {de(c.db_per_action * 1000)} ms |"
            for c in costs
        ),
        "",
        f"Gewichtet mit der Mischung unter Last: {de(capacity['cpu_per_action'] * 1000)} ms "
        f"CPU je Aktion; Kapazität = {capacity['cores']} Kerne ÷ das = "
        f"{de(capacity['capacity'], 1)} Aktionen/s. Durchsatz unter Last: "
        f"{de(capacity['throughput'], 1)} Aktionen/s ({de(capacity['requests_per_s'], 1)} "
        f"Anfragen/s, {de(capacity['requests_per_action'], 2)} Anfragen je Aktion).",
        "",
        *cpu_under_load(capacity),
        f"- **{'erreicht' if met else 'verfehlt'}**: Durchsatz = {de(capacity['ratio'], 2)} × "
        f"die Kapazität (Ziel ≥ {de(TARGET_RATIO, 1)} bei 20 Benutzern, hier {users}; "
        "Lastgenerator, gunicorn und PostgreSQL teilen sich die Kerne).",
        f"- **{'erreicht' if cpu_ms <= TARGET_CPU_MS else 'verfehlt'}**: CPU-Zeit je Aktion "
        f"(App + Datenbank, gewichtet mit der Mischung, jede Aktion allein gemessen): "
        f"{de(cpu_ms)} ms, davon Datenbank {de(capacity['db_per_action'] * 1000)} ms "
        f"(Ziel ≤ {TARGET_CPU_MS} ms){cpu_under_load_short(capacity)}.",
    ]
    return lines


def cpu_under_load_short(capacity: dict) -> str:
    cpu = capacity.get("cpu")
    if not cpu or "server_per_action" not in cpu:
        return ""
    return f"; unter Last {de(cpu['server_per_action'] * 1000)} ms je Aktion"


def report(
    args,
    shared: Shared,
    elapsed: float,
    problems: list[str],
    pg_version: str,
    costs: list[Cost],
    capacity: dict,
) -> str:
    samples = shared.samples
    errors = [s for s in samples if s.error]
    load_before = f"{args.load_before:.1f}".replace(".", ",")
    lines = [
        f"{SECTION}",
        "",
        f"`make loadtest` am {datetime.now().astimezone():%d.%m.%Y %H:%M}: {args.users} simulierte Benutzer, "
        f"{elapsed:.0f} s, {args.positions} Stellen (`generate_city --seed {args.seed}`), "
        f"gunicorn mit {args.workers} Prozessen ({machine()}), PostgreSQL {pg_version}, "
        "alles auf 127.0.0.1: Lastgenerator, gunicorn und PostgreSQL teilen sich die CPUs "
        f"(Systemlast vor dem Lauf: {load_before}).",
        "",
        "| Aktion | Anfragen | Anfragen/s | p50 ms | p95 ms | Fehler |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    actions = sorted({s.action for s in samples}, key=lambda a: (a not in WEIGHTS, a))
    for action in [*actions, "gesamt"]:
        chosen = [s for s in samples if action in (s.action, "gesamt")]
        times = [s.seconds * 1000 for s in chosen if not s.error]
        rate = f"{len(chosen) / elapsed:.1f}".replace(".", ",")
        lines.append(
            f"| {action} | {len(chosen)} | {rate} | "
            f"{percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} | "
            f"{sum(1 for s in chosen if s.error)} |"
        )
    lines += [
        "",
        "Liste: Stellenliste, Seiten 1–5; Filter: Stellenliste nach Amt und Jahr, Stellenwert, "
        "Suchwort mit Tarif oder Einheit mit KW; Bearbeiten (Formular): Bearbeitungsseite öffnen; "
        "Bearbeiten: Speichern einer geänderten Funktionsbezeichnung (ein Drittel davon auf fünf "
        "„heiße“ Stellen, damit Änderungen zusammenstoßen); Export: Excel-Stellenliste einer "
        "Einheit samt Untereinheiten.",
        "",
        *capacity_lines(costs, capacity, args.users),
        "",
        f"Fehler: {len(errors)}. Bestätigte Änderungen: {len(shared.acknowledged)}, "
        f"davon in der Datenbank wiedergefunden: "
        f"{len(shared.acknowledged) if not problems else 'NICHT alle'}; "
        f"abgewiesene gleichzeitige Änderungen (409, Benutzer informiert): {shared.conflicts}.",
    ]
    if errors:
        kinds = statistics.multimode(f"{s.action}: HTTP {s.status} {s.error}" for s in errors)
        lines.append(f"Häufigster Fehler: {kinds[0]}")
    lines += [f"- {p}" for p in problems[:10]]
    return "\n".join(lines) + "\n"


def write_results(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark\n"
    start = old.find(f"\n{SECTION}")
    if start == -1:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        following = old.find("\n## ", start + len(SECTION) + 1)
        rest = old[following:] if following != -1 else ""
        new = old[: start + 1] + text + rest
    RESULTS.write_text(new, encoding="utf-8")


def run(args, env: dict[str, str], *, names: list[str], password: str, port: int, log):
    """Fill the database, start the server, measure the capacity, let the users work; returns
    what they saw and what each action costs alone."""
    print(f"Datenbank: migrate, generate_city --positions {args.positions}", flush=True)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    # the dev tools for this command only: the server runs as in production, without them
    manage(
        {**env, "STELLENPLAN_DEVTOOLS": "1"},
        "generate_city",
        "--positions",
        str(args.positions),
        "--seed",
        str(args.seed),
    )

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import connection

    user_model = get_user_model()
    hashed = make_password(password)
    user_model.objects.bulk_create(
        [user_model(username=n, password=hashed, is_staff=True, is_superuser=True) for n in names]
    )
    targets = Targets()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0].split()[0]
    connection.close()

    print(f"Server auf 127.0.0.1:{port} ({args.workers} gunicorn-Prozesse)", flush=True)
    server = subprocess.Popen(
        ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        for _ in range(240):
            try:
                socket.create_connection(("127.0.0.1", port), 1).close()
                break
            except OSError:
                if server.poll() is not None:
                    log.seek(0)
                    raise SystemExit("Server beendet sich beim Start:\n" + log.read()) from None
                time.sleep(0.5)

        clients = []
        for n in names:
            client = Client(f"http://127.0.0.1:{port}")
            client.login(n, password)
            clients.append(client)

        seconds = min(args.capacity_seconds, max(1.0, args.seconds / 5))
        print(f"Kapazität: jede Aktion allein, je {seconds:.0f} s …", flush=True)
        meter = CpuMeter(server.pid)
        costs, alone = measure_capacity(clients[0], targets, meter, seconds, args.seed)

        shared = Shared()
        print(f"{args.users} Benutzer, {args.seconds:.0f} s …", flush=True)
        server_before, machine_before, own_before = (
            meter.snapshot(),
            machine_busy(),
            time.process_time(),
        )
        connection.close()
        start = time.monotonic()
        deadline = start + args.seconds
        threads = [
            threading.Thread(
                target=user_loop,
                args=(c, targets, shared, deadline, random.Random(args.seed * 1000 + i), n),
            )
            for i, (c, n) in enumerate(zip(clients, names, strict=True))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        shared.cpu = {
            "server": meter.spent(server_before, meter.snapshot()),
            "machine": machine_busy() - machine_before,
            "generator": time.process_time() - own_before,
        }
        connection.close()
        for client in clients:
            client.close()
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return shared, elapsed, pg_version, costs, alone


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--positions", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument(
        "--pg", default=os.environ.get("LOADTEST_PG", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument(
        "--capacity-seconds",
        type=float,
        default=5,
        help="Sekunden je Aktion bei der Kapazitätsmessung (höchstens ein Fünftel von --seconds)",
    )
    parser.add_argument("--no-results", action="store_true", help="bench/results.md nicht ändern")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]

    db = f"stellenplan_load_{os.getpid()}"
    port = free_port()
    password = secrets.token_urlsafe(18)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "STELLENPLAN_DEVTOOLS")}
    env.update(
        DJANGO_SETTINGS_MODULE="stellenplan.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{args.pg}/{db}",
        SECURE_PROXY_SSL_HEADER="1",  # the load client plays the TLS reverse proxy
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(args.workers),
        PY=PY,
    )
    # Each worker keeps its database connection for the whole run (production: 60 s), so that
    # the CPU meter sees every PostgreSQL backend from start to end (an exiting backend would
    # take its CPU time with it).
    env.setdefault("DB_CONN_MAX_AGE", str(int(args.seconds) + 900))
    os.environ.update(env)
    os.environ.pop("DJANGO_DEBUG", None)

    psql(args.pg, f"CREATE DATABASE {db}")
    try:
        with tempfile.NamedTemporaryFile("w+", prefix="stellenplan-load-", suffix=".log") as log:
            shared, elapsed, pg_version, costs, alone = run(
                args,
                env,
                names=[f"last{i:02d}" for i in range(args.users)],
                password=password,
                port=port,
                log=log,
            )
            capacity = capacity_ratio(costs, shared, elapsed)
            problems = verify(Shared(acknowledged=alone.acknowledged + shared.acknowledged))
            errors = sum(1 for s in shared.samples + alone.samples if s.error)
            if errors:
                log.seek(0)
                print("--- Server-Log (Ende) ---\n" + "".join(log.readlines()[-30:]))
    finally:
        from django.db import connections

        connections.close_all()
        psql(args.pg, f"DROP DATABASE IF EXISTS {db}")

    text = report(args, shared, elapsed, problems, pg_version, costs, capacity)
    if any(s.error for s in alone.samples):
        text += f"Fehler bei der Kapazitätsmessung: {sum(1 for s in alone.samples if s.error)}\n"
    print(text)
    if not args.no_results:
        write_results(text)
        print(f"Ergebnis in {RESULTS.relative_to(ROOT)} (Abschnitt „Lasttest“).")
    return 1 if errors or problems or not shared.acknowledged else 0


if __name__ == "__main__":
    sys.exit(main())
