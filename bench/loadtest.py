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

OParl under load (issue 21): with --anonymous N, N anonymous clients read the public OParl
interface at the same time (lists, papers, the PDF files of --papers papers, half of the file
requests conditional with the ETag they got before). Each client has an address of its own, as
in production behind the documented nginx: the load generator plays that proxy and sends
``X-Forwarded-For: <client address>`` (what ``$proxy_add_x_forwarded_for`` sends for a client
that sent none), and the server runs with ``AXES_PROXY_COUNT=1``; the rate limits are the
production defaults (OPARL_RATE_LIMIT_PER_MINUTE, OPARL_FILE_RATE_LIMIT_PER_MINUTE unless set
in the environment). A 429 is counted as "begrenzt", not as an error, if it carries
Retry-After; the client then leaves that kind of request (files, or JSON) alone for that long,
as a polite crawler does. The PDFs of the chosen papers are rendered before the load, as the
background task does when a paper is eingebracht; an edit that changes one makes the next
request render again. Meanwhile one more anonymous client opens the login page every half
second: its median must stay under 1 s.

Reports requests/s, p50/p95 latency per action and the error count (must be 0), then stops the
server and checks that every acknowledged edit is in the database (current value and history).
The result replaces the section "Lasttest" of bench/results.md (unless --no-results).

Loopback only; stops by itself after --seconds. Exit code 1 on any error, a lost edit, or a
login page median of 1 s or more.

    .venv/bin/python bench/loadtest.py                      # 20 users, 60 s, 20,000 positions
    .venv/bin/python bench/loadtest.py --users 5 --anonymous 20       # make loadtest
    .venv/bin/python bench/loadtest.py --users 5 --anonymous 20 --seconds 10 --positions 2000 \
        --no-results                                                  # CI
"""

from __future__ import annotations

import argparse
import json
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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

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
LOGIN_PATH = "/anmelden/"
LOGIN_PROBE = "Anmeldeseite (anonym)"
TARGET_LOGIN_MEDIAN_S = 1.0
OPARL = "/oparl/v1.1/"
OPARL_LISTS = ["body/stadt/paper/", "body/stadt/meeting/", "body/stadt/organization/"]
# anonymous actions: (name, weight, rate-limit bucket); files have a bucket of their own
OPARL_ACTIONS = {
    "OParl Liste": (30, "json"),
    "OParl Vorlage": (30, "json"),
    "OParl Datei": (40, "file"),
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STARTED = time.monotonic()


def say(text: str) -> None:
    """A progress line with the seconds since the start (where a slow run spends its time)."""
    print(f"[{time.monotonic() - STARTED:4.0f} s] {text}", flush=True)


@dataclass
class Sample:
    action: str
    status: int
    seconds: float
    error: str = ""
    limited: bool = False  # 429 with Retry-After: the rate limit, not an error


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


# --- anonymous OParl clients and the login page -----------------------------------------------


@dataclass
class OParlTargets:
    """Papers and their files the anonymous clients read (paths, from the papers' JSON)."""

    papers: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)


def prepare_oparl(client: Client, papers: int) -> OParlTargets:
    """Render the public PDFs of the first `papers` public papers that are eingebracht (as the
    background task does when a paper is eingebracht) and read their file URLs from their
    OParl objects.

    Not adopted ones: in production their PDF is the record `make deploy` freezes
    (freeze_adopted_decisions), which generate_city does not make; without it the first request
    would render the paper live (seconds), which no production server does."""
    from decisions.models import Decision
    from decisions.oparl_selectors import public_decisions
    from decisions.public_pdf import render_public_pdf

    targets = OParlTargets()
    chosen = public_decisions().filter(status=Decision.Status.SUBMITTED).order_by("pk")
    for decision in list(chosen[:papers]):
        render_public_pdf(decision)
        path = f"{OPARL}paper/{decision.pk}/"
        response = client.get(path)
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        data = json.loads(response.body)
        targets.papers.append(path)
        for file in [data.get("mainFile"), *data.get("auxiliaryFile", [])]:
            if file and file.get("accessUrl"):
                targets.files.append(urlsplit(file["accessUrl"]).path)
    if not targets.files:
        raise RuntimeError("Keine öffentliche Vorlage mit Datei gefunden.")
    return targets


