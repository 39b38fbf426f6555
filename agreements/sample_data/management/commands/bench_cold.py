import json
import statistics
import time
import tracemalloc

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from agreements.models import Agreement, ImportBatch
from agreements.sample_data.management.commands.bench_save import read_pages, save_data

# The floor: the least a page showing agreements can cost, drawn by a bare template.
FLOOR_AGREEMENTS = 25
FLOOR_TEMPLATE = (
    "{% for agreement in agreements %}<article><h2>{{ agreement.reference }} "
    "{{ agreement.title }}</h2><p>{{ agreement.park.name }}</p><ul>"
    "{% for party in agreement.parties.all %}<li>{{ party.organisation.name }} "
    "({{ party.get_role_display }})</li>{% endfor %}</ul><ul>"
    "{% for flow in agreement.flows.all %}<li>{{ flow.resource.name }}: {{ flow.quantity }}"
    "</li>{% endfor %}</ul></article>{% endfor %}"
)
LEGACY_SESSION = "national official"  # what a page marked only "signed in" (true) is seen as


class Command(BaseCommand):
    help = (
        "For the benchmark (bench/run.py): read what bench_pages printed (a file, or - for "
        "standard input) and measure, in-process, each cold (uncached) request: once to warm "
        "up, then --runs times, clearing the whole cache before each. First the floor (the "
        "newest 25 public agreements with park, parties and flows, drawn by a bare template) "
        "--runs times, then once more after the save and after each page, its median taken over "
        "every run; then the agreement save (its edit form opened, then posted back with a "
        "new summary; measured first, so that the history page has those saves to show), then "
        "each page. "
        "Then, when bench_pages names it, the import of 1,000 rows analysed from scratch (its "
        "batch's analysis undone, then its preview visited until every row is analysed). "
        "Last, when bench_pages names it, the CSV export of the whole registry as the national "
        "official, read to its end --export-runs times and once more traced by tracemalloc. "
        "Print, as one line of JSON, {floor, pages, export}: for the floor and each page, the "
        "median time (cold_ms), every run's time, the status, query count and size of the "
        "first cold request (and, for a streamed CSV file such as a park's export, its rows); "
        "for the export, its rows (the file's lines after the header), "
        "the median seconds, rows per second and the peak of the memory it allocated (peak_mib, "
        "from the traced run). Requests go "
        "to the host 'testserver', as with Django's test client: it must be in "
        "DJANGO_ALLOWED_HOSTS. The cache is cleared between requests and at the end, and the "
        "save changes an agreement: never run this against a registry or cache others use."
    )

    def add_arguments(self, parser):
        parser.add_argument("pages", help="bench_pages' JSON: a file, or - for standard input")
        parser.add_argument(
            "--runs", type=int, default=5, help="cold requests per page (default 5); the median"
        )
        parser.add_argument(
            "--export-runs",
            type=int,
            default=3,
            help=(
                "times the whole registry's CSV export is read (default 3); the median; 0: not "
                "read (the benchmark reads it in one of its rounds only)"
            ),
        )

    def handle(self, *args, pages, runs, export_runs, **options):
        try:
            info = read_pages(pages)
            targets = info["pages"]
            sessions = info.get("sessions") or {LEGACY_SESSION: info["session"]}
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Cannot read bench_pages' output from {pages}: {error}") from None
        if runs < 1 or export_runs < 0:
            raise CommandError("--runs must be at least 1, and --export-runs at least 0.")
        self.cookie = info.get("session_cookie", settings.SESSION_COOKIE_NAME)
        self.sessions = sessions
        self.runs = runs

        client = Client()
        results = {}
        # The floor is drawn --runs times now, and once more after each page: its median is
        # taken over the whole run, so that a slower or faster spell of the machine weighs on
        # the floor as on the pages it is compared with.
        draw_floor = self._floor_drawing()
        floor_runs = [self._cold(draw_floor)]
        save = info.get("save")
        if save:
            results[save["name"]] = self._save(client, save)
            floor_runs.append(self._cold(draw_floor, runs=1))
        for name, path, session, *_load in targets:
            self._sign_in(client, session)
            self._get(client, path)  # warm the process: templates, connections
            results[name] = self._cold(lambda path=path: self._get(client, path))
            floor_runs.append(self._cold(draw_floor, runs=1))
        import_analysis = info.get("import_analysis")
        if import_analysis:
            self._sign_in(client, import_analysis["session"])
            results[import_analysis["name"]] = self._cold(
                lambda: self._analyse(client, import_analysis)
            )
            floor_runs.append(self._cold(draw_floor, runs=1))
        floor = self._floor(floor_runs)
        measured = {"floor": floor, "pages": results}
        export = info.get("export")
        if export and export_runs:
            measured["export"] = self._export(client, export, runs=export_runs)
        cache.clear()
        self.stdout.write(json.dumps(measured))

    def _sign_in(self, client, session):
        if session is True:
            session = LEGACY_SESSION
        if session:
            client.cookies[self.cookie] = self.sessions[session]
        else:
            client.cookies.pop(self.cookie, None)

    def _cold(self, request, runs=None):
        """``request()`` (a dict: status, bytes and maybe rows) timed ``runs`` times (--runs
        unless given), the cache cleared before each."""
        times, first = [], None
        for _ in range(runs or self.runs):
            cache.clear()  # the cold path: no stored page, no stored figures
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                answer = request()
            times.append(round((time.perf_counter() - started) * 1000, 1))
            if first is None:
                first = {"status": answer.pop("status"), "queries": len(queries), **answer}
        return {**first, "cold_ms": round(statistics.median(times), 1), "cold_runs_ms": times}

    @staticmethod
    def _get(client, path):
        """The status and size in bytes (None for a streamed response, read to the end); for a
        streamed CSV file (a park's export), its rows too: the lines after the header."""
        response = client.get(path)
        if response.streaming:
            lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
            answer = {"status": response.status_code, "bytes": None}
            if response.get("Content-Type", "").startswith("text/csv"):
                answer["rows"] = max(lines - 1, 0)
            return answer
        return {"status": response.status_code, "bytes": len(response.content)}

    @staticmethod
    def _analyse(client, import_analysis):
        """An import batch analysed from scratch: its analysis undone (one UPDATE), then its
        preview visited, as the browser does, until it shows every row (no more refresh). The
        status and size are the last page's; ``requests`` how many visits it took."""
        ImportBatch.objects.filter(pk=import_analysis["batch"]).update(
            analysed=0, state={}, outcomes=[], finished_at=None
        )
        requests = 0
        while True:
            response = client.get(import_analysis["path"])
            requests += 1
            if response.status_code != 200 or b'http-equiv="refresh"' not in response.content:
                break
        return {
            "status": response.status_code,
            "bytes": len(response.content),
            "requests": requests,
        }

    def _export(self, client, export, *, runs):
        """The streamed file read to its end ``runs`` times (its rows, the median seconds and
        rows per second), then once more with tracemalloc tracing what it allocates."""
        self._sign_in(client, export["session"])

        def read():
            cache.clear()
            response = client.get(export["path"])
            lines = chunks = 0
            for chunk in response.streaming_content:
                lines += chunk.count(b"\n")
                chunks += 1
            return response.status_code, lines - 1, chunks

        times = []
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            status, rows, chunks = read()
            times.append(time.perf_counter() - started)
        query_count = len(queries)  # now: the next request empties the log
        for _ in range(runs - 1):
            started = time.perf_counter()
            read()
            times.append(time.perf_counter() - started)
        tracemalloc.start()
        try:
            read()
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        seconds = statistics.median(times)
        return {
            "name": export["name"],
            "path": export["path"],
            "status": status,
            "queries": query_count,
            "rows": rows,
            "chunks": chunks,
            "seconds": round(seconds, 2),
            "runs_s": [round(elapsed, 2) for elapsed in times],
            "rows_per_s": round(rows / seconds),
            "peak_mib": round(peak / 2**20, 1),
        }

    def _save(self, client, save):
        """The edit form posted back with a new summary: each run opens the form first (not
        timed), so that it posts the version the last save stored."""
        self._sign_in(client, save["session"])
        count = [0]

        def post():
            count[0] += 1
            form = client.get(save["path"])
            data = save_data(form.content.decode(), tag=f"cold {count[0]}")
            cache.clear()  # opening the form may have stored something: cold again
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.post(save["path"], data)
            elapsed = time.perf_counter() - started
            client.cookies.pop("messages", None)  # "saved": not carried to the next request
            return response, elapsed, len(queries)

        post()  # warm up
        times, first = [], None
        for _ in range(self.runs):
            response, elapsed, queries = post()
            times.append(round(elapsed * 1000, 1))
            if first is None:
                first = {
                    "status": response.status_code,
                    "queries": queries,
                    "bytes": len(response.content),
                }
        return {**first, "cold_ms": round(statistics.median(times), 1), "cold_runs_ms": times}

    @staticmethod
    def _floor_drawing():
        """The floor's request: the newest public agreements drawn by the bare template."""
        template = engines["django"].from_string(FLOOR_TEMPLATE)

        def draw():
            agreements = Agreement.objects.public().for_list_page().latest_first()
            with translation.override(settings.LANGUAGE_CODE):
                html = template.render({"agreements": agreements[:FLOOR_AGREEMENTS]})
            return {"status": 200, "bytes": len(html.encode())}

        draw()  # warm up
        return draw

    @staticmethod
    def _floor(measured_runs):
        """The floor from its measurements spread over the run: the median of every run."""
        times = [ms for measured in measured_runs for ms in measured["cold_runs_ms"]]
        first = measured_runs[0]
        return {
            "queries": first["queries"],
            "bytes": first["bytes"],
            "cold_ms": round(statistics.median(times), 1),
            "cold_runs_ms": times,
            "agreements": FLOOR_AGREEMENTS,
        }
