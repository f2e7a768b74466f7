"""Opt-in leaderboards: XP by week, month and all time."""
