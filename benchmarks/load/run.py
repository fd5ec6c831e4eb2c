"""`make load`: the example site on its production settings under concurrent patients.

gunicorn (4 workers) on PostgreSQL, django-tasks-db workers sending the e-mails, a shared Redis
cache, and a loopback SMTP server (smtp_sink.py) that records every message it accepts. Scenarios,
one after the other against the same stack:

  plain          a plain Wagtail form (AbstractEmailForm, its e-mail sent in the request): the yardstick
  complaints     the complaint form
  sink-down      the same, with the mail server down for the middle half of the run
  worker-killed  the same, with an e-mail worker killed (SIGKILL) halfway and started again

For each: 0 errors, every complaint stored, every outbox e-mail delivered exactly once (counted in
the sink by its Message-ID), and throughput with p50/p95/p99 beside the plain form's. E-mails a
dead worker or a failed attempt left behind are recovered by `send_complaint_emails`, run every few
seconds here as cron runs it every minute in production. Exits non-zero on any failure.

    python benchmarks/load/run.py                      # 200 patients x 60 s
    python benchmarks/load/run.py --clients 20 --duration 10   # the short form (make load-short)

Needs PostgreSQL and Redis (LOAD_DATABASE_URL's server, REDIS_URL); creates its own database
and drops it at the end, and uses its own Redis database number (flushed before and after).
"""

import argparse
import collections
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--scenarios", default="plain,complaints,sink-down,worker-killed")
    parser.add_argument("--gunicorn-workers", type=int, default=4)
    parser.add_argument("--email-workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("LOAD_PORT", "18030")), help="site; +1 the sink")
    parser.add_argument(
        "--database-url", default=os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wc_load")
    )
    parser.add_argument("--redis-url", default=os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/3"))
    parser.add_argument("--drain-timeout", type=float, default=180, help="seconds to wait for the last e-mails")
    parser.add_argument("--sweep-every", type=float, default=5, help="seconds between e-mail sweeps (cron)")
    parser.add_argument("--keep", action="store_true", help="keep the database and files for a look afterwards")
    return parser.parse_args()


def log(message):
    print(f"[load {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class Stack:
    """The processes of a production installation, on this machine."""

    def __init__(self, args, workdir):
        self.args, self.workdir = args, workdir
        self.base = f"http://127.0.0.1:{args.port}"
        self.sink_port = args.port + 1
        self.sink_record = workdir / "sink.jsonl"
        self.sink_record.touch()
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "example_site.settings_production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": args.database_url,
            "REDIS_URL": args.redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.sink_port),
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "WAGTAIL_COMPLAINTS_PRIVATE_ROOT": str(workdir / "private"),
            "WAGTAILADMIN_BASE_URL": "https://127.0.0.1",
            "BEHIND_TLS_PROXY": "1",
        }
        self.processes = {}
        self.worker_count = 0

    def start(self, name, command, **kwargs):
        out = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115 - the child's log, closed with it
        self.processes[name] = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )
        return self.processes[name]

    def stop(self, name, sig=signal.SIGTERM):
        process = self.processes.pop(name, None)
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(sig)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def start_sink(self):
        self.start("sink", [PYTHON, str(HERE / "smtp_sink.py"), "--port", str(self.sink_port), "--record", str(self.sink_record)])
        wait_for(lambda: port_open(self.sink_port), "the SMTP sink")

    def start_site(self):
        self.start(
            "gunicorn",
            [
                PYTHON, "-m", "gunicorn", "example_site.wsgi:application",
                "--workers", str(self.args.gunicorn_workers),
                "--bind", f"127.0.0.1:{self.args.port}",
                "--backlog", "2048",
                "--timeout", "120",
            ],
        )
        wait_for(lambda: http_ok(self.base + "/"), "gunicorn")

    def start_email_worker(self):
        self.worker_count += 1
        name = f"worker-{self.worker_count}"
        # The default poll interval (1 s), as in production: a faster poll only burns CPU the site needs.
        self.start(name, [PYTHON, "example_site/manage.py", "db_worker", "--no-startup-delay"])
        return name

    def email_workers(self):
        return [name for name in self.processes if name.startswith("worker-")]

    def cpu(self):
        """CPU seconds so far of the site (gunicorn and its workers) and of the e-mail workers."""
        site = self.processes.get("gunicorn")
        workers = [self.processes[name].pid for name in self.email_workers()]
        return {"site": cpu_seconds({site.pid}) if site else 0.0, "email": cpu_seconds(set(workers)) + self.killed_cpu}

    killed_cpu = 0.0

    def stop_all(self):
        for name in list(self.processes):
            self.stop(name)


