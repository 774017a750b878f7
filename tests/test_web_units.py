"""The web UI's plain functions, called without HTTP: URLs, marks, query notes, feeds, saved."""

from __future__ import annotations

import csv
import io
import sqlite3
from xml.etree import ElementTree as ET

from werkzeug.datastructures import MultiDict

from web import charts, feeds, marks, syntax
from web.saved import SavedSearches, new_since_opened
from web.urls import MAX_PER_PAGE, SearchState, parse_state
from web.views import describe, pagination, state_from_url

# -- canonical URLs -------------------------------------------------------------------------


def test_a_search_has_one_url_whatever_order_its_parameters_came_in():
    a = parse_state("search", MultiDict([("sort", "newest"), ("country", "Russia"), ("q", "war"),
                                         ("person", "Zelenskyy"), ("person", "-Putin")]))
    b = parse_state("search", MultiDict([("person", "-Putin"), ("q", " war "),
                                         ("person", "Zelenskyy"), ("country", "Russia"),
                                         ("sort", "newest"), ("page", "1"), ("to", "")]))
    assert a == b
    assert a.url() == "/search?q=war&person=-Putin&person=Zelenskyy&country=Russia&sort=newest"
    assert parse_state("search", MultiDict(
        [(k, v) for k, v in a.params()])).url() == a.url()


def test_quotes_urls_put_speaker_and_mentions_first_and_drop_unknown_filters():
    state = parse_state("quotes", MultiDict([("person", "A"), ("mentions", "NATO"),
                                             ("speaker", "B"), ("colour", "red")]))
    assert state.url() == "/quotes?speaker=B&mentions=NATO&person=A"
    assert state.as_kind("search").url() == "/search?person=A"


def test_toggling_excluding_and_removing_a_value_resets_the_page():
    state = SearchState(filters={"person": ("A",)}, page=3)
    assert state.toggled("person", "B").url() == "/search?person=A&person=B"
    assert state.toggled("person", "A").url() == "/search"
    assert state.excluded("person", "A").url() == "/search?person=-A"
    assert state.excluded("person", "A").toggled("person", "A").url() == "/search"
    assert state.without("person", "A").url() == "/search"
    assert state.at_page(4).url() == "/search?person=A&page=4"


def test_values_with_spaces_commas_and_markup_survive_the_round_trip():
    value = "arts, culture & <entertainment>"
    state = SearchState(filters={"topic": (value,)}, text='"peace talks" AND title:war')
    url = state.url()
    assert "<" not in url and " " not in url and "title:war" in url
    assert state_from_url(url) == state


def test_page_and_per_page_are_clamped_and_junk_is_ignored():
    state = parse_state("search", MultiDict({"page": "-4", "per_page": "99999", "view": "x"}))
    assert (state.page, state.per_page, state.view) == (1, MAX_PER_PAGE, "list")
    assert parse_state("search", MultiDict({"page": "2.5"})).page == 1


def test_only_local_search_urls_are_saved_searches():
    assert state_from_url("/quotes?speaker=A").kind == "quotes"
    for url in ("https://x.example/search?q=a", "//x.example/search", "/admin", "/article/1"):
        assert state_from_url(url) is None


def test_a_search_is_described_in_words_for_its_default_name():
    state = SearchState(text="war", filters={"person": ("A", "B", "-C")}, date_from="2020")
    assert describe(state) == "Articles: “war” · person: A or B; not person: C · 2020 to …"
    assert describe(SearchState(kind="quotes")) == "All quotes"


def test_pagination_keeps_the_ends_and_the_neighbourhood():
    assert pagination(1, 1) == [1]
    assert pagination(6, 20) == [1, None, 4, 5, 6, 7, 8, None, 20]
    assert pagination(2, 5) == [1, 2, 3, 4, 5]


# -- article marks --------------------------------------------------------------------------

BODY = 'Putin met <Trump> in Paris.\n"We <b>agreed</b>," Putin said.'


def span(text: str, occurrence: int = 0) -> dict:
    start = -1
    for _ in range(occurrence + 1):
        start = BODY.index(text, start + 1)
    return {"text": text, "start": start, "end": start + len(text)}


