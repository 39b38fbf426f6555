import io
import json
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Case, Count, IntegerField, Value, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.imports import analysis, reading
from agreements.imports import columns as import_columns
from agreements.models import Agreement, ImportBatch
from agreements.permissions import must_use_two_factor
from agreements.reporting import exports
from agreements.sample_data.synthetic import REFERENCE_PREFIX, SLUG_PREFIX, STEADY_PARK
from parks.models import AuthorityMembership, Organisation, Park, ParkMembership

USERNAME = "bench-national-official"
PARK_OFFICER = "bench-park-officer"
LARGE_PARK_OFFICER = "bench-large-park-officer"
MINISTRY = f"{SLUG_PREFIX}agency-0"  # the synthetic national agency

# The sessions the pages are seen with (the third element of each page).
AS_OFFICIAL = "national official"
AS_PARK_OFFICER = "park officer"
AS_LARGE_PARK_OFFICER = "park officer, largest park"

# The suffix of the pages measured on the largest park, which grow with it by design.
LARGEST_PARK = ", largest park"

SAVE = "agreement save (POST)"
IMPORT_PREVIEW = "import preview of 1,000 rows, park officer"
IMPORT_ANALYSIS = "import analysis of 1,000 rows from scratch, park officer"
IMPORT_ROWS = 1000
EXPORT = "CSV export of the whole registry, national official"
# Where a park report would be, once it exists: the first of these URL names that resolves.
PARK_REPORT_URL_NAMES = ("parks:report", "agreements:park-report")
# How many of the park's editable agreements the save under load spreads its threads over.
LOAD_AGREEMENTS = 32
ReviewState = Agreement.ReviewState


