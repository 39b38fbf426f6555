"""Shared fixtures: test settings and the demo data. The ``make_*`` helpers are in
tests/factories.py."""

import os

import pytest
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings

from agreements.models import Agreement, Resource
from agreements.sample_data.demo import load_demo
from parks.models import Organisation
from tests.factories import make_agreement

# The fuzz tests (test_*_fuzz.py): a bounded run by default, the one CI makes (seconds each, no
# example database left behind, a failure reported as found: shrinking a page's example can
# take minutes); HYPOTHESIS_PROFILE=thorough tries many more and shrinks what fails. Each
# example undoes its own writes, so the function-scoped fixtures it shares hold still.
_FUZZ = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}
hypothesis_settings.register_profile(
    "registry", max_examples=30, phases=[Phase.explicit, Phase.generate], **_FUZZ
)
hypothesis_settings.register_profile("thorough", max_examples=1000, **_FUZZ)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "registry"))


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
