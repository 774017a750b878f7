"""Real OpenSearch nodes on loopback for tests and benches: fetched from Maven Central, cached.

`fetch()` copies the official integ-test distribution (the OpenSearch server with its transport
module, no security plugin) from Maven Central with Maven into `.opensearch/` and unpacks it once.
`Cluster(nodes=1 | 3)` starts that many nodes on free loopback ports with a small heap and relaxed
disk watermarks, waits until the cluster answers, and stops or kills nodes on request. OpenSearch
refuses to run as root, so as root each node runs as `nobody` (via setpriv).

Run by hand: `python tests/opensearch_cluster.py fetch` or `... start --nodes 3` (Ctrl-C stops).
"""

from __future__ import annotations

import argparse
import fcntl
import itertools
import json
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION = os.environ.get("NEWSINDEX_OPENSEARCH_VERSION", "2.19.6")  # the 2.x line runs on Java 17
ARTIFACT = "org.opensearch.distribution.integ-test-zip:opensearch:{version}:zip"
HOME = Path(os.environ.get("NEWSINDEX_OPENSEARCH_HOME") or ROOT / ".opensearch")
RUN_AS = "nobody"  # the unprivileged user nodes run as when we are root
_names = itertools.count(1)


class ClusterError(RuntimeError):
    """OpenSearch could not be fetched or started; the message says why."""


def fetch(version: str = VERSION, home: Path = HOME) -> Path:
    """The unpacked distribution, downloaded with Maven on first use and reused afterwards."""
    dist = home / f"opensearch-{version}"
    if (dist / ".unpacked").exists():
        return dist
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".fetch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two test runs at once fetch and unpack only once
        if not (dist / ".unpacked").exists():
            _download_and_unpack(version, home, dist)
    return dist


def _download_and_unpack(version: str, home: Path, dist: Path) -> None:
    archive = home / f"opensearch-{version}.zip"
    if not archive.exists():
        mvn = shutil.which("mvn")
        if not mvn:
            raise ClusterError("Maven (mvn) is not installed; `make opensearch` installs it")
        part = Path(tempfile.mkdtemp(prefix=".download-", dir=home))
        cmd = [
            mvn, "-q", "-B", "dependency:copy",
            f"-Dartifact={ARTIFACT.format(version=version)}",
            f"-DoutputDirectory={part}",
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, cwd=home)
        if done.returncode or not (part / archive.name).exists():
            tail = (done.stdout + done.stderr).strip().splitlines()[-5:]
            shutil.rmtree(part)
            raise ClusterError(f"mvn could not fetch {cmd[4][12:]}: {' | '.join(tail)}")
        (part / archive.name).rename(archive)  # whole or absent, never a torn zip
        shutil.rmtree(part)
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=home))
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            target = Path(zf.extract(info, tmp))
            mode = info.external_attr >> 16
            if mode and not info.is_dir():
                target.chmod((mode | 0o444) & 0o755)  # readable by the node user, never writable
    for path in tmp.rglob("*"):
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(dist, ignore_errors=True)
    (tmp / f"opensearch-{version}").rename(dist)
    shutil.rmtree(tmp)
    (dist / ".unpacked").write_text(version + "\n")


def _java_major(home: Path) -> int:
    """The major version of the java in a JDK folder (0 when it does not run)."""
    try:
        out = subprocess.run(
            [str(home / "bin" / "java"), "-version"], capture_output=True, text=True
        ).stderr
    except OSError:
        return 0
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else 0


def java_home() -> Path:
    """A Java that OpenSearch 2.x runs on (11 to 21): $JAVA_HOME, the `java` on PATH, or a
    Java 17 under /usr/lib/jvm."""
    candidates = []
    if os.environ.get("JAVA_HOME"):
        candidates.append(Path(os.environ["JAVA_HOME"]))
    if shutil.which("java"):
        candidates.append(Path(shutil.which("java")).resolve().parents[1])
    candidates += sorted(Path("/usr/lib/jvm").glob("*17*"))
    for home in candidates:
        if 11 <= _java_major(home) <= 21:
            return home
    tried = ", ".join(f"{h} ({_java_major(h) or 'none'})" for h in candidates) or "none found"
    raise ClusterError(f"OpenSearch {VERSION} needs Java 11 to 21 (`make opensearch`); {tried}")


