"""The dashboard added up from each park's kept figures (``agreements.reporting.figures``):
the same figures as computed from the agreements, on the hand-built register and on a
synthetic one, and never out of date after a change, whatever its path."""

import datetime
import io
from dataclasses import asdict
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, Party, Resource, ResourceFlow
from agreements.permissions import overseen_parks, reviewable_agreements
from agreements.reporting import dashboard
from agreements.reporting import figures as park_figures
from agreements.reporting.filters import Filters
from agreements.reporting.models import ParkFigures, ScopeFigures
from agreements.sample_data.synthetic import generate
from parks.models import Organisation, Park
from tests.agreements.reporting.dashboard_data import TODAY, build_register
from tests.agreements.reporting.test_views import DASHBOARD, build_agreements, figure
from tests.factories import make_agreement, make_official, make_organisation, make_park

State = Agreement.ReviewState


@pytest.fixture
def register(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return build_register()


NO_FILTERS = Filters()


def built(source, user, filters=NO_FILTERS, today=TODAY):
    return source(
        agreements=reviewable_agreements(user, Agreement.objects.all()),
        parks=overseen_parks(user),
        filters=filters,
        today=today,
    )


def comparable(board):
    """A dashboard as plain values (parks and agreements by their keys)."""
    values = asdict(board)
    values["by_park"] = [
        (park.slug, park.agreement_count, park.active_count) for park in board.by_park
    ]
    for name in ("awaiting_verification", "ending_soon", "returned"):
        values[name] = [
            (
                agreement.reference,
                agreement.title,
                agreement.park.name,
                agreement.get_review_state_display(),
                agreement.review_comment,
                agreement.submitted_at,
                agreement.reviewed_at,
                getattr(agreement, "ending_on", None),
            )
            for agreement in getattr(board, name)
        ]
    values["impact"]["factors"] = [resource.pk for resource in board.impact.factors]
    return values


def assert_same_as_computed(user, filters=NO_FILTERS, today=TODAY):
    kept = built(dashboard.from_park_figures, user, filters, today)
    assert comparable(kept) == comparable(built(dashboard.from_agreements, user, filters, today))
    return kept


def kept_overview(park, today=TODAY):
    """The park's kept figures for the officials' overview, computed if need be."""
    figures = park_figures.current(
        [park.pk], today=today, overview_counts=dashboard.overview_counts(today=today)
    )
    return figures[park.pk]["report_overview"]


def dashboard_of(user, today=TODAY):
    """What the dashboard shows (the kept figures, once the first view has kept them)."""
    return built(dashboard.build, user, today=today)


class TestSameFiguresAsComputed:
    @pytest.mark.parametrize("who", ["heza_official", "other_official", "national_official"])
    def test_for_each_scope(self, register, who):
        user = getattr(register, who)
        assert_same_as_computed(user)
        assert_same_as_computed(user)  # kept, then read back

    @pytest.mark.parametrize(
        "filters", [Filters(park="alpha"), Filters(park="gamma"), Filters(province="Quang Ninh")]
    )
    def test_narrowed_to_parks(self, register, filters):
        for user in (register.heza_official, register.national_official):
            assert_same_as_computed(user, filters)

    def test_on_a_synthetic_registry(self, db):
        generate(parks=6, organisations=60, agreements=300, seed=3)
        national = Organisation.objects.filter(level=Organisation.Level.NATIONAL).first()
        official = make_official(national)
        for today in (TODAY, datetime.date(2021, 6, 1), datetime.date(2031, 1, 1)):
            board = assert_same_as_computed(official, today=today)
            assert board.figures["total"] == 300

    def test_other_filters_are_computed_from_the_agreements(self, register):
        dashboard_of(register.heza_official)
        kept = ParkFigures.objects.count()

        board = built(dashboard.build, register.heza_official, Filters(kind="industrial"))

        assert comparable(board) == comparable(
            built(dashboard.from_agreements, register.heza_official, Filters(kind="industrial"))
        )
        assert ParkFigures.objects.count() == kept


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what a change leaves to do on commit (the test's own transaction never commits)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


class TestNeverOutOfDate:
    def test_a_new_agreement_counts_at_once(self, register, committed):
        before = dashboard_of(register.heza_official).figures["total"]
        park = Park.objects.get(slug="beta")
        with committed():
            make_agreement(park, parties=[make_organisation(), make_organisation()], flows=[])

        assert dashboard_of(register.heza_official).figures["total"] == before + 1
        assert_same_as_computed(register.heza_official)

    def test_a_flow_changed_changes_the_impact(self, register, committed):
        before = dashboard_of(register.heza_official).impact
        flow = ResourceFlow.objects.filter(
            quantity__isnull=False, agreement__review_state=State.VERIFIED
        ).first()
        flow.quantity += Decimal(1000)
        with committed():
            flow.save()

        after = assert_same_as_computed(register.heza_official).impact
        assert after != before
        assert comparable(dashboard_of(register.heza_official)) == comparable(
            built(dashboard.from_agreements, register.heza_official)
        )

    def test_a_party_removed_leaves_the_organisations_involved(self, register, committed):
        dashboard_of(register.national_official)
        with committed():
            Party.objects.filter(organisation__name_en="UNIDO").delete()

        assert dashboard_of(register.national_official).organisations["international"] == 0
        assert_same_as_computed(register.national_official)

    def test_an_agreement_moved_to_another_park_moves_in_both(self, register, committed):
        dashboard_of(register.heza_official)
        agreement = Agreement.objects.get(reference="A1")
        agreement.park = Park.objects.get(slug="beta")
        with committed():
            agreement.save()

        assert_same_as_computed(register.heza_official)
        board = dashboard_of(register.heza_official)
        assert {park.slug: park.agreement_count for park in board.by_park} == {
            park.slug: park.agreement_count
            for park in built(dashboard.from_agreements, register.heza_official).by_park
        }

    def test_an_agreement_moved_by_its_staffs_save_moves_in_both(self, register, committed):
        # The service reads the park it leaves with the agreement's row locked.
        dashboard_of(register.heza_official)
        agreement = Agreement.objects.get(reference="A1")
        with committed():
            services.save_agreement(
                agreement=agreement,
                values={"park": Park.objects.get(slug="beta")},
                parties=[{"id": pk} for pk in agreement.parties.values_list("pk", flat=True)],
                flows=[{"id": pk} for pk in agreement.flows.values_list("pk", flat=True)],
                version=agreement.version,
                user=register.heza_official,
            )

        assert Agreement.objects.get(reference="A1").park.slug == "beta"
        assert_same_as_computed(register.heza_official)
        board = dashboard_of(register.heza_official)
        assert {park.slug: park.agreement_count for park in board.by_park} == {
            park.slug: park.agreement_count
            for park in built(dashboard.from_agreements, register.heza_official).by_park
        }

    def test_an_agreement_deleted_is_no_longer_counted(self, register, committed):
        before = dashboard_of(register.heza_official).figures["total"]
        with committed():
            Agreement.objects.get(reference="A1").delete()

        assert dashboard_of(register.heza_official).figures["total"] == before - 1

    def test_a_resource_given_another_emission_factor(self, register, committed):
        dashboard_of(register.heza_official)
        water = Resource.objects.get(name_en="Treated wastewater")
        water.emission_factor = Decimal("2")
        with committed():
            water.save()

        assert_same_as_computed(register.heza_official)

    def test_an_organisation_of_another_kind(self, register, committed):
        dashboard_of(register.national_official)
        unido = Organisation.objects.get(name_en="UNIDO")
        unido.kind = Organisation.Kind.COMPANY
        with committed():
            unido.save()

        assert dashboard_of(register.national_official).organisations["international"] == 0
        assert_same_as_computed(register.national_official)

    def test_a_new_tenant_counts_in_its_parks_overview(self, register, committed):
        park = Park.objects.get(slug="beta")
        before = kept_overview(park)
        with committed():
            make_organisation(park=park, kind=Organisation.Kind.COMPANY)

        assert kept_overview(park)["tenants"] == before["tenants"] + 1

    def test_a_tenant_moved_to_another_park_moves_in_both(self, register, committed):
        beta = Park.objects.get(slug="beta")
        with committed():
            tenant = make_organisation(park=beta, kind=Organisation.Kind.COMPANY)
        other = Park.objects.exclude(pk=beta.pk).first()
        before = {park.pk: kept_overview(park)["tenants"] for park in (beta, other)}
        tenant.park = other
        with committed():
            tenant.save()

        assert kept_overview(beta)["tenants"] == before[beta.pk] - 1
        assert kept_overview(other)["tenants"] == before[other.pk] + 1

    def test_a_change_rolled_back_leaves_them_kept(self, register, committed):
        dashboard_of(register.heza_official)
        generations = dict(ParkFigures.objects.values_list("park_id", "generation"))

        with committed(), pytest.raises(RuntimeError), transaction.atomic():
            Agreement.objects.get(reference="A1").delete()
            raise RuntimeError

        assert dict(ParkFigures.objects.values_list("park_id", "generation")) == generations

    def test_the_next_day_they_are_worked_out_again(self, register):
        dashboard_of(register.heza_official)
        later = TODAY + datetime.timedelta(days=400)

        board = dashboard_of(register.heza_official, today=later)

        assert comparable(board) == comparable(
            built(dashboard.from_agreements, register.heza_official, today=later)
        )

    def test_figures_computed_while_a_change_commits_are_not_kept(self, register, monkeypatch):
        """The change commits between reading the park's generation and storing what was
        computed from the rows before it: those figures must not be taken for current."""
        compute = park_figures.compute

        def compute_then_change(park_ids, **kwargs):
            figures = compute(park_ids, **kwargs)
            Agreement.objects.filter(reference="A1").update(review_state=State.DRAFT)
            park_figures.move_on(park_ids)  # as the change's commit does
            return figures

        monkeypatch.setattr(park_figures, "compute", compute_then_change)
        dashboard_of(register.heza_official)
        monkeypatch.setattr(park_figures, "compute", compute)

        assert_same_as_computed(register.heza_official)
        assert dashboard_of(register.heza_official).figures["draft"] == 2

    def test_a_bulk_write_starts_them_again(self, register, committed):
        dashboard_of(register.national_official)

        with committed():
            generate(parks=2, organisations=10, agreements=20, seed=1)

        assert_same_as_computed(register.national_official)


def test_the_overview_read_alone_is_the_kept_one_and_never_out_of_date(
    register, committed, django_assert_num_queries
):
    """The parks' report overview reads only its figures of each park's kept row
    (``figures.kept_parts``): the same as the whole row's, worked out where missing, and worked
    out again after a change."""
    ids = list(Park.objects.order_by("pk").values_list("pk", flat=True))
    counts = dashboard.overview_counts(today=TODAY)

    def read_alone():
        return park_figures.kept_parts(
            ids, keys=["report_overview"], today=TODAY, overview_counts=counts
        )

    def whole_rows():
        kept = park_figures.current(ids, today=TODAY, overview_counts=counts)
        return {pk: {"report_overview": figures["report_overview"]} for pk, figures in kept.items()}

    first = read_alone()  # none kept yet: worked out, and kept
    with django_assert_num_queries(1):  # kept now: one query
        again = read_alone()
    assert again == first == whole_rows()

    beta = Park.objects.get(slug="beta")
    with committed():
        make_organisation(park=beta, kind=Organisation.Kind.COMPANY)

    after = read_alone()
    assert after[beta.pk]["report_overview"]["tenants"] == (
        first[beta.pk]["report_overview"]["tenants"] + 1
    )
    assert after == whole_rows()


class TestSeveralParksAddedUp:
    """The sum of several parks' figures, kept (``ScopeFigures``): read back as long as every
    park's figures are those it added up, and never once one of them has moved on."""

    def test_read_back_without_the_parks_figures(self, register, monkeypatch):
        first = assert_same_as_computed(register.national_official)
        assert ScopeFigures.objects.count() == 1

        def not_read(*args, **kwargs):
            raise AssertionError("the parks' figures were read again")

        monkeypatch.setattr(park_figures, "_current", not_read)
        again = built(dashboard.from_park_figures, register.national_official)

        assert comparable(again) == comparable(first)

    def test_a_sum_per_set_of_parks(self, register):
        for user in (register.heza_official, register.national_official):
            assert_same_as_computed(user)
        assert_same_as_computed(register.national_official, Filters(province="Quang Ninh"))

        # Heza's two parks, every park, and Quang Ninh's one park: its own row has its figures,
        # the sum keeps them with its work lists.
        assert ScopeFigures.objects.count() == 3

    def test_a_change_to_one_park_is_in_the_sum(self, register, committed):
        before = dashboard_of(register.national_official).figures["total"]
        with committed():
            make_agreement(
                Park.objects.get(slug="gamma"),
                parties=[make_organisation(), make_organisation()],
                flows=[],
            )

        assert dashboard_of(register.national_official).figures["total"] == before + 1
        assert_same_as_computed(register.national_official)

    def test_a_sum_of_another_day_is_not_read(self, register):
        dashboard_of(register.national_official)
        later = TODAY + datetime.timedelta(days=400)

        assert comparable(dashboard_of(register.national_official, today=later)) == comparable(
            built(dashboard.from_agreements, register.national_official, today=later)
        )

    # Heza's two parks, and one of them alone (its own row does not hold the work lists).
    @pytest.mark.parametrize("filters", [NO_FILTERS, Filters(park="alpha")])
    def test_the_work_lists_are_kept_with_the_sum_and_follow_each_change(
        self, register, committed, monkeypatch, filters
    ):
        board = assert_same_as_computed(register.heza_official, filters)
        assert board.awaiting_verification  # the register has some: kept with the sum

        def not_read(*args, **kwargs):
            raise AssertionError("the work lists were read again")

        monkeypatch.setattr(dashboard, "work_lists", not_read)
        kept = built(dashboard.build, register.heza_official, filters)
        assert comparable(kept) == comparable(board)
        monkeypatch.undo()

        submitted = Agreement.objects.filter(
            park__slug="alpha", review_state=State.SUBMITTED
        ).first()
        submitted.review_comment = "Please add the signed annex."
        submitted.review_state = State.RETURNED
        with committed():
            submitted.save()

        after = assert_same_as_computed(register.heza_official, filters)
        assert submitted.reference in [agreement.reference for agreement in after.returned]

        # A park renamed: its name is kept with the lists too.
        park = Park.objects.get(slug="alpha")
        park.name_en = "Alpha Eco-Industrial Park"
        with committed():
            park.save()

        renamed = assert_same_as_computed(register.heza_official, filters)
        assert "Alpha Eco-Industrial Park" in {a.park.name for a in renamed.returned}

    def test_a_park_deleted_forgets_every_sum(self, register):
        dashboard_of(register.national_official)
        park = make_park(slug="delta")
        dashboard_of(register.national_official)

        park.delete()  # its kept figures with it: its id may be given again, its count restart

        assert not ScopeFigures.objects.exists()
        assert_same_as_computed(register.national_official)


class TestQueries:
    """The dashboard's queries, whatever the number of agreements: the figures kept read in
    one query; worked out, in eight more (two of them agreed and measured per year) and one to
    keep them. Over several parks, their kept
    sum (with the work lists) and their generations are read instead, and the work lists are not
    read again; worked out, the parks' figures are read (or worked out) and the sum kept too.
    One park's figures are read as a sum too, for its work lists.
    Each time, two more for the parks' symbiosis report overview (``eip.overview``), whatever
    the number of parks."""

    @pytest.mark.parametrize("count", [1, 100])
    def test_the_dashboard(self, client, db, django_assert_num_queries, count):
        client.force_login(make_official(build_agreements(count)))

        # One more for the measured quantities awaiting review, two for agreed and measured per
        # year and two for the parks' report overview, all kept with the park's figures, which
        # the overview reads again (issue 15), and one for the flow diagrams' bands (kept too);
        # one park's figures are kept with its work lists as several parks' are (its generation
        # read, the sum kept).
        with django_assert_num_queries(26):
            first = client.get(DASHBOARD)
        cache.clear()
        # The overview's figures in the kept row; the sum with the work lists and its park's
        # generation, not the park's figures and three work lists.
        with django_assert_num_queries(10):
            again = client.get(DASHBOARD)

        assert figure(first, "total") == figure(again, "total") == str(count)

    @pytest.mark.parametrize("count", [1, 100])
    def test_the_dashboard_over_several_parks(self, client, db, django_assert_num_queries, count):
        agency = build_agreements(count)
        build_agreements(count, agency=agency)  # a second park of the same agency
        client.force_login(make_official(agency))

        # with issue 15's figures and the flow diagrams' (see above)
        with django_assert_num_queries(26):
            first = client.get(DASHBOARD)
        cache.clear()
        with django_assert_num_queries(10):  # the overview's figures in the kept rows
            again = client.get(DASHBOARD)

        assert figure(first, "total") == figure(again, "total") == str(2 * count)


def test_the_command_keeps_every_parks_figures_for_today(register):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    ScopeFigures.objects.create(parks="earlier", day=yesterday, signature="", figures={})

    call_command("keep_park_figures", stdout=io.StringIO())

    today = timezone.localdate()
    assert all(row.holds_for(today) for row in ParkFigures.objects.all())
    assert ParkFigures.objects.count() == Park.objects.count()
    # Their sum over every park (a national dashboard's) too, and no sum of an earlier day.
    assert list(ScopeFigures.objects.values_list("day", flat=True)) == [today]


def test_a_national_dashboard_after_the_command_shows_the_sum_it_kept_with_its_work_lists(
    register,
):
    """The command keeps the national sum as the dashboard reads it, work lists included: a
    sum kept without them made the first national dashboard of the day fail."""
    call_command("keep_park_figures", stdout=io.StringIO())
    today = timezone.localdate()
    kept = ScopeFigures.objects.get()
    assert kept.figures["lists"] is not None

    board = built(dashboard.build, register.national_official, today=today)

    assert comparable(board) == comparable(
        built(dashboard.from_agreements, register.national_official, today=today)
    )
    assert board.awaiting_verification  # the register has agreements awaiting review
    assert ScopeFigures.objects.get().signature == kept.signature  # read back, not worked out


def test_a_sum_kept_without_work_lists_is_worked_out_again_for_a_dashboard(register):
    park_ids = list(Park.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    counts = dashboard.overview_counts(today=today)
    park_figures.added_up(park_ids, today=today, overview_counts=counts)  # no lists kept

    total = dashboard.kept_sum(park_ids, today=today, overview_counts=counts)

    assert total["lists"]["awaiting_verification"]
    assert ScopeFigures.objects.get().figures["lists"] == total["lists"]


@pytest.mark.django_db(transaction=True)
def test_a_change_saved_outside_any_transaction_moves_its_parks_figures_on():
    """A save in autocommit (a shell, a command) has committed when its signal is sent: its
    park's kept figures move on then, not at a commit that never comes."""
    park = make_park()
    agreement = make_agreement(park, parties=[make_organisation(), make_organisation()])
    counts = dashboard.overview_counts(today=TODAY)
    park_figures.current([park.pk], today=TODAY, overview_counts=counts)
    before = ParkFigures.objects.get(park=park).generation

    agreement.title_en = "Renamed outside a transaction"
    agreement.save()

    assert ParkFigures.objects.get(park=park).generation == before + 1
