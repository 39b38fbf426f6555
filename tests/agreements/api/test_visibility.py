"""No draft, submitted or returned agreement, and no organisation or resource an official has not
confirmed, appears in any answer of the API: every list walked page by page, every row's own
address followed, and the hidden ones' own addresses answer 404."""

import json

import pytest
from django.urls import reverse

from agreements.models import Agreement
from tests.agreements.api.conftest import TELL_TALE

pytestmark = pytest.mark.django_db

LISTS = ["agreement", "park", "organisation", "resource", "flow"]


def walk(client, url):
    """Every answer of a list, page after page, and of each row's own address (``url``)."""
    answers = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, url
        answers.append(response.content.decode())
        page = response.json()
        for row in page["results"]:
            detail = client.get(row["url"])
            assert detail.status_code == 200, row["url"]
            answers.append(detail.content.decode())
        url = page["next"]
    return answers


def test_no_unpublished_agreement_nor_unconfirmed_proposal_appears_in_any_answer(client, hidden):
    answers = []
    for name in LISTS:
        # Two rows a page, so that every page is walked.
        answers += walk(client, reverse(f"api:{name}-list") + "?page_size=2")
    # Each hidden agreement's resource and parties are in a list filtered to find them.
    for reference in hidden["references"]:
        answers += walk(client, reverse("api:agreement-list") + f"?q={reference}")

    assert len(answers) > 20
    for answer in answers:
        assert TELL_TALE not in answer.lower()
    assert Agreement.objects.public().count() == 5  # what was walked was the public register
    seen = {row["reference"] for row in client.get("/api/v1/agreements/").json()["results"]}
    assert seen == set(Agreement.objects.public().values_list("reference", flat=True))


def test_the_addresses_of_hidden_rows_answer_not_found(client, hidden):
    addresses = [
        *(reverse("api:agreement-detail", kwargs={"reference": r}) for r in hidden["references"]),
        *(reverse("api:organisation-detail", kwargs={"slug": s}) for s in hidden["organisations"]),
        *(reverse("api:resource-detail", kwargs={"slug": s}) for s in hidden["resources"]),
    ]
    hidden_flows = Agreement.objects.exclude(review_state=Agreement.PUBLIC_STATE).values_list(
        "flows", flat=True
    )
    addresses += [reverse("api:flow-detail", kwargs={"pk": pk}) for pk in hidden_flows]

    for address in addresses:
        response = client.get(address)
        assert response.status_code == 404, address
        assert response["Content-Type"] == "application/json"
        assert TELL_TALE not in json.dumps(response.json()).lower()


def test_a_framework_that_is_not_verified_is_not_named(client, hidden, deep_c_network):
    draft = Agreement.objects.get(reference=hidden["references"][0])
    deep_c_network.framework = draft
    deep_c_network.save()

    answer = client.get(reverse("api:agreement-detail", args=[deep_c_network.reference])).json()

    assert answer["framework"] is None
