"""Install newsindex as a user does, and use it from outside the checkout.

The wheel is built from the project's own metadata and pip-installed into a fresh venv WITHOUT
constraints.txt, so pip picks the newest versions pyproject.toml allows (what `pip install .`,
`pipx install .` or a published wheel give a user). Then, from a folder that is not the checkout,
the installed command indexes one file of each input format, answers `search` and `quotes`, and
`serve` answers a search page with the CSS and script it links.

It needs PyPI (or the index pip is configured with); pip's cache spares a second run the
downloads. `pytest -m "not install"` leaves those tests out; the first two tests
(the metadata against the code's imports and constraints.txt) need no network.
"""

from __future__ import annotations

import ast
import csv
import importlib.metadata
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import ROOT

INSTALL_TIMEOUT = 1800  # a cold pip cache downloads spaCy, numpy, the model and the rest

# Only what builds the wheel is copied: building in the checkout would leave build/ behind.
NOT_COPIED = shutil.ignore_patterns(
    ".git", ".venv", "var", ".opensearch", "build", "dist", "*.egg-info", "__pycache__",
    ".pytest_cache", ".ruff_cache", "bench", "tests", "seeds", "docs",
)

# One small real article per input format. Each has a word no other one has, for searching.
TXT = """Rail line between Zagreb and Split closed by floods

Croatian Railways closed the line between Zagreb and Split on Tuesday after heavy rain flooded \
the track near Knin.

"We will not reopen the line until every bridge has been inspected," Ivana Horvat, the \
company's chief engineer, said on Tuesday.

Buses will carry passengers between the two cities in the meantime.
"""

MD = """---
title: Offshore wind farm approved off Galway
date: 2025-03-04
source: Atlantic Desk
---
# Offshore wind farm approved off Galway

Ireland's planning board approved a wind farm of forty turbines off the coast of Galway on \
Monday. The developer expects the first power to reach the grid in 2028.
"""

JSON = {
    "headline": "Kenya opens geothermal plant near Naivasha",
    "body": "Kenya opened a new geothermal power plant near Naivasha on Friday. The plant adds "
    "eighty megawatts to the national grid, the energy ministry in Nairobi said.",
    "published": "2025-05-16",
    "source": "Rift Valley Wire",
    "url": "https://example.org/kenya-geothermal",
}

JSONL = [
    {
        "title": "Chile's copper exports rise through Antofagasta",
        "text": "Copper shipments from the port of Antofagasta rose by a tenth in April, "
        "Chile's central bank said, as demand from China recovered.",
        "date": "2025-05-02",
        "source": "Andes Report",
    },
    {
        "title": "Bergen ferry operator orders electric vessels",
        "text": "A ferry operator in Bergen ordered six battery-powered vessels from a Norwegian "
        "shipyard on Wednesday, the largest such order in Norway so far.",
        "date": "2025-04-23",
        "source": "Fjord Post",
    },
]

CSV_ROWS = [
    {
        "title": "Lisbon extends tram line to Belem",
        "text": "The city of Lisbon will extend its tram line to Belem by 2027, the mayor said "
        "on Thursday, after years of complaints about traffic along the river.",
        "date": "2025-02-13",
        "source": "Tagus Daily",
    },
    {
        "title": "Kyoto museum returns scrolls to temple",
        "text": "A museum in Kyoto returned three painted scrolls to the temple that owned them "
        "before the war, Japan's culture agency said on Monday.",
        "date": "2025-01-20",
        "source": "Kansai News",
    },
]

HTML = """<!doctype html>
<html><head><title>NATO ministers meet in Brussels - Example Times</title>
<meta property="og:title" content="NATO ministers meet in Brussels">
<meta property="og:site_name" content="Example Times">
<meta property="article:published_time" content="2025-02-12T10:00:00Z">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>NATO ministers meet in Brussels</h1>
<p>Defence ministers of the NATO alliance met in Brussels on Wednesday to discuss spending and \
support for Ukraine.</p>
<p>"Europe must take the lead in its own defence," Pete Hegseth, the US defence secretary, told \
the ministers.</p>
<p>The German defence minister said his country would raise its spending again next year, and \
the ministers agreed to meet again in June.</p>
</article>
<footer>Copyright Example Times. All rights reserved.</footer>
</body></html>
"""