def oparl_request(
    client: Client, action: str, oparl: OParlTargets, etags: dict[str, str], rnd: random.Random
) -> tuple[Sample, float]:
    """One anonymous OParl request: the sample, and seconds to leave its bucket alone (429)."""
    headers = {}
    if action == "OParl Liste":
        path = OPARL + rnd.choice(OPARL_LISTS)
    elif action == "OParl Vorlage":
        path = rnd.choice(oparl.papers)
    else:
        path = rnd.choice(oparl.files)
        if path in etags and rnd.random() < 0.5:  # a client that has it asks whether it changed
            headers["If-None-Match"] = etags[path]
    response = client.get(path, headers)
    if response.status == 429:
        wait = response.headers.get("retry-after", "")
        if wait.isdigit() and int(wait) > 0:
            return Sample(action, 429, response.seconds, limited=True), float(wait)
        return Sample(action, 429, response.seconds, "429 ohne Retry-After"), 1.0
    if action == "OParl Datei":
        ok = (response.status == 304 and "If-None-Match" in headers) or (
            response.status == 200
            and response.headers.get("content-type") == "application/pdf"
            and response.body.startswith(b"%PDF")
            and bool(response.headers.get("etag"))
        )
        if response.status == 200 and response.headers.get("etag"):
            etags[path] = response.headers["etag"]
    else:
        ok = response.status == 200 and response.headers.get("content-type", "").startswith(
            "application/json"
        )
    return Sample(action, response.status, response.seconds, "" if ok else "unerwartet"), 0.0


def anonymous_loop(
    client: Client,
    oparl: OParlTargets,
    shared: Shared,
    deadline: float,
    rnd: random.Random,
    pause: float,
) -> None:
    """An anonymous OParl client: requests with `pause` seconds between them; after a 429 it
    leaves that bucket (files or JSON) alone until Retry-After has passed."""
    etags: dict[str, str] = {}
    blocked = {"json": 0.0, "file": 0.0}
    names = list(OPARL_ACTIONS)
    while time.monotonic() < deadline:
        now = time.monotonic()
        allowed = [a for a in names if blocked[OPARL_ACTIONS[a][1]] <= now]
        if not allowed:
            time.sleep(max(0.0, min(min(blocked.values()), deadline) - now))
            continue
        action = rnd.choices(allowed, weights=[OPARL_ACTIONS[a][0] for a in allowed])[0]
        try:
            sample, wait = oparl_request(client, action, oparl, etags, rnd)
        except Exception as error:  # noqa: BLE001 - every failure is counted and reported
            sample, wait = Sample(action, 0, 0.0, f"{type(error).__name__}: {error}"), 0.0
            client.close()
        record(shared, sample)
        if wait:
            blocked[OPARL_ACTIONS[action][1]] = time.monotonic() + wait
        time.sleep(pause)


def login_probe(client: Client, shared: Shared, deadline: float, interval: float = 0.5) -> None:
    """A visitor who opens the login page every `interval` seconds (a new session each time)."""
    while time.monotonic() < deadline:
        started = time.monotonic()
        client.cookies.clear()
        try:
            response = client.get(LOGIN_PATH)
            ok = response.status == 200 and 'name="password"' in response.text
            sample = Sample(
                LOGIN_PROBE, response.status, response.seconds, "" if ok else "unerwartet"
            )
        except Exception as error:  # noqa: BLE001
            sample = Sample(LOGIN_PROBE, 0, 0.0, f"{type(error).__name__}: {error}")
            client.close()
        record(shared, sample)
        time.sleep(max(0.0, interval - (time.monotonic() - started)))


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
    """The server process and all its descendants: serve.sh runs scripts/with-worker.sh, whose
    children are the gunicorn master (with its workers) and the task worker."""
    children: defaultdict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        children[int(stat.rsplit(")", 1)[1].split()[1])].append(int(entry.name))  # 4: ppid
    pids = [master]
    for pid in pids:  # grows while it is read: breadth first through the tree
        pids.extend(children.get(pid, []))
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
    requests = sum(1 for s in shared.samples if not s.error and is_user_action(s.action))
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


def is_user_action(action: str) -> bool:
    """A request of the signed-in users (not of the anonymous OParl clients or the probe)."""
    return action not in OPARL_ACTIONS and action != LOGIN_PROBE


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


