"""A small world for the staff and review tests: two parks, each managed by its own agency,
with staff and officials on each side, a national official, an admin, three companies of the
first park and a resource."""

from dataclasses import dataclass

from parks.models import Organisation
from tests.factories import (
    make_agency,
    make_official,
    make_organisation,
    make_park,
    make_park_staff,
    make_resource,
    make_user,
)


@dataclass
class World:
    park: object
    other_park: object
    agency: object
    other_agency: object
    staff: object
    other_staff: object
    official: object
    other_official: object
    national_official: object
    admin: object
    provider: object
    receiver: object
    witness: object
    resource: object

    def user(self, role):
        return None if role == "anonymous" else getattr(self, role)


def make_world():
    agency = make_agency(name_en="Hai Phong Economic Zone Authority", short_name="HEZA")
    other_agency = make_agency(name_en="Quang Ninh Economic Zone Authority")
    park = make_park(name_en="Deep C Industrial Park", managing_authority=agency)
    other_park = make_park(name_en="Other Park", managing_authority=other_agency)
    return World(
        park=park,
        other_park=other_park,
        agency=agency,
        other_agency=other_agency,
        staff=make_park_staff(park, username="deepc-staff"),
        other_staff=make_park_staff(other_park, username="other-staff"),
        official=make_official(agency, username="heza-official"),
        other_official=make_official(other_agency, username="other-official"),
        national_official=make_official(
            make_agency(name_en="Ministry of Finance", level=Organisation.Level.NATIONAL),
            username="ministry-official",
        ),
        admin=make_user("admin", is_staff=True, is_superuser=True),
        provider=make_organisation(name_en="Dinh Vu Industrial Park JSC", park=park),
        receiver=make_agency(
            name_en="Hai An District Police",
            name_vi="Công an quận Hải An",
            level=Organisation.Level.DISTRICT,
        ),
        witness=make_organisation(name_en="Flat Vietnam", park=park),
        resource=make_resource(name_en="Fire-fighting capacity"),
    )
