"""The `newsindex` command line: index, annotate, search, quotes, stats, alias, export, serve,
users, audit."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from dataclasses import replace
from pathlib import Path

from indexer import DEFAULT_MODEL
from indexer.dates import day_first
from indexer.ingest import (
    IngestOptions,
    Tally,
    ingest_paths,
    loaded_records,
    readable,
    split_inputs,
    within_model_limit,
)
from indexer.records import write_jsonl
from indexer.sources import read_sources

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.backends import config_from_args, open_store

    store = open_store(config_from_args(args))
    options = IngestOptions(args.model, args.batch_size, args.workers, args.commit_every,
                            sys.stderr.isatty() and not args.quiet, not args.no_duplicates,
                            args.reannotate)
    with day_first(args.dayfirst):
        tally = ingest_paths(store, args.paths, options)
    resolve_archive(args)
    print(tally.line(), flush=True)
    return EXIT_FAILED if tally.failed else EXIT_OK


def resolve_archive(args: argparse.Namespace) -> None:
    """Recompute the merges across the archive from the index as it now stands (no NLP)."""
    from indexer.resolution.context import recompute
    from indexer.resolution.judgements import Verdict

    try:
        found = recompute(open_searcher(args), args.index)
    except OSError as exc:  # a read-only folder: the index is written, the merges stay as were
        print(f"newsindex: merges across the archive not stored: {exc}", file=sys.stderr)
        return
    merged = sum(1 for j in found if j.verdict == Verdict.POSITIVE)
    print(f"merged across the archive: {merged} spellings (`newsindex alias --suggest` lists "
          "them)", flush=True)


def cmd_fetch(args: argparse.Namespace) -> int:
    import time

    from indexer.sources.fetch import Politeness

    politeness = Politeness(contact=args.contact, delay=args.delay, timeout=args.timeout,
                            max_bytes=int(args.max_mb * 1024 * 1024))
    options = IngestOptions(args.model, args.batch_size, args.workers, args.commit_every)
    code = EXIT_OK
    try:
        while True:
            started = time.monotonic()
            code = fetch_once(args, politeness, options)
            if not args.every:
                return code
            wait = max(0.0, args.every - (time.monotonic() - started))
            print(f"next fetch in {wait:.0f} s", file=sys.stderr, flush=True)
            time.sleep(wait)
    except KeyboardInterrupt:
        print("newsindex: fetch stopped; what was committed is kept", file=sys.stderr)
        return code


def fetch_once(args: argparse.Namespace, politeness, options: IngestOptions) -> int:
    """One fetch run: a summary line per feed, then the index run's line."""
    from indexer.backends import config_from_args, open_store
    from indexer.ingest import ingest_feeds

    store = open_store(config_from_args(args))
    tally, run = ingest_feeds(store, args.sources, options, politeness, args.concurrency)
    if tally.indexed or tally.updated:
        resolve_archive(args)
    print(tally.line(), flush=True)
    return EXIT_FAILED if tally.failed or run.failed else EXIT_OK


def interval(text: str) -> float:
    """`30s`, `15m`, `2h`, `1d`: seconds between fetch runs."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = text[:-1], text[-1:].lower()
    try:
        seconds = float(number) * units[unit]
    except (KeyError, ValueError):
        raise argparse.ArgumentTypeError(f"{text!r}: --every takes e.g. 30s, 15m, 2h, 1d") from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: --every needs a positive interval")
    return seconds


def shard_spec(text: str) -> tuple[int, int]:
    """`i/n` with 1 <= i <= n: this machine's share of a corpus."""
    try:
        i, n = (int(part) for part in text.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: --shard takes i/n, e.g. 2/4") from None
    if not 1 <= i <= n:
        raise argparse.ArgumentTypeError(f"{text!r}: --shard i/n needs 1 <= i <= n")
    return i, n


def in_shard(article_id: str, shard: tuple[int, int] | None) -> bool:
    """Whether an article is this machine's to annotate (by a hash of its id, not file order)."""
    if shard is None:
        return True
    i, n = shard
    return int(hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:8], 16) % n == i - 1


