"""Progress sharing: a learner's public progress page behind a revocable link, an optional
public profile under a handle, and an SVG badge of rank and streak for a README."""
