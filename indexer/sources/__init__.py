"""Sources stage: files, feeds and web archives become Article records (files.py reads files)."""

from indexer.sources.files import (
    FIELD_NAMES,
    MAX_FILE_BYTES,
    READERS,
    SUFFIXES,
    Article,
    SourceError,
    article_id,
    decode,
    from_record,
    front_matter,
    has_words,
    iter_files,
    load_json,
    normalise_date,
    read_file,
    read_sources,
)

__all__ = [
    "FIELD_NAMES",
    "MAX_FILE_BYTES",
    "READERS",
    "SUFFIXES",
    "Article",
    "SourceError",
    "article_id",
    "decode",
    "from_record",
    "front_matter",
    "has_words",
    "iter_files",
    "load_json",
    "normalise_date",
    "read_file",
    "read_sources",
]