def cmd_annotate(args: argparse.Namespace) -> int:
    from indexer.annotation import annotate, load_pipeline

    tally = Tally()
    nlp = load_pipeline(args.model)
    mine = (a for a in readable(read_sources(args.paths), tally) if in_shard(a.id, args.shard))
    articles = within_model_limit(mine, nlp.max_length, tally)
    with day_first(args.dayfirst):
        write_jsonl(
            annotate(articles, nlp, batch_size=args.batch_size, workers=args.workers), sys.stdout
        )
    return EXIT_FAILED if tally.failed else EXIT_OK


def search_query(args: argparse.Namespace, facets: dict[str, str]):
    from indexer.search import SearchQuery

    # argparse turns a value of "--" (`--person=--`) into [], not a string: drop such values.
    filters = {
        name: tuple(v for v in getattr(args, dest) or () if isinstance(v, str))
        for name, dest in facets.items()
    }
    words = " ".join(args.words or ())
    text, date_from, date_to = dated(" ".join(t for t in (words, args.query or "") if t),
                                     args.date_from or "", args.date_to or "")
    return SearchQuery(
        text=text,
        filters={k: v for k, v in filters.items() if v},
        all_of=tuple(FILTER_NAMES.get(f, f) for f in args.all_of or ()),
        date_from=date_from or None,
        date_to=date_to or None,
        sort=args.sort,
        page=args.page,
        per_page=args.limit,
        collapse=not getattr(args, "no_collapse", False),
    )


def dated(text: str, date_from: str, date_to: str) -> tuple[str, str, str]:
    """The words and --from/--to as the web reads them (`dates.dated_query`: "Nov 2020",
    "last week", "putin since February"), the notes on stderr; a bound that is no date is
    left as typed, for the search to refuse (exit 2)."""
    from indexer.dates import bound, dated_query

    if any(value and not bound(value)[0] for value in (date_from, date_to)):
        return text, date_from, date_to
    text, date_from, date_to, notes = dated_query(text, date_from, date_to)
    for note in notes:
        print(f"newsindex: {note}", file=sys.stderr)
    return text, date_from, date_to


SEARCH_FILTERS = {
    "person": "person",
    "country": "country",
    "topic": "topic",
    "organization": "org",
    "source": "source",
}


FILTER_NAMES = {"org": "organization"}  # --all org: the --org filter


def open_searcher(args: argparse.Namespace):
    from indexer.backends import config_from_args
    from indexer.backends import open_searcher as open_backend

    return open_backend(config_from_args(args))


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=None)
    sys.stdout.write("\n")


def print_hits(result: dict, quotes: bool) -> None:
    """A human-readable listing for a terminal."""
    import html
    import re

    print(f"{result['total']} {'quotes' if quotes else 'articles'}")
    for hit in result["hits"]:
        text = html.unescape(re.sub(r"</?mark>", "", hit["snippet"]))
        if quotes:
            trust = " · ".join(
                str(v) for v in (hit.get("kind"), hit.get("confidence")) if v is not None
            )
            print(f"- {hit.get('speaker') or '(unknown)'}: {text}  [{hit['article_id']}]"
                  + (f" ({trust})" if trust else ""))
            if hit.get("context"):  # a partial quote: the sentence it stands in
                print(f"    reported: {hit['context']}")
        else:
            print(f"- {hit.get('published') or '':10}  {hit['title']}  [{hit['id']}]")
    if result.get("suggestion"):
        print(f"did you mean: {result['suggestion']}")


def cmd_search(args: argparse.Namespace) -> int:
    searcher = open_searcher(args)
    result = searcher.search(search_query(args, SEARCH_FILTERS))
    print_json(result) if args.json else print_hits(result, quotes=False)
    return EXIT_OK


def cmd_quotes(args: argparse.Namespace) -> int:
    if args.correct:
        return correct_speaker(args)
    searcher = open_searcher(args)
    query = search_query(args, dict(SEARCH_FILTERS, speaker="speaker", mentions="mentions"))
    result = searcher.quotes(
        replace(query, quote_kind="direct" if args.direct else None,
                min_confidence=args.min_confidence)
    )
    print_json(result) if args.json else print_hits(result, quotes=True)
    return EXIT_OK


