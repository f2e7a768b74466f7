"""The learner's home in the browser: the dashboard, achievements and the activity log form,
which bring together progress, tracks, quizzes and goals."""
