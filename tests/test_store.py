"""The store keeps one copy of each article and its quotes, replaced in place on re-index."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from indexer.search import Searcher, SearchQuery
from indexer.store import Store
from tests.conftest import SEEDS


def record(i: int, title: str, body: str, **extra) -> dict:
    base = {
        "id": f"a{i}", "title": title, "body": body, "published": None, "source": "Wikinews",
        "url": None, "persons": [], "organizations": [], "countries": [], "topics": [],
        "quotes": [], "entities": [], "content_hash": f"h{i}",
    }
    base.update(extra)
    return base


@pytest.fixture
def wikinews_records() -> list[dict]:
    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        rows = [row for _, row in zip(range(6), csv.DictReader(fh), strict=False)]
    return [record(i, r["title"], r["text"], published=r["published"]) for i, r in enumerate(rows)]


def test_writing_the_same_records_twice_leaves_one_copy(tmp_path, wikinews_records):
    store = Store(tmp_path)
    list(store.write(wikinews_records))
    list(store.write(wikinews_records))
    stats = Searcher(store).stats()
    assert stats["articles"] == len(wikinews_records)
    assert store.hashes() == {r["id"]: r["content_hash"] for r in wikinews_records}


def test_rewriting_an_article_replaces_its_text_facets_and_quotes(tmp_path, wikinews_records):
    store = Store(tmp_path)
    first = dict(wikinews_records[0], persons=["Vladimir Putin"], quotes=[
        {"text": "“one”", "speaker": "Vladimir Putin", "cue": "said", "start": 0, "end": 5},
        {"text": "“two”", "speaker": "Vladimir Putin", "cue": "said", "start": 6, "end": 11},
    ])
    list(store.write([first]))
    second = dict(first, body="Completely new text about Magnitogorsk.", persons=["Oleg Klimov"],
                  quotes=[{"text": "“three”", "speaker": "Oleg Klimov", "cue": "said",
                           "start": 0, "end": 7}], content_hash="changed")
    list(store.write([second]))
    searcher = Searcher(store)
    result = searcher.search(SearchQuery())
    assert result["total"] == 1
    assert [f["value"] for f in result["facets"]["person"]] == ["Oleg Klimov"]
    quotes = searcher.quotes(SearchQuery())
    assert [h["text"] for h in quotes["hits"]] == ["“three”"]
    assert store.get(first["id"])["body"].startswith("Completely new text")


def test_commits_in_batches_yield_each_record_once(tmp_path, wikinews_records):
    store = Store(tmp_path)
    written = [r["id"] for r in store.write(wikinews_records, commit_every=4)]
    assert written == [r["id"] for r in wikinews_records]
    assert Searcher(store).stats()["articles"] == 6


def test_delete_removes_article_and_its_quotes(tmp_path, wikinews_records):
    store = Store(tmp_path)
    quoted = dict(wikinews_records[1], quotes=[{"text": "“x”", "speaker": None, "cue": "said",
                                                "start": 0, "end": 3}])
    list(store.write([wikinews_records[0], quoted]))
    assert store.delete([quoted["id"]]) == 2
    stats = Searcher(store).stats()
    assert (stats["articles"], stats["quotes"]) == (1, 0)


def test_export_gives_back_the_records_written(tmp_path, wikinews_records):
    store = Store(tmp_path)
    list(store.write(wikinews_records))
    exported = sorted(store.records(), key=lambda r: r["id"])
    assert exported == sorted(wikinews_records, key=lambda r: r["id"])


def test_searching_a_missing_index_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no index here"):
        Store.open_existing(tmp_path / "none")


def test_a_partial_quote_is_about_its_sentence_and_a_direct_one_about_itself():
    from indexer.store import quote_mentions

    body = ('Talks began. Ann Lee said it was "unrealistic" for Ukraine to join NATO, a Russian '
            'demand. Bob Ray said: "Moscow will decide." Paris stayed silent.')
    def at(word: str, label: str, canonical: str, **extra) -> dict:
        start = body.index(word)
        return {"text": word, "label": label, "canonical": canonical, "field": "body",
                "start": start, "end": start + len(word), **extra}
    record = {"body": body, "entities": [
        at("Ann Lee", "PERSON", "Ann Lee"), at("Ukraine", "GPE", "Ukraine", country="Ukraine"),
        at("NATO", "ORG", "NATO"), at("Russian", "NORP", "Russian", country="Russia"),
        at("Bob Ray", "PERSON", "Bob Ray"), at("Moscow", "GPE", "Moscow", country="Russia"),
        at("Paris", "GPE", "Paris", country="France")]}
    partial = {"text": '"unrealistic"', "start": body.index('"unr'),
               "end": body.index('" for') + 1, "speaker": "Ann Lee", "kind": "partial"}
    direct = {"text": '"Moscow will decide."', "start": body.index('"Mos'),
              "end": body.index('" Paris') + 1, "speaker": "Bob Ray", "kind": "direct"}
    assert quote_mentions(record, partial) == ["Ukraine", "NATO", "Russia"]
    assert quote_mentions(record, direct) == ["Russia"]


def test_a_table_of_contents_left_half_written_by_a_killed_writer_is_removed(tmp_path):
    """Whoosh writes _MAIN_<gen>.toc.<time> then renames it; a kill in between left it forever."""
    from indexer.check import check_index

    store = Store(tmp_path)
    list(store.write([record(1, "First", "Some words here.")]))
    stale = tmp_path / "_MAIN_7.toc.1795765396.982965"
    stale.write_bytes(b"half a table of contents")
    assert check_index(tmp_path)["leftovers"] == [stale.name]
    list(store.write([record(2, "Second", "More words here.")]))
    assert not stale.exists()
    report = check_index(tmp_path)
    assert report["ok"] and report["leftovers"] == [] and report["articles"] == 2


def test_a_commit_that_fails_half_way_leaves_the_index_writable(tmp_path, wikinews_records,
                                                                  monkeypatch):
    """Whoosh keeps its write lock when a commit raises; the store gives it up (the next writer in
    the same process would otherwise wait for a lock it holds itself)."""
    from whoosh.writing import SegmentWriter

    store = Store(tmp_path)
    real = SegmentWriter._finalize_segment

    def failing(self):
        raise AssertionError("a segment file of that name exists")

    monkeypatch.setattr(SegmentWriter, "_finalize_segment", failing)
    with pytest.raises(AssertionError) as caught:  # kept, as a server's error log keeps it
        list(store.write(wikinews_records[:2]))
    monkeypatch.setattr(SegmentWriter, "_finalize_segment", real)
    with store.writer(wait=0) as w:  # no other writer: the lock is free at once
        assert w is not None
    assert [r["id"] for r in store.write(wikinews_records[:2])] == \
        [r["id"] for r in wikinews_records[:2]]
    assert caught.value


def plain_whoosh_index(folder, records: list[dict]):
    """The same documents written by Whoosh's own writer, none of the store's shortcuts."""
    from whoosh.filedb.filestore import FileStorage

    from indexer.schema import SCHEMA
    from indexer.store import article_document, quote_documents

    folder.mkdir()
    ix = FileStorage(str(folder)).create_index(SCHEMA)
    with ix.writer() as w:
        for r in records:
            doc = article_document(r)
            w.add_document(**doc)
            for qdoc in quote_documents(r, doc):
                w.add_document(**qdoc)
    return ix


def postings(reader, field: str, term: bytes) -> list[tuple]:
    """(document, weight, encoded value) of each posting of a term."""
    m, out = reader.postings(field, term), []
    while m.is_active():
        out.append((m.id(), m.weight(), m.value()))
        m.next()
    return out


def index_content(ix) -> dict:
    """Every term's postings (document, weight, positions), field lengths and stored fields,
    and for the spelling fields their word lists alone (all "did you mean" reads)."""
    from indexer.facets import field_lengths

    spelling = {f.spelling_fieldname(name) for name, f in ix.schema.items()
                if f.separate_spelling()}
    out: dict = {}
    with ix.searcher() as s:
        reader = s.reader()
        for field, term in reader.all_terms():
            out[field, term] = True if field in spelling else postings(reader, field, term)
        for field in ("title", "body", "quote"):
            column = field_lengths(reader, field)  # read from the length column's bytes
            for doc in range(reader.doc_count_all()):
                out["length", field, doc] = reader.doc_field_length(doc, field)
                assert out["length", field, doc] == int(column[doc]), (field, doc)
        for doc in range(reader.doc_count_all()):
            out["stored", doc] = reader.stored_fields(doc)
    return out


def test_the_store_writes_what_whoosh_itself_writes(tmp_path, nlp):
    """The bulk writer's one-pass analysis, spelling words given once and lengths read whole
    leave the index Whoosh's own writer makes: same terms, postings, positions, lengths."""
    from tests.reliability import annotated_records

    records = annotated_records(nlp, 40)
    records[0]["body"] = "The " + records[0]["body"] + " Ünïcode İstanbul U.S.A. 3.5 don't a"
    store = Store(tmp_path / "store")
    list(store.write(records, commit_every=len(records)))
    ours = index_content(store.ix)
    theirs = index_content(plain_whoosh_index(tmp_path / "whoosh", records))
    assert sum(1 for key in theirs if key[0] == "quote") > 100  # quotes were written
    assert ours == theirs


