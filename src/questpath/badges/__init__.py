"""Open Badges 2.0: hosted assertions of unlocked achievements, published by learners' choice."""
