"""QuestPath: a self-hosted learning-progress platform built on one event log."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("questpath")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"
