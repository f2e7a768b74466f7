"""An xAPI 1.0.3 Learning Record Store at /xapi: statements in, progress out."""
