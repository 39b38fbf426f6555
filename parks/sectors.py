"""Sectors as ISIC Rev. 4 sections and divisions, with their English names and the Vietnamese
names of VSIC 2018 (which follows ISIC at those two levels), read from the data shipped in
``parks/data/isic4.json``: what an organisation's ``sector`` is chosen from, and what the finer
class code it may add must start with."""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from symbiosis.bilingual import pick

DATA = Path(__file__).resolve().parent / "data" / "isic4.json"

# A class code below a division: four digits (an ISIC Rev. 4 class, VSIC level 4), or five
# (a VSIC level-5 code), the first two being its division.
CLASS_CODE = re.compile(r"^\d{4,5}$")


@dataclass(frozen=True)
class Sector:
    """A section (one letter) or a division (two digits) of ISIC Rev. 4."""

    code: str
    name_en: str
    name_vi: str
    section: str  # a division's section letter; a section's own

    @property
    def name(self):
        return pick(self.name_en, self.name_vi)

    def __str__(self):
        return f"{self.code} {self.name}"


@cache
def _read():
    sections, divisions = {}, {}
    for section in json.loads(DATA.read_text(encoding="utf-8"))["sections"]:
        letter = section["code"]
        sections[letter] = Sector(letter, section["en"], section["vi"], letter)
        for division in section["divisions"]:
            code = division["code"]
            divisions[code] = Sector(code, division["en"], division["vi"], letter)
    return sections, divisions


def sections():
    return _read()[0]


def divisions():
    return _read()[1]


DIVISION_CODES = tuple(sorted(divisions()))


def division(code):
    """The division ``code`` (two digits), or None."""
    return divisions().get(code)


def division_choices():
    """The divisions grouped by section, for a <select>: [(section label, [(code, label)])], in
    the active language (call it per request; the labels are not lazy)."""
    grouped = {letter: [] for letter in sections()}
    for code in DIVISION_CODES:
        sector = divisions()[code]
        grouped[sector.section].append((code, str(sector)))
    return [(str(sections()[letter]), choices) for letter, choices in grouped.items()]


def division_of_code(code):
    """The division a sector code given the old way (an ISIC or VSIC code such as "2410",
    "35", "C2410") belongs to, or None: what migration 0003 derives ``sector`` from."""
    digits = re.sub(r"^[A-Za-z]\s*", "", (code or "").strip())
    return digits[:2] if re.fullmatch(r"\d{2,5}", digits) and digits[:2] in divisions() else None
