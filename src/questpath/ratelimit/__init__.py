"""Rate limits: how many requests of a kind a caller may make in a window, counted in memory,
in QuestPath's database, through the `limits` library."""
