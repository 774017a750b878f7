"""The alias file: merges of spellings that search applies at query time."""

from __future__ import annotations

import json

import pytest

from indexer.aliases import FILE_NAME, Aliases, effective


def test_unknown_value_is_its_own_canonical():
    aliases = Aliases()
    assert aliases.canonical("person", "Peskov") == "Peskov"
    assert aliases.variants("person", "Peskov") == {"Peskov"}


def test_add_maps_a_variant_and_variants_include_the_canonical():
    aliases = Aliases()
    aliases.add("person", "Zelensky", "Volodymyr Zelenskyy")
    aliases.add("person", "Zelenskiy", "Volodymyr Zelenskyy")
    assert aliases.canonical("person", "Zelensky") == "Volodymyr Zelenskyy"
    assert aliases.variants("person", "Volodymyr Zelenskyy") == {
        "Volodymyr Zelenskyy", "Zelensky", "Zelenskiy",
    }
    # asking by a variant finds the whole group too
    assert aliases.variants("person", "Zelensky") == aliases.variants("person", "Zelenskiy")


def test_fields_are_separate():
    aliases = Aliases()
    aliases.add("organization", "UN", "United Nations")
    assert aliases.canonical("person", "UN") == "UN"
    with pytest.raises(ValueError):
        aliases.add("topic", "x", "y")


def test_chains_collapse_to_the_last_canonical():
    aliases = Aliases()
    aliases.add("person", "Trump", "Donald Trump")
    aliases.add("person", "Donald Trump", "Donald J. Trump")
    assert aliases.canonical("person", "Trump") == "Donald J. Trump"
    assert aliases.variants("person", "Donald J. Trump") == {
        "Donald J. Trump", "Donald Trump", "Trump",
    }
    aliases.add("person", "President Trump", "Trump")
    assert aliases.canonical("person", "President Trump") == "Donald J. Trump"


def test_adding_the_reverse_pair_flips_the_direction():
    aliases = Aliases()
    aliases.add("country", "USA", "United States")
    aliases.add("country", "United States", "USA")
    assert aliases.canonical("country", "United States") == "USA"
    assert aliases.canonical("country", "USA") == "USA"


def test_remove_undoes_an_alias():
    aliases = Aliases()
    aliases.add("person", "Zelensky", "Volodymyr Zelenskyy")
    assert aliases.remove("person", "Zelensky")
    assert not aliases.remove("person", "Zelensky")
    assert aliases.canonical("person", "Zelensky") == "Zelensky"


def test_empty_alias_is_refused():
    with pytest.raises(ValueError):
        Aliases().add("person", " ", "Somebody")


def test_save_and_load_round_trip_beside_the_index(tmp_path):
    aliases = Aliases()
    aliases.add("person", "Putin", "Vladimir Putin")
    path = aliases.save(tmp_path)
    assert path == tmp_path / FILE_NAME
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert stored["person"]["Putin"] == "Vladimir Putin"
    assert set(stored) == {"person", "organization", "country"}
    loaded = Aliases.load(tmp_path)
    assert loaded.canonical("person", "Putin") == "Vladimir Putin"


def test_load_without_a_file_gives_the_shipped_defaults(tmp_path):
    aliases = Aliases.load(tmp_path / "no-index-yet")
    assert aliases.canonical("person", "Zelensky") == "Volodymyr Zelenskyy"
    assert aliases.canonical("organization", "EU") == "European Union"


def test_user_file_overrides_or_drops_a_shipped_default(tmp_path):
    (tmp_path / FILE_NAME).write_text(
        json.dumps({"person": {"Zelensky": "Zelensky"},
                    "organization": {"EU": "European Communities"}}),
        encoding="utf-8",
    )
    aliases = Aliases.load(tmp_path)
    assert aliases.canonical("person", "Zelensky") == "Zelensky"
    assert aliases.canonical("organization", "EU") == "European Communities"
    assert aliases.canonical("organization", "E.U.") == "European Union"


def test_the_shipped_nickname_of_a_party_joins_its_name_with_the_archives_merges(tmp_path):
    """BBC news calls the Conservative Party "Tories" (92 articles) as often as anything else;
    no rule can derive the one from the other."""
    from indexer.resolution import archive

    counts = {"Tories": 92, "Conservatives": 55, "Conservative Party": 21}
    archive.save(tmp_path, archive.organization_judgements(counts))
    merged, _ = effective(tmp_path)
    assert {merged.canonical("organization", v) for v in counts} == {"Conservative Party"}