def free_ports(count: int) -> list[int]:
    """Ports nobody listens on right now (held open together so they differ)."""
    socks = [socket.socket() for _ in range(count)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def _reachable_by_others(path: Path) -> bool:
    """Whether an unprivileged user can reach path (every parent searchable by 'others')."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents] if p.exists())


def _as_user() -> list[str]:
    """Command prefix that drops root for the node process (OpenSearch refuses root)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if not setpriv:
        raise ClusterError("running as root needs setpriv (util-linux) to start OpenSearch")
    import pwd

    user = pwd.getpwnam(RUN_AS)
    ids = [f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
    return [setpriv, *ids, "--pdeathsig=TERM"]  # set after the uid change, which clears it


def _remove_dead_runs(base: Path) -> None:
    """Delete the node folders of runs whose Python process is gone (killed before cleaning up)."""
    for run in base.glob("newsindex-test-*-*"):
        try:
            os.kill(int(run.name.split("-")[2]), 0)
        except ProcessLookupError:
            shutil.rmtree(run, ignore_errors=True)
        except (ValueError, PermissionError):
            continue  # not ours to judge, or alive under another user


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies (even by KILL)."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)


def _chown_tree(path: Path) -> None:
    if os.geteuid() == 0:
        import pwd

        user = pwd.getpwnam(RUN_AS)
        for p in [path, *path.rglob("*")]:
            os.chown(p, user.pw_uid, user.pw_gid)


@dataclass
class Node:
    """One OpenSearch process."""

    name: str
    http_port: int
    transport_port: int
    dir: Path
    process: subprocess.Popen | None = None
    killed: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def log_tail(self, lines: int = 15) -> str:
        """The end of the node's console output, for error messages."""
        path = self.dir / "console.log"
        if not path.exists():
            return "(no output)"
        text = path.read_text(errors="replace").splitlines()
        keep = [t for t in text if not t.startswith(("\tat ", "WARNING:"))]
        return "\n".join(keep[-lines:])


@dataclass
class Cluster:
    """1 to n OpenSearch nodes on loopback; a context manager that always stops them."""

    nodes: int = 1
    heap: str = "512m"
    version: str = VERSION
    home: Path = HOME
    name: str = field(default_factory=lambda: f"newsindex-test-{os.getpid()}-{next(_names)}")
    members: list[Node] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        """HTTP addresses of the nodes still running."""
        return [n.url for n in self.members if n.process and n.process.poll() is None]

    @property
    def url(self) -> str:
        return self.urls[0]

    def start(self, timeout: float = 300.0) -> Cluster:
        """Fetch if needed, start every node, wait until all joined and the cluster answers."""
        dist = fetch(self.version, self.home)
        jhome = java_home()
        prefix = _as_user()
        base = self.home / "run"
        if prefix and not _reachable_by_others(self.home):
            base = Path(tempfile.gettempdir()) / "newsindex-opensearch"
            if not _reachable_by_others(dist):
                dist = self._public_copy(dist, base)
        base.mkdir(parents=True, exist_ok=True)
        base.chmod(0o755)
        _remove_dead_runs(base)
        run = base / self.name
        shutil.rmtree(run, ignore_errors=True)
        ports = free_ports(2 * self.nodes)
        names = [f"node{i + 1}" for i in range(self.nodes)]
        seeds = ",".join(f"127.0.0.1:{ports[2 * i + 1]}" for i in range(self.nodes))
        for i, node_name in enumerate(names):
            node = Node(node_name, ports[2 * i], ports[2 * i + 1], run / node_name)
            self._prepare(node, dist)
            settings = {
                "cluster.name": self.name,
                "node.name": node_name,
                "path.data": node.dir / "data",
                "path.logs": node.dir / "logs",
                "network.host": "127.0.0.1",
                "http.port": node.http_port,
                "transport.port": node.transport_port,
                "cluster.routing.allocation.disk.threshold_enabled": "false",
                "action.destructive_requires_name": "false",
            }
            if self.nodes == 1:
                settings["discovery.type"] = "single-node"
            else:
                settings["discovery.seed_hosts"] = seeds
                settings["cluster.initial_cluster_manager_nodes"] = ",".join(names)
            env = dict(
                os.environ,
                JAVA_HOME=str(jhome),
                OPENSEARCH_PATH_CONF=str(node.dir / "config"),
                OPENSEARCH_JAVA_OPTS=f"-Xms{self.heap} -Xmx{self.heap}",
                HOME=str(node.dir),
            )
            cmd = [*prefix, str(dist / "bin" / "opensearch")]
            cmd += [f"-E{k}={v}" for k, v in settings.items()]
            with open(node.dir / "console.log", "wb") as out:
                node.process = subprocess.Popen(
                    cmd, env=env, cwd=node.dir, stdout=out, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL, start_new_session=True,
                    preexec_fn=_die_with_parent,  # no orphaned nodes if the caller is killed
                )  # fmt: skip
            self.members.append(node)
        try:
            self.wait(self.nodes, timeout)
            self._wait_for_voters(timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def _prepare(self, node: Node, dist: Path) -> None:
        """A node folder of its own: config copy (writable keystore), data, logs, absolute paths."""
        conf = node.dir / "config"
        shutil.copytree(dist / "config", conf)
        (conf / "opensearch.keystore").unlink(missing_ok=True)
        options = (conf / "jvm.options").read_text()
        options = re.sub(r"^-Xm[sx]\S+$", "", options, flags=re.M)  # heap comes from the env
        options = options.replace("file=logs/", f"file={node.dir}/logs/")
        options = options.replace("HeapDumpPath=data", f"HeapDumpPath={node.dir}/data")
        options = options.replace("ErrorFile=logs/", f"ErrorFile={node.dir}/logs/")
        (conf / "jvm.options").write_text(options)
        (node.dir / "data").mkdir()
        (node.dir / "logs").mkdir()
        (node.dir / "tmp").mkdir()
        _chown_tree(node.dir)

    @staticmethod
    def _public_copy(dist: Path, base: Path) -> Path:
        """As root in a folder others cannot enter: a copy of the distribution they can read."""
        target = base / dist.name
        if not (target / ".unpacked").exists():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(dist, target)
        return target

    def health(self, url: str | None = None, params: str = "") -> dict:
        """GET /_cluster/health from one node."""
        target = f"{url or self.url}/_cluster/health{params}"
        with urllib.request.urlopen(target, timeout=30) as resp:
            return json.load(resp)

    def wait(self, nodes: int, timeout: float = 300.0, status: str = "yellow") -> dict:
        """Block until `nodes` nodes form a cluster of at least `status`; fail with the logs."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for node in self.members:
                if node.process and node.process.poll() is not None and not node.killed:
                    raise ClusterError(
                        f"OpenSearch {node.name} exited with {node.process.returncode}:\n"
                        + node.log_tail()
                    )
            for url in self.urls:
                try:
                    return self._check(url, nodes, status)
                except (OSError, urllib.error.URLError, ValueError) as exc:
                    last = str(exc)
            time.sleep(1.0)
        logs = "\n".join(f"-- {n.name}:\n{n.log_tail()}" for n in self.members)
        raise ClusterError(f"OpenSearch did not come up in {timeout:.0f}s ({last}):\n{logs}")

    def _wait_for_voters(self, timeout: float) -> None:
        """Until every node votes, so that losing any one of them keeps a quorum."""
        deadline = time.monotonic() + timeout
        path = "/_cluster/state/metadata?filter_path=metadata.cluster_coordination"
        voters: list[str] = []
        while self.nodes > 1:
            for url in self.urls:
                try:
                    with urllib.request.urlopen(url + path, timeout=30) as resp:
                        coord = json.load(resp)["metadata"]["cluster_coordination"]
                except (OSError, ValueError, KeyError):
                    continue  # this node's HTTP is not up yet; ask another
                voters = coord.get("last_committed_config", [])
                if len(voters) == self.nodes and not any("placeholder" in v for v in voters):
                    return
                break
            if time.monotonic() > deadline:
                raise ClusterError(f"voting configuration stays at {voters}")
            time.sleep(0.5)

    def _check(self, url: str, nodes: int, status: str) -> dict:
        data = self.health(url, f"?wait_for_nodes={nodes}&wait_for_status={status}&timeout=5s")
        if data.get("timed_out"):
            raise ValueError(f"cluster {data.get('status')} with {data.get('number_of_nodes')}")
        return data

    def kill(self, index: int) -> Node:
        """SIGKILL one node, as a crash would."""
        node = self.members[index]
        node.killed = True
        if node.process and node.process.poll() is None:
            node.process.send_signal(signal.SIGKILL)
            node.process.wait(30)
        return node

    def stop(self) -> None:
        """Stop every node (TERM, then KILL after 30 s) and remove their folders."""
        for node in self.members:
            if node.process and node.process.poll() is None:
                node.process.terminate()
        for node in self.members:
            if node.process:
                try:
                    node.process.wait(30)
                except subprocess.TimeoutExpired:
                    node.process.kill()
                    node.process.wait(30)
        for node in self.members:
            shutil.rmtree(node.dir, ignore_errors=True)
        if self.members:
            shutil.rmtree(self.members[0].dir.parent, ignore_errors=True)
        self.members = []

    def __enter__(self) -> Cluster:
        return self.start() if not self.members else self

    def __exit__(self, *exc) -> None:
        self.stop()


@contextmanager
def loaded_cluster(
    records: Iterable[dict],
    nodes: int = 1,
    shards: int = 1,
    replicas: int = 0,
    heap: str = "1g",
    side_dir: Path | None = None,
) -> Iterator[tuple[object, float]]:
    """A fresh cluster holding `records`: yields (OpenSearchSearcher, load seconds), for benches."""
    from indexer.opensearch import OpenSearchSearcher, OpenSearchStore, connect

    with Cluster(nodes=nodes, heap=heap) as cluster:
        store = OpenSearchStore(
            connect(",".join(cluster.urls)),
            prefix="bench",
            shards=shards,
            replicas=replicas,
            side_dir=side_dir or cluster.members[0].dir,
        )
        cluster.wait(nodes, status="green")
        started = time.perf_counter()
        for _ in store.write(records):
            pass
        yield OpenSearchSearcher(store), time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """`fetch` the distribution, or `start` nodes until Ctrl-C (prints their URLs)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("fetch", "start"))
    parser.add_argument("--nodes", type=int, default=1)
    parser.add_argument("--heap", default="512m")
    args = parser.parse_args(argv)
    if args.command == "fetch":
        print(fetch())
        return 0

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)  # `kill` stops the nodes too, even in background
    signal.signal(signal.SIGINT, interrupt)
    with Cluster(nodes=args.nodes, heap=args.heap, name=f"newsindex-{os.getpid()}") as cluster:
        print(" ".join(cluster.urls), flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
