"""Mentors: a learner invites another account by link to read their progress, read-only."""
