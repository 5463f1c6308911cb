"""A large position import through the running app and its task worker (issue 21):
`make importtest`.

Starts `scripts/serve.sh` (gunicorn + one task worker, scripts/with-worker.sh) on 127.0.0.1 and a
free port with a throw-away PostgreSQL database (`generate_city` for org units and grades),
writes an Excel file of --rows new positions (default 50,000, the app's IMPORT_MAX_ROWS) and,
as a user of the group Personalamt, does what a person does in the browser:

1. uploads it on the import page, which hands it to a job (more than IMPORT_TASK_MIN_ROWS
   rows) and redirects to the job page;
2. follows the job page every 2 seconds (as its refresh does) until the check is done, noting
   the progress bar's values;
3. opens the import's preview page and confirms, which starts the saving job; follows it
   until done and checks that the database has all rows.

With --kill the confirmation is interrupted: --kill-after seconds after the saving job has
started, the task worker is killed (SIGKILL, no chance to clean up); the number of positions
must be as before. Then a new worker is started, the script waits until the job page offers
"Neu starten" (the job counts as stopped after JOB_STALE_MINUTES without a report, set to
--stale-minutes for this server), restarts it and follows it until done: all rows, once.

Reports the times; the result replaces the section "Import als Auftrag" of bench/results.md
(unless --no-results). Loopback only. Exit code 1 if a step fails or a count is wrong.

    .venv/bin/python bench/import_load.py                  # 50,000 rows, normal, then --kill
    .venv/bin/python bench/import_load.py --rows 20000 --only kill --no-results
"""

from __future__ import annotations

import argparse
import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from http_client import Client, form_fields  # noqa: E402

from bench.loadtest import de, free_port, machine, manage, psql, server_pids  # noqa: E402

PY = os.environ.get("PY", str(ROOT / ".venv" / "bin" / "python"))
RESULTS = ROOT / "bench" / "results.md"
SECTION = "## Import als Auftrag"
IMPORT_PATH = "/kosten/import/stellen/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
POLL_SECONDS = 2.0  # the job page reloads itself every 2 seconds
STARTED = time.monotonic()


def say(text: str) -> None:
    print(f"[{time.monotonic() - STARTED:5.0f} s] {text}", flush=True)


class Failed(Exception):
    """A step did not do what it should (German message for the report)."""


@dataclass
class JobWatch:
    """What the job page showed while it was followed."""

    job_path: str
    status: str = ""
    seconds: float = 0.0
    percents: list[int] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    page: str = ""
    polls: int = 0
    slowest_page: float = 0.0