def test_the_analysis_matches_whooshs_on_odd_texts():
    """One pass of the analyzer gives each text field's postings and spelling words exactly."""
    from indexer.schema import SCHEMA
    from indexer.store import FastText

    texts = ["", "the of and", "The cat sat. The cat sat on the mat!", "a an I x y 2 3.5 U.S.A.",
             "Ünïcode İSTANBUL straße ÉCOLE naïve", "co-operate don't  __init__ *star* e-mail",
             "running runs ran runner RUNNING", "x " * 50 + "end"]
    for name in ("title", "body", "quote"):
        field = SCHEMA[name]
        assert FastText.fits(field)
        for text in texts:
            fast = FastText(field)
            assert sorted(fast.index(text)) == sorted(field.index(text)), (name, text)
            assert fast.spellable_words(text) == list(field.spellable_words(text)), (name, text)


def test_id_and_facet_terms_match_whooshs():
    """Ids and facet values become the terms Whoosh makes of them, with the same counts."""
    from indexer.schema import SCHEMA, SEP
    from indexer.store import FastTerms, joined

    values = ["", "a1", "Joe Biden", joined(["Joe Biden", "Kamala Harris", "Joe Biden"]),
              f"{SEP}x{SEP}{SEP}É, y{SEP}", "arts, culture, entertainment"]
    fitted = [name for name, field in SCHEMA.items() if FastTerms.fits(field)]
    assert {"id", "kind", "person", "organization", "speaker", "mentions"} <= set(fitted)
    for name in fitted:
        for value in values:
            fast = sorted(FastTerms(SCHEMA[name]).index(value))
            assert fast == sorted(SCHEMA[name].index(value)), (name, value)


