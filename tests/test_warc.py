"""`newsindex index crawl.warc.gz`: web archives written with warcio (gzip and plain, with
request, revisit and non-HTML records, and a truncated last record) become articles."""

from __future__ import annotations

import io

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from indexer.cli import main
from indexer.sources import read_sources
from tests.test_feeds import STORIES, indexed, page, story_page


def write_warc(path, gzip: bool) -> None:
    """Two HTML responses, a request, a revisit, an image, a 404 page and a warcinfo."""
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))

        def response(url, body, kind="text/html; charset=utf-8", status="200 OK", date=None):
            headers = StatusAndHeaders(status, [("Content-Type", kind)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                               http_headers=headers,
                                               warc_headers_dict=date or {})
            writer.write_record(record)

        request = writer.create_warc_record(
            "http://courier.test/a", "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("GET /a HTTP/1.1", [("Host", "courier.test")],
                                          is_http_request=True))
        writer.write_record(request)
        response("http://courier.test/a", story_page(0))
        undated = page(*STORIES[1][:1], "", *STORIES[1][2:])
        response("http://courier.test/b", undated,
                 date={"WARC-Date": "2024-05-06T07:08:09Z"})
        response("http://courier.test/logo.png", b"\x89PNG....", kind="image/png")
        response("http://courier.test/missing", b"<html>gone</html>", status="404 Not Found")
        writer.write_record(writer.create_revisit_record(
            "http://courier.test/a", digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri="http://courier.test/a", refers_to_date="2024-05-01T00:00:00Z"))


@pytest.mark.parametrize("name,gzip", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_html_responses_become_articles_and_the_rest_is_counted(tmp_path, capsys, name, gzip):
    path = tmp_path / name
    write_warc(path, gzip)
    code = main(["--index", str(tmp_path / "index"), "index", str(path)])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert f"{path}: 2 HTML pages; skipped 5 (HTTP 404 response 1, non-HTML response 1, " \
           "request 1, revisit 1, warcinfo 1)" in out
    assert out[-1] == "indexed 2, updated 0, unchanged 0, failed 0"
    records = indexed(tmp_path / "index")
    assert records["http://courier.test/a"]["title"] == STORIES[0][0]
    assert records["http://courier.test/a"]["published"] == "2026-03-02"  # the page's own
    assert records["http://courier.test/b"]["published"] == "2024-05-06"  # the capture's
    assert records["http://courier.test/b"]["path"] == str(path)


def test_a_truncated_last_record_is_reported_and_the_rest_kept(tmp_path, capsys):
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole, gzip=True)
    data = whole.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    with open(whole, "ab") as fh:  # a last response, cut short as by a crawler killed
        writer = WARCWriter(fh, gzip=False)
        writer.write_record(writer.create_warc_record(
            "http://courier.test/d", "response", payload=io.BytesIO(story_page(3)),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                          protocol="HTTP/1.1")))
    data = whole.read_bytes()
    cut.write_bytes(data[: len(data) - 300])
    items = list(read_sources([cut]))
    errors = [str(i) for i in items if not hasattr(i, "body")]
    assert [i.url for i in items if hasattr(i, "body")] == ["http://courier.test/a",
                                                            "http://courier.test/b"]
    assert len(errors) == 1 and errors[0].startswith(f"{cut}@")
    assert "truncated record (http://courier.test/d): " in errors[0]
    code = main(["--index", str(tmp_path / "index"), "index", str(cut)])
    captured = capsys.readouterr()
    assert code == 1
    assert captured.out.splitlines()[-1] == "indexed 2, updated 0, unchanged 0, failed 1"
    assert "truncated record (http://courier.test/d)" in captured.err


def test_arc_files_are_read_too(tmp_path):
    """An ARC (the Internet Archive's older format), plain and gzipped."""
    import gzip

    page = story_page(2)
    http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
            + str(len(page)).encode() + b"\r\n\r\n" + page)
    header = b"filedesc://test.arc 0.0.0.0 20240506070809 text/plain "
    meta = b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n"
    record = (b"http://courier.test/c 127.0.0.1 20240506070809 text/html "
              + str(len(http)).encode() + b"\n" + http + b"\n")
    filedesc = header + str(len(meta)).encode() + b"\n" + meta + b"\n"
    (tmp_path / "old.arc").write_bytes(filedesc + record)
    # gzipped as archives are: one gzip member per record
    (tmp_path / "old.arc.gz").write_bytes(gzip.compress(filedesc) + gzip.compress(record))
    for name in ("old.arc", "old.arc.gz"):
        items = list(read_sources([tmp_path / name]))
        articles = [i for i in items if hasattr(i, "body")]
        assert len(articles) == 1, (name, items)
        article = articles[0]
        assert article.url == "http://courier.test/c" and article.title == STORIES[2][0]
