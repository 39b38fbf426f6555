"""Shared fixtures: test settings and the demo data. The ``make_*`` helpers are in
tests/factories.py."""

import pytest

from agreements.models import Agreement, Resource
from agreements.sample_data.demo import load_demo
from parks.models import Organisation
from tests.factories import make_agreement


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"
    # No cache: every test sees its own writes at once (they never commit, so the cache's
    # invalidation would not run) and query counts measure the uncached page.
    # tests/symbiosis/test_caching.py turns a real cache on where it tests caching.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    # Nobody must use two-factor sign-in, so that tests sign admins and officials in with
    # force_login or a password, in this process and on the browser tests' live server alike.
    # tests/accounts/ turns it on where it tests it.
    settings.MFA_FOR_ADMINS = False
    settings.MFA_FOR_OFFICIALS = False


@pytest.fixture
def demo(db):
    """The founding case: Deep C, Hai An District Police and their agreement."""
    load_demo()
    return Agreement.objects.get(reference="DEEPC-2023-IUS-01")


DEEP_C_FLOW_ORGANISATIONS = {
    "dinh-vu-ip-jsc",
    "hai-an-district-police",
    "flat-vietnam",
    "shin-etsu-vietnam",
}


@pytest.fixture
def deep_c_network(demo):
    """The founding case plus four verified agreements between Deep C's developer and two tenants,
    built here (the demo's own illustrative records are drafts, off the public pages): five flows,
    two of them energy from Dinh Vu to Shin-Etsu."""
    organisations = {
        slug: Organisation.objects.get(slug=slug) for slug in DEEP_C_FLOW_ORGANISATIONS
    }
    for resource, provider, receiver in [
        ("rooftop-solar-electricity", "dinh-vu-ip-jsc", "shin-etsu-vietnam"),
        ("treated-wastewater", "dinh-vu-ip-jsc", "flat-vietnam"),
        ("waste-as-filling-material", "flat-vietnam", "dinh-vu-ip-jsc"),
        ("wind-electricity", "dinh-vu-ip-jsc", "shin-etsu-vietnam"),
    ]:
        provider, receiver = organisations[provider], organisations[receiver]
        make_agreement(
            demo.park,
            parties=[provider, receiver],
            flows=[(Resource.objects.get(slug=resource), provider, receiver)],
        )
    return demo
