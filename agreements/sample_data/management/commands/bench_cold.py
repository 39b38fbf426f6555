import json
import sys
import time

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


class Command(BaseCommand):
    help = (
        "For the benchmark (bench/run.py): read what bench_pages printed (a file, or - for "
        "standard input) and request each page in-process, once to warm up and once more after "
        "clearing the whole cache; print, as one line of JSON, each page's status, query count, "
        "time (cold_ms) and size of that cold request. Requests go to the host 'testserver', as "
        "with Django's test client: it must be in DJANGO_ALLOWED_HOSTS. The cache is cleared "
        "between pages and at the end: never run this against a cache others use."
    )

    def add_arguments(self, parser):
        parser.add_argument("pages", help="bench_pages' JSON: a file, or - for standard input")

    def handle(self, *args, pages, **options):
        try:
            if pages == "-":
                info = json.load(sys.stdin)
            else:
                with open(pages, encoding="utf-8") as source:
                    info = json.load(source)
            targets, session = info["pages"], info["session"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Cannot read bench_pages' output from {pages}: {error}") from None
        cookie = info.get("session_cookie", settings.SESSION_COOKIE_NAME)

        client = Client()
        results = {}
        for name, path, signed_in in targets:
            if signed_in:
                client.cookies[cookie] = session
            else:
                client.cookies.pop(cookie, None)
            self._get(client, path)  # warm the process: templates, connections
            cache.clear()  # then the cold path: no stored page, no stored figures
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response, size = self._get(client, path)
            results[name] = {
                "status": response.status_code,
                "queries": len(queries),
                "cold_ms": round((time.perf_counter() - started) * 1000, 1),
                "bytes": size,
            }
        cache.clear()
        self.stdout.write(json.dumps(results))

    @staticmethod
    def _get(client, path):
        """The response and its size in bytes (None for a streamed one, read to the end)."""
        response = client.get(path)
        if response.streaming:
            for _chunk in response.streaming_content:
                pass
            return response, None
        return response, len(response.content)