def import_file(rows: int, units: list[str], grades: list[str], prefix: str) -> bytes:
    """An import file of `rows` new positions (no ID: each row creates one), titles unique so
    that no row looks like another."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Stellen")
    sheet.append(["Org.einheit", "Stellenwert", "Funktionsbezeichnung", "Anzahl der Stellen"])
    for n in range(rows):
        sheet.append(
            [
                units[n % len(units)],
                grades[(n // len(units)) % len(grades)],
                f"{prefix} {n + 1}",
                0.5 if n % 3 == 0 else 1,
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def follow(client: Client, job_path: str, until: set[str], timeout: float) -> JobWatch:
    """Reload the job page every 2 s until its status is one of `until`."""
    watch = JobWatch(job_path)
    started = time.monotonic()
    while True:
        response = client.get(job_path)
        watch.polls += 1
        watch.slowest_page = max(watch.slowest_page, response.seconds)
        if response.status != 200:
            raise Failed(f"Auftragsseite {job_path}: HTTP {response.status}")
        page = response.text
        status = re.search(r'data-status="(\w+)"', page)
        watch.status = status.group(1) if status else "?"
        progress = re.search(r'<progress id="fortschritt" max="100" value="(\d+)"', page)
        if progress and (not watch.percents or watch.percents[-1] != int(progress.group(1))):
            watch.percents.append(int(progress.group(1)))
        step = re.search(r"<p>([^<]*?)(?:; noch [^<]*)?\.</p>\s*</div>", page)
        if step and (not watch.steps or watch.steps[-1] != step.group(1)):
            watch.steps.append(step.group(1))
        watch.page = page
        watch.seconds = time.monotonic() - started
        if watch.status in until:
            return watch
        if watch.seconds > timeout:
            raise Failed(f"{job_path}: nach {watch.seconds:.0f} s noch „{watch.status}“")
        time.sleep(POLL_SECONDS)


def job_location(response, what: str) -> str:
    location = response.headers.get("location", "")
    if response.status != 302 or "/auftraege/" not in location:
        raise Failed(f"{what}: HTTP {response.status}, erwartet Weiterleitung auf einen Auftrag")
    return "/" + location.split("/", 3)[-1] if location.startswith("http") else location


def upload_and_preview(client: Client, content: bytes, timeout: float) -> tuple[dict, int]:
    """Upload, follow the check; returns timings and the import batch id."""
    times: dict = {}
    form = client.get(IMPORT_PATH)
    if form.status != 200:
        raise Failed(f"Importseite: HTTP {form.status}")
    fields = form_fields(form.text)
    fields["default_start"] = "01.01.2013"
    fields.pop("file", None)
    response = client.request(
        "POST", IMPORT_PATH, fields, files={"file": ("importtest.xlsx", content, XLSX)}
    )
    times["upload"] = response.seconds
    job_path = job_location(response, "Hochladen")
    watch = follow(client, job_path, {"succeeded", "failed"}, timeout)
    times["preview"] = watch
    if watch.status != "succeeded":
        raise Failed(f"Prüfung fehlgeschlagen: {re.sub(r'<[^>]+>', ' ', watch.page)[-600:]}")
    batch = re.search(r'href="/kosten/importe/(\d+)/"', watch.page)
    if not batch:
        raise Failed("Die Auftragsseite verlinkt keine Vorschau des Imports.")
    return times, int(batch.group(1))


def open_preview_and_confirm(client: Client, batch_id: int, times: dict) -> str:
    page = client.get(f"/kosten/importe/{batch_id}/")
    times["preview_page"] = page.seconds
    if page.status != 200 or "bestaetigen" not in page.text:
        raise Failed(f"Vorschau des Imports {batch_id}: HTTP {page.status}, ohne Bestätigen")
    fields = form_fields(page.text)
    fields["bestaetigen"] = ""
    response = client.post(f"/kosten/importe/{batch_id}/bestaetigen/", fields)
    times["confirm_request"] = response.seconds
    return job_location(response, "Bestätigen")


def position_count() -> int:
    from django.db import connection

    from stellenplan.models import Position

    count = Position.objects.count()
    connection.close()
    return count


def worker_query() -> str:
    """What the task worker's database session is doing (the only one with a transaction open
    for more than a second: gunicorn's sessions run short requests)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT round(extract(epoch FROM now() - xact_start)), left(query, 60) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND xact_start < now() - interval '1 second' "
            "ORDER BY xact_start LIMIT 1"
        )
        row = cursor.fetchone()
    connection.close()
    return f"Transaktion seit {row[0]} s, zuletzt „{row[1]}…“" if row else "keine Transaktion offen"


def worker_pids(server: int) -> list[int]:
    """The task worker(s) among the server's processes."""
    found = []
    for pid in server_pids(server):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"db_worker" in command:
            found.append(pid)
    return found


def run_normal(client: Client, args, content: bytes, before: int) -> dict:
    say("Hochladen und prüfen lassen …")
    times, batch_id = upload_and_preview(client, content, args.timeout)
    say(f"Geprüft in {times['preview'].seconds:.0f} s; Vorschau öffnen, bestätigen …")
    job_path = open_preview_and_confirm(client, batch_id, times)
    watch = follow(client, job_path, {"succeeded", "failed"}, args.timeout)
    times["confirm"] = watch
    after = position_count()
    if watch.status != "succeeded":
        raise Failed(f"Speichern fehlgeschlagen: {re.sub(r'<[^>]+>', ' ', watch.page)[-600:]}")
    if after != before + args.rows:
        raise Failed(f"Stellen nach dem Import: {after}, erwartet {before + args.rows}")
    say(f"Gespeichert in {watch.seconds:.0f} s: {after - before} Stellen neu")
    times["added"] = after - before
    return times


