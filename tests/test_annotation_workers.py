"""Worker processes give the same annotated records, in the same order, as one process."""

from __future__ import annotations

import csv

from indexer.annotation import annotate
from indexer.sources import from_record
from tests.conftest import SEEDS


def test_two_workers_give_the_records_of_one_process_in_order(nlp):
    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        rows = [row for _, row in zip(range(7), csv.DictReader(fh), strict=False)]
    articles = [from_record(row, "wikinews.csv", f":{n}") for n, row in enumerate(rows)]
    alone = list(annotate(articles, nlp, batch_size=2, workers=1))
    pooled = list(annotate(iter(articles), nlp, batch_size=2, workers=2))
    assert [r["id"] for r in pooled] == [a.id for a in articles]
    assert pooled == alone
    assert any(r["persons"] for r in pooled)