def capacity_lines(costs: list[Cost], capacity: dict, users: int, anonymous: int = 0) -> list[str]:
    met = capacity["ratio"] >= TARGET_RATIO
    verdict = "erreicht" if met else "verfehlt"
    if anonymous:
        verdict = "nicht anwendbar"
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
        f"- **{verdict}**: Durchsatz = {de(capacity['ratio'], 2)} × "
        f"die Kapazität (Ziel ≥ {de(TARGET_RATIO, 1)} bei 20 Benutzern, hier {users}; "
        "Lastgenerator, gunicorn und PostgreSQL teilen sich die Kerne"
        + (
            f"; mit {anonymous} anonymen OParl-Clients zählt der Durchsatz nur die Aktionen der "
            "angemeldeten Benutzer, die Kerne bedienen aber auch die OParl-Anfragen: das Ziel "
            "gilt nur ohne sie, `--anonymous 0`"
            if anonymous
            else ""
        )
        + ").",
        f"- **{'erreicht' if cpu_ms <= TARGET_CPU_MS else 'verfehlt'}**: CPU-Zeit je Aktion "
        f"(App + Datenbank, gewichtet mit der Mischung, jede Aktion allein gemessen): "
        f"{de(cpu_ms)} ms, davon Datenbank {de(capacity['db_per_action'] * 1000)} ms "
        f"(Ziel ≤ {TARGET_CPU_MS} ms){'' if anonymous else cpu_under_load_short(capacity)}.",
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
        "| Aktion | Anfragen | Anfragen/s | p50 ms | p95 ms | Fehler | begrenzt (429) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    actions = sorted(
        {s.action for s in samples},
        key=lambda a: (a not in WEIGHTS, a in OPARL_ACTIONS, a == LOGIN_PROBE, a),
    )
    for action in [*actions, "gesamt"]:
        chosen = [s for s in samples if action in (s.action, "gesamt")]
        times = [s.seconds * 1000 for s in chosen if not s.error and not s.limited]
        rate = f"{len(chosen) / elapsed:.1f}".replace(".", ",")
        lines.append(
            f"| {action} | {len(chosen)} | {rate} | "
            f"{percentile(times, 0.5):.0f} | {percentile(times, 0.95):.0f} | "
            f"{sum(1 for s in chosen if s.error)} | {sum(1 for s in chosen if s.limited)} |"
        )
    lines += [
        "",
        "Liste: Stellenliste, Seiten 1–5; Filter: Stellenliste nach Amt und Jahr, Stellenwert, "
        "Suchwort mit Tarif oder Einheit mit KW; Bearbeiten (Formular): Bearbeitungsseite öffnen; "
        "Bearbeiten: Speichern einer geänderten Funktionsbezeichnung (ein Drittel davon auf fünf "
        "„heiße“ Stellen, damit Änderungen zusammenstoßen); Export: Excel-Stellenliste einer "
        "Einheit samt Untereinheiten.",
        "",
        *oparl_lines(args, samples),
        *capacity_lines(costs, capacity, args.users, args.anonymous),
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


def login_median(samples: list[Sample]) -> float | None:
    times = [s.seconds for s in samples if s.action == LOGIN_PROBE and not s.error]
    return statistics.median(times) if times else None


def oparl_lines(args, samples: list[Sample]) -> list[str]:
    median = login_median(samples)
    login = (
        f"- **{'erreicht' if median is not None and median < TARGET_LOGIN_MEDIAN_S else 'verfehlt'}**: "
        f"Anmeldeseite während der Last (ein weiterer anonymer Besucher, alle 0,5 s): Median "
        + (f"{de(median * 1000)} ms" if median is not None else "nicht gemessen")
        + f" (Ziel < {de(TARGET_LOGIN_MEDIAN_S)} s)."
    )
    if not args.anonymous:
        return [login, ""]
    oparl = [s for s in samples if s.action in OPARL_ACTIONS]
    limited = sum(1 for s in oparl if s.limited)
    not_modified = sum(1 for s in oparl if s.status == 304)
    return [
        f"Dazu {args.anonymous} anonyme OParl-Clients, jeder mit eigener Client-Adresse: der "
        "Lastgenerator spielt den nginx vor der Anwendung und schickt `X-Forwarded-For` mit der "
        "Adresse des Clients, der Server läuft mit `AXES_PROXY_COUNT=1` und den Grenzen je Client "
        f"wie in Produktion ({args.oparl_limits}). Je Client eine Anfrage, dann "
        f"{de(args.anonymous_pause, 1)} s Pause: OParl Liste (Vorlagen, Sitzungen, "
        f"Organisationen), OParl Vorlage (eine von {args.papers}), OParl Datei (PDF einer dieser "
        "Vorlagen oder ihrer Anlagen, vor der Last einmal gerendert wie nach dem Einbringen; die "
        f"Hälfte bedingt mit dem erhaltenen ETag: {not_modified} × 304). Eine 429 zählt als "
        f"„begrenzt“ ({limited}), nur mit `Retry-After` (ohne wäre sie ein Fehler); der Client "
        "lässt diese Art Anfrage dann so lange ruhen.",
        "",
        login,
        "",
    ]


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
    say(f"Datenbank: migrate, generate_city --positions {args.positions}")
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

    say(f"Server auf 127.0.0.1:{port} ({args.workers} gunicorn-Prozesse)")
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

        say("Server bereit; Benutzer melden sich an")
        base = f"http://127.0.0.1:{port}"
        clients = [
            Client(base, forwarded_for=f"10.1.{i // 250}.{i % 250 + 1}") for i in range(len(names))
        ]
        # at the same time: each login hashes a password (the slowest part of the set-up)
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(lambda c, n: c.login(n, password), clients, names))
        oparl = OParlTargets()
        if args.anonymous:
            say(f"OParl: PDFs von {args.papers} Vorlagen rendern …")
            oparl = prepare_oparl(Client(base, forwarded_for="10.9.0.1"), args.papers)
            connection.close()

        seconds = min(args.capacity_seconds, max(1.0, args.seconds / 5))
        say(f"Kapazität: jede Aktion allein, je {seconds:.0f} s …")
        meter = CpuMeter(server.pid)
        costs, alone = measure_capacity(clients[0], targets, meter, seconds, args.seed)

        shared = Shared()
        say(
            f"{args.users} Benutzer, {args.anonymous} anonyme OParl-Clients, {args.seconds:.0f} s …"
        )
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
        threads += [
            threading.Thread(
                target=anonymous_loop,
                args=(
                    Client(base, forwarded_for=f"10.0.{i // 250}.{i % 250 + 1}"),
                    oparl,
                    shared,
                    deadline,
                    random.Random(args.seed * 2000 + i),
                    args.anonymous_pause,
                ),
            )
            for i in range(args.anonymous)
        ]
        probe = Client(base, forwarded_for="10.2.0.1")
        threads.append(threading.Thread(target=login_probe, args=(probe, shared, deadline)))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - start
        say(f"Last beendet nach {elapsed:.0f} s (laufende Anfragen abgewartet)")
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
    parser.add_argument(
        "--anonymous", type=int, default=0, help="anonyme OParl-Clients neben den Benutzern"
    )
    parser.add_argument(
        "--anonymous-pause",
        type=float,
        default=0.5,
        help="Sekunden zwischen zwei Anfragen eines anonymen Clients",
    )
    parser.add_argument(
        "--papers", type=int, default=10, help="Vorlagen, deren Dateien die Clients lesen"
    )
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
    parser.add_argument(
        "--db-prefix",
        default="stellenplan_load",
        help="Name der Wegwerf-Datenbank ohne Prozessnummer",
    )
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]

    db = f"{args.db_prefix}_{os.getpid()}"
    port = free_port()
    password = secrets.token_urlsafe(18)
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "STELLENPLAN_DEVTOOLS")}
    env.update(
        DJANGO_SETTINGS_MODULE="stellenplan.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{args.pg}/{db}",
        SECURE_PROXY_SSL_HEADER="1",  # the load client plays the TLS reverse proxy
        AXES_PROXY_COUNT="1",  # ... which appends the client's address to X-Forwarded-For
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
    args.oparl_limits = (
        f"{env.get('OPARL_RATE_LIMIT_PER_MINUTE', '120')} Anfragen je Minute an JSON, "
        f"{env.get('OPARL_FILE_RATE_LIMIT_PER_MINUTE', '20')} an Dateien"
    )

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
    median = login_median(shared.samples)
    slow_login = median is None or median >= TARGET_LOGIN_MEDIAN_S
    return 1 if errors or problems or not shared.acknowledged or slow_login else 0


if __name__ == "__main__":
    sys.exit(main())
