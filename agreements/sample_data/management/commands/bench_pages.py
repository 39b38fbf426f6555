import json
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count
from django.urls import reverse

from agreements.models import Agreement
from agreements.sample_data.synthetic import REFERENCE_PREFIX, SLUG_PREFIX
from parks.models import AuthorityMembership, Organisation, Park

USERNAME = "bench-national-official"
MINISTRY = f"{SLUG_PREFIX}agency-0"  # the synthetic national agency


class Command(BaseCommand):
    help = (
        "For the benchmark (bench/run.py), on a synthetic registry (generate_synthetic): give the "
        "account bench-national-official a seat in the synthetic ministry, open a session for it "
        "and print, as one line of JSON, that session's key and cookie name and the pages to "
        "measure: [name, path, signed in] each."
    )

    def handle(self, *args, **options):
        ministry = Organisation.objects.filter(slug=MINISTRY).first()
        park = (
            Park.objects.filter(slug__startswith=SLUG_PREFIX)
            .annotate(n=Count("agreements"))
            .order_by("-n", "slug")
            .first()
        )
        published = Agreement.objects.public().filter(reference__startswith=REFERENCE_PREFIX)
        count = published.count()
        if ministry is None or park is None or not count:
            raise CommandError(
                "No synthetic registry with a published agreement: run generate_synthetic first."
            )
        agreement = published.order_by("reference")[count // 2]

        user, created = get_user_model().objects.get_or_create(username=USERNAME)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        AuthorityMembership.objects.get_or_create(user=user, agency=ministry)
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()

        listing = reverse("agreements:list")
        dashboard = reverse("agreements:dashboard")
        filtered = {"kind": "industrial", "category": "water", "status": "active"}
        export = reverse("agreements:export-csv") + "?" + urlencode({"park": park.slug})
        pages = [
            ("health", reverse("healthz"), False),
            ("agreement list", listing, False),
            ("agreement list, filtered", listing + "?" + urlencode(filtered), False),
            ("agreement list, searched", listing + "?" + urlencode({"q": "steel"}), False),
            ("agreement list, signed in (never page-cached)", listing, True),
            ("agreement detail", agreement.get_absolute_url(), False),
            ("park with network", park.get_absolute_url(), False),
            ("dashboard, national official", dashboard, True),
            ("export CSV of a park, national official", export, True),
        ]
        self.stdout.write(
            json.dumps(
                {
                    "session": session.session_key,
                    "session_cookie": settings.SESSION_COOKIE_NAME,
                    "park": park.slug,
                    "park_agreements": park.n,
                    "pages": pages,
                }
            )
        )
