"""A learner's full export, streamed as one download from the API and from the history page:
JSON with the whole account (enough to rebuild it, no secrets), or CSV with one row per event."""