def cpu_seconds(root_pids):
    """User + system CPU time of these processes and their children (Linux /proc), in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as file:
                    fields = file.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            # after the command: state ppid ... utime(12th) stime(13th), counted from state
            stats[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    wanted, total = set(root_pids), 0
    for pid, (ppid, _) in stats.items():
        if ppid in root_pids:
            wanted.add(pid)
    for pid in wanted:
        total += stats.get(pid, (0, 0))[1]
    return total / ticks


def port_open(port):
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_ok(url):
    try:
        request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - our own loopback server
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise SystemExit(f"{what} did not come up within {timeout} s")


def create_database(url):
    import psycopg
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    return maintenance, name


def drop_database(maintenance, name):
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def set_up_site(stack):
    """Migrate, load the demo hospital, add the plain form to compare with; return both forms."""
    from django.core.management import call_command

    log("migrate, load_demo, collectstatic")
    # A scratch database: its schema need not survive a power cut, so commits skip the disk flush.
    subprocess.run(
        [PYTHON, "example_site/manage.py", "migrate", "--no-input", "--skip-checks", "-v0"],
        cwd=ROOT, env={**stack.env, "PGOPTIONS": "-c synchronous_commit=off"}, check=True,
    )
    call_command("load_demo", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)

    from wagtail.models import Site

    from example_site.home.models import ContactFormField, ContactFormPage
    from wagtail_complaints.models import Category, ComplaintFormPage, Service

    home = Site.objects.get(is_default_site=True).root_page
    complaint_page = ComplaintFormPage.objects.live().filter(slug="reclami").first()
    plain_page = home.add_child(
        instance=ContactFormPage(
            title="Scrivici", slug="scrivici", to_address="urp-plain@load.example", from_address="site@load.example",
            subject="Messaggio dal sito",
        )
    )
    category = Category.objects.for_choices().filter(parent__isnull=False).first() or Category.objects.for_choices().first()
    service = Service.objects.for_choices().first()
    # The plain form asks the same questions, built with Wagtail's form builder.
    for label, field_type, choices in [
        ("Category", "singleline", ""),
        ("Service", "singleline", ""),
        ("Description", "multiline", ""),
        ("Event date", "date", ""),
        ("First name", "singleline", ""),
        ("Last name", "singleline", ""),
        ("Email", "email", ""),
        ("Phone", "singleline", ""),
        ("Contact preference", "radio", "email\nphone"),
        ("Privacy accepted", "checkbox", ""),
    ]:
        ContactFormField.objects.create(page=plain_page, label=label, field_type=field_type, choices=choices, required=False)
    common = {
        "description": "Ho atteso sei ore al pronto soccorso senza che nessuno mi desse notizie. " * 5,
        "event_date": "2026-11-20",
        "first_name": "Maria",
        "last_name": "Rossi",
        "email": "{email}",
        "contact_preference": "email",
        "privacy_accepted": "on",
    }
    payloads = {
        "complaint": {**common, "category": str(category.pk), "service": str(service.pk) if service else ""},
        "plain": {**common, "category": category.name, "service": service.name if service else ""},
    }
    for name, payload in payloads.items():
        (stack.workdir / f"{name}.json").write_text(json.dumps(payload))
    return complaint_page.url, plain_page.url


def run_patients(stack, path, payload, marker):
    args = stack.args
    before = stack.cpu()
    result = _run_patients(stack, path, payload, marker)
    after = stack.cpu()
    result["cpu"] = {part: after[part] - before[part] for part in before}
    return result


def _run_patients(stack, path, payload, marker):
    args = stack.args
    result = subprocess.run(
        [
            PYTHON, str(HERE / "patients.py"),
            "--base", stack.base, "--path", path, "--payload", str(stack.workdir / payload),
            "--success-marker", marker, "--clients", str(args.clients), "--duration", str(args.duration),
        ],
        capture_output=True, text=True, check=True,
    )
    return json.loads(result.stdout)


class Sweeper(threading.Thread):
    """`send_complaint_emails --older-than`, every few seconds, as cron runs it every minute."""

    def __init__(self, every):
        super().__init__(daemon=True)
        self.every, self.stop = every, threading.Event()

    def run(self):
        from django.core.management import call_command
        from django.db import connection

        while not self.stop.wait(self.every):
            try:
                call_command("send_complaint_emails", older_than=int(self.every * 2), stdout=open(os.devnull, "w"))
            except Exception as error:  # noqa: BLE001 - a failed sweep is retried at the next tick
                log(f"sweep failed: {error}")
            finally:
                connection.close()


def sink_messages(stack):
    with open(stack.sink_record, encoding="utf-8") as file:
        return [json.loads(line) for line in file if line.strip()]


def check_complaints(stack, result, started_at, kills=0):
    """Every patient's complaint stored once; every outbox e-mail of theirs accepted by the sink once.

    A worker killed after the mail server accepted a message and before its COMMIT sends that message
    again: the one duplicate per kill the design cannot rule out. It carries the first copy's
    Message-ID, so mail clients show it once; it is counted and reported, never more than `kills`."""
    from django.db import connection
    from wagtail_complaints import links
    from wagtail_complaints.models import Complaint, Email, EmailStatus

    connection.close()
    emails = set(result["emails"])
    complaints = Complaint.objects.filter(received_at__gte=started_at, email__in=emails)
    stored = complaints.count()
    outbox = list(Email.objects.filter(complaint__in=complaints))
    unsent = [email for email in outbox if email.status != EmailStatus.SENT]
    by_id = collections.Counter(message["message_id"] for message in sink_messages(stack))
    expected = {email.pk: links.email_message_id(email, "") .split("@")[0] for email in outbox}
    delivered = collections.Counter()
    for message_id, count in by_id.items():
        delivered[message_id.split("@")[0]] += count
    counts = [delivered[prefix] for prefix in expected.values()]
    acks = [email for email in outbox if email.template == "complainant/received"]
    return {
        "stored": stored,
        "stored_ok": stored == result["submissions"] == len(emails),
        "acks": len(acks),
        "outbox": len(outbox),
        "unsent": len(unsent),
        "missing": counts.count(0),
        "duplicates": sum(count - 1 for count in counts if count > 1),
        "exactly_once": len(acks) == stored and not unsent and all(count == 1 for count in counts),
        "at_most_kills_duplicates": len(acks) == stored
        and not unsent
        and all(count >= 1 for count in counts)
        and sum(count - 1 for count in counts) <= kills,
    }


def wait_for_outbox(result, started_at, timeout):
    from django.db import connection
    from wagtail_complaints.models import Email, EmailStatus

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection.close()
        left = (
            Email.objects.filter(complaint__received_at__gte=started_at, complaint__email__in=result["emails"])
            .exclude(status=EmailStatus.SENT)
            .count()
        )
        if not left:
            return True
        time.sleep(1)
    return False


def complaint_scenario(stack, name, path, during=None, kills=0):
    from django.utils import timezone

    args = stack.args
    started_at = timezone.now()
    sweeper = Sweeper(args.sweep_every)
    sweeper.start()
    if during:
        threading.Thread(target=during, daemon=True).start()
    log(f"{name}: {args.clients} patients x {args.duration:g} s")
    result = run_patients(stack, path, "complaint.json", "wc-reference")
    drained = wait_for_outbox(result, started_at, args.drain_timeout)
    time.sleep(1)  # a message the sink accepted a moment ago is in its record
    sweeper.stop.set()
    checks = check_complaints(stack, result, started_at, kills)
    checks["drained"] = drained
    return result, checks


def kill_a_worker_halfway(stack):
    def during():
        time.sleep(stack.args.duration / 2)
        victim = stack.email_workers()[0]
        log(f"SIGKILL {victim}, a new worker starts")
        stack.killed_cpu += cpu_seconds({stack.processes[victim].pid})
        stack.processes[victim].kill()
        stack.processes.pop(victim).wait()
        stack.start_email_worker()

    return during


def sink_down_in_the_middle(stack):
    def during():
        quarter = stack.args.duration / 4
        time.sleep(quarter)
        log(f"mail server down for {2 * quarter:g} s")
        stack.stop("sink")
        time.sleep(2 * quarter)
        stack.start_sink()
        log("mail server back")

    return during


def milliseconds(seconds):
    return "–" if seconds is None else f"{seconds * 1000:.0f}"


def report(rows, args):
    plain = next((result for name, result, _ in rows if name == "plain"), None)
    lines = [
        f"{args.clients} concurrent patients x {args.duration:g} s, gunicorn {args.gunicorn_workers} workers, "
        f"{args.email_workers} e-mail workers, PostgreSQL, Redis",
        "",
        "| scenario | submissions | per second | vs plain | p50 ms | p95 ms | p99 ms | form GET p50 ms | errors "
        "| site CPU ms per submission "
        "| e-mail workers' CPU ms per submission | stored | e-mails sent exactly once |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    failures = []
    for name, result, checks in rows:
        ratio = f"{result['per_second'] / plain['per_second']:.2f}x" if plain and plain["per_second"] else "–"
        if checks is None:
            stored = once = "–"
        else:
            stored = f"{checks['stored']}/{result['submissions']}" + ("" if checks["stored_ok"] else " MISMATCH")
            if checks["exactly_once"]:
                once = f"yes: {checks['outbox']} ({checks['acks']} acknowledgements)"
            elif checks["at_most_kills_duplicates"]:
                once = (
                    f"{checks['outbox']} ({checks['acks']} acknowledgements), none lost; "
                    f"{checks['duplicates']} sent twice by the killed worker (same Message-ID)"
                )
            else:
                once = f"NO: {checks['unsent']} unsent, {checks['missing']} missing, {checks['duplicates']} duplicates"
            if not (checks["stored_ok"] and checks["at_most_kills_duplicates"]):
                failures.append(name)
        if result["errors"]:
            failures.append(f"{name} ({result['errors']} errors: {'; '.join(result['error_samples'][:3])})")
        if not result["submissions"]:
            failures.append(f"{name} (nothing submitted)")
        per = max(result["submissions"], 1)
        site_cpu, email_cpu = (milliseconds(result["cpu"][part] / per) for part in ("site", "email"))
        lines.append(
            f"| {name} | {result['submissions']} | {result['per_second']:.1f} | {ratio} | {milliseconds(result['p50'])} | "
            f"{milliseconds(result['p95'])} | {milliseconds(result['p99'])} | {milliseconds(result['get_p50'])} | "
            f"{result['errors']} | {site_cpu} | "
            f"{email_cpu} | {stored} | {once} |"
        )
    print("\n".join(lines))
    if failures:
        print(f"\nFAILED: {', '.join(failures)}")
    return not failures


def main():
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="wc-load-"))
    stack = Stack(args, workdir)
    os.environ.update({key: value for key, value in stack.env.items() if key not in ("PYTHONPATH",)})
    sys.path.insert(0, str(ROOT))
    maintenance, name = create_database(args.database_url)
    flush_redis(args.redis_url)
    ok = False
    try:
        import django

        django.setup()
        complaint_path, plain_path = set_up_site(stack)
        stack.start_sink()
        stack.start_site()
        for _ in range(args.email_workers):
            stack.start_email_worker()
        rows = []
        for scenario in args.scenarios.split(","):
            if scenario == "plain":
                log(f"plain: {args.clients} patients x {args.duration:g} s")
                rows.append(("plain", run_patients(stack, plain_path, "plain.json", "<h1"), None))
            elif scenario == "complaints":
                rows.append(("complaints", *complaint_scenario(stack, scenario, complaint_path)))
            elif scenario == "sink-down":
                rows.append(("sink-down", *complaint_scenario(stack, scenario, complaint_path, sink_down_in_the_middle(stack))))
            elif scenario == "worker-killed":
                rows.append(
                    ("worker-killed", *complaint_scenario(stack, scenario, complaint_path, kill_a_worker_halfway(stack), kills=1))
                )
            else:
                raise SystemExit(f"unknown scenario {scenario}")
        ok = report(rows, args)
    finally:
        stack.stop_all()
        from django.db import connections

        connections.close_all()
        if args.keep:
            log(f"kept {workdir} and database {name}")
        else:
            drop_database(maintenance, name)
            flush_redis(args.redis_url)
            subprocess.run(["rm", "-rf", str(workdir)], check=False)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
