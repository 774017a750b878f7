"""Rebuild seeds/ from ../shared: the seed article and the Wikinews 2019-2020 articles.

Run once by hand (`python seeds/build.py`); the output is committed. The Wikinews rows keep their
URL (with the doubled slash fixed), date and title; the dateline that repeats the date at the top
of each text is dropped, and the two "TEST PAGE" rows are skipped.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent / "shared"
DATELINE = re.compile(r"^\s*\w+day, \w+ \d{1,2}, \d{4}\s*\n+")


def main() -> None:
    for seed in sorted((SHARED / "seeds").glob("*.txt")):
        shutil.copyfile(seed, HERE / seed.name)
    rows = []
    for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
        with open(SHARED / "corpora/wikinews-2019-2020" / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["title"].startswith("TEST PAGE"):
                    continue
                rows.append(
                    {
                        "url": row["url"].replace("org//wiki", "org/wiki"),
                        "published": row["date"],
                        "source": "Wikinews",
                        "title": row["title"].strip(),
                        "text": DATELINE.sub("", row["text"], count=1),
                    }
                )
    with open(HERE / "wikinews-2019-2020.csv", "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["url", "published", "source", "title", "text"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} Wikinews articles")


if __name__ == "__main__":
    main()
