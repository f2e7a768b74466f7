"""xAPI 1.0.3 Learning Record Store at `/xapi/`: statements map to events through the recorder."""
