"""`make bench`: serve the app with production settings on PostgreSQL loaded with the synthetic
registry, drive it with wrk on loopback, and write the results under bench/results/ (or the
folder given with --results).

For each size (1,000 and 100,000 agreements by default) it regenerates the synthetic set
(``manage.py generate_synthetic``, which also analyses the tables it filled), lists the pages to
measure and opens a national official's session (``manage.py bench_pages``), times each page's
cold request and counts its database queries in-process (``manage.py bench_cold``), then starts
gunicorn (debug off, WhiteNoise, persistent connections) and measures the health endpoint and each
page in the same run.
"""

import argparse
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
PORT = 8765
BASE = f"http://127.0.0.1:{PORT}"

TARGETS = {
    "list_ratio": 0.3,  # public list: at least 0.3 of the health endpoint's requests per second
    "list_p99_ms": 250,
    "dashboard_p99_ms": 500,
    "growth": 1.5,  # cost at 100,000 agreements within 1.5x of the cost at 1,000
}


def log(message):
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def environment(database_url):
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DJANGO_CONN_MAX_AGE": "600",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"),
    }


def manage(env, *args, capture=False, stdin=None):
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        input=stdin,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout


def last_line(output):
    """The JSON a command printed last (anything a library logs before it is left aside)."""
    return output.strip().splitlines()[-1]


def ensure_database(database_url):
    import psycopg2
    from psycopg2 import sql

    name = database_url.rsplit("/", 1)[1]
    admin_url = database_url.rsplit("/", 1)[0] + "/postgres"
    connection = psycopg2.connect(admin_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("installing wrk from Debian's packages")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def start_server(env):
    process = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "symbiosis.wsgi",
            "--workers", "3",
            "--bind", f"127.0.0.1:{PORT}",
            "--log-level", "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{BASE}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not answer /healthz")


def stop_server(process):
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def drive(path, cookie, seconds, connections):
    command = [
        "wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
        "-H", "Accept-Language: en",
    ]  # fmt: skip
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(
        [*command, BASE + path], check=True, capture_output=True, text=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    latency = {pct: float(value) * UNITS[unit] for pct, value, unit in LATENCY.findall(output)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": rps,
        "p50_ms": round(latency["50"], 2),
        "p99_ms": round(latency["99"], 2),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def measure(size, env, args):
    log(f"generating the synthetic registry with {size} agreements")
    manage(
        env, "generate_synthetic", "--parks", str(args.parks), "--organisations",
        str(args.organisations), "--agreements", str(size), "--seed", "1",
    )  # fmt: skip
    # generate_synthetic analyses the tables it filled once it has committed.
    info = json.loads(last_line(manage(env, "bench_pages", capture=True)))
    targets = info["pages"]
    queries = json.loads(
        last_line(manage(env, "bench_cold", "-", capture=True, stdin=json.dumps(info)))
    )
    server = start_server(env)
    try:
        results = {}
        for name, path, signed_in in targets:
            cookie = f"{info['session_cookie']}={info['session']}" if signed_in else None
            drive(path, cookie, 2, args.connections)  # warm up caches and connections
            log(f"{size}: {name}")
            results[name] = {
                "path": path,
                **drive(path, cookie, args.seconds, args.connections),
                **queries[name],
            }
    finally:
        stop_server(server)
    health = results["health"]["rps"]
    for result in results.values():
        result["ratio_to_health"] = round(result["rps"] / health, 3)
    return {"size": size, "park_agreements": info["park_agreements"], "pages": results}


def verdicts(small, large):
    rows = []
    listing = large["pages"]["agreement list"]
    dashboard = large["pages"]["dashboard, national official"]
    rows.append((
        "Public list: >= 0.3 of health's requests per second",
        f"{listing['ratio_to_health']:.2f}", listing["ratio_to_health"] >= TARGETS["list_ratio"],
    ))  # fmt: skip
    rows.append((
        "Public list: p99 < 250 ms", f"{listing['p99_ms']:.0f} ms",
        listing["p99_ms"] < TARGETS["list_p99_ms"],
    ))  # fmt: skip
    rows.append((
        "Dashboard (national official): p99 < 500 ms", f"{dashboard['p99_ms']:.0f} ms",
        dashboard["p99_ms"] < TARGETS["dashboard_p99_ms"],
    ))  # fmt: skip
    for name, page in large["pages"].items():
        if name == "health":
            continue
        before = small["pages"][name]
        growth = page["p50_ms"] / before["p50_ms"] if before["p50_ms"] else float("inf")
        rows.append((
            f"{name}: p50 at {large['size']:,} within 1.5x of {small['size']:,}",
            f"{growth:.2f}x", growth <= TARGETS["growth"],
        ))  # fmt: skip
        cold = page["cold_ms"] / before["cold_ms"] if before["cold_ms"] else float("inf")
        rows.append((
            f"{name}: cold (uncached) cost at {large['size']:,} within 1.5x of {small['size']:,}",
            f"{cold:.2f}x", cold <= TARGETS["growth"],
        ))  # fmt: skip
        rows.append((
            f"{name}: same query count at both sizes",
            f"{before['queries']} / {page['queries']}", before["queries"] == page["queries"],
        ))  # fmt: skip
    return rows


def markdown(report):
    lines = [
        "# Benchmark results",
        "",
        f"Run on {report['date']} on {report['machine']}; `make bench`, wrk with "
        f"{report['connections']} connections for {report['seconds']} s per page, gunicorn with "
        "3 workers, PostgreSQL, Redis cache, debug off.",
        "",
        "req/s, p50 and p99 are the steady state: anonymous pages come from the page cache and "
        "the dashboard's figures from the figure cache (both dropped on every committed change). "
        "*cold ms* is one request with every cache cleared, timed in-process; the query counts "
        "are of that cold request.",
        "",
    ]
    for run in report["runs"]:
        lines += [
            f"## {run['size']:,} agreements (largest park: {run['park_agreements']:,} agreements)",
            "",
            "| page | req/s | p50 ms | p99 ms | ratio to health | queries | cold ms | non-2xx |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, page in run["pages"].items():
            lines.append(
                f"| {name} | {page['rps']:.1f} | {page['p50_ms']:.1f} | {page['p99_ms']:.1f} | "
                f"{page['ratio_to_health']:.3f} | {page['queries']} | {page['cold_ms']:.0f} | "
                f"{page['non_2xx']} |"
            )
        lines.append("")
    lines += ["## Targets", "", "| target | measured | met |", "|---|---:|:---:|"]
    for target, measured, met in report["verdicts"]:
        lines.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/symbiosis_bench"
        ),
    )
    parser.add_argument("--sizes", default="1000,100000")
    parser.add_argument("--parks", type=int, default=200)
    parser.add_argument("--organisations", type=int, default=20_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=6)
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS,
        help="folder for results.json and RESULTS.md (default: bench/results)",
    )
    args = parser.parse_args()

    ensure_wrk()
    ensure_database(args.database_url)
    env = environment(args.database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    runs = [measure(int(size), env, args) for size in args.sizes.split(",")]
    report = {
        "date": datetime.date.today().isoformat(),
        "machine": f"{os.cpu_count()} cores",
        "seconds": args.seconds,
        "connections": args.connections,
        "runs": runs,
        "verdicts": verdicts(runs[0], runs[-1]) if len(runs) > 1 else [],
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    (args.results / "RESULTS.md").write_text(markdown(report))
    print(markdown(report))


if __name__ == "__main__":
    main()