def test_records_alone_load_in_one_commit_per_5000_and_commit_every_still_rules(
    tmp_path, nlp, capsys
):
    """A load of annotated records alone commits once per 5,000 (Whoosh); --commit-every
    given still sets the batches, and articles through the NLP keep 500 (not run here)."""
    from whoosh.index import open_dir

    from indexer.cli import main
    from tests.reliability import annotated_records, save_records

    source = save_records(tmp_path / "records.jsonl", annotated_records(nlp, 12))
    assert main(["--index", str(tmp_path / "bulk"), "index", str(source), "--quiet"]) == 0
    assert main(["--index", str(tmp_path / "fives"), "index", str(source), "--commit-every", "5",
                 "--quiet"]) == 0
    assert "indexed 12," in capsys.readouterr().out
    assert open_dir(str(tmp_path / "bulk")).latest_generation() == 1
    assert open_dir(str(tmp_path / "fives")).latest_generation() == 3


def parallel_store(folder, workers: int = 3) -> Store:
    """A store that writes any batch of 10 records or more with `workers` processes."""
    store = Store(folder)
    store.parallel_min, store.write_workers = 10, workers
    return store


def facets_and_hits(folder) -> dict:
    """What searching shows: every facet's counts, hit ids in order, totals, per term the
    document frequency."""
    from indexer.schema import ARTICLE, QUOTE

    out: dict = {}
    store = Store(folder)
    searcher = Searcher(store)
    for field in ("person", "organization", "country", "topic", "source"):
        out[field] = searcher.value_counts(field, ARTICLE)
    out["speaker"] = searcher.value_counts("speaker", QUOTE)
    for text in ("", "said", "government OR police", "minister"):
        for kind in ("search", "quotes"):
            found = getattr(searcher, kind)(SearchQuery(text=text, per_page=50, snippets=False))
            out[kind, text] = (found["total"], [h["id"] for h in found["hits"]], found["facets"])
    with store.ix.searcher() as s:
        reader = s.reader()
        spelling = {f.spelling_fieldname(name) for name, f in store.ix.schema.items()
                    if f.separate_spelling()}  # only their words are read ("did you mean")
        out["df"] = {(f, t): True if f in spelling else reader.doc_frequency(f, t)
                     for f, t in reader.all_terms()}
        out["docs"] = (reader.doc_count(), reader.doc_count_all())
    return out