# query -> the title of the one article (of its format) it must find
FINDS = {
    "Knin": "Rail line between Zagreb and Split closed by floods",
    "Galway": "Offshore wind farm approved off Galway",  # the title from the front matter
    "Naivasha": JSON["headline"],
    "Antofagasta": JSONL[0]["title"],
    "Bergen": JSONL[1]["title"],
    "Belem": CSV_ROWS[0]["title"],
    "Kyoto": CSV_ROWS[1]["title"],
    "Brussels": "NATO ministers meet in Brussels",
}
ARTICLES = len(FINDS)


def write_corpus(folder: Path) -> list[Path]:
    """One file of each input format in folder; the paths."""
    folder.mkdir(parents=True)
    paths = {name: folder / name for name in
             ("rail.txt", "wind.md", "geothermal.json", "wires.jsonl", "briefs.csv", "nato.html")}
    paths["rail.txt"].write_text(TXT, encoding="utf-8")
    paths["wind.md"].write_text(MD, encoding="utf-8")
    paths["geothermal.json"].write_text(json.dumps(JSON), encoding="utf-8")
    paths["wires.jsonl"].write_text("".join(json.dumps(r) + "\n" for r in JSONL), encoding="utf-8")
    with open(paths["briefs.csv"], "w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(CSV_ROWS[0]))
        writer.writeheader()
        writer.writerows(CSV_ROWS)
    paths["nato.html"].write_text(HTML, encoding="utf-8")
    return list(paths.values())


def user_env(venv: Path | None = None) -> dict[str, str]:
    """The environment of a user's shell: nothing that points pip at constraints or Python at
    the checkout, no newsindex settings; with venv, its bin/ first on PATH."""
    env = {
        k: v for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PIP_CONSTRAINT",
                     "PIP_BUILD_CONSTRAINT", "PIP_REQUIREMENT", "PIP_USER"}
        and not k.startswith("NEWSINDEX_")
    }
    if venv is not None:
        env["VIRTUAL_ENV"] = str(venv)
        env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str],
        timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def must(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-4000:]}\nstderr:\n{result.stderr[-4000:]}"
    )
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a copy of the checkout's sources, as `pip wheel .` builds it."""
    base = tmp_path_factory.mktemp("wheel")
    src = Path(shutil.copytree(ROOT, base / "src", ignore=NOT_COPIED))
    dist = base / "dist"
    must(run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(dist),
              str(src)], cwd=base, env=user_env(), timeout=INSTALL_TIMEOUT))
    (built,) = dist.glob("newsindex-*.whl")
    return built


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Path:
    """A working folder outside the checkout, where the user runs the command."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory, elsewhere) -> Iterator[Path]:
    """A fresh venv with the wheel pip-installed from its own metadata (no constraints)."""
    folder = tmp_path_factory.mktemp("venv") / "venv"
    must(run([sys.executable, "-m", "venv", str(folder)], cwd=elsewhere, env=user_env()))
    must(run([str(folder / "bin" / "python"), "-m", "pip", "install", str(wheel)],
             cwd=elsewhere, env=user_env(folder), timeout=INSTALL_TIMEOUT))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)  # some 600 MB; pytest keeps three runs' folders


def newsindex(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return run([str(venv / "bin" / "newsindex"), *args], cwd=cwd, env=user_env(venv))


@pytest.fixture(scope="module")
def index(venv, elsewhere) -> Path:
    """The corpus indexed by the installed command; the index folder."""
    files = write_corpus(elsewhere / "corpus")
    folder = elsewhere / "index"
    result = must(newsindex(venv, elsewhere, "--index", str(folder), "index",
                            *[str(p) for p in files]))
    last = result.stdout.strip().splitlines()[-1]
    assert last == f"indexed {ARTICLES}, updated 0, unchanged 0, failed 0", result.stderr
    return folder


def declared() -> dict[str, Requirement]:
    """pyproject's dependencies by canonical name."""
    with open(ROOT / "pyproject.toml", "rb") as fh:
        project = tomllib.load(fh)["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    return {canonicalize_name(r.name): r for r in requirements}


def imported_modules(*folders: str) -> set[str]:
    """Top-level names of every module imported anywhere in the code, at any depth."""
    names = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    names.update(alias.name.partition(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names.add(node.module.partition(".")[0])
    return names


def test_every_package_the_code_imports_is_declared():
    owners = importlib.metadata.packages_distributions()
    third_party = imported_modules("indexer", "web") - set(sys.stdlib_module_names) - {
        "indexer", "web"}
    assert third_party, "no imports found"
    names = set(declared())
    missing = {m: owners.get(m) for m in third_party
               if not {canonicalize_name(d) for d in owners.get(m, [])} & names}
    assert not missing, f"imported but not in pyproject's dependencies: {missing}"


def test_lower_bounds_are_the_versions_constraints_txt_pins():
    """`make test` installs constraints.txt, so the lower bounds are what the suite tests."""
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version.strip()
    for name, requirement in declared().items():
        lower = [s.version for s in requirement.specifier if s.operator == ">="]
        assert lower, f"{requirement}: no lower bound"
        assert name in pins, f"{name} is declared but constraints.txt does not pin it"
        assert lower == [pins[name]], f"{requirement}: constraints.txt pins {pins[name]}"
        assert not [s for s in requirement.specifier if s.operator == "=="], requirement


@pytest.mark.install
def test_the_wheel_carries_data_templates_and_static_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("indexer/data", "web/templates", "web/static"):
        shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).iterdir()
                   if p.is_file()}
        assert shipped, folder
        assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"
    (entry_points,) = [n for n in names if n.endswith(".dist-info/entry_points.txt")]
    assert "newsindex = indexer.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


@pytest.mark.install
def test_the_installed_command_runs_from_any_folder(venv, elsewhere):
    python = str(venv / "bin" / "python")
    env = user_env(venv)
    where = must(run([python, "-c", "import indexer, web; print(indexer.__file__, web.__file__)"],
                     cwd=elsewhere, env=env)).stdout.split()
    site = str(venv / "lib")
    assert all(path.startswith(site) for path in where), f"not the installed copy: {where}"
    assert "index" in must(run([python, "-m", "indexer", "--help"], cwd=elsewhere, env=env)).stdout
    assert "serve" in must(newsindex(venv, elsewhere, "--help")).stdout


@pytest.mark.install
def test_every_input_format_is_indexed_and_found(venv, elsewhere, index):
    for word, title in FINDS.items():
        result = must(newsindex(venv, elsewhere, "--index", str(index), "search", word, "--json"))
        data = json.loads(result.stdout)
        assert data["total"] == 1, (word, data["hits"])
        assert data["hits"][0]["title"] == title
    everything = json.loads(must(newsindex(venv, elsewhere, "--index", str(index), "search",
                                           "--json", "--limit", "50")).stdout)
    assert everything["total"] == ARTICLES
    html_hit = json.loads(must(newsindex(venv, elsewhere, "--index", str(index), "search",
                                         "Brussels", "--json")).stdout)["hits"][0]
    assert html_hit["source"] == "Example Times" and html_hit["published"] == "2025-02-12"


@pytest.mark.install
def test_quotes_are_found_with_their_speakers(venv, elsewhere, index):
    result = must(newsindex(venv, elsewhere, "--index", str(index), "quotes", "bridge", "--json"))
    data = json.loads(result.stdout)
    assert data["total"] == 1, data["hits"]
    (hit,) = data["hits"]
    assert "every bridge has been inspected" in hit["text"]
    assert hit["speaker"] == "Ivana Horvat"
    hegseth = json.loads(must(newsindex(venv, elsewhere, "--index", str(index), "quotes",
                                        "--speaker", "Pete Hegseth", "--json")).stdout)
    assert any("take the lead" in h["text"] for h in hegseth["hits"]), hegseth["hits"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fetch(url: str) -> tuple[int, str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("Content-Type", ""), response.read()


@pytest.mark.install
def test_serve_answers_a_search_page_with_its_css_and_script(venv, elsewhere, index):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = elsewhere / "serve.log"  # a file, not a pipe no one reads while the server runs
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(venv / "bin" / "newsindex"), "--index", str(index), "serve",
             "--host", "127.0.0.1", "--port", str(port)],
            cwd=elsewhere, env=user_env(venv), stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text(encoding="utf-8", errors="replace")
            try:
                status, kind, body = fetch(f"{base}/search?q=Galway")
                break
            except (urllib.error.URLError, ConnectionError):
                assert time.monotonic() < deadline, "the server did not answer within 120 s"
                time.sleep(0.5)
        page = body.decode("utf-8")
        assert status == 200 and kind.startswith("text/html")
        assert "Galway" in page
        css = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
        js = re.findall(r'<script src="([^"]+)"', page)
        assert css and js, "the page links no stylesheet or script"
        for link, expected in [(u, "text/css") for u in css] + [(u, "javascript") for u in js]:
            status, kind, body = fetch(base + link.replace("&amp;", "&"))
            assert status == 200 and expected in kind and body.strip(), (link, status, kind)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
