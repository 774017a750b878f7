"""The sources stage reads every supported format and reports broken files one line each."""

from __future__ import annotations

import csv
import json

import pytest

from indexer.sources import Article, SourceError, read_sources
from tests.conftest import CORPORA, SEEDS

SEED = next(SEEDS.glob("000_*.txt"))


def wikinews_rows(n: int = 3) -> list[dict]:
    with open(CORPORA / "wikinews-2019-2020/wikinews_2019.csv", encoding="utf-8", newline="") as fh:
        return [row for _, row in zip(range(n), csv.DictReader(fh), strict=False)]


def articles_and_errors(paths):
    items = list(read_sources(paths))
    return (
        [i for i in items if isinstance(i, Article)],
        [i for i in items if isinstance(i, SourceError)],
    )


def test_txt_first_line_is_title_and_body_is_kept_byte_for_byte():
    (article,), errors = articles_and_errors([SEED])
    text = SEED.read_text(encoding="utf-8")
    assert not errors
    assert article.title.startswith("President Trump Wednesday said")
    assert text.endswith(article.body)
    assert text.index(article.body) == len(text.split("\n", 1)[0]) + 1
    assert len(article.id) == 16


def test_csv_rows_map_date_url_and_text(tmp_path):
    rows = wikinews_rows()
    path = tmp_path / "wn.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    articles, errors = articles_and_errors([path])
    assert not errors and len(articles) == 3
    assert articles[0].published == "2019-01-04"
    assert articles[0].url == rows[0]["url"]
    assert articles[0].title == rows[0]["title"]
    assert len({a.id for a in articles}) == 3


def test_json_object_list_and_jsonl_with_a_broken_line(tmp_path):
    rows = wikinews_rows(3)
    (tmp_path / "one.json").write_text(
        json.dumps({"headline": rows[0]["title"], "content": rows[0]["text"], "id": "x1"})
    )
    (tmp_path / "many.json").write_text(
        json.dumps([{"title": r["title"], "body": r["text"]} for r in rows[1:]])
    )
    lines = [
        json.dumps(
            {
                "title": rows[0]["title"],
                "text": rows[0]["text"],
                "date": "Feb 12, 2025",
                "source": "Wire",
            }
        ),
        "{broken",
        "",
    ]
    (tmp_path / "feed.jsonl").write_text("\n".join(lines))
    articles, errors = articles_and_errors([tmp_path])
    assert len(articles) == 4
    assert {a.id for a in articles} >= {"x1"}
    dated = [a for a in articles if a.source == "Wire"]
    assert dated[0].published == "2025-02-12"
    assert len(errors) == 1 and errors[0].path.endswith("feed.jsonl:2")
    assert "invalid JSON" in errors[0].reason


def test_html_page_main_text_and_metadata_are_extracted(tmp_path):
    row = wikinews_rows(1)[0]
    paragraphs = "".join(f"<p>{p}</p>" for p in row["text"].split("\n\n") if p.strip())
    page = f"""<html><head><title>{row["title"]} - Wikinews</title>
      <meta property="og:title" content="{row["title"]}">
      <meta property="og:site_name" content="Wikinews">
      <meta property="article:published_time" content="{row["date"]}T10:00:00Z">
      </head><body><nav><a href="/">Home</a> <a href="/x">Menu item</a></nav>
      <article><h1>{row["title"]}</h1>{paragraphs}</article>
      <footer>Copyright footer text</footer></body></html>"""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    (article,), errors = articles_and_errors([path])
    assert not errors
    assert article.title == row["title"]
    assert article.published == row["date"]
    assert article.source == "Wikinews"
    assert "Magnitogorsk" in article.body and "Menu item" not in article.body


def test_latin1_file_is_decoded_not_rejected(tmp_path):
    path = tmp_path / "old.txt"
    path.write_bytes("Prices rise\nThe pound fell to £1.20 in Zürich on Monday.".encode("latin-1"))
    (article,), errors = articles_and_errors([path])
    assert not errors
    assert "£1.20" in article.body and "Zürich" in article.body


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.md", b"  \n\n ", "empty file"),
        ("binary.txt", bytes(range(256)) * 8, "binary"),
        ("broken.json", b'{"title": "x", "body": ', "invalid JSON"),
        ("notext.json", b'{"title": "only a title"}', "no article text"),
        ("nocol.csv", b"title,url\nA,http://x\n", "no text column"),
        ("nobody.html", b"<html><head><title>t</title></head></html>", "no extractable"),
        ("image.png", b"\x89PNG", "unsupported file type"),
    ],
)
def test_bad_file_gives_one_error_with_path_and_reason_and_the_rest_are_read(
    tmp_path, name, data, reason
):
    (tmp_path / name).write_bytes(data)
    good = tmp_path / "good.txt"
    good.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    paths = [tmp_path / name, good] if name.endswith(".png") else [tmp_path]
    articles, errors = articles_and_errors(paths)
    assert len(articles) == 1
    assert len(errors) == 1
    assert errors[0].path.endswith(name) and reason in errors[0].reason
    assert str(errors[0]).startswith(str(tmp_path))


def test_missing_path_is_reported(tmp_path):
    _, errors = articles_and_errors([tmp_path / "nope"])
    assert errors[0].reason == "no such file or folder"


def test_ids_are_stable_given_then_url_then_content(tmp_path):
    rows = [
        {"id": "given", "url": "http://a", "text": "x y"},
        {"url": "http://a", "text": "x y"},
        {"url": "http://a", "text": "changed text"},
        {"text": "x y", "title": "t"},
    ]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows))
    ids = [a.id for a in articles_and_errors([path])[0]]
    assert ids[0] == "given"
    assert ids[1] == ids[2] != ids[3]
    assert ids == [a.id for a in articles_and_errors([path])[0]]


def test_front_matter_gives_title_date_source_url_and_author(tmp_path):
    path = tmp_path / "summit.md"
    path.write_text("---\ntitle: NATO ministers meet\ndate: 6 March 2025\n"
                    "source: \"Daily Ledger\"\nurl: https://example.org/nato\n"
                    "author: A. Writer\nlayout: post\n---\n"
                    "BRUSSELS — Defence ministers met on Thursday.\n", encoding="utf-8")
    (article,) = read_sources([path])
    assert (article.title, article.published, article.source, article.url, article.author) == (
        "NATO ministers meet", "2025-03-06", "Daily Ledger", "https://example.org/nato",
        "A. Writer")
    assert article.body == "BRUSSELS — Defence ministers met on Thursday.\n"


def test_dashes_that_are_no_front_matter_leave_the_text_whole(tmp_path):
    path = tmp_path / "rule.md"
    path.write_text("---\nA rule, then a title-like line\n---\nThe body.\n", encoding="utf-8")
    (article,) = read_sources([path])
    assert article.title == "---" and article.published is None
    assert article.body == "A rule, then a title-like line\n---\nThe body.\n"