def run_kill(client: Client, args, content: bytes, before: int, server, env, log) -> dict:
    say("Abbruch-Variante: hochladen und prüfen lassen …")
    times, batch_id = upload_and_preview(client, content, args.timeout)
    job_path = open_preview_and_confirm(client, batch_id, times)
    follow(client, job_path, {"running", "succeeded", "failed"}, args.timeout)
    time.sleep(args.kill_after)
    pids = worker_pids(server.pid)
    if len(pids) != 1:
        raise Failed(f"Erwartet genau einen Worker-Prozess, gefunden: {pids}")
    page = client.get(job_path).text
    if 'data-status="running"' not in page:
        raise Failed("Der Auftrag lief nicht mehr, als der Worker beendet werden sollte.")
    times["doing"] = worker_query()
    os.kill(pids[0], signal.SIGKILL)
    killed_at = time.monotonic()
    say(f"Worker {pids[0]} nach {args.kill_after:.0f} s Speichern mit SIGKILL beendet")
    # the killed worker's database session ends when PostgreSQL notices; its rows were never
    # committed, so no count may see them, now or later
    times["count_after_kill"] = position_count()
    time.sleep(2)
    times["count_after_kill_2s"] = position_count()
    for key in ("count_after_kill", "count_after_kill_2s"):
        if times[key] != before:
            raise Failed(f"Stellen nach dem Abbruch: {times[key]}, vorher {before}")
    worker = subprocess.Popen(
        [PY, "manage.py", "db_worker", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    say(f"Neuer Worker {worker.pid}; warten, bis die Auftragsseite „Neu starten“ anbietet …")
    try:
        deadline = time.monotonic() + args.stale_minutes * 60 + args.timeout
        while True:
            page = client.get(job_path).text
            if "neu-starten/" in page:
                break
            if time.monotonic() > deadline:
                raise Failed("Die Auftragsseite bietet kein „Neu starten“ an.")
            time.sleep(POLL_SECONDS)
        times["stale_after"] = time.monotonic() - killed_at
        fields = form_fields(page, None)
        response = client.post(job_path + "neu-starten/", fields)
        if response.status != 302:
            raise Failed(f"Neu starten: HTTP {response.status}")
        watch = follow(client, job_path, {"succeeded", "failed"}, args.timeout)
        times["confirm"] = watch
        after = position_count()
        attempt = re.search(r"\((\d+)\. Versuch\)", watch.page)
        times["attempt"] = int(attempt.group(1)) if attempt else 1
        if watch.status != "succeeded":
            raise Failed(f"Neustart fehlgeschlagen: {re.sub(r'<[^>]+>', ' ', watch.page)[-600:]}")
        if after != before + args.rows:
            raise Failed(f"Stellen nach dem Neustart: {after}, erwartet {before + args.rows}")
        times["added"] = after - before
        say(f"Neu gestartet und in {watch.seconds:.0f} s gespeichert: {after - before} Stellen neu")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    return times


def percents(watch: JobWatch) -> str:
    shown = (
        watch.percents if len(watch.percents) <= 12 else watch.percents[:6] + watch.percents[-5:]
    )
    text = ", ".join(f"{p} %" for p in shown)
    return text + (
        f" (von {len(watch.percents)} verschiedenen)" if len(watch.percents) > 12 else ""
    )


def report(args, results: dict, failures: list[str], file_bytes: int, build_s: float) -> str:
    lines = [
        SECTION,
        "",
        f"`make importtest` am {datetime.now().astimezone():%d.%m.%Y %H:%M}: "
        f"{de(args.rows)} neue Stellen in einer Excel-Datei ({de(file_bytes / 1e6, 1)} MB, "
        f"erzeugt in {de(build_s, 1)} s), hochgeladen als Benutzer des Personalamts an "
        f"`make serve` (gunicorn mit {args.workers} Prozessen, ein Worker `db_worker`) auf "
        f"127.0.0.1 mit PostgreSQL; {machine()}. Der Rechner wird mit anderen geteilt "
        f"(Systemlast vor dem Lauf: {de(args.load_before, 1)} auf {os.cpu_count()} Kernen): die "
        "Zeiten sind Wandzeiten und schwanken entsprechend.",
        "",
        "| Lauf | Hochladen | Prüfen (Auftrag) | Vorschau-Seite | Speichern (Auftrag) | "
        "Fortschritt beim Prüfen | beim Speichern | Stellen neu |",
        "|---|---:|---:|---:|---:|---|---|---:|",
    ]
    for name, times in results.items():
        lines.append(
            f"| {name} | {de(times['upload'], 1)} s | {de(times['preview'].seconds)} s | "
            f"{de(times['preview_page'], 1)} s | {de(times['confirm'].seconds)} s | "
            f"{percents(times['preview'])} | {percents(times['confirm'])} | "
            f"{de(times['added'])} |"
        )
    kill = results.get("Abbruch und Neustart")
    if kill:
        lines += [
            "",
            f"Abbruch: {de(args.kill_after)} s nach Beginn des Speicherns wurde der Worker mit "
            f"SIGKILL beendet (Datenbanksitzung des Workers: {kill['doing']}). Stellen danach: {de(kill['count_after_kill'])} (sofort) und "
            f"{de(kill['count_after_kill_2s'])} (2 s später), wie vorher. Ein neuer Worker; die "
            f"Auftragsseite bot „Neu starten“ {de(kill['stale_after'])} s nach dem Abbruch an "
            f"(`JOB_STALE_MINUTES={args.stale_minutes}` für diesen Lauf); neu gestartet "
            f"({kill['attempt']}. Versuch), in {de(kill['confirm'].seconds)} s gespeichert, "
            f"alle {de(kill['added'])} Stellen genau einmal.",
        ]
    lines += [
        "",
        "Der Fortschrittsbalken des Speicherns steht auf 0 %, bis alles in einer Transaktion "
        "gespeichert ist (alles oder nichts: der Auftrag meldet während seiner schreibenden "
        "Transaktion nichts); die Seite nennt den Schritt. Ein Zeitlimit für Aufträge hat "
        "der Worker nicht; keiner der Aufträge wurde abgebrochen.",
    ]
    if failures:
        lines += ["", "**Fehlgeschlagen:**", *(f"- {f}" for f in failures)]
    return "\n".join(lines) + "\n"


def write_results(text: str) -> None:
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark\n"
    start = old.find(f"\n{SECTION}")
    if start == -1:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        following = old.find("\n## ", start + len(SECTION) + 1)
        new = old[: start + 1] + text + (old[following:] if following != -1 else "")
    RESULTS.write_text(new, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--positions", type=int, default=2000, help="Stellen vor dem Import")
    parser.add_argument("--only", choices=["normal", "kill"], help="nur einer der beiden Läufe")
    parser.add_argument(
        "--kill-after",
        type=float,
        help="Sekunden Speichern vor dem Abbruch (Vorgabe: 60 %% der Speicherzeit des normalen "
        "Laufs, sonst 5)",
    )
    parser.add_argument("--stale-minutes", type=int, default=1, help="JOB_STALE_MINUTES")
    parser.add_argument("--timeout", type=float, default=1800, help="Sekunden je Auftrag")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn-Prozesse")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--pg", default=os.environ.get("LOADTEST_PG", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument("--db-prefix", default="stellenplan_import")
    parser.add_argument("--no-results", action="store_true", help="bench/results.md nicht ändern")
    args = parser.parse_args()
    args.load_before = os.getloadavg()[0]

    db = f"{args.db_prefix}_{os.getpid()}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "STELLENPLAN_DEVTOOLS")}
    env.update(
        DJANGO_SETTINGS_MODULE="stellenplan.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=f"{args.pg}/{db}",
        SECURE_PROXY_SSL_HEADER="1",  # the client plays the TLS reverse proxy
        BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY=str(args.workers),
        JOB_STALE_MINUTES=str(args.stale_minutes),
        PY=PY,
    )
    os.environ.update(env)
    os.environ.pop("DJANGO_DEBUG", None)

    runs = [args.only] if args.only else ["normal", "kill"]
    results: dict = {}
    failures: list[str] = []
    psql(args.pg, f"CREATE DATABASE {db}")
    server = None
    try:
        with tempfile.NamedTemporaryFile("w+", prefix="stellenplan-import-", suffix=".log") as log:
            say(f"Datenbank: migrate, generate_city --positions {args.positions}")
            manage(env, "migrate", "--noinput", "--verbosity", "0")
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
            from django.contrib.auth.models import Group
            from django.db import connection

            from core.users import User
            from departments.models import OrgUnit
            from stellenplan.models import PayGrade

            password = secrets.token_urlsafe(18)
            user = User.objects.create_user("importtest", password=password)
            user.groups.add(Group.objects.get(name="Personalamt"))
            units = list(OrgUnit.objects.filter(kind="amt").values_list("code", flat=True))
            grades = list(PayGrade.objects.values_list("code", flat=True))
            connection.close()

            say(f"Importdatei mit {args.rows} Zeilen schreiben …")
            built = time.monotonic()
            contents = {
                run: import_file(args.rows, units, grades, f"Importtest {run} Sachbearbeitung")
                for run in runs
            }
            content = contents[runs[0]]
            build_s = time.monotonic() - built

            say(f"Server auf 127.0.0.1:{port}")
            server = subprocess.Popen(
                ["bash", "scripts/serve.sh"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for _ in range(240):
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    if server.poll() is not None:
                        log.seek(0)
                        raise SystemExit("Server beendet sich beim Start:\n" + log.read()) from None
                    time.sleep(0.5)
            client = Client(f"http://127.0.0.1:{port}", timeout=600)
            client.login("importtest", password)
            for run in runs:
                before = position_count()
                try:
                    if run == "normal":
                        results["normal"] = run_normal(client, args, contents[run], before)
                    else:
                        if args.kill_after is None:  # mid-way through the normal run's saving
                            normal = results.get("normal")
                            args.kill_after = 0.6 * normal["confirm"].seconds if normal else 5.0
                        results["Abbruch und Neustart"] = run_kill(
                            client, args, contents[run], before, server, env, log
                        )
                except Failed as failed:
                    failures.append(f"{run}: {failed}")
                    say(f"FEHLGESCHLAGEN: {failed}")
            if failures:
                log.seek(0)
                print("--- Server-Log (Ende) ---\n" + "".join(log.readlines()[-40:]))
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        from django.db import connections

        connections.close_all()
        psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")

    text = report(args, results, failures, len(content), build_s)
    print(text)
    if not args.no_results and results:
        write_results(text)
        print(f"Ergebnis in {RESULTS.relative_to(ROOT)} (Abschnitt „{SECTION[3:]}“).")
    return 1 if failures or len(results) != len(runs) else 0


if __name__ == "__main__":
    sys.exit(main())
