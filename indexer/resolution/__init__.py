"""Resolution across the archive: which facet values name the same person or organisation.

names.py (keys of a name), judgements.py (pairwise decisions and the canonical names they make),
archive.py (the automatic judgements, from facet value counts), context.py (their evidence from
the index, recomputed after every `index` run), provenance.py (why a name stands for what it does).
"""
