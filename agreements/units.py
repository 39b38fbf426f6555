"""The units quantities are recorded in, in one place: each unit's code (what the database
keeps), its label, its dimension, and the factor that converts it for totals.

- Every unit belongs to a dimension: energy, mass, volume, area, time or count.
- Totals add up the quantities of one dimension in its canonical unit (``CANONICAL``: MWh, t,
  m³, m², hours), whatever unit each was entered in.
- Counts do not convert: a call-out, a vehicle, a session and a person-day are different
  things, so each count unit is its own unit for totals (``totals_unit``): call-outs add up
  with call-outs only. A person-day is a count of labour, not 24 or 8 hours.
- The conversion factors come from pint, computed once when this module is imported, as exact
  fractions (1 GJ = 5/18 MWh), so that a database multiplies by the numerator and divides by
  the denominator and 36 GJ make 10 MWh exactly, not 9.9999.

The codes stored before units had dimensions ("m3", "t", "MWh", "GJ", "h", "call_out",
"person_day", "session") keep their meaning.
"""

from fractions import Fraction

import pint
from django.db import models
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    ENERGY = "energy", _("energy")
    MASS = "mass", _("mass")
    VOLUME = "volume", _("volume")
    AREA = "area", _("area")
    TIME = "time", _("time")
    COUNT = "count", _("count")


class Unit(models.TextChoices):
    # Ordered by dimension, then size: the order a choice list offers them in.
    KILOWATT_HOUR = "kWh", _("kWh")
    MEGAWATT_HOUR = "MWh", _("MWh")
    GIGAWATT_HOUR = "GWh", _("GWh")
    GIGAJOULE = "GJ", _("GJ")
    TERAJOULE = "TJ", _("TJ")
    KILOGRAM = "kg", _("kg")
    TONNE = "t", _("t")
    LITRE = "L", _("L")
    CUBIC_METRE = "m3", _("m³")
    SQUARE_METRE = "m2", _("m²")
    HOUR = "h", _("hours")
    PERSON_DAY = "person_day", _("person-days")
    CALL_OUT = "call_out", _("call-outs")
    VEHICLE = "vehicle", _("vehicles")
    SESSION = "session", _("sessions")


# Each measured unit as pint names it; a unit not here is a count.
PINT_NAMES = {
    Unit.KILOWATT_HOUR: "kilowatt_hour",
    Unit.MEGAWATT_HOUR: "megawatt_hour",
    Unit.GIGAWATT_HOUR: "gigawatt_hour",
    Unit.GIGAJOULE: "gigajoule",
    Unit.TERAJOULE: "terajoule",
    Unit.KILOGRAM: "kilogram",
    Unit.TONNE: "tonne",
    Unit.LITRE: "litre",
    Unit.CUBIC_METRE: "meter ** 3",
    Unit.SQUARE_METRE: "meter ** 2",
    Unit.HOUR: "hour",
}

# The unit each dimension's totals are in.
CANONICAL = {
    Dimension.ENERGY: Unit.MEGAWATT_HOUR,
    Dimension.MASS: Unit.TONNE,
    Dimension.VOLUME: Unit.CUBIC_METRE,
    Dimension.AREA: Unit.SQUARE_METRE,
    Dimension.TIME: Unit.HOUR,
}

# pint's name of each measured dimension.
PINT_DIMENSIONS = {
    Dimension.ENERGY: "[energy]",
    Dimension.MASS: "[mass]",
    Dimension.VOLUME: "[volume]",
    Dimension.AREA: "[area]",
    Dimension.TIME: "[time]",
}


def _tables():
    """{unit: dimension} and {unit: exact factor into its totals unit}, read from pint."""
    registry = pint.UnitRegistry(non_int_type=Fraction)
    dimensions, factors = {}, {}
    for unit in Unit:
        name = PINT_NAMES.get(unit)
        if name is None:
            dimensions[unit], factors[unit] = Dimension.COUNT, Fraction(1)
            continue
        one = registry.Quantity(Fraction(1), name)
        (dimension,) = [d for d, pint_name in PINT_DIMENSIONS.items() if one.check(pint_name)]
        dimensions[unit] = dimension
        factors[unit] = Fraction(one.to(PINT_NAMES[CANONICAL[dimension]]).magnitude)
    return dimensions, factors


DIMENSIONS, TO_TOTALS_UNIT = _tables()


def dimension(unit):
    """The dimension of ``unit`` (a code)."""
    return DIMENSIONS[Unit(unit)]


def totals_unit(unit):
    """The unit the totals add ``unit`` up in: its dimension's canonical unit, or itself for a
    count (counts of different things never add up)."""
    unit = Unit(unit)
    return CANONICAL.get(DIMENSIONS[unit], unit)


def convertible(unit, other):
    """Whether quantities in ``unit`` and ``other`` add up (one converts into the other)."""
    return totals_unit(unit) == totals_unit(other)


def factor(unit, into):
    """The exact factor (a ``Fraction``) that converts a quantity in ``unit`` into ``into``;
    ValueError when they do not convert."""
    if not convertible(unit, into):
        raise ValueError(f"{unit} does not convert into {into}")
    return TO_TOTALS_UNIT[Unit(unit)] / TO_TOTALS_UNIT[Unit(into)]


def convert(quantity, unit, into):
    """``quantity`` (a Decimal) in ``unit``, converted into ``into``: multiplied by the factor's
    numerator, then divided by its denominator."""
    ratio = factor(unit, into)
    return quantity * ratio.numerator / ratio.denominator


def convertible_units(unit):
    """The units a quantity of a resource measured in ``unit`` may be entered in, as choices."""
    return [(code, label) for code, label in Unit.choices if convertible(code, unit)]


def grouped_choices():
    """Every unit as choices grouped by dimension, for a list to choose from."""
    return [
        (
            dimension.label,
            [(code, label) for code, label in Unit.choices if DIMENSIONS[code] == dimension],
        )
        for dimension in Dimension
    ]


def label(unit):
    return Unit(unit).label
