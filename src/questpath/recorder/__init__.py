"""The recorder: the one way events enter the log, above the domains it combines.

`core.EventRecorder` records inside a caller's transaction (item changes, quizzes, reviews,
goals); `group.GroupCommit` records the event API's submissions from concurrent requests
together, one transaction per group.
"""
