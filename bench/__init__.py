"""QuestPath's benchmark: ingest, progress reads and export memory, each against a ceiling.

Run it from the repository root with `.venv/bin/python -m bench` (`--help` lists the sizes);
the results page is docs/benchmarks.md.
"""
