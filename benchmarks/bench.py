"""`make bench`: every speed figure of issue 10 measured in one run, printed as one table, and
written with the machine and the date to benchmarks/RESULTS.md.

- complaint submission vs a plain Wagtail `AbstractEmailForm` (benchmarks/submission.py) and vs
  django-helpdesk's public submit (benchmarks/helpdesk_submission.py, in a venv of its own under
  .cache/, installed here from the package registry); same database engine, each in-process
  through the test client; helpdesk and the plain form send their e-mails in the request, the
  complaint queues its own in the database's task table (the production set-up);
- the inbox, its search and filters, and the statistics screen vs the raw GROUP BY, at each size
  (benchmarks/scale.py).

    .venv/bin/python benchmarks/bench.py --sizes 10000            # quick (make bench)
    .venv/bin/python benchmarks/bench.py --sizes 10000 1000000    # full size (make bench N="10000 1000000")
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
HELPDESK_VENV = ROOT / ".cache" / "helpdesk-venv"
HELPDESK = "django-helpdesk==2.6.1"


def helpdesk_python():
    python = HELPDESK_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(HELPDESK_VENV)], check=True)
    marker = HELPDESK_VENV / ".installed"
    if not marker.exists() or marker.read_text() != HELPDESK:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", HELPDESK, "psycopg[binary]>=3.1"], check=True)
        marker.write_text(HELPDESK)
    return str(python)


def last_json_line(command, env):
    print("$", " ".join(command[1:]), file=sys.stderr, flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode not in (0, 1):  # submission.py exits 1 when its target is missed
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"{command[1]} failed")
    return json.loads([line for line in result.stdout.splitlines() if line.startswith("{")][-1])


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kb = int(next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")))
        memory = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, StopIteration):
        pass
    load = ", load %.1f %.1f %.1f" % os.getloadavg() if hasattr(os, "getloadavg") else ""
    return f"{cpu}, {os.cpu_count()} CPUs{memory}{load}; Python {platform.python_version()}, {platform.system()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    parser.add_argument("--runs", type=int, default=100, help="submissions of each kind (default 100)")
    parser.add_argument("--screen-runs", type=int, default=5)
    parser.add_argument("--results", default=str(HERE / "RESULTS.md"))
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if not env.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")

    # helpdesk runs in a process of its own: once before and once after ours, so that a change in
    # the machine's load during the run weighs on both sides alike.
    helpdesk_command = [helpdesk_python(), str(HERE / "helpdesk_submission.py"), "--runs", str(args.runs // 2 or 1)]
    helpdesk_before = last_json_line(helpdesk_command, env)
    submission = last_json_line(
        [sys.executable, str(HERE / "submission.py"), "--runs", str(args.runs), "--grow-complaints", "2000"], env)
    helpdesk_after = last_json_line(helpdesk_command, env)
    helpdesk = {**helpdesk_after, "ms": round((helpdesk_before["ms"] + helpdesk_after["ms"]) / 2, 2)}
    scale = {n: last_json_line([sys.executable, str(HERE / "scale.py"), "--n", str(n), "--runs", str(args.screen_runs)],
                               env) for n in args.sizes}
    server = next(iter(scale.values()))["server"]

    complaint = submission["database"]["complaint"]
    plain = submission["database"]["plain"]
    rows = [
        ("plain Wagtail AbstractEmailForm (e-mail in the request)", plain["ms"], plain["queries"], ""),
        ("django-helpdesk 2.6.1 public submit (e-mails in the request)", helpdesk["ms"], helpdesk["queries"], ""),
        ("complaint submission (e-mails queued in the task table)", complaint["ms"], complaint["queries"],
         f"{complaint['ms'] / plain['ms']:.2f}x plain, {complaint['ms'] / helpdesk['ms']:.2f}x helpdesk"),
        ("complaint submission, e-mails sent in the request", submission["inline"]["complaint"]["ms"],
         submission["inline"]["complaint"]["queries"],
         f"{submission['inline']['complaint']['ms'] / helpdesk['ms']:.2f}x helpdesk"),
    ]
    for n, result in scale.items():
        raw = result["results"]["raw SQL: per-category monthly counts"]["ms"]
        for name, figures in result["results"].items():
            note = f"{figures['ms'] / raw:.1f}x raw SQL" if name.startswith("statistics") else ""
            if "SQL" not in name:
                note = f"SQL {figures['sql_ms']:.1f} ms" + (f"; {note}" if note else "")
            rows.append((f"{name} @ {n:,}", figures["ms"], figures["queries"], note))

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    header = f"{'what':<66} {'median':>10} {'queries':>8}  notes"
    lines = [header, "-" * len(header)]
    lines += [f"{name:<66} {ms:7.1f} ms {queries:8d}  {note}" for name, ms, queries, note in rows]
    table = "\n".join(lines)
    print(table)

    Path(args.results).write_text(
        "# Benchmark results\n\n"
        f"Written by `benchmarks/bench.py` on {stamp}.\n\n"
        f"- Machine: {machine()}\n"
        f"- Database: PostgreSQL {server}; every figure from one run, in-process Django test client, "
        f"medians ({args.runs} submissions of each kind, ours interleaved with the plain form, "
        f"helpdesk's half before and half after them; "
        f"{args.screen_runs} runs of each screen after a warm-up)\n"
        f"- Sizes: {', '.join(f'{n:,}' for n in args.sizes)} complaints with their history, "
        "generated by benchmarks/stats.py, then VACUUM ANALYZE\n\n"
        "Whole-request times include Python (templates, forms); \"SQL\" is the time in the database. "
        "On a loaded machine (see the load above) compare ratios and SQL times, not absolute times.\n\n"
        "```\n" + table + "\n```\n"
    )
    print(f"\nwritten to {args.results}")


if __name__ == "__main__":
    main()
