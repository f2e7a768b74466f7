"""Progress: what the event log adds up to. XP, level, rank, streaks, achievements and skill
levels, kept as projections of the log and read back by the API and the pages."""