def test_marks_escape_text_link_entities_and_anchor_quotes():
    entities = [
        dict(span("Putin"), label="PERSON", canonical="Vladimir Putin"),
        dict(span("Paris"), label="GPE", canonical="Paris", country="France"),
        dict(span("Putin", 1), label="PERSON", canonical="Vladimir Putin"),
        dict(span("agreed"), label="NORP", canonical="agreed"),
    ]
    quotes = [span('"We <b>agreed</b>,"')]
    paragraphs = [str(p) for p in marks.render(BODY, entities, quotes)]
    assert paragraphs == [
        '<a class="ent ent-person" href="/search?person=Vladimir+Putin" '
        'title="person: Vladimir Putin">Putin</a> met &lt;Trump&gt; in '
        '<a class="ent ent-place" href="/search?country=France" title="country: France">Paris</a>.',
        '<span class="quote" id="q0" data-q="q0">&#34;We &lt;b&gt;'
        '<span class="ent ent-other" title="NORP">agreed</span>&lt;/b&gt;,&#34;</span> '
        '<a class="ent ent-person" href="/search?person=Vladimir+Putin" '
        'title="person: Vladimir Putin">Putin</a> said.',
    ]


def test_an_entity_crossing_a_quote_boundary_is_left_unmarked():
    entity = dict(span('," Putin'), label="PERSON", canonical="X")
    html = "".join(str(p) for p in marks.render(BODY, [entity], [span('"We <b>agreed</b>,"')]))
    assert "person=X" not in html and 'id="q0"' in html


def test_overlapping_or_out_of_range_annotations_are_dropped_not_nested_wrongly():
    entities = [
        {"text": "Putin met", "label": "PERSON", "canonical": "X", "start": 0, "end": 9},
        {"text": "met", "label": "ORG", "canonical": "Y", "start": 6, "end": 9},
        {"text": "?", "label": "ORG", "canonical": "Z", "start": 90, "end": 99},
    ]
    html = str(marks.render(BODY, entities)[0])
    assert html.count("<a ") == 1 and "organization=" not in html


def test_a_quote_across_paragraphs_is_reopened_with_one_anchor():
    text = "He said: “First part.\n\nSecond part.” Then left."
    paragraphs = [str(p) for p in marks.render(text, [], [{"start": 9, "end": 36}])]
    assert len(paragraphs) == 2
    assert 'id="q0"' in paragraphs[0] and 'id="q0"' not in paragraphs[1]
    assert 'data-q="q0">Second part.”</span>' in paragraphs[1]


def test_single_newlines_are_paragraphs_unless_blank_lines_are_used():
    assert len(marks.paragraphs("one\ntwo\nthree")) == 3
    assert len(marks.paragraphs("one\ntwo\n\nthree")) == 2
    assert "<br>" in str(marks.render("one\ntwo\n\nthree")[0])


# -- query notes ----------------------------------------------------------------------------


def test_query_notes_explain_unbalanced_quotes_brackets_operators_and_fields():
    assert syntax.notes('"peace talks') and "quote mark" in syntax.notes('"peace talks')[0]
    assert "bracket" in syntax.notes("(putin OR biden AND talks")[0]
    assert "bracket" in syntax.notes("[a TO")[0]
    assert "need a word" in syntax.notes("putin AND")[0]
    assert "need a word" in syntax.notes("OR putin")[0]
    assert "no field" in syntax.notes("colour:red")[0]
    assert "needs a word" in syntax.notes("title:")[0]
    assert "no words" in syntax.notes("(((")[0]


def test_well_formed_queries_get_no_notes():
    for query in ('"peace talks" AND title:war', "putin NOT biden", "a AND NOT b", "elect*",
                  "(a OR b) AND c", "https://example.org/x", 'title:"two words"', "*", ""):
        assert syntax.notes(query) == [], query


# -- CSV and Atom ---------------------------------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised():
    hits = [{"id": "1", "title": "=HYPERLINK(\"x\")", "source": "+1", "url": "@SUM(A1)",
             "published": "-2", "score": 1.5, "persons": ["=cmd", "Ann Lee"],
             "snippet": "<mark>=2+2</mark> &amp; more"}]
    rows = list(csv.reader(io.StringIO("".join(feeds.csv_lines(hits)))))
    assert rows[0] == list(feeds.ARTICLE_COLUMNS)
    assert rows[1] == ["1", "'-2", "'=HYPERLINK(\"x\")", "'+1", "'@SUM(A1)", "1.5",
                       "'=cmd; Ann Lee", "", "", "", "'=2+2 & more"]


def test_csv_lines_come_one_per_hit_so_they_can_stream():
    lines = feeds.csv_lines(({"id": str(n), "text": "a\nb"} for n in range(3)), quotes=True)
    assert len(list(lines)) == 4


