"""Hostile files never stop a run: each gets a one-line `path: reason` or a sensible article.

The readers are driven by hypothesis (bounded, seeded by the test database) with random bytes,
wrong encodings, broken and deeply nested JSON, ragged CSV and HTML without a body; whole
`newsindex index` runs then mix such files with good ones into an index that already holds
articles, and nothing already indexed may be lost. BAD_INPUT_EXAMPLES=N runs N examples per
property instead of 60 (for a deeper search than `make test` affords).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from indexer.check import check_index
from indexer.cli import main
from indexer.sources import SUFFIXES, Article, SourceError, has_words, read_sources
from indexer.store import Store
from tests.reliability import annotated_records, save_records, seed_articles, stored

SETTINGS = settings(
    max_examples=int(os.environ.get("BAD_INPUT_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ENCODINGS = ("utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252", "shift_jis", "koi8-r", "gb18030")
TEXT_SUFFIXES = (".txt", ".md", ".json", ".jsonl", ".csv", ".html")

# -- what a sound outcome looks like ---------------------------------------------------------


def assert_sound_outcome(path: Path, items: list) -> list[Article]:
    """Every item is an article with text or a one-line error naming the file; returns articles."""
    articles = []
    for item in items:
        if isinstance(item, SourceError):
            message = str(item)
            assert "\n" not in message and "\r" not in message, message
            assert message.startswith(str(path)), message
            assert item.reason.strip(), message
        else:
            assert isinstance(item, Article)
            assert re.search(r"\w", item.body) and item.id, item
            item.body.encode("utf-8"), item.title.encode("utf-8")  # storable text
            articles.append(item)
    return articles


def read_back(folder: Path, name: str, data: bytes) -> list[Article]:
    path = folder / name
    path.write_bytes(data)
    try:
        return assert_sound_outcome(path, list(read_sources([path])))
    finally:
        path.unlink()


# -- strategies ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(["id", "title", "text", "body", "date", "url", "source", "x"]) | st.text(),
        children,
        max_size=5,
    ),
    max_leaves=20,
)
article_like = st.fixed_dictionaries(
    {"title": st.text(max_size=60), "text": st.text(max_size=300)},
    optional={
        "id": st.text(max_size=20) | st.integers(),
        "date": st.text(max_size=30) | st.integers() | st.floats(),
        "url": st.text(max_size=40) | st.none(),
        "source": st.text(max_size=20) | st.lists(st.text(max_size=5)) | st.none(),
        "author": st.dictionaries(st.text(max_size=5), st.text(max_size=5)),
    },
)


@st.composite
def broken_json(draw) -> str:
    """Valid JSON cut short, or with a random character dropped in somewhere."""
    text = json.dumps(draw(st.lists(article_like, min_size=1, max_size=3)))
    cut = draw(st.integers(0, len(text)))
    if draw(st.booleans()):
        return text[:cut]
    return text[:cut] + draw(st.sampled_from(list("{}[],:\"\\"))) + text[cut:]


@st.composite
def ragged_csv(draw) -> str:
    """A header with some known columns, rows with missing and extra cells."""
    columns = draw(
        st.lists(
            st.sampled_from(["title", "text", "body", "date", "url", "id", "extra", ""]),
            min_size=1,
            max_size=6,
        )
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for _ in range(draw(st.integers(0, 5))):
        width = draw(st.integers(0, len(columns) + 3))
        writer.writerow(draw(st.lists(st.text(max_size=30), min_size=width, max_size=width)))
    return out.getvalue()


html_docs = st.builds(
    lambda head, inner, close: f"<html><head>{head}</head>{inner}{close}",
    st.sampled_from(["", "<title>Only a title</title>", "<meta charset='koi8-r'>", "<script>"]),
    st.sampled_from(["", "<p>", "<div><div><div>", "<!-- comment", "<body></body>", "&#0;"]),
    st.text(max_size=200),
)

# -- the readers, one property each ---------------------------------------------------------------


@SETTINGS
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary(max_size=3000))
def test_random_bytes_in_any_format_give_an_article_or_a_one_line_error(tmp_path, suffix, data):
    read_back(tmp_path, "random" + suffix, data)


@SETTINGS
@given(
    suffix=st.sampled_from(TEXT_SUFFIXES),
    text=st.text(min_size=1, max_size=400),
    encoding=st.sampled_from(ENCODINGS),
)
def test_text_in_a_wrong_or_unusual_encoding_is_decoded_or_refused(
    tmp_path, suffix, text, encoding
):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, errors="replace")
    read_back(tmp_path, "encoded" + suffix, data)


@SETTINGS
@given(value=json_values, as_lines=st.booleans())
def test_any_json_value_is_read_or_reported(tmp_path, value, as_lines):
    text = json.dumps(value)
    if as_lines:
        text = "\n".join(json.dumps(v) for v in (value if isinstance(value, list) else [value]))
    read_back(tmp_path, "value.jsonl" if as_lines else "value.json", text.encode())


@SETTINGS
@given(text=broken_json())
def test_broken_json_is_a_one_line_error(tmp_path, text):
    read_back(tmp_path, "broken.json", text.encode())


@SETTINGS
@given(articles=st.lists(article_like, min_size=1, max_size=5))
def test_articles_with_odd_field_values_are_read(tmp_path, articles):
    got = read_back(tmp_path, "odd.json", json.dumps(articles).encode())
    assert len(got) == sum(1 for a in articles if has_words(a["text"]))


@SETTINGS
@given(text=ragged_csv())
def test_csv_with_missing_or_extra_columns_is_read_or_reported(tmp_path, text):
    read_back(tmp_path, "ragged.csv", text.encode())


@SETTINGS
@given(text=html_docs)
def test_html_without_a_body_is_reported(tmp_path, text):
    read_back(tmp_path, "page.html", text.encode())


def test_lone_surrogates_in_json_escapes_do_not_lose_the_file(tmp_path):
    lines = [
        {"title": "Fine", "text": "A fine article."},
        {"title": "Lone \ud800 surrogate", "text": "Broken \udc00 escape, readable text."},
        {"title": "Also fine", "text": "Another article."},
    ]
    path = tmp_path / "surrogates.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines))  # ASCII, \\ud800 escapes
    articles = assert_sound_outcome(path, list(read_sources([path])))
    assert [a.title for a in articles] == ["Fine", "Lone \ufffd surrogate", "Also fine"]


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.json", b"  \n\t\n", "empty file"),
        ("nul.txt", b"title\n\x00\x01\x02binary", "binary file"),
        ("nested.json", b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
        ("nested-object.jsonl", b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "invalid JSON"),
        ("headless.csv", b"a,b,c\n1,2,3\n", "no text column"),
        ("nobody.html", b"<html><head><title>T</title></head></html>", "no extractable"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_known_bad_files_get_their_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    items = list(read_sources([path]))
    assert_sound_outcome(path, items)
    assert len(items) == 1 and isinstance(items[0], SourceError)
    assert reason in items[0].reason


def test_a_huge_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as fh:  # sparse: large on paper, nothing written
        fh.truncate(201 * 1024 * 1024)
    (item,) = read_sources([path])
    assert isinstance(item, SourceError) and "too large" in item.reason


def test_a_very_long_line_is_one_article(tmp_path):
    text = "Headline\n" + "word " * 400_000
    articles = read_back(tmp_path, "long.txt", text.encode())
    assert len(articles) == 1 and articles[0].body == text.split("\n", 1)[1]


# -- whole runs: bad files beside good ones, into an index that already holds articles ----------


@pytest.fixture(scope="module")
def held(nlp, tmp_path_factory) -> tuple[Path, dict]:
    """An index holding 10 annotated seed articles, the way every later run must leave them."""
    folder = tmp_path_factory.mktemp("held")
    path = save_records(folder / "held.jsonl", annotated_records(nlp, 10))
    index = folder / "index"
    assert main(["--index", str(index), "index", str(path), "--quiet"]) == 0
    return index, stored(index)


def bad_files(folder: Path) -> dict[str, bytes]:
    """One of each kind of trouble, by file name."""
    good = seed_articles(2, skip=50)
    long_one = "The longest article\n\n" + "A sentence about the weather in Paris. " * 40_000
    files = {
        "random.txt": bytes(range(256)) * 20,
        "empty.md": b"",
        "utf16.txt": "Headline\n\nText in UTF-16 with a BOM, read fine.".encode("utf-16"),
        "cp1252.txt": "Caf\xe9 owners in M\xfcnchen\n\nThey said the caf\xe9 was open.".encode(
            "cp1252"
        ),
        "nested.json": b"[" * 50_000 + b"]" * 50_000,
        "broken.json": b'[{"title": "A", "text": "cut sh',
        "ragged.csv": b"title,text\nOnly a title\nT,Body text,extra,cells\n,\n",
        "nobody.html": b"<html><head><title>Nothing</title></head></html>",
        "surrogate.jsonl": b'{"title": "S", "text": "Lone \\ud800 half of a pair."}\n',
        "long.txt": long_one.encode(),
        "dup-a.json": json.dumps({"id": "dup-1", "title": good[0].title, "text": good[0].body}),
        "dup-b.json": json.dumps({"id": "dup-1", "title": good[1].title, "text": good[1].body}),
        "records-broken.jsonl": b'{"id": "r", "entities": [], "quotes": []}\nnot json\n',
    }
    for name, data in files.items():
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode())
    return files


def test_a_run_over_bad_files_reports_each_and_loses_nothing(held, nlp, tmp_path, monkeypatch,
                                                              capsys):
    import indexer.annotation

    monkeypatch.setattr(indexer.annotation, "load_pipeline", lambda *a, **k: nlp)
    index_before, before = held
    index = tmp_path / "index"
    for name in Store(index_before).dir.iterdir():  # a copy, so the fixture stays as it was
        index.mkdir(exist_ok=True)
        (index / name.name).write_bytes(name.read_bytes()) if name.is_file() else None
    folder = tmp_path / "in"
    folder.mkdir()
    bad_files(folder)

    code = main(["--index", str(index), "index", str(folder), "--quiet"])
    out, err = capsys.readouterr()
    errors = err.strip().splitlines()
    summary = re.fullmatch(
        r"indexed (\d+), updated (\d+), unchanged (\d+), failed (\d+)", out.strip().splitlines()[-1]
    )
    assert summary and code == 1
    assert int(summary[4]) == len(errors)
    for line in errors:
        assert re.match(rf"{re.escape(str(folder))}/[\w.-]+(:\d+|\[\d+\])?: \S", line), line
    failed = {Path(line.split(":")[0]).name for line in errors}
    assert failed == {
        "random.txt", "empty.md", "nested.json", "broken.json", "nobody.html", "long.txt",
        "ragged.csv", "records-broken.jsonl",
    }
    report = check_index(index)
    assert report["ok"], report["problems"]
    now = stored(index)
    assert all(now[aid] == record for aid, record in before.items()), "an indexed article changed"
    new = {r["title"]: r for aid, r in now.items() if aid not in before}
    assert {"Caf\xe9 owners in M\xfcnchen", "S"} <= set(new)
    assert [r["id"] for r in now.values()].count("dup-1") == 1
    assert now["dup-1"]["title"] == seed_articles(2, skip=50)[1].title  # the later file wins


# -- annotated-record JSON Lines: loaded without NLP, so their shape is all the checking -------

names = st.one_of(st.text(max_size=20), st.integers(), st.none(), st.lists(st.text(max_size=3)))
offsets = st.one_of(st.integers(-5, 400), st.text(max_size=3), st.none(), st.floats())
quote_like = st.fixed_dictionaries(
    {"text": st.text(max_size=30) | st.integers(), "start": offsets, "end": offsets},
    optional={"speaker": names, "cue": names, "confidence": st.floats() | st.text(max_size=3)},
)
entity_like = st.fixed_dictionaries(
    {"start": offsets, "end": offsets},
    optional={"text": names, "label": names, "canonical": names, "field": names},
)
record_like = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=12), "body": st.text(min_size=1, max_size=300)},
    optional={
        "title": names,
        "published": st.one_of(dates := st.sampled_from(
            ["2020-01-02", "2020", "2020-13-45", "yesterday", "", "3 March 2020"]
        ), st.integers(), st.none()),
        "source": names,
        "url": names,
        "persons": st.lists(names, max_size=3) | names,
        "organizations": st.lists(names, max_size=3),
        "countries": st.lists(names, max_size=3),
        "topics": st.lists(
            st.fixed_dictionaries({"label": names}, optional={"code": names, "score": offsets})
            | names,
            max_size=3,
        ),
        "quotes": st.lists(quote_like | names, max_size=3),
        "entities": st.lists(entity_like | names, max_size=3),
        "content_hash": names,
    },
)


@SETTINGS
@given(records=st.lists(record_like, min_size=1, max_size=4))
def test_annotated_records_of_any_shape_are_refused_in_one_line_or_stored_and_searchable(
    tmp_path_factory, records
):
    from indexer.records import RecordError, read_jsonl
    from indexer.search import Searcher, SearchQuery

    folder = tmp_path_factory.mktemp("records")
    path = folder / "records.jsonl"
    path.write_text(
        "\n".join(json.dumps(dict(r, entities=r.get("entities", []), quotes=r.get("quotes", [])))
                  for r in records),
        encoding="utf-8",
    )
    good = []
    for item in read_jsonl(path):
        if isinstance(item, RecordError):
            assert str(item).startswith(f"{path}:") and "\n" not in str(item)
        else:
            good.append(item)
    event(f"{len(good)} of {len(records)} records stored")
    store = Store(folder / "index")
    list(store.write(good))
    searcher = Searcher(store)
    assert searcher.search(SearchQuery())["total"] == len({r["id"] for r in good})
    searcher.quotes(SearchQuery())
    searcher.search(SearchQuery(text="a", date_from="2020", sort="newest"))
    searcher.stats()
    assert check_index(store.dir)["ok"]
