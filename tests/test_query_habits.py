"""Queries as people type them, on the seeds through the real pipeline and a real Whoosh index:
`-word`, `+word`, lowercase operators, field values in any case, `word~`, "did you mean",
facet "all of", and the command line's `search -- -trump`.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from indexer.query import best_correction
from indexer.search import MAX_PER_PAGE, QueryError, Searcher, SearchQuery
from indexer.store import Store
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def seeds(nlp, tmp_path_factory) -> Searcher:
    """Every seed article annotated and stored in a Whoosh index."""
    from indexer.annotation import annotate
    from indexer.sources import Article, read_sources

    articles = [a for a in read_sources([SEEDS]) if isinstance(a, Article)]
    store = Store(tmp_path_factory.mktemp("seeds"))
    assert sum(1 for _ in store.write(annotate(articles, nlp))) == len(articles) > 200
    return Searcher(store)


def ids(searcher: Searcher, text: str = "", **options) -> set[str]:
    """Every matching article id (all pages)."""
    out, page = set(), 1
    while True:
        got = searcher.search(SearchQuery(text=text, page=page, per_page=MAX_PER_PAGE, **options))
        out |= {h["id"] for h in got["hits"]}
        if page >= got["pages"]:
            assert len(out) == got["total"]
            return out
        page += 1


def test_minus_trump_is_every_article_but_the_trump_ones(seeds):
    everything, trump = ids(seeds), ids(seeds, "trump")
    assert len(trump) > 20 and len(everything) > 250
    assert ids(seeds, "-trump") == everything - trump
    assert ids(seeds, "NOT trump") == everything - trump
    assert seeds.search(SearchQuery(text="-trump"))["reading"] == "NOT trump"


def test_biden_minus_trump_equals_biden_and_not_trump(seeds):
    expected = ids(seeds, "biden") - ids(seeds, "trump")
    assert expected and expected != ids(seeds, "biden")
    for text in ("biden -trump", "biden AND NOT trump", "biden and not trump", "-trump biden"):
        assert ids(seeds, text) == expected, text
    assert seeds.search(SearchQuery(text="biden -trump"))["reading"] == "biden AND NOT trump"
    assert seeds.search(SearchQuery(text="biden and not trump"))["reading"] == \
        "biden AND NOT trump"


def test_minus_excludes_phrases_and_field_values_and_plus_requires(seeds):
    everything = ids(seeds)
    assert ids(seeds, '-"donald trump"') == everything - ids(seeds, '"donald trump"')
    russia = ids(seeds, "country:Russia")
    assert russia and ids(seeds, "-country:russia") == everything - russia
    assert ids(seeds, "election -country:Russia") == ids(seeds, "election") - russia
    assert ids(seeds, "+biden trump") == ids(seeds, "biden")
    assert ids(seeds, "+biden +trump") == ids(seeds, "biden") & ids(seeds, "trump")
    # a hyphen inside a word is no exclusion
    assert ids(seeds, "well-known") and ids(seeds, "well-known") <= ids(seeds, "known")


def test_lowercase_or_is_an_operator(seeds):
    assert ids(seeds, "biden or putin") == ids(seeds, "biden") | ids(seeds, "putin")
    assert seeds.search(SearchQuery(text="biden or putin"))["reading"] == "biden OR putin"
    assert seeds.search(SearchQuery(text="(flood OR storm) -japan"))["reading"] == \
        "(flood OR storm) AND NOT japan"


def test_field_values_match_in_any_case_and_run_over_plain_words(seeds):
    assert ids(seeds, "country:russia") == ids(seeds, "country:Russia") != set()
    trump = ids(seeds, 'person:"Donald Trump"')
    assert trump and ids(seeds, "person:donald trump") == trump
    assert seeds.search(SearchQuery(text="person:donald trump"))["reading"] == \
        'person:"donald trump"'
    assert ids(seeds, "person:donald trump election") == trump & ids(seeds, "election")
    assert ids(seeds, "org:nato") == ids(seeds, "organization:NATO") != set()
    quotes = seeds.quotes(SearchQuery(text="speaker:donald trump"))
    assert quotes["total"] > 0 and all(h["speaker"] == "Donald Trump" for h in quotes["hits"])


def test_fuzzy_terms_and_did_you_mean(seeds):
    assert ids(seeds, "bidn") == set()
    assert ids(seeds, "biden") <= ids(seeds, "bidn~")
    result = seeds.search(SearchQuery(text="bidn"))
    assert result["suggestion"] == "biden"
    assert seeds.search(SearchQuery(text="electoin -trump"))["suggestion"] == "election -trump"
    assert seeds.search(SearchQuery(text="election"))["suggestion"] is None


def test_a_correction_weighs_documents_against_edits():
    assert best_correction("bidn", {"biden": 40, "bin": 2, "win": 90}) == "biden"
    assert best_correction("bidn", {"bid": 3, "biden": 40}) == "biden"
    assert best_correction("bidn", {"bidding": 500}) is None  # three edits away
    assert best_correction("ox", {"an": 900}) is None  # as many edits as letters


def test_all_of_two_people_is_the_intersection(seeds):
    people = [v["value"] for v in seeds.search(SearchQuery(facet_limit=2))["facets"]["person"]]
    one, two = (ids(seeds, filters={"person": (p,)}) for p in people)
    both = ids(seeds, filters={"person": tuple(people)}, all_of=("person",))
    assert both == one & two and one | two == ids(seeds, filters={"person": tuple(people)})
    assert both != one | two
    result = seeds.search(SearchQuery(filters={"person": tuple(people)}, all_of=("person",)))
    assert result["modes"]["person"] == "all" and result["modes"]["country"] == "any"
    counts = {v["value"]: v["count"] for v in result["facets"]["person"]}
    assert counts[people[0]] == counts[people[1]] == len(both)  # counts within the narrowing
    with pytest.raises(QueryError, match="all of"):
        seeds.search(SearchQuery(all_of=("speaker",)))


def newsindex(index, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", "--index", str(index), *args],
                          capture_output=True, text=True, timeout=300)


def test_the_command_line_takes_a_query_that_begins_with_a_minus(seeds):
    expected = seeds.search(SearchQuery(text="-trump"))["total"]
    for args in (["--", "-trump"], ["--query=-trump"], ["--query", "-trump"]):
        run = newsindex(seeds.store.dir, "search", "--json", *args)
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["total"] == expected
    run = newsindex(seeds.store.dir, "search", "--json", "biden", "--", "-trump")
    assert json.loads(run.stdout)["total"] == len(ids(seeds, "biden -trump"))
    people = [v["value"] for v in seeds.search(SearchQuery(facet_limit=2))["facets"]["person"]]
    run = newsindex(seeds.store.dir, "search", "--json", "--all", "person",
                    "--person", people[0], "--person", people[1])
    both = ids(seeds, filters={"person": tuple(people)}, all_of=("person",))
    assert json.loads(run.stdout)["total"] == len(both)
