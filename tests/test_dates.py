"""Dates as articles and people write them: datelines, day-first CSV dates, undated articles, and
date ranges in URLs that are no dates (a note and a 200, the rest of the search kept)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
import sys

import pytest

from indexer.dates import date_range, dateline
from indexer.sources import Article, read_sources
from web import create_app

WIRE = (
    "BRUSSELS, March 6, 2025 — European Union leaders agreed on Thursday to spend more on "
    "defence after talks that ran late into the night, officials said.\n\n"
    "The plan still needs the backing of national parliaments."
)
REUTERS = (
    "WASHINGTON (Reuters) - The U.S. Senate passed a stopgap spending bill on Friday, "
    "averting a government shutdown hours before the deadline."
)
AP = "LONDON, 6 March 2025 (AP) — Britain's prime minister met union leaders on Thursday."


def test_a_dateline_gives_the_date_and_agency_when_the_file_gives_none(tmp_path):
    (tmp_path / "eu-defence.txt").write_text("EU leaders agree defence plan\n" + WIRE)
    with open(tmp_path / "wires.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "text"])
        writer.writerow(["Senate passes stopgap bill", REUTERS])
    (tmp_path / "uk.json").write_text(json.dumps({"title": "PM meets unions", "text": AP}))
    (tmp_path / "dated.md").write_text(
        "---\ntitle: Dated by front matter\ndate: 2025-03-01\nsource: Daily Ledger\n---\n" + WIRE)
    (tmp_path / "plain.txt").write_text(
        "No dateline here\nParis, he said - the talks went well, on March 6, 2025.")
    got = {a.title: a for a in read_sources([tmp_path]) if isinstance(a, Article)}
    assert len(got) == 5
    assert (got["EU leaders agree defence plan"].published, got["EU leaders agree defence plan"]
            .source) == ("2025-03-06", None)
    assert (got["Senate passes stopgap bill"].published,
            got["Senate passes stopgap bill"].source) == (None, "Reuters")
    assert (got["PM meets unions"].published, got["PM meets unions"].source) == \
        ("2025-03-06", "AP")
    assert (got["Dated by front matter"].published, got["Dated by front matter"].source) == \
        ("2025-03-01", "Daily Ledger")  # metadata wins over the dateline
    assert got["No dateline here"].published is None
    assert got["EU leaders agree defence plan"].body == WIRE  # the text itself is unchanged


@pytest.mark.parametrize(("body", "expected"), [
    ("NEW YORK, Jan. 5, 2024 -- Stocks rose.", ("2024-01-05", None)),
    ("KYIV, Ukraine, March 6, 2025 — Air raid sirens sounded.", ("2025-03-06", None)),
    ("SAN FRANCISCO (AP) — A startup said.", (None, "AP")),
    ("WASHINGTON — No date in this one.", (None, None)),
    ("The president said on March 6, 2025 - nothing more.", (None, None)),
])
def test_datelines_of_several_styles(body, expected):
    assert dateline(body) == expected


def newsindex(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "indexer", *args], capture_output=True,
                          text=True, timeout=600)


def test_dayfirst_reads_numeric_csv_dates_day_first(tmp_path):
    with open(tmp_path / "eu.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["date", "title", "text"])
        writer.writerow(["03/04/2025", "Ministers meet", "Ministers met in Brussels on Thursday."])
        writer.writerow(["25/12/2024", "Markets close", "Markets closed early for Christmas."])
    plain = newsindex("annotate", str(tmp_path / "eu.csv"))
    days = newsindex("annotate", "--dayfirst", str(tmp_path / "eu.csv"))
    assert plain.returncode == 0, plain.stderr
    assert days.returncode == 0, days.stderr
    by_title = {r["title"]: r["published"] for r in map(json.loads, days.stdout.splitlines())}
    assert by_title == {"Ministers meet": "2025-04-03", "Markets close": "2024-12-25"}
    first = {r["title"]: r["published"] for r in map(json.loads, plain.stdout.splitlines())}
    assert first["Ministers meet"] == "2025-03-04"  # month first without the option
    index = tmp_path / "index"
    run = newsindex("--index", str(index), "index", "--dayfirst", "--quiet", str(tmp_path))
    assert run.returncode == 0, run.stderr
    found = json.loads(newsindex("--index", str(index), "search", "--json", "--from",
                                 "2025-04", "--to", "2025-04").stdout)
    assert [h["title"] for h in found["hits"]] == ["Ministers meet"]


def test_a_typed_range_is_read_or_dropped_with_a_note():
    assert date_range("Nov 2020", "") == ("2020-11", "", ["“Nov 2020” was read as 2020-11."])
    lo, hi, notes = date_range("2020-13", "2021")
    assert (lo, hi) == ("", "2021") and "not a date" in notes[0]
    lo, hi, notes = date_range("2021", "2020-05")
    assert (lo, hi) == ("2020-05", "2021") and "backwards" in notes[0]
    assert date_range("2020-05", "2020") == ("2020-05", "2020", [])  # within one year: fine
    assert date_range("undated", "") == ("undated", "", [])


def test_a_bound_typed_as_people_say_it_is_read_against_today():
    """A month or day without a year is the latest one up to today (not the year 2000); "since"
    and "until" are what the field already says; relative dates go through dateparser."""
    from datetime import datetime

    from indexer.dates import bound

    today = datetime(2026, 12, 6, 15, 30)
    read = {typed: bound(typed, today)[0] for typed in (
        "February", "since February", "December", "Dec 25", "12 Feb", "until Nov 2020",
        "since 2020", "yesterday", "last week", "3 months ago", "last month", "last year",
        "Monday", "2020-13", "Trump", "<script>")}
    assert read == {
        "February": "2026-02", "since February": "2026-02", "December": "2026-12",
        "Dec 25": "2025-12-25", "12 Feb": "2026-02-12", "until Nov 2020": "2020-11",
        "since 2020": "2020", "yesterday": "2026-12-05", "last week": "2026-11-29",
        "3 months ago": "2026-09", "last month": "2026-11", "last year": "2025",
        "Monday": "2026-11-30", "2020-13": "", "Trump": "", "<script>": ""}
    assert bound("since 2020", today)[1] == "“since 2020” was read as 2020."
    assert bound("2020", today) == ("2020", None)


def test_a_date_phrase_ending_the_query_is_read_as_its_range():
    from datetime import datetime

    from indexer.dates import dates_in_text

    today = datetime(2026, 12, 6)
    read = {q: dates_in_text(q, today)[:3] for q in (
        "putin ukraine since February", "brexit in 2019", "said in May 2019",
        "trump until Nov 2020", 'putin "peace talks" since 2020', "putin AND since 2020",
        "since last week")}
    assert read == {
        "putin ukraine since February": ("putin ukraine", "2026-02", ""),
        "brexit in 2019": ("brexit", "2019", "2019"),
        "said in May 2019": ("said", "2019-05", "2019-05"),
        "trump until Nov 2020": ("trump", "", "2020-11"),
        'putin "peace talks" since 2020': ('putin "peace talks"', "2020", ""),
        "putin AND since 2020": ("putin", "2020", ""),
        "since last week": ("", "2026-11-29", ""),
    }
    assert dates_in_text("putin ukraine since February", today)[3] == (
        "“since February” was read as a date: from 2026-02 (put it in quotation marks to "
        "search the words).")
    # words that are no date, a month alone after "in" (Theresa May?), quoted words: unchanged
    for words in ("brexit in may", "made in china", '"since february"', "war since the invasion",
                  "a until b", "elections in 1,000 towns"):
        assert dates_in_text(words, today) == (words, "", "", None)


def test_the_web_and_the_cli_read_a_date_phrase_ending_the_query(web_index):
    from web import create_app

    client = create_app({"INDEX_DIR": str(web_index), "TESTING": True}).test_client()
    phrased = client.get("/search.json", query_string={"q": "trump since Nov 2019"}).get_json()
    plain = client.get("/search.json", query_string={"q": "trump", "from": "2019-11"}).get_json()
    assert 0 < phrased["total"] == plain["total"] < client.get(
        "/search.json", query_string={"q": "trump"}).get_json()["total"]
    assert [h["id"] for h in phrased["hits"]] == [h["id"] for h in plain["hits"]]
    assert phrased["notes"] == ["“since Nov 2019” was read as a date: from 2019-11 (put it in "
                                "quotation marks to search the words)."]
    page = client.get("/search", query_string={"q": "trump since Nov 2019"})
    assert "was read as a date: from 2019-11" in page.get_data(as_text=True)
    # a range set on the page (a month clicked) wins over the words
    clicked = client.get("/search.json", query_string={
        "q": "trump since Nov 2019", "from": "2020-01", "to": "2020-01"}).get_json()
    same = client.get("/search.json", query_string={
        "q": "trump", "from": "2020-01", "to": "2020-01"}).get_json()
    assert clicked["total"] == same["total"] and "left out" in clicked["notes"][0]
    cli = newsindex("--index", str(web_index), "search", "trump", "since", "Nov", "2019",
                    "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["total"] == plain["total"]
    assert "“since Nov 2019” was read as a date" in cli.stderr


def test_the_cli_reads_a_typed_bound_as_the_web_does(web_index):
    def run(*dates: str) -> subprocess.CompletedProcess:
        return newsindex("--index", str(web_index), "search", "--json", *dates)

    typed, plain = run("--from", "since Nov 2019", "--to", "Dec 2019"), run(
        "--from", "2019-11", "--to", "2019-12")
    assert typed.returncode == plain.returncode == 0, typed.stderr
    assert "“since Nov 2019” was read as 2019-11." in typed.stderr
    shown = [json.loads(p.stdout) for p in (typed, plain)]
    assert shown[0]["total"] == shown[1]["total"] > 0
    assert [h["id"] for h in shown[0]["hits"]] == [h["id"] for h in shown[1]["hits"]]
    refused = run("--from", "garbage")
    assert refused.returncode == 2 and "not 'garbage'" in refused.stderr


@pytest.fixture(scope="module")
def client(web_index, tmp_path_factory):
    folder = shutil.copytree(web_index, tmp_path_factory.mktemp("dates") / "index")
    return create_app({"INDEX_DIR": str(folder), "TESTING": True}).test_client()


BAD_RANGES = [
    {"from": "2020-13"}, {"from": "Nov 2020"}, {"from": "2021", "to": "2020"},
    {"to": "2019-99-99"}, {"from": "last week"}, {"from": "2020-02-30", "to": "2020-03"},
    {"from": "2020-06-01", "to": "2020-05"}, {"from": "<script>", "to": "'; --"},
]


@pytest.mark.parametrize("dates", BAD_RANGES)
@pytest.mark.parametrize("kind", ["search", "quotes"])
def test_every_bad_date_url_gives_a_note_and_a_200_and_keeps_the_query(client, dates, kind):
    query = {"q": "trump", "person": "Donald Trump", **dates}
    page = client.get(f"/{kind}", query_string=query, follow_redirects=True)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "About your query" in html and "<script>" not in html
    notes = re.findall(r"<li>(.*?)</li>", html[html.index("About your query"):])
    assert any(w in " ".join(notes) for w in ("not a date", "was read as", "backwards"))
    assert "Searching: <code>trump</code>" in html
    twin = client.get(f"/{kind}.json", query_string=query)
    assert twin.status_code == 200
    data = twin.get_json()
    assert data["notes"] and data["query"] == "trump" and data["filters"]["person"]
    lo, hi, _ = date_range(dates.get("from", ""), dates.get("to", ""))
    clean = {k: v for k, v in {**query, "from": lo, "to": hi}.items() if v}
    same = client.get(f"/{kind}.json", query_string=clean).get_json()
    assert same["notes"] == [] and data["total"] == same["total"]
    assert (data["date_from"], data["date_to"]) == (lo or None, hi or None)


def test_undated_articles_have_a_value_of_their_own(client):
    everything = client.get("/search.json").get_json()
    undated = everything["facets"]["undated"]
    assert len(undated) == 1 and undated[0]["count"] >= 1
    only = client.get("/search.json?from=undated").get_json()
    assert only["total"] == undated[0]["count"]
    assert only["hits"] and all(h["published"] is None for h in only["hits"])
    assert only["facets"]["undated"][0]["selected"] is True
    dated = client.get("/search.json?from=2000").get_json()
    assert dated["total"] == everything["total"] - only["total"]
    html = client.get("/search").get_data(as_text=True)
    assert 'href="/search?from=undated&amp;to=undated"' in html
