"""xAPI 1.0.3: the Learning Record Store's Statement data model and the rules it must enforce."""