def test_a_batch_written_by_several_processes_is_the_index_one_writer_makes(tmp_path, nlp):
    """A large batch is written by a process per share, one segment each, in one commit: the
    same documents with the same numbers, terms, postings, lengths, stored fields, document
    frequencies, facet counts and hits as one writer's; replacing articles works the same."""
    from whoosh.index import open_dir

    from indexer.check import check_index
    from tests.reliability import annotated_records, revised

    records = annotated_records(nlp, 40)
    serial, parallel = Store(tmp_path / "serial"), parallel_store(tmp_path / "parallel")
    serial.write_workers = 1
    for store in (serial, parallel):
        assert [r["id"] for r in store.write(records, commit_every=100)] == \
            [r["id"] for r in records]
    assert len(open_dir(str(tmp_path / "serial")).reader().leaf_readers()) == 1
    assert len(open_dir(str(tmp_path / "parallel")).reader().leaf_readers()) == 3
    assert index_content(parallel.ix) == index_content(serial.ix)
    assert facets_and_hits(tmp_path / "parallel") == facets_and_hits(tmp_path / "serial")

    # Half of them again in a new version: the old documents deleted, the new ones added.
    again = revised(records[:20])
    for store in (serial, parallel):
        list(store.write(again, commit_every=100))
    ours, theirs = facets_and_hits(tmp_path / "parallel"), facets_and_hits(tmp_path / "serial")
    assert ours["docs"][0] == theirs["docs"][0] < ours["docs"][1]
    assert ours == theirs
    assert {r["id"]: r["body"] for r in parallel.records()} == \
        {r["id"]: r["body"] for r in serial.records()}
    report = check_index(tmp_path / "parallel")
    assert report["ok"] and report["leftovers"] == [] and report["articles"] == 40, report


def test_a_failed_share_commits_nothing_and_leaves_the_index_writable(tmp_path, nlp):
    """A process that fails its share (a record it cannot write) fails the whole commit: the
    index keeps its last commit, no file of the batch is left behind, and the next write works."""
    from indexer.check import check_index
    from tests.reliability import annotated_records

    records = annotated_records(nlp, 30)
    store = parallel_store(tmp_path / "index")
    list(store.write(records[:5]))
    broken = [dict(r) for r in records[5:]]
    broken[-1]["quotes"] = [{"text": "no offsets"}]  # in the last share: a forked process's
    with pytest.raises(RuntimeError, match="failed"):
        list(store.write(broken, commit_every=100))
    report = check_index(tmp_path / "index")
    assert report["ok"] and report["articles"] == 5 and report["leftovers"] == [], report
    list(store.write(records[5:], commit_every=100))
    assert check_index(tmp_path / "index")["articles"] == 30


def test_facet_terms_read_whole_are_whooshs_postings(tmp_path, nlp):
    """The facet tables' one walk over a segment's terms, each posting list decoded from its
    bytes, gives every term and document Whoosh's own matcher gives, on posting lists of one
    document and of several, in two segments."""
    from whoosh.filedb.filestore import FileStorage

    from indexer.facets import postings, term_ids
    from tests.reliability import annotated_records

    store = parallel_store(tmp_path / "index", workers=2)
    list(store.write(annotated_records(nlp, 40), commit_every=100))
    sizes = set()
    for mmap in (True, False):  # the store reads files, a plain Whoosh index maps them
        reader = FileStorage(str(tmp_path / "index"), supports_mmap=mmap).open_index().reader()
        assert len(reader.leaf_readers()) == 2
        for leaf, _ in reader.leaf_readers():
            for field in ("kind", "person", "organization", "country", "topic", "speaker",
                          "mentions", "body", "id"):
                ours = list(term_ids(leaf, field))
                assert [term for term, _ in ours] == list(leaf.lexicon(field))
                for term, ids in ours:
                    assert ids.tolist() == postings(leaf, field, term)[0].tolist(), (field, term)
                    sizes.add(min(len(ids), 2))
    assert {1, 2} <= sizes


