"""A learner's full export, JSON or CSV: progress, achievements, quizzes and every event, streamed
as one download from the API and from the history page."""
