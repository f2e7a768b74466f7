"""Cohorts: groups of learners (a class, a team) who join by an invite link and see the group's
leaderboard and progress together."""
