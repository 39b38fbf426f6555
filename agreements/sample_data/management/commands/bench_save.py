"""The agreement save, for the benchmark: the edit form's own fields posted back with a small
change (``save_data``, used in-process by bench_cold too), and a bounded load of such saves
against a running server (this command)."""

import http.client
import json
import math
import re
import sys
import threading
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

FORM_ID = "agreement-form"
# What each save changes: the summary, with a mark that the next save replaces.
SUMMARY_MARK = re.compile(r" \[bench save [^\]]*\]$")
SKIPPED_INPUTS = {"submit", "button", "image", "reset", "file"}


class _FormFields(HTMLParser):
    """The fields a browser sends with the form ``form_id``: each named input, select and
    textarea that is not disabled, checkboxes and radio buttons only when checked, a select's
    chosen options (else its first), nothing inside a <template> (the rows a script adds)."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.found = False
        self.in_form = False
        self.templates = 0
        self.fields = []
        self.select = None  # [name, multiple, options: [(value, selected)]]
        self.option = None  # [value or None, selected, text]
        self.textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
            self.found = self.found or self.in_form
            return
        if tag == "template":
            self.templates += 1
        if not self.in_form or self.templates or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in SKIPPED_INPUTS:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.fields.append((name, attrs.get("value") or "on"))
                return
            self.fields.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = [name, "multiple" in attrs, []]
        elif tag == "option" and self.select is not None:
            self._end_option()
            self.option = [attrs.get("value"), "selected" in attrs, ""]
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.option is not None:
            self.option[2] += data
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "template":
            self.templates = max(0, self.templates - 1)
        elif tag == "option":
            self._end_option()
        elif tag == "select" and self.select is not None:
            self._end_option()
            name, multiple, options = self.select
            chosen = [value for value, selected in options if selected]
            if not chosen and options and not multiple:
                chosen = [options[0][0]]
            self.fields.extend((name, value) for value in chosen)
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            # As a browser reads it: one newline right after the opening tag is not content.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None

    def _end_option(self):
        if self.option is not None and self.select is not None:
            value, selected, text = self.option
            self.select[2].append((text.strip() if value is None else value, selected))
        self.option = None


def form_fields(html, form_id=FORM_ID):
    """The data a browser would post with the form ``form_id`` of the page ``html``, unchanged:
    {name: value}, or {name: [values]} for a name given more than once."""
    parser = _FormFields(form_id)
    parser.feed(html)
    parser.close()
    if not parser.found:
        raise ValueError(f"The page has no form with id “{form_id}”.")
    data = {}
    for name, value in parser.fields:
        if name in data:
            previous = data[name]
            data[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            data[name] = value
    return data


def with_summary(data, tag):
    """``data`` with the summary changed to say ``tag``: a small change that is always valid."""
    summary = SUMMARY_MARK.sub("", data.get("summary_en", ""))
    return {**data, "summary_en": f"{summary} [bench save {tag}]"}


def save_data(html, tag):
    """The edit form of ``html`` posted back as it is but for its summary."""
    return with_summary(form_fields(html), tag)


def percentile(values, fraction):
    """The nearest-rank percentile of ``values`` (sorted)."""
    if not values:
        return None
    return values[max(0, math.ceil(fraction * len(values)) - 1)]


class _Saver:
    """One user saving one agreement again and again over one connection."""

    def __init__(self, base, path, cookies, tag):
        parts = urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        self.path, self.cookies, self.tag = path, dict(cookies), tag
        self.data = None
        self.count = 0

    def _request(self, method, body=None):
        headers = {
            "Accept-Language": "en",
            "Cookie": "; ".join(f"{name}={value}" for name, value in self.cookies.items()),
        }
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, self.path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            return None, b"", []
        if response.will_close:
            self.connection.close()  # the next request opens a new connection
        return response.status, content, response.headers.get_all("Set-Cookie") or []

    def open_form(self):
        """GET the edit form: its fields, its version and a CSRF cookie for the token in it."""
        status, content, set_cookies = self._request("GET")
        if status != 200:
            self.data = None
            return False
        for header in set_cookies:
            cookie = SimpleCookie()
            cookie.load(header)
            if settings.CSRF_COOKIE_NAME in cookie:
                self.cookies[settings.CSRF_COOKIE_NAME] = cookie[settings.CSRF_COOKIE_NAME].value
        self.data = form_fields(content.decode())
        return True

    def save(self):
        """POST the form with a new summary: (status, seconds). A save (302) stores version
        + 1, which the next post starts from, as a browser reopening the form would."""
        self.count += 1
        data = with_summary(self.data, f"{self.tag}.{self.count}")
        body = urlencode(data, doseq=True)
        started = time.perf_counter()
        status, _content, _cookies = self._request("POST", body)
        elapsed = time.perf_counter() - started
        if status == 302:
            self.data = {**data, "version": str(int(self.data["version"]) + 1)}
        return status, elapsed


def read_pages(pages):
    """bench_pages' JSON from a file, or from standard input for "-"."""
    if pages == "-":
        return json.load(sys.stdin)
    with open(pages, encoding="utf-8") as source:
        return json.load(source)


