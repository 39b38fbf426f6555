"""An admin can use every page of the Django admin on day one."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agreements.models import Agreement, Document
from parks.models import Agency
from tests.factories import (
    make_agreement,
    make_official,
    make_park,
    make_park_staff,
    make_user,
)

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
IDS = [model._meta.label for model, _ in REGISTERED]


@pytest.fixture
def superuser_client(client, db):
    client.force_login(make_user(is_staff=True, is_superuser=True))
    return client


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_changelist_and_add_pages_answer(superuser_client, demo, model, model_admin):
    assert superuser_client.get(url(model, "changelist")).status_code == 200
    assert superuser_client.get(url(model, "add")).status_code == 200


@pytest.fixture
def one_of_everything(demo):
    """The demo, plus a row of each model the demo has none of."""
    make_park_staff(demo.park)
    make_official(Agency.objects.get(slug="heza"))
    Group.objects.create(name="Officials")
    Document.objects.create(
        agreement=demo, title="Signed agreement", file=ContentFile(b"%PDF-1.4", name="a.pdf")
    )


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_change_page_answers(superuser_client, one_of_everything, model, model_admin):
    obj = model._default_manager.first()

    assert superuser_client.get(url(model, "change", obj.pk)).status_code == 200


def count_queries(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=IDS)
def test_changelist_query_count_does_not_grow_with_rows(
    superuser_client, one_of_everything, model, model_admin
):
    path = url(model, "changelist")
    with_few = count_queries(superuser_client, path)
    park = make_park()
    heza = Agency.objects.get(slug="heza")
    for number in range(30):
        agreement = make_agreement(park, review_state=Agreement.ReviewState.DRAFT)
        make_park_staff(park)
        make_official(heza)
        Group.objects.create(name=f"Group {number}")
        Document.objects.create(
            agreement=agreement, title="Scan", file=ContentFile(b"%PDF-1.4", name="a.pdf")
        )

    with_many = count_queries(superuser_client, path)

    assert with_many == with_few


@pytest.mark.django_db
def test_agreement_history_is_reachable_from_the_admin(superuser_client, demo):
    response = superuser_client.get(url(Agreement, "history", demo.pk))

    assert response.status_code == 200
    assert demo.reference in response.content.decode()


@pytest.mark.django_db
def test_documents_open_from_the_admin_through_the_download_view(superuser_client, demo):
    document = Document.objects.create(
        agreement=demo,
        title="Signed agreement",
        original_name="signed.pdf",
        file=ContentFile(b"%PDF-1.4", name="a.pdf"),
    )

    for page in (url(Document, "change", document.pk), url(Agreement, "change", demo.pk)):
        content = superuser_client.get(page).content.decode()
        assert f'href="{document.get_absolute_url()}"' in content
        assert "documents-are-not-served-here" not in content
