"""Worker processes give the same annotated records, in the same order, as this process."""

from __future__ import annotations

import csv

import pytest

from indexer.annotation import WORKER_MIN_BATCHES, annotate
from indexer.sources import from_record
from tests.conftest import SEEDS


@pytest.fixture(scope="module")
def articles():
    with open(SEEDS / "wikinews-2019-2020.csv", encoding="utf-8", newline="") as fh:
        rows = [row for _, row in zip(range(11), csv.DictReader(fh), strict=False)]
    return [from_record(row, "wikinews.csv", f":{n}") for n, row in enumerate(rows)]


@pytest.mark.parametrize("workers", [1, 2])
def test_worker_processes_give_the_records_of_this_process_in_order(nlp, articles, workers):
    batch = 2
    assert len(articles) > WORKER_MIN_BATCHES * batch  # enough for worker processes
    alone = list(annotate(articles, nlp, batch_size=batch, workers=0))
    pooled = list(annotate(iter(articles), nlp, batch_size=batch, workers=workers))
    assert [r["id"] for r in pooled] == [a.id for a in articles]
    assert pooled == alone
    assert any(r["persons"] for r in pooled)