class Command(BaseCommand):
    help = (
        "For the benchmark (bench/run.py): read what bench_pages printed (a file, or - for "
        "standard input) and, against the server at --base-url, have --threads concurrent "
        "users save the park's editable agreements (one each, as far as there are enough) for "
        "--seconds: each opens its agreement's edit form once, then posts it back again and "
        "again with a new summary and the version its last save stored (reopening the form "
        "when a post did not save). Print, as one line of JSON, the saves' p50 and p99 latency "
        "(of the POSTs alone), saves per second, and how many posts saved (302), were answered "
        "with the form again (200: a conflict or an invalid form) or failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("pages", help="bench_pages' JSON: a file, or - for standard input")
        parser.add_argument("--base-url", default="http://127.0.0.1:8765")
        parser.add_argument("--seconds", type=float, default=10)
        parser.add_argument("--threads", type=int, default=6)
        parser.add_argument(
            "--max-requests", type=int, default=100_000, help="a bound on the posts, in all"
        )

    def handle(self, *args, pages, base_url, seconds, threads, max_requests, **options):
        try:
            info = read_pages(pages)
            save = info["save"]
            session = info["sessions"][save["session"]]
            paths = save["load_paths"] or [save["path"]]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"Cannot read bench_pages' output from {pages}: {error}") from None
        cookies = {info.get("session_cookie", settings.SESSION_COOKIE_NAME): session}

        lock = threading.Lock()
        latencies, statuses = [], {}
        budget = [max_requests]
        deadline = time.monotonic() + seconds

        def user(number):
            saver = _Saver(base_url, paths[number % len(paths)], cookies, tag=f"{number}")
            while time.monotonic() < deadline:
                if saver.data is None and not saver.open_form():
                    with lock:
                        statuses["no form"] = statuses.get("no form", 0) + 1
                    time.sleep(0.05)
                    continue
                with lock:
                    if budget[0] <= 0:
                        return
                    budget[0] -= 1
                status, elapsed = saver.save()
                outcome = {302: "saved", 200: "form again"}.get(status, "error")
                with lock:
                    latencies.append(elapsed)
                    statuses[outcome] = statuses.get(outcome, 0) + 1
                if status != 302:
                    saver.data = None  # reopen the form: read the version again

        started = time.monotonic()
        workers = [threading.Thread(target=user, args=(n,)) for n in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - started
        latencies.sort()
        p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
        saved = statuses.get("saved", 0)
        self.stdout.write(
            json.dumps(
                {
                    "rps": round(saved / elapsed, 2) if elapsed else 0.0,
                    "p50_ms": round(p50 * 1000, 2) if p50 is not None else None,
                    "p99_ms": round(p99 * 1000, 2) if p99 is not None else None,
                    "posts": len(latencies),
                    "saved": saved,
                    "form_again": statuses.get("form again", 0),
                    "non_2xx": statuses.get("error", 0),
                    "form_not_opened": statuses.get("no form", 0),
                    "threads": threads,
                    "agreements": min(threads, len(paths)),
                    "driver": "Python threads (bench_save)",
                }
            )
        )