def test_atom_escapes_text_and_keeps_control_characters_out():
    hits = [{"id": "a1", "title": "<script>x</script>\x0b", "published": "2020-05",
             "snippet": "&lt;b&gt; <mark>w</mark>"}]
    xml = feeds.atom_feed("Q <b>", "http://h/f.atom", "http://h/s", hits, "http://h/",
                          "2021-01-01T00:00:00Z")
    assert b"<script" not in xml
    feed = ET.fromstring(xml)
    ns = "{http://www.w3.org/2005/Atom}"
    entry = feed.find(f"{ns}entry")
    assert entry.find(f"{ns}title").text == "<script>x</script>"
    assert entry.find(f"{ns}updated").text == "2020-05-01T00:00:00Z"
    assert entry.find(f"{ns}summary").text == "&lt;b&gt; <mark>w</mark>"
    assert entry.find(f"{ns}link").get("href") == "http://h/article/a1"


# -- month chart ----------------------------------------------------------------------------


def test_month_chart_fills_gaps_marks_the_range_and_links_each_month():
    chart = charts.month_chart(
        [{"value": "2019-11", "count": 2}, {"value": "2020-02", "count": 4}],
        lambda m: f"/search?from={m}&to={m}", date_from="2019-12", date_to="2020-01-15",
    )
    months = [b.month for b in chart.bars]
    assert months[0] == "2019-03" and months[-1] == "2020-02" and len(months) == 12
    by_month = {b.month: b for b in chart.bars}
    assert by_month["2019-12"].count == 0 and by_month["2020-02"].height == charts.HEIGHT
    assert [b.month for b in chart.bars if b.selected] == ["2019-12", "2020-01"]
    assert by_month["2019-11"].url == "/search?from=2019-11&to=2019-11"
    assert charts.month_chart([], str) is None


# -- saved searches -------------------------------------------------------------------------


def test_saved_searches_keep_names_verbatim_with_bound_parameters(tmp_path):
    saved = SavedSearches(tmp_path)
    name = "x'); DROP TABLE saved; --"
    first = saved.save(name, "/search?q=a")
    assert saved.save("again", "/search?q=a") == first  # one entry per search
    saved.save("b", "/quotes?q=b")
    assert [s.name for s in saved.all()] == ["again", "b"]
    assert saved.rename(first, name) and saved.get(first).name == name
    assert not saved.rename(first, "   ") and not saved.rename(999, "x")
    assert not saved.rename(first, "\x00\x1b")  # control characters are no name
    assert saved.rename(first, "tab\there\nnewline") and saved.get(first).name == "tab here newline"
    assert saved.rename(first, name)
    assert saved.delete(first) and saved.get(first) is None and not saved.delete(first)
    with sqlite3.connect(tmp_path / "saved.sqlite") as db:
        assert db.execute("SELECT count(*) FROM saved").fetchone() == (1,)


def test_new_matches_are_those_not_seen_when_last_opened(tmp_path):
    saved = SavedSearches(tmp_path)
    sid = saved.save("s", "/search?q=a")
    assert new_since_opened(saved.get(sid), ["a", "b"]) == 2
    saved.opened(sid, ["a", "b"])
    assert saved.get(sid).opened is not None
    assert new_since_opened(saved.get(sid), ["a", "b", "c"]) == 1
    assert new_since_opened(saved.get(sid), ["b"]) == 0
    # by story: a reprint of a story seen is not news, a story in two new copies is one
    story = {"b2": "b", "d2": "d"}.get
    assert new_since_opened(saved.get(sid), ["a", "b", "b2"], lambda m: story(m, m)) == 0
    assert new_since_opened(saved.get(sid), ["a", "d", "d2"], lambda m: story(m, m)) == 1


def test_the_secret_survives_a_restart(tmp_path):
    assert SavedSearches(tmp_path).secret() == SavedSearches(tmp_path).secret()


def test_second_level_topics_are_listed_under_their_parent_when_it_is_listed():
    from web.views import facet_blocks, topic_parents

    parents = topic_parents()
    assert parents["election"] == "politics"
    counts = [("politics", 9), ("sport", 6), ("election", 5), ("diseases and conditions", 4),
              ("Kremlin watch", 3), ("government", 2)]
    assert parents["diseases and conditions"] == "health"  # not listed: the child stays put
    facets = {"topic": [{"value": v, "count": c, "selected": v == "sport", "excluded": False}
                        for v, c in counts]}
    (block,) = [b for b in facet_blocks(SearchState("search"), facets) if b.name == "topic"]
    assert [(i.value, i.depth) for i in block.items] == [
        ("sport", 0), ("politics", 0), ("election", 1), ("government", 1),
        ("diseases and conditions", 0), ("Kremlin watch", 0)]
    assert sorted((i.value, i.count) for i in block.items) == sorted(counts)
