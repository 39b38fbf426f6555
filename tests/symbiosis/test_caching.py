"""Pages and figures are cached only where that is safe, and never outlive a change."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from agreements.models import Agreement
from symbiosis import caching
from tests.factories import make_agency, make_agreement, make_official, make_park, make_park_staff

# Real commits: invalidation runs when a transaction commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def real_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"}
    }
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def rename_behind_the_caches_back(agreement, title):
    # A queryset update sends no signal: what a visitor then sees comes from the cache.
    Agreement.objects.filter(pk=agreement.pk).update(title_en=title)


def test_an_anonymous_visitor_is_served_the_stored_page_without_a_query(
    client, django_assert_num_queries
):
    agreement = make_agreement(title_en="Shared steam")
    assert "Shared steam" in client.get(agreement.get_absolute_url()).content.decode()
    rename_behind_the_caches_back(agreement, "Renamed")

    with django_assert_num_queries(0):
        page = client.get(agreement.get_absolute_url()).content.decode()

    assert "Shared steam" in page


def test_a_committed_change_makes_every_stored_page_stale(client):
    agreement = make_agreement(title_en="Shared steam")
    client.get(reverse("agreements:list"))
    client.get(agreement.get_absolute_url())

    agreement.title_en = "Shared steam and condensate"
    agreement.save()

    assert "Shared steam and condensate" in client.get(reverse("agreements:list")).content.decode()
    assert "and condensate" in client.get(agreement.get_absolute_url()).content.decode()


class Rollback(Exception):
    pass


def generation_moves_on_commit():
    """How many times the content generation is to move on when the transaction commits."""
    pending = transaction.get_connection().run_on_commit
    return sum(1 for _savepoints, callback, _robust in pending if callback is caching._move_on)


def test_a_rolled_back_change_keeps_the_stored_pages(client):
    agreement = make_agreement(title_en="Shared steam")
    client.get(agreement.get_absolute_url())

    with pytest.raises(Rollback), transaction.atomic():
        agreement.title_en = "Never committed"
        agreement.save()
        assert generation_moves_on_commit() == 1  # once per transaction
        agreement.parties.first().save()
        assert generation_moves_on_commit() == 1
        raise Rollback

    rename_behind_the_caches_back(agreement, "Renamed")
    assert "Shared steam" in client.get(agreement.get_absolute_url()).content.decode()


def test_signed_in_users_always_get_a_fresh_page(client):
    park = make_park()
    agreement = make_agreement(park, title_en="Shared steam")
    client.get(agreement.get_absolute_url())  # stored for anonymous visitors
    rename_behind_the_caches_back(agreement, "Renamed for staff")
    client.force_login(make_park_staff(park))

    page = client.get(agreement.get_absolute_url()).content.decode()

    assert "Renamed for staff" in page


def test_a_signed_in_users_page_is_never_stored_for_visitors(client):
    park = make_park()
    draft = make_agreement(park, review_state=Agreement.ReviewState.DRAFT, title_en="Secret")
    client.force_login(make_park_staff(park))
    client.get(reverse("agreements:list"))
    client.get(draft.get_absolute_url())
    client.logout()

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Secret" not in client.get(reverse("agreements:list")).content.decode()


def test_pages_are_stored_per_language(client):
    make_agreement(title_en="Shared steam", title_vi="Chia sẻ hơi nước")

    english = client.get(reverse("agreements:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    vietnamese = client.get(reverse("agreements:list"), HTTP_ACCEPT_LANGUAGE="vi").content.decode()

    assert "Shared steam" in english
    assert "Chia sẻ hơi nước" in vietnamese


def test_a_stored_page_says_it_varies_with_the_language(client):
    """Shared caches in front of the app keep one copy per language too."""
    url = reverse("agreements:list")
    fresh = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    stored = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    for response in (fresh, stored, english):
        assert "Accept-Language" in response["Vary"]
    assert stored.content == fresh.content
    assert (stored["Content-Language"], english["Content-Language"]) == ("vi", "en")


def test_stored_pages_carry_no_per_visitor_token(client):
    response = client.get(reverse("home"))

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies


def test_the_language_can_be_chosen_without_a_token(client):
    client.handler.enforce_csrf_checks = True

    response = client.post(reverse("set_language"), {"language": "vi", "next": "/"})

    assert response.status_code == 302
    assert response.cookies["django_language"].value == "vi"


def test_dashboard_figures_are_shared_within_a_scope_never_across(client):
    heza, other = make_agency(), make_agency()
    make_agreement(make_park(managing_authority=heza), title_en="Heza's")
    make_agreement(make_park(managing_authority=other), title_en="Other's")
    make_agreement(make_park(managing_authority=other), title_en="Other's second")
    dashboard = reverse("agreements:dashboard")

    client.force_login(make_official(heza))
    heza_total = client.get(dashboard).context["dashboard"].figures["total"]
    client.force_login(make_official(other))
    other_total = client.get(dashboard).context["dashboard"].figures["total"]

    assert (heza_total, other_total) == (1, 2)


def test_pages_are_stored_whatever_the_order_of_their_filters(client, django_assert_num_queries):
    make_agreement(title_en="Shared steam", kind=Agreement.Kind.INDUSTRIAL)
    client.get(reverse("agreements:list") + "?kind=industrial&q=steam")

    with django_assert_num_queries(0):
        client.get(reverse("agreements:list") + "?q=steam&kind=industrial")


def test_made_up_parameters_are_served_but_never_stored(client):
    agreement = make_agreement(title_en="Shared steam")
    path = reverse("agreements:list") + "?utm_source=newsletter"
    client.get(path)
    rename_behind_the_caches_back(agreement, "Renamed")

    assert "Renamed" in client.get(path).content.decode()


def test_the_stored_dashboard_page_is_shared_within_a_scope_never_across(client):
    heza, other = make_agency(), make_agency()
    submitted = Agreement.ReviewState.SUBMITTED
    make_agreement(
        make_park(managing_authority=heza), title_en="Heza steam", review_state=submitted
    )
    make_agreement(
        make_park(managing_authority=other), title_en="Other water", review_state=submitted
    )
    dashboard = reverse("agreements:dashboard")

    client.force_login(make_official(heza))
    first = client.get(dashboard).content.decode()
    client.force_login(make_official(heza))
    colleague = client.get(dashboard).content.decode()
    client.force_login(make_official(other))
    stranger = client.get(dashboard).content.decode()

    assert "Heza steam" in first and "Other water" not in first
    assert "Heza steam" in colleague
    assert "Other water" in stranger and "Heza steam" not in stranger


def test_a_committed_change_refreshes_the_stored_dashboard(client):
    agency = make_agency()
    agreement = make_agreement(
        make_park(managing_authority=agency),
        title_en="Steam",
        review_state=Agreement.ReviewState.SUBMITTED,
    )
    client.force_login(make_official(agency))
    client.get(reverse("agreements:dashboard"))

    agreement.title_en = "Steam and condensate"
    agreement.save()

    assert "Steam and condensate" in client.get(reverse("agreements:dashboard")).content.decode()


def test_a_stored_dashboard_page_works_nothing_out_again(client, monkeypatch):
    """The page's fragment stored, its figures and charts are not even read."""
    agency = make_agency()
    make_agreement(make_park(managing_authority=agency), title_en="Steam")
    client.force_login(make_official(agency))
    first = client.get(reverse("agreements:dashboard")).content.decode()

    def not_built(*args, **kwargs):
        raise AssertionError("the figures or the charts were worked out again")

    monkeypatch.setattr("agreements.reporting.dashboard.build", not_built)
    monkeypatch.setattr("agreements.reporting.views.charts", not_built)
    again = client.get(reverse("agreements:dashboard")).content.decode()

    def without_tokens(page):  # the sign-out form's CSRF token is new on each page
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", page)

    assert without_tokens(again) == without_tokens(first)