class Command(BaseCommand):
    help = (
        "For the benchmark (bench/run.py), on a synthetic registry (generate_synthetic): give the "
        "account bench-national-official a seat in the synthetic ministry, the account "
        "bench-park-officer a place on the staff of the steady park (syn-park-0, the same "
        "number of agreements at every size) and the account bench-large-park-officer one on "
        "the staff of the largest of the other synthetic parks, open a session for each and "
        "print, as one line of JSON, those sessions' keys and cookie name, the two parks and "
        "their agreement counts (steady_park, steady_park_agreements; park, park_agreements: "
        "the largest), the pages to measure ([name, path, session or null, whether to drive it "
        "under load] each: the pages about one park on the steady park, and a few again on the "
        "largest park, named '..., largest park', cold only), the agreement save to measure "
        "(the edit form of one of the steady park's editable agreements, and those its load "
        "may spread over), the export to measure (the CSV of the whole registry, as the "
        "national official) and the pages not measured, with why."
    )

    def handle(self, *args, **options):
        ministry = Organisation.objects.filter(slug=MINISTRY).first()
        parks = Park.objects.filter(slug__startswith=SLUG_PREFIX).annotate(n=Count("agreements"))
        park = parks.filter(slug=STEADY_PARK).first()
        # The largest of the others: the steady park is the largest of all at small sizes.
        largest = parks.exclude(slug=STEADY_PARK).order_by("-n", "slug").first() or park
        synthetic = Agreement.objects.filter(reference__startswith=REFERENCE_PREFIX)
        published = synthetic.public()
        count = published.count()
        if ministry is None or park is None or not count:
            raise CommandError(
                "No synthetic registry with a published agreement: run generate_synthetic first."
            )
        # The public agreement page: the steady park's published agreement with the most parties
        # and flows (the same agreement, parties and related agreements at every size), which
        # the saves measured below leave alone; else the middle one of the registry.
        agreement = (
            self._by_shape(published.filter(park=park))
            .order_by("-party_count", "-flow_count", "reference")
            .first()
        ) or published.order_by("reference")[count // 2]
        # The smallest agreements first (the same shape at every size, since what saving one
        # costs grows with its rows), then a draft: saving it keeps it a draft, so every save is
        # the same step (a verified one becomes a draft at its first save).
        editable = list(
            self._by_shape(
                synthetic.filter(park=park, review_state__in=Agreement.EDITABLE_STATES).exclude(
                    pk=agreement.pk
                )
            )
            .annotate(
                preference=Case(
                    When(review_state=ReviewState.DRAFT, then=Value(0)),
                    When(review_state=ReviewState.RETURNED, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("party_count", "flow_count", "preference", "reference")[:LOAD_AGREEMENTS]
        )
        if not editable:
            raise CommandError(
                f"The steady synthetic park, {park.slug}, has no editable agreement."
            )
        edited = editable[0]
        submitted = (
            self._by_shape(synthetic.filter(review_state=ReviewState.SUBMITTED))
            .annotate(
                elsewhere=Case(
                    When(park=park, then=Value(0)), default=Value(1), output_field=IntegerField()
                )
            )
            .order_by("elsewhere", "party_count", "flow_count", "reference")
            .first()
        )
        self._forget_earlier_saves(synthetic)

        official = self._account(USERNAME)
        AuthorityMembership.objects.get_or_create(user=official, agency=ministry)
        park_officer = self._officer(PARK_OFFICER, park)
        sessions = {
            AS_OFFICIAL: self._session(official),
            AS_PARK_OFFICER: self._session(park_officer),
            AS_LARGE_PARK_OFFICER: self._session(self._officer(LARGE_PARK_OFFICER, largest)),
        }
        batch = self._import_batch(park, park_officer)

        listing = reverse("agreements:list")
        dashboard = reverse("agreements:dashboard")
        filtered = f"{listing}?" + urlencode(
            {"kind": "industrial", "category": "water", "status": "active"}
        )
        searched = f"{listing}?" + urlencode({"q": "steel"})
        export, one_park = self._park_pages(park)
        large_export, large_one_park = self._park_pages(largest)
        mine, create = reverse("agreements:mine"), reverse("agreements:create")
        edit = reverse("agreements:update", kwargs={"reference": edited.reference})
        history = reverse("agreements:history", kwargs={"reference": edited.reference})
        staff_page = edited.get_absolute_url()
        officer, official = AS_PARK_OFFICER, AS_OFFICIAL
        pages = [
            # Measured under load (and cold), as in every run so far.
            ["health", reverse("healthz"), None, True],
            ["agreement list", listing, None, True],
            ["agreement list, filtered", filtered, None, True],
            ["agreement list, searched", searched, None, True],
            ["agreement list, signed in (never page-cached)", listing, official, True],
            ["agreement detail", agreement.get_absolute_url(), None, True],
            ["park with network", park.get_absolute_url(), None, True],
            ["dashboard, national official", dashboard, official, True],
            ["export CSV of a park, national official", export, official, True],
            # The other signed-in pages: cold only.
            ["agreement list, filtered, national official", filtered, official, False],
            ["agreement list, searched, national official", searched, official, False],
            ["my agreements, park officer", mine, officer, False],
            ["new agreement form, park officer", create, officer, False],
            ["edit form, park officer", edit, officer, False],
            ["agreement page, its park officer", staff_page, officer, False],
            ["history page, park officer", history, officer, False],
            # The public park page is never page-cached for those signed in.
            ["park with network, park officer", park.get_absolute_url(), officer, False],
            ["my account, park officer", reverse("accounts:account"), officer, False],
            [
                "measured quantities of an agreement, park officer",
                reverse("agreements:quantities", kwargs={"reference": agreement.reference}),
                officer,
                False,
            ],
            [
                "measured quantities to review, national official",
                reverse("agreements:quantities-review"),
                official,
                False,
            ],
            [
                "proposals to confirm, national official",
                reverse("agreements:proposals"),
                official,
                False,
            ],
            [
                "members and invitations of a park, national official",
                reverse("parks:members", kwargs={"slug": park.slug}),
                official,
                False,
            ],
        ]
        pages.append([IMPORT_PREVIEW, batch.get_absolute_url(), officer, False])
        not_measured = []
        if submitted is not None:
            review = reverse("agreements:review", kwargs={"reference": submitted.reference})
            pages.append(["review page, national official", review, official, False])
        else:
            not_measured.append(["review page", "no synthetic agreement is submitted"])
        pages.append(["dashboard of one park, national official", one_park, official, False])
        report = self._park_report(park)
        if report:
            pages.append(["park report, national official", report, official, False])
        else:
            not_measured.append(["park report", "no URL for it: it does not exist yet"])
        # The pages about one park are on the steady park; these again on the largest other
        # park, where they grow with the park by design: cold only.
        pages += [
            [f"{name}{LARGEST_PARK}", path, session, False]
            for name, path, session in [
                ("park with network", largest.get_absolute_url(), None),
                ("my agreements, park officer", mine, AS_LARGE_PARK_OFFICER),
                ("dashboard of one park, national official", large_one_park, official),
                ("export CSV of a park, national official", large_export, official),
            ]
        ]

        self.stdout.write(
            json.dumps(
                {
                    "session": sessions[AS_OFFICIAL],  # as before: the official's
                    "sessions": sessions,
                    "session_cookie": settings.SESSION_COOKIE_NAME,
                    "steady_park": park.slug,
                    "steady_park_agreements": park.n,
                    "park": largest.slug,  # the largest of the other parks
                    "park_agreements": largest.n,
                    "pages": pages,
                    "save": {
                        "name": SAVE,
                        "path": edit,
                        "session": AS_PARK_OFFICER,
                        "reference": edited.reference,
                        "load_paths": [
                            reverse("agreements:update", kwargs={"reference": a.reference})
                            for a in editable
                        ],
                    },
                    "export": {
                        "name": EXPORT,
                        "path": reverse("agreements:export-csv"),
                        "session": AS_OFFICIAL,
                    },
                    # Measured by bench_cold from scratch: the batch's analysis undone, then its
                    # preview visited until every row is analysed.
                    "import_analysis": {
                        "name": IMPORT_ANALYSIS,
                        "path": batch.get_absolute_url(),
                        "session": AS_PARK_OFFICER,
                        "batch": batch.pk,
                    },
                    "not_measured": not_measured,
                }
            )
        )

    @staticmethod
    def _import_batch(park, officer):
        """A batch of ``IMPORT_ROWS`` rows for the park officer to import, fully analysed: the
        steady park's export (in English), copied as many times as it takes, each copy's
        references (and the links between them) renamed, so that every row is a new agreement
        or flow. Nothing is written but the batch; the officer's earlier batches are deleted."""
        ImportBatch.objects.filter(created_by=officer).delete()
        today = timezone.localdate()
        with translation.override("en"):
            text = "".join(
                exports.csv_stream(
                    exports.flow_header(today=today),
                    exports.flow_rows(Agreement.objects.filter(park=park), today=today),
                )
            )
        keys, ignored, rows = reading.read(io.BytesIO(text.encode()), max_rows=10**6)
        renamed = {
            keys.index(key)
            for key in (
                import_columns.REFERENCE,
                import_columns.FRAMEWORK,
                import_columns.AMENDS,
                import_columns.MADE_FROM,
            )
            if key in keys
        }
        copied = []
        for copy in range(IMPORT_ROWS // len(rows) + 1):
            for row in rows:
                if len(copied) == IMPORT_ROWS:
                    break
                cells = row[1:]
                for index in renamed:
                    if cells[index]:
                        reference, mark, number = cells[index].partition(exports.FLOW_MARK)
                        cells[index] = f"{reference}-IMP{copy}{mark}{number}"
                copied.append([len(copied) + 2, *cells])
        batch = ImportBatch.objects.create(
            created_by=officer,
            file_name="bench-import.csv",
            columns=keys,
            ignored_columns=ignored,
            rows=copied,
            total=len(copied),
        )
        with translation.override("en"):
            while not batch.is_finished:
                analysis.analyse_next(batch)
        return batch

    @staticmethod
    def _account(username):
        user, created = get_user_model().objects.get_or_create(username=username)
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    @classmethod
    def _officer(cls, username, park):
        """The account, on the staff of ``park`` alone."""
        officer = cls._account(username)
        ParkMembership.objects.filter(user=officer).exclude(park=park).delete()
        ParkMembership.objects.get_or_create(user=officer, park=park)
        return officer

    @staticmethod
    def _park_pages(park):
        """The CSV export of ``park`` and its dashboard."""
        query = urlencode({"park": park.slug})
        return (
            f"{reverse('agreements:export-csv')}?{query}",
            f"{reverse('agreements:dashboard')}?{query}",
        )

    @staticmethod
    def _by_shape(agreements):
        return agreements.annotate(
            party_count=Count("parties", distinct=True), flow_count=Count("flows", distinct=True)
        )

    @staticmethod
    def _session(user):
        """A signed-in session for ``user``; for one who must use two-factor sign-in (an
        official, debug off), a session that has passed it, with an authenticator app of theirs,
        as after the second step: their pages cost what they cost in production."""
        session = import_module(settings.SESSION_ENGINE).SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        if must_use_two_factor(user):
            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.create()
        return session.session_key

    @staticmethod
    def _forget_earlier_saves(synthetic):
        """The history an earlier run's saves left of synthetic agreements since regenerated
        (generate_synthetic deletes the agreements with plain DELETEs, not their history)."""
        Agreement.history.filter(reference__startswith=REFERENCE_PREFIX).exclude(
            id__in=synthetic.values("pk")
        ).delete()

    @staticmethod
    def _park_report(park):
        for name in PARK_REPORT_URL_NAMES:
            try:
                # Last year's report, the one a park's page and the dashboard link to.
                year = timezone.localdate().year - 1
                return reverse(name, kwargs={"slug": park.slug, "year": year})
            except NoReverseMatch:
                continue
        return None