def correct_speaker(args: argparse.Namespace) -> int:
    """`quotes --correct QUOTE_ID --speaker NAME` (or --no-speaker): who really said it."""
    from indexer.backends import config_from_args, open_store
    from indexer.speaker_corrections import correct
    from web.accounts import cli_actor

    names = args.speaker or []
    if len(names) + bool(args.no_speaker) != 1:
        print("newsindex: --correct needs one --speaker NAME, or --no-speaker", file=sys.stderr)
        return EXIT_USAGE
    store = open_store(config_from_args(args), create=False)
    try:
        was, now = correct(args.index, store, args.correct, None if args.no_speaker else names[0],
                           by=cli_actor())
    except (LookupError, ValueError) as exc:
        print(f"newsindex: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"{args.correct}: speaker {was or 'none'} -> {now or 'none'}")
    audit(args, "speaker", f"{args.correct}: {was!r} -> {now!r}")
    return EXIT_OK


def cmd_stats(args: argparse.Namespace) -> int:
    stats = open_searcher(args).stats()
    if args.json:
        print_json(stats)
    else:
        for key, value in stats.items():
            print(f"{key}: {value}")
    return EXIT_OK


def articles(n: int) -> str:
    return f"{n} article" if n == 1 else f"{n} articles"


def cmd_alias(args: argparse.Namespace) -> int:
    from indexer.aliases import editing, effective
    from indexer.resolution.judgements import Verdict

    if args.variant and args.variant.strip() == (args.canonical or "").strip():
        print("newsindex: alias needs two different values", file=sys.stderr)
        return EXIT_USAGE
    if args.split:
        with editing(args.index) as aliases:
            aliases.split(args.field, args.variant, args.canonical)
        print(f"{args.field}: {args.variant!r} is not {args.canonical!r}")
        audit(args, "split", f"{args.field}: {args.variant!r} is not {args.canonical!r}")
    elif args.variant:
        with editing(args.index) as aliases:
            aliases.add(args.field, args.variant, args.canonical)
        print(f"{args.field}: {args.variant!r} -> {args.canonical!r}")
        audit(args, "merge", f"{args.field}: {args.variant!r} is {args.canonical!r}")
    elif args.list or args.unlist:
        name = args.list or args.unlist
        with editing(args.index) as aliases:
            aliases.keep_listed(args.field, name, listed=bool(args.list))
        how = "listed whatever the type vote says" if args.list else "listed as the type vote says"
        print(f"{args.field}: {name!r} {how}")
        audit(args, "list" if args.list else "unlist", f"{args.field}: {name!r}")
    elif args.show:
        print_provenance(args)
    elif args.suggest or args.apply:
        if args.apply:
            from indexer.resolution.context import recompute

            recompute(open_searcher(args), args.index)
        merged, judgements = effective(args.index)
        made = offered = 0
        for j in judgements:
            joined = merged.canonical(j.field, j.variant) != j.variant
            if j.by != "auto" or j.verdict == Verdict.NEGATIVE:
                continue
            if j.verdict == Verdict.POSITIVE and joined:
                made += 1
                how = "merged"
            elif not joined:
                offered += 1
                how = "offered"
            else:
                continue
            print(f"{j.field}: {how} {j.variant!r} -> {j.canonical!r} ({j.rule})")
        print(f"{made} merged automatically, {offered} offered; "
              "`alias FIELD A B` merges, `alias --split FIELD A B` keeps two apart")
    else:
        print_json(effective(args.index)[0].to_dict())
    return EXIT_OK


def audit(args: argparse.Namespace, action: str, detail: str) -> None:
    """A line in the audit log (`newsindex audit`) for a change made from the command line."""
    from web.accounts import Accounts, cli_actor

    Accounts(args.index).record(cli_actor(), action, detail)


def print_provenance(args: argparse.Namespace) -> None:
    """The spellings behind a name, who merged each, and the merges offered."""
    from indexer.resolution.provenance import explain

    searcher = open_searcher(args)
    searcher.aliases.refresh()
    name = searcher.canonical(args.field, args.show)
    found = explain(searcher, args.field, name)
    print(name)
    for item in found["spellings"]:
        how = f"  merged by {item.by}" + (f": {item.rule}" if item.rule else "") if item.by else ""
        print(f"  {item.value!r}: {articles(item.articles)}"
              + (f", {item.quotes} quotes" if item.quotes else "") + how)
    for label, key in (("perhaps also", "suggested"), ("not the same as", "not_same")):
        for item in found[key]:
            print(f"  {label} {item.value!r}: {articles(item.articles)}")


def cmd_topics(args: argparse.Namespace) -> int:
    from indexer.backends import config_from_args, open_store
    from indexer.retopic import reapply_topics
    from indexer.topics import load_taxonomy

    taxonomy = load_taxonomy(args.index)
    if args.action == "list":
        for topic in taxonomy.topics:
            print(f"{topic.code}  {'  ' if topic.parent else ''}{topic.label}")
        for topic in taxonomy.custom.values():
            keywords = ", ".join(topic.keywords)
            how = f"query: {topic.query}" if topic.query else f"keywords: {keywords}"
            print(f"{topic.code}  {topic.label}  ({how})")
        return EXIT_OK
    if args.action == "add":
        keywords = [k.strip() for k in (args.keywords or "").split(",") if k.strip()]
        try:
            taxonomy.add_custom(args.label, keywords=keywords or None, query=args.query)
        except ValueError as exc:
            print(f"newsindex: {exc}", file=sys.stderr)
            return EXIT_USAGE
        taxonomy.save(args.index)
        audit(args, "topic add", f"{args.label!r}: {args.query or ', '.join(keywords)}")
    elif args.action == "remove":
        if not taxonomy.remove_custom(args.label):
            print(f"newsindex: no user topic {args.label!r}", file=sys.stderr)
            return EXIT_USAGE
        taxonomy.save(args.index)
        audit(args, "topic remove", repr(args.label))
    store = open_store(config_from_args(args), create=False)
    seen, rewritten = reapply_topics(store, open_searcher(args), taxonomy)
    print(f"topics re-applied to {seen} articles, {rewritten} changed")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from contextlib import nullcontext

    from indexer.backends import config_from_args, open_store

    store = open_store(config_from_args(args), create=False)
    target = open(args.output, "w", encoding="utf-8") if args.output else nullcontext(sys.stdout)  # noqa: SIM115
    with target as out:
        n = write_jsonl(store.records(), out)
    print(f"exported {n}", file=sys.stderr)
    if args.settings:
        copied = copy_settings(Path(args.index), Path(args.settings))
        print(f"settings copied to {args.settings}: {', '.join(copied) or 'none'}",
              file=sys.stderr)
    elif any((Path(args.index) / name).exists() for name in SETTINGS_FILES):
        print("newsindex: the records leave out aliases, user topics, speaker corrections, "
              "saved searches and feeds fetched; --settings DIR copies them", file=sys.stderr)
    return EXIT_OK


# What an index folder holds besides the records: restored by copying them into a new folder.
SETTINGS_FILES = ("aliases.json", "topics.json", "speakers.json", "saved.sqlite", "feeds.json",
                  "accounts.sqlite")


def copy_settings(index_dir: Path, target: Path) -> list[str]:
    """Copy an index folder's side files (SQLite through its backup API, so a server writing
    saved searches meanwhile cannot tear the copy); the names copied."""
    import shutil
    import sqlite3

    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in SETTINGS_FILES:
        source = index_dir / name
        if not source.exists():
            continue
        if name.endswith(".sqlite"):
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            dst = sqlite3.connect(target / name)
            try:
                src.backup(dst)
            finally:
                src.close()
                dst.close()
        else:
            shutil.copyfile(source, target / name)
        copied.append(name)
    return copied


def cmd_reindex(args: argparse.Namespace) -> int:
    from indexer.backends import config_from_args, open_store

    store = open_store(config_from_args(args), create=False)
    if not hasattr(store, "reindex"):
        print("newsindex: reindex is for --backend opensearch", file=sys.stderr)
        return EXIT_USAGE
    tally = Tally()
    files, raw = split_inputs(args.paths, tally)
    for path in raw:
        tally.fail(f"{path}: reindex loads annotated .jsonl records only")
    new = store.reindex(loaded_records(files, {}, tally) if args.paths else None)
    print(f"now serving {', '.join(new.values())}", flush=True)
    return EXIT_FAILED if tally.failed else EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from indexer.check import check_index, summary

    report = check_index(args.index)
    if args.json:
        print_json(report)
    else:
        print(summary(report))
        for problem in report["problems"]:
            print(problem, file=sys.stderr)
    return EXIT_OK if report["ok"] else EXIT_FAILED


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress

    from indexer.backends import config_from_args
    from web import create_app
    from web.auth import serve_refusal

    refusal = serve_refusal(args.index, args.host, args.public, args.trust_header,
                            args.trusted_proxy)
    if refusal:
        print(f"newsindex: {refusal}", file=sys.stderr)
        return EXIT_USAGE
    app = create_app({"INDEX_DIR": str(args.index), "BACKEND": config_from_args(args),
                      "READ_ONLY": args.read_only or args.public, "PUBLIC": args.public,
                      "TRUST_HEADER": args.trust_header, "TRUSTED_PROXIES": args.trusted_proxy})
    print(f"serving {args.index} on http://{args.host}:{args.port}", file=sys.stderr, flush=True)
    waitress.serve(app, host=args.host, port=args.port, threads=args.threads)
    return EXIT_OK


def cmd_users(args: argparse.Namespace) -> int:
    from web.accounts import cmd_users as users

    return users(args)


def cmd_audit(args: argparse.Namespace) -> int:
    from web.accounts import cmd_audit as audit

    return audit(args)


def build_parser() -> argparse.ArgumentParser:
    from indexer.backends import add_backend_options
    from indexer.store import default_index_dir

    parser = argparse.ArgumentParser(prog="newsindex", description=__doc__)
    parser.add_argument(
        "--index",
        type=Path,
        default=default_index_dir(),
        help="index folder (env NEWSINDEX_INDEX, default ./var/index)",
    )
    add_backend_options(parser)
    sub = parser.add_subparsers(dest="command", required=True)

    def nlp_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("paths", nargs="+", help="files or folders (recursive)")
        p.add_argument("--model", default=DEFAULT_MODEL, help="installed spaCy pipeline")
        p.add_argument("--batch-size", type=int, default=32)
        p.add_argument("--workers", type=int, default=1, help="NLP processes")
        p.add_argument("--dayfirst", action="store_true",
                       help="numeric dates are day first (03/04/2025 is 3 April)")

    p = sub.add_parser("index", help="index files or folders (and annotated .jsonl records)")
    nlp_options(p)
    p.add_argument("--commit-every", type=int,
                   help="articles per atomic commit (default 500, or 5000 when only annotated "
                        "records are loaded into Whoosh)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--no-duplicates", action="store_true",
                   help="skip near-duplicate detection (to measure its cost)")
    p.add_argument("--reannotate", action="store_true",
                   help="annotate the articles again though the index holds them unchanged "
                        "(after an upgrade, to give older articles its annotation)")
    p.set_defaults(func=cmd_index)

    p = sub.add_parser("fetch", help="fetch feeds (RSS, Atom, JSON Feed) or OPML lists: new "
                       "items' pages extracted, annotated, indexed")
    p.add_argument("sources", nargs="+", metavar="SOURCE", help="feed URL, OPML file or URL")
    p.add_argument("--every", type=interval, metavar="INTERVAL",
                   help="keep going: a run every INTERVAL (30s, 15m, 2h, 1d)")
    p.add_argument("--contact", default=os.environ.get("NEWSINDEX_CONTACT", ""),
                   help="how a site owner reaches you (URL or mailto:), sent in the User-Agent "
                   "(env NEWSINDEX_CONTACT)")
    p.add_argument("--delay", type=float, default=1.0, help="seconds between requests to a host")
    p.add_argument("--concurrency", type=int, default=4, help="pages fetched at once (one per "
                   "host)")
    p.add_argument("--timeout", type=float, default=20.0, help="seconds a request may take")
    p.add_argument("--max-mb", type=float, default=10.0, help="pages larger than this skipped")
    p.add_argument("--model", default=DEFAULT_MODEL, help="installed spaCy pipeline")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--workers", type=int, default=1, help="NLP processes")
    p.add_argument("--commit-every", type=int, default=500, help="articles per atomic commit")
    p.set_defaults(func=cmd_fetch)

    p = sub.add_parser("annotate", help="annotate files as JSON Lines, no index written")
    nlp_options(p)
    p.add_argument(
        "--shard",
        type=shard_spec,
        metavar="I/N",
        help="annotate only part I of N (by article id), to split a corpus over machines",
    )
    p.add_argument("--json", action="store_true", help="JSON Lines output (the default)")
    p.set_defaults(func=cmd_annotate)

    def search_options(p: argparse.ArgumentParser, extra: dict[str, str]) -> None:
        p.add_argument("words", nargs="*", metavar="QUERY",
                       help="the query; one that begins with - follows -- (search -- -trump)")
        p.add_argument("--query", metavar="QUERY", help="the query, as --query=-trump")
        p.add_argument("--all", dest="all_of", action="append", metavar="FILTER",
                       help="this filter's values must all match, not any one (e.g. person)")
        for name, dest in dict(SEARCH_FILTERS, **extra).items():
            flag = "--org" if name == "organization" else f"--{name}"
            p.add_argument(
                flag,
                dest=dest,
                action="append",
                metavar="VALUE",
                help=f"{name} filter (repeat to OR; prefix - to exclude)",
            )
        p.add_argument("--from", dest="date_from", metavar="DATE")
        p.add_argument("--to", dest="date_to", metavar="DATE")
        p.add_argument("--sort", choices=("relevance", "newest", "oldest"), default="relevance")
        p.add_argument("--page", type=int, default=1)
        p.add_argument("--limit", type=int, default=20, help="hits per page")
        p.add_argument("--json", action="store_true")

    p = sub.add_parser("search", help="search articles")
    search_options(p, {})
    p.add_argument("--no-collapse", action="store_true",
                   help="list every near-duplicate copy (by default one hit per group)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("quotes", help="search quotations")
    search_options(p, {"speaker": "speaker", "mentions": "mentions"})
    p.add_argument("--no-collapse", action="store_true",
                   help="list a quote in every near-duplicate copy of its article (by default "
                        "once)")
    p.add_argument("--direct", action="store_true",
                   help="direct quotations only (not quoted words inside a paraphrase)")
    p.add_argument("--min-confidence", metavar="X",
                   help="quotations whose attribution confidence is at least X (0 to 1)")
    p.add_argument("--correct", metavar="QUOTE_ID",
                   help="correct the speaker of this quotation (an id such as ARTICLE#q0) to "
                   "--speaker NAME, or --no-speaker; kept in speakers.json beside the index")
    p.add_argument("--no-speaker", action="store_true",
                   help="with --correct: the quotation has no known speaker")
    p.set_defaults(func=cmd_quotes)

    p = sub.add_parser("stats", help="counts")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser("alias", help="merge spellings: alias FIELD VARIANT CANONICAL")
    p.add_argument("field", nargs="?", choices=("person", "organization", "country"))
    p.add_argument("variant", nargs="?")
    p.add_argument("canonical", nargs="?")
    p.add_argument("--split", action="store_true",
                   help="VARIANT and CANONICAL are not the same: undo a merge and keep them apart")
    p.add_argument("--show", metavar="NAME",
                   help="the spellings merged into NAME of FIELD, with counts and who merged them")
    p.add_argument("--list", metavar="NAME",
                   help="list NAME in FIELD's facet even where the archive's type vote would "
                        "leave it out (a person or body the vote takes for a work or another type)")
    p.add_argument("--unlist", metavar="NAME", help="undo --list: the type vote decides again")
    p.add_argument("--suggest", action="store_true",
                   help="list the merges made across the archive, and those only offered")
    p.add_argument("--apply", action="store_true",
                   help="recompute the automatic merges now (every `index` run does it)")
    p.set_defaults(func=cmd_alias)

    p = sub.add_parser("topics", help="list, add or remove user topics; re-apply without NLP")
    p.add_argument("action", choices=("list", "add", "remove", "apply"))
    p.add_argument("label", nargs="?", help="topic label (add, remove)")
    p.add_argument("--keywords", help="comma-separated keywords (add)")
    p.add_argument("--query", help="a search query whose matches get the topic (add)")
    p.set_defaults(func=cmd_topics)

    p = sub.add_parser("export", help="write the annotated records as JSON Lines")
    p.add_argument("-o", "--output", help="file (default stdout)")
    p.add_argument("--settings", metavar="DIR",
                   help="also copy aliases.json, topics.json, speakers.json, saved.sqlite, "
                   "feeds.json and accounts.sqlite into DIR")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("reindex", help="OpenSearch: rebuild into new indexes, then swap aliases")
    p.add_argument("paths", nargs="*", help="annotated .jsonl records (default: the stored ones)")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("check", help="verify the index: counts, duplicates, orphan quotes")
    p.add_argument("--json", action="store_true", help="the whole report as JSON")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("serve", help="serve the web UI (waitress)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5000)
    p.add_argument("--threads", type=int, default=8)
    p.add_argument("--read-only", action="store_true",
                   help="no merges or splits of names from the web pages")
    p.add_argument("--public", action="store_true",
                   help="read-only for anyone, no login and no write route (the way to serve a "
                   "non-loopback address with no account)")
    p.add_argument("--trusted-proxy", metavar="IP", action="append", default=[],
                   help="a reverse proxy whose X-Forwarded-For/-Proto/-Host are believed")
    p.add_argument("--trust-header", metavar="HEADER",
                   help="single sign-on: the user name a --trusted-proxy sets in this header")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("users", help="accounts of a shared server; token prints a new API "
                       "token, revoke ends its token, feed URLs and sessions")
    p.add_argument("action", choices=("add", "list", "remove", "passwd", "token", "revoke"))
    p.add_argument("name", nargs="?", help="user name (all but list)")
    p.add_argument("--role", choices=("reader", "editor", "admin"), default="reader",
                   help="for add (default reader)")
    p.set_defaults(func=cmd_users)

    p = sub.add_parser("audit", help="the audit log: who changed what, and when")
    p.add_argument("--limit", type=int, default=200)
    p.add_argument("--json", action="store_true", help="JSON Lines")
    p.set_defaults(func=cmd_audit)
    return parser


FILTER_FLAGS = {"--person", "--country", "--topic", "--org", "--source", "--speaker", "--mentions",
                "--query"}  # --query -trump: a query, not an unknown option


def join_exclusions(argv: list[str]) -> list[str]:
    """Let `--country -Russia` mean an exclusion (and `--query -trump` a query) rather than an
    unknown option."""
    out: list[str] = []
    for token in argv:
        if out and out[-1] in FILTER_FLAGS and token.startswith("-") and len(token) > 1:
            out[-1] = f"{out[-1]}={token}"
        else:
            out.append(token)
    return out


def main(argv: list[str] | None = None) -> int:
    """Entry point; exit 0 ok, 1 when some inputs failed, 2 on bad usage."""
    parser = build_parser()
    args = parser.parse_args(join_exclusions(sys.argv[1:] if argv is None else argv))
    if args.command == "alias" and (args.variant or args.split) and not args.canonical:
        parser.error("alias needs FIELD VARIANT CANONICAL")
    if args.command == "alias" and args.show and not args.field:
        parser.error("alias --show NAME needs a FIELD")
    if args.command == "alias" and (args.list or args.unlist) and not args.field:
        parser.error("alias --list/--unlist NAME needs a FIELD")
    if args.command == "topics" and args.action in ("add", "remove") and not args.label:
        parser.error(f"topics {args.action} needs a LABEL")
    if args.command == "users" and args.action != "list" and not args.name:
        parser.error(f"users {args.action} needs a NAME")
    from whoosh.index import LockError

    from indexer.search import QueryError

    try:
        return args.func(args)
    except (QueryError, FileNotFoundError) as exc:
        print(f"newsindex: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (LockError, ConnectionError) as exc:  # a lock held past our wait; a cluster away
        print(f"newsindex: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        return EXIT_OK
