"""`newsindex check` passes a sound index and names each kind of damage in a broken one."""

from __future__ import annotations

import json

import numpy as np
import pytest

from indexer.check import check_index
from indexer.cli import main
from indexer.store import Store, article_document, pack, quote_documents


def record(i: int, quotes: int = 1) -> dict:
    return {
        "id": f"a{i}", "title": f"Title {i}", "body": "“Yes,” she said. “No,” he said.",
        "published": f"2020-01-0{i + 1}", "source": "Wikinews", "url": None,
        "persons": [], "organizations": [], "countries": [], "topics": [],
        "quotes": [{"text": "“Yes,”", "speaker": None, "cue": "said", "start": 0, "end": 6},
                   {"text": "“No,”", "speaker": None, "cue": "said", "start": 17, "end": 22}
                   ][:quotes],
        "entities": [], "content_hash": f"h{i}",
    }


@pytest.fixture
def sound(tmp_path):
    store = Store(tmp_path / "index")
    list(store.write([record(0), record(1, quotes=2), record(2, quotes=0)]))
    return store


def add_raw(store: Store, *docs: dict) -> None:
    """Write documents straight through Whoosh, the way a buggy writer would."""
    with store.writer() as w:
        for doc in docs:
            w.add_document(**doc)


def test_a_sound_index_passes_with_its_counts(sound, capsys):
    report = check_index(sound.dir)
    assert report["ok"] and report["problems"] == []
    assert (report["articles"], report["quotes"]) == (3, 3)
    assert main(["--index", str(sound.dir), "check"]) == 0
    assert "ok; 3 articles, 3 quotes" in capsys.readouterr().out


def test_a_second_copy_of_an_article_is_reported(sound, capsys):
    add_raw(sound, article_document(record(0)))
    report = check_index(sound.dir)
    assert not report["ok"]
    assert report["duplicate_ids"] == ["a0"]
    assert main(["--index", str(sound.dir), "check", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["duplicate_ids"] == ["a0"]


def test_a_quote_whose_article_is_gone_is_an_orphan(sound):
    rec = record(7)
    add_raw(sound, *quote_documents(rec, article_document(rec)))
    report = check_index(sound.dir)
    assert report["orphan_quotes"] == ["a7#q0"]
    assert not report["ok"]


def test_a_missing_quote_is_a_mismatch_with_the_record(sound):
    with sound.writer() as w:
        w.delete_by_term("id", "a1#q1")
    report = check_index(sound.dir)
    assert report["quote_mismatches"] == ["a1"]
    assert "a1: record has 2 quotes, index holds 1" in report["problems"]


def test_a_record_that_does_not_unpack_is_reported(sound):
    broken = dict(article_document(record(5)), record=b"not zlib at all")
    odd = dict(article_document(record(6)), record=pack({"id": "someone else"}))
    add_raw(sound, broken, odd)
    report = check_index(sound.dir)
    assert report["unreadable"] == ["a5", "a6"]


def test_no_index_is_a_problem_not_a_crash(tmp_path, capsys):
    assert main(["--index", str(tmp_path / "none"), "check"]) == 1
    assert "no index here" in capsys.readouterr().err


def test_kept_arrays_of_merged_segments_and_old_temporary_files_are_leftovers_a_commit_removes(
        sound):
    """A process killed while keeping a segment's arrays leaves a temporary file; a segment
    merged away while a reader kept its arrays leaves a folder. Check lists both; a temporary
    file being written now (a recent one) is not a leftover; the next commit removes them."""
    import os
    import time

    from indexer.segment_arrays import STALE_SECONDS, SegmentArrays

    arrays = SegmentArrays(sound.dir)
    with sound.ix.reader() as reader:
        [live] = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()]
    assert arrays.save_array(live, "days", np.arange(3, dtype=np.int32))
    killed = arrays.root / live / "tmpkilled.tmp"
    killed.write_bytes(b"half an array")
    old = time.time() - STALE_SECONDS - 60
    os.utime(killed, (old, old))
    (arrays.root / live / "tmpwriting.tmp").write_bytes(b"an array being written")
    assert arrays.save_array("deadbeef0000", "days", np.arange(3, dtype=np.int32))
    assert sorted(check_index(sound.dir)["leftovers"]) == sorted([
        "arrays/deadbeef0000", f"arrays/{live}/tmpkilled.tmp"])
    assert check_index(sound.dir)["ok"]  # leftovers take room, they do not make results wrong
    list(sound.write([record(3)]))
    assert check_index(sound.dir)["leftovers"] == []
    assert not killed.exists() and not (arrays.root / "deadbeef0000").exists()
    assert (arrays.root / live / "tmpwriting.tmp").exists()
    assert arrays.load_array(live, "days").tolist() == [0, 1, 2]


def test_files_no_commit_refers_to_are_listed_as_leftovers(sound):
    (sound.dir / "_MAIN_1.toc.1700000000.5").write_bytes(b"half a TOC")
    (sound.dir / "MAIN_deadbeef0000.seg").write_bytes(b"segment of a dead writer")
    assert check_index(sound.dir)["leftovers"] == [
        "MAIN_deadbeef0000.seg", "_MAIN_1.toc.1700000000.5"
    ]
