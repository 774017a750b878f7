"""A `kill -9` at any moment of indexing loses no finished commit, and a re-run completes the rest.

The indexer (the real `newsindex index`, in a forked child so that no run pays for interpreter
start-up) loads annotated-record JSON Lines of 40 seed articles (no NLP, so runs are short) and
commits every two articles; the test waits for a random commit generation, sleeps a random
fraction of a commit (seeded), then kills the child with SIGKILL. Commits go in input order, so
after every kill the index must hold whole batches only: each article once, its quotes all
there, and the new articles a batch-sized prefix of what the run had to do.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import time
from pathlib import Path

import pytest
from whoosh.index import exists_in

from indexer.check import check_index
from indexer.cli import main
from tests.reliability import annotated_records, revised, run, save_records, stored

COMMIT_EVERY = 2
KILLS_PER_PHASE = 12  # two phases: fresh articles, then updates of all of them
TOC = re.compile(r"^_MAIN_(\d+)\.toc$")


@pytest.fixture(scope="module")
def versions(nlp, tmp_path_factory) -> tuple[list[dict], Path, list[dict], Path]:
    """Version 1 of 40 annotated seed articles and version 2 (new text, a quote fewer)."""
    folder = tmp_path_factory.mktemp("crash-input")
    v1 = annotated_records(nlp, 40)
    v2 = revised(v1)
    return v1, save_records(folder / "v1.jsonl", v1), v2, save_records(folder / "v2.jsonl", v2)


def generation(index: Path) -> int:
    """The newest committed generation on disk (-1 before the first TOC)."""
    try:
        names = os.listdir(index)
    except FileNotFoundError:
        return -1
    found = [int(m.group(1)) for m in map(TOC.match, names) if m]
    return max(found, default=-1)


def fork_indexer(argv: list[str]) -> int:
    """`newsindex ARGV` in a forked child process (no interpreter start-up per run); its pid."""
    pid = os.fork()
    if pid == 0:  # the child: run the real command line, never return into pytest
        code = 70
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            code = main(argv)
        finally:
            os._exit(code)
    return pid


def index_and_kill(index: Path, source: Path, rng: random.Random) -> bool:
    """Start an indexer, kill -9 it a random time after a random number of commits.

    Returns whether the kill landed (False when the run had already finished).
    """
    target = generation(index) + rng.randint(0, 4)
    pid = fork_indexer(
        ["--index", str(index), "index", str(source), "--commit-every", str(COMMIT_EVERY),
         "--quiet"]
    )
    deadline = time.monotonic() + 60
    while generation(index) < target and time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return False
        time.sleep(0.002)
    time.sleep(rng.uniform(0, 0.15))
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    if os.WIFEXITED(status):
        assert os.WEXITSTATUS(status) == 0, "the indexer failed"
        return False
    assert os.WTERMSIG(status) == signal.SIGKILL
    return True


def assert_sound(index: Path) -> dict[str, dict]:
    """The index opens and holds each article once, with all its quotes; returns its records."""
    if not exists_in(index):  # killed before its first commit, or not started yet
        return {}
    report = check_index(index)
    assert report["ok"], report["problems"]
    assert not report["writer_active"]
    return stored(index)


def assert_whole_batches(done: list[str], before: set[str], now: set[str]) -> None:
    """What a run added is a prefix of its to-do list, in whole batches (or the whole list)."""
    todo = [i for i in done if i not in before]
    added = now - before
    assert added == set(todo[: len(added)]), "a commit landed out of order or partly"
    assert len(added) % COMMIT_EVERY == 0 or len(added) == len(todo), len(added)


def kill_repeatedly(
    index: Path, source: Path, order: list[str], is_new, reset, rng: random.Random,
    updating: bool = False,
) -> int:
    """Kill indexers of `source` until enough kills, checking the index after each one."""
    kills = runs = 0
    while kills < KILLS_PER_PHASE:
        runs += 1
        assert runs < 4 * KILLS_PER_PHASE, "the indexer kept finishing before it could be killed"
        before = {i for i, r in assert_sound(index).items() if is_new(r)}
        killed = index_and_kill(index, source, rng)
        held = assert_sound(index)
        now = {i for i, r in held.items() if is_new(r)}
        assert set(held) == set(order) if updating else set(held) <= set(order)
        assert_whole_batches(order, before, now)
        kills += killed
        if len(now) == len(order):  # nothing left to interrupt: start the phase over
            reset()
    return kills


def test_kill_9_loses_no_finished_commit_and_a_rerun_completes(tmp_path, versions):
    v1, v1_file, v2, v2_file = versions
    order = [r["id"] for r in v1]
    index = tmp_path / "index"
    rng = random.Random(20250212)

    def index_all(source: Path) -> dict[str, dict]:
        done = run(index, "index", str(source), "--commit-every", str(COMMIT_EVERY), "--quiet")
        assert done.returncode == 0, done.stderr
        assert check_index(index)["leftovers"] == []
        return assert_sound(index)

    kills = kill_repeatedly(
        index, v1_file, order, lambda r: True, lambda: shutil.rmtree(index), rng
    )
    assert index_all(v1_file) == {r["id"]: r for r in v1}

    def updated(record: dict) -> bool:
        return record["body"].endswith("(Updated.)")

    kills += kill_repeatedly(
        index, v2_file, order, updated, lambda: index_all(v1_file), rng, updating=True
    )
    assert index_all(v2_file) == {r["id"]: r for r in v2}
    assert kills >= 2 * KILLS_PER_PHASE


def writer_processes(pid: int) -> list[int]:
    """The live (not zombie) child processes of a process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, ppid = stat.rsplit(")", 1)[1].split()[:2]
        if int(ppid) == pid and state != "Z":
            found.append(int(entry))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_kill_9_during_a_parallel_load_kills_its_writers_and_shows_nothing(tmp_path, versions):
    """A load written by several processes, its parent killed while they write: they die too,
    the index shows none of the batch, and the next run loads it all and leaves no file over."""
    from indexer import store
    from indexer.store import Store

    v1 = versions[0]
    many = [dict(r, id=f"{r['id']}-{n}") for n in range(5) for r in v1]
    source = save_records(tmp_path / "many.jsonl", many)
    index = tmp_path / "index"
    pid = os.fork()
    if pid == 0:  # the indexer: any batch of 20 or more written by three processes
        code = 70
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            Store.parallel_min, Store.write_workers = 20, 3
            indexer, add_records = os.getpid(), store.add_records

            def slow_in_writers(*args):  # a writer outliving its parent would show
                if os.getpid() != indexer:
                    time.sleep(60)
                add_records(*args)

            store.add_records = slow_in_writers
            code = main(["--index", str(index), "index", str(source), "--quiet"])
        finally:
            os._exit(code)
    deadline = time.monotonic() + 60
    while len(writers := writer_processes(pid)) < 2:
        assert os.waitpid(pid, os.WNOHANG) == (0, 0), "the load ended before its writers started"
        assert time.monotonic() < deadline
        time.sleep(0.001)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    deadline = time.monotonic() + 10
    while any(alive(w) for w in writers):
        assert time.monotonic() < deadline, "a writer outlived the run that started it"
        time.sleep(0.01)
    assert assert_sound(index) == {}
    done = run(index, "index", str(source), "--quiet")
    assert done.returncode == 0, done.stderr
    assert "indexed 200," in done.stdout
    report = check_index(index)
    assert report["articles"] == 200 and report["leftovers"] == [], report
    assert assert_sound(index) == {r["id"]: r for r in many}