def test_long_posting_lists_kept_beside_their_segment_read_the_same(tmp_path):
    """A posting list of at least MIN_POSTINGS documents in a segment is written as a numpy file
    after the commit, and a search reading it finds what decoding Whoosh's blocks finds and what
    Whoosh counts itself, deletions included; so do searches reading the facet tables and dates
    kept by the first searcher; a merge drops the files of merged segments."""
    from whoosh import qparser
    from whoosh.query import Term

    from indexer.facets import postings
    from indexer.segment_arrays import MIN_POSTINGS, SegmentArrays

    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    n = MIN_POSTINGS + 100
    records = [
        record(i, rows[i % len(rows)]["title"],
               rows[i % len(rows)]["text"][:300] + " Filed from the newsroom archive.",
               source=("Wikinews", "Daily Ledger")[i % 2],
               published=rows[i % len(rows)]["published"],
               persons=[("Donald Trump", "Joe Biden", "Boris Johnson")[i % 3]])
        for i in range(n)
    ]
    store = Store(tmp_path)
    store.parallel_min = n + 1  # one writer, one segment long enough to keep lists of
    list(store.write(records, commit_every=n))
    kept = SegmentArrays(tmp_path)
    [segment] = [p.name for p in kept.root.iterdir()]
    assert kept.done(segment)
    assert kept.load(segment, "body", b"archiv") is not None  # the stemmed word, in every body
    assert kept.load(segment, "body", b"kyiv") is None  # a short list stays in Whoosh only
    with store.ix.reader() as reader:
        from_file, decoded = postings(reader, "body", b"archiv", kept), postings(
            reader, "body", b"archiv")
    assert len(from_file[0]) == n and all(map(np.array_equal, from_file, decoded))
    assert store.delete([f"a{i}" for i in range(0, 60, 3)]) == 20

    def shown(searcher: Searcher, text: str, **filters) -> tuple:
        found = searcher.search(SearchQuery(text=text, per_page=30, snippets=False, **filters))
        return found["total"], [(h["id"], h["score"]) for h in found["hits"]], found["facets"]

    asked = [("archive", {}), ("archive said", {}), ("archive -said", {}),
             ("newsroom OR police", {}), ("", {"date_from": "2020-01-01"}),
             ("archive", {"filters": {"person": ("Joe Biden",)}, "date_to": "2019-12-31"})]
    reading_files, decoding = Searcher(store), Searcher(store)
    decoding.cache.kept = None
    for text, filters in asked:
        assert shown(reading_files, text, **filters) == shown(decoding, text, **filters)
    # the facet tables and dates the first searcher read are kept too, and read back the same
    assert list(kept.root.glob(f"{segment}/table-person.*.json"))
    assert list(kept.root.glob(f"{segment}/days.*.npy"))
    mapped = Searcher(store)
    assert 0 < shown(mapped, asked[4][0], **asked[4][1])[0] < n - 20
    assert 0 < shown(mapped, asked[5][0], **asked[5][1])[0] < n // 3
    for text, filters in asked:
        assert shown(mapped, text, **filters) == shown(decoding, text, **filters)
    with store.ix.searcher() as s:
        parsed = qparser.QueryParser("body", store.ix.schema).parse("archive")
        plain = len(s.search(parsed, filter=Term("kind", "article"), limit=None))
    assert plain == n - 20 == shown(reading_files, "archive")[0]
    assert shown(reading_files, "archive")[2]["source"] == decoding.search(
        SearchQuery(text="archive"))["facets"]["source"]

    list(store.write(records[1:3]))  # a second segment (two kept articles), then one merge
    with store.writer() as w:
        w.optimize = True
    [merged] = [p.name for p in kept.root.iterdir()]
    assert merged != segment and kept.done(merged)
    assert shown(Searcher(store), "archive")[0] == n - 20


def test_a_batch_of_several_segments_keeps_the_long_lists_of_each(tmp_path):
    """A commit of segments written by several processes keeps every segment's long posting
    lists, not only the first's (the fields given as an iterator were spent on the first)."""
    from indexer.segment_arrays import MIN_POSTINGS, SegmentArrays

    n = 2 * (MIN_POSTINGS + 50)
    records = [record(i, f"Report {i}", f"Filed from the newsroom archive, number {i}.")
               for i in range(n)]
    store = parallel_store(tmp_path, workers=2)
    list(store.write(records, commit_every=n))
    kept = SegmentArrays(tmp_path)
    with store.ix.reader() as reader:
        segments = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()
                    if leaf.doc_count_all() >= MIN_POSTINGS]
    assert len(segments) == 2
    for segment in segments:
        assert kept.done(segment) and kept.load(segment, "body", b"archiv") is not None


def test_a_posting_list_of_one_document_is_stored_uncompressed_and_reads_the_same(tmp_path):
    """Whoosh's writer compressed every block of postings; a block of one posting is now kept as
    it is (zlib only made it larger) and longer ones are compressed still. Both read back
    exactly through Whoosh's matchers, its searcher and the facet tables."""
    import pickle

    from whoosh.query import Term

    from indexer.facets import postings

    records = [record(i, f"Report {i}", f"Common words shared by all, and zygote{i} alone.",
                      persons=["Ada Lovelace"] if i % 2 else ["Ada Lovelace", f"Solo Person{i}"])
               for i in range(6)]
    store = Store(tmp_path)
    list(store.write(records))

    def block_compression(leaf, field: str, text: str) -> int:
        """The compression level the first block of a term's posting list records."""
        info = leaf.term_info(field, text)
        data = leaf._terms._postfile.get(info._offset, 4 + 4 + 200)  # the tag, length, header
        return pickle.loads(data[8:])[3]

    with store.ix.searcher() as s:
        leaf = s.reader()  # one segment
        assert leaf.is_atomic()
        assert block_compression(leaf, "body", "zygote3") == 0
        assert block_compression(leaf, "body", "common") > 0
        assert block_compression(leaf, "person", "Solo Person2") == 0
        assert s.search(Term("body", "zygote3")).scored_length() == 1
        assert s.doc_count() == 6
        ids, _ = postings(leaf, "person", "Solo Person2")
        assert [s.stored_fields(int(d))["id"] for d in ids] == ["a2"]
        assert len(postings(leaf, "person", "Ada Lovelace")[0]) == 6


def test_records_stored_by_earlier_versions_compressed_still_read(tmp_path):
    """Records used to be stored as zlib-compressed JSON, now as JSON (Whoosh compresses the
    stored fields itself); an index holding both reads both."""
    import json
    import zlib

    from indexer.store import article_document, pack, unpack

    data = {"id": "x", "body": "Zürich said “yes”."}
    assert unpack(pack(data)) == data
    assert unpack(zlib.compress(json.dumps(data).encode("utf-8"), 3)) == data
    store = Store(tmp_path)
    list(store.write([record(1, "New", "Stored as it is now.")]))
    old = record(2, "Old", "Stored the way earlier versions did.")
    with store.ix.writer() as w:
        doc = article_document(old)
        w.add_document(**dict(doc, record=zlib.compress(json.dumps(old).encode("utf-8"), 3)))
    assert store.get("a2")["body"] == old["body"]
    assert store.get("a1")["title"] == "New"
    assert sorted(r["id"] for r in store.records()) == ["a1", "a2"]


def test_postings_past_the_memory_limit_spill_in_runs_and_read_the_same(tmp_path, nlp,
                                                                        monkeypatch):
    """A segment whose postings outgrow the writer's memory is sorted in runs on disk (batches
    of marshalled postings) and merged: the index is the one Whoosh's own writer makes."""
    import indexer.store as store_module
    from tests.reliability import annotated_records

    records = annotated_records(nlp, 40)
    runs: list[int] = []
    write_run = store_module.PostingPool._write_run

    def counted(pool, f, items):
        items = list(items)
        runs.append(len(items))
        write_run(pool, f, items)

    monkeypatch.setattr(store_module, "WRITER_MB", 1)
    monkeypatch.setattr(store_module, "RUN_BATCH", 1000)  # several batches in each run
    monkeypatch.setattr(store_module.PostingPool, "_write_run", counted)
    store = Store(tmp_path / "store")
    store.write_workers = 1
    list(store.write(records, commit_every=len(records)))
    assert len(runs) >= 3 and min(runs) > 1000, runs  # it spilled, in runs of several batches
    theirs = plain_whoosh_index(tmp_path / "whoosh", records)  # 128 MB: no run written
    assert index_content(store.ix) == index_content(theirs)
