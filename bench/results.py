"""What one run measured: the no-op ceiling, then each backend."""

from __future__ import annotations

from dataclasses import dataclass

from bench.export import Export
from bench.history import HistoryResult
from bench.load import Phase
from bench.profile import Profile
from bench.reads import ReadsUnderWrites
from bench.verify import Verified


@dataclass
class NoopResult:
    """Ceiling (b): the no-op app under the same clients."""

    singles: Phase
    batches: Phase
    reads: Phase  # GET at as many clients as QuestPath's concurrent reads
    read_alone: Phase  # GET from one client


@dataclass
class BackendResult:
    name: str
    version: str
    workers: int
    singles: Phase  # pattern (a): each learner posts its own events
    integration: Phase  # pattern (b): one API key posts for learners picked at random
    batches: Phase
    direct_singles: Phase
    direct_batches: Phase
    reads_own: Phase
    reads_key: Phase
    read_alone: Phase
    history: HistoryResult
    under_writes: ReadsUnderWrites
    exports: list[Export]
    raw_read: tuple[int, float]
    verified: Verified
    profile: Profile | None

    def phases(self) -> list[tuple[str, Phase]]:
        """Every measured phase with a label, in the order they ran."""
        h = self.history
        return [
            ("single events, (a) own tokens", self.singles),
            ("single events, (b) integration key", self.integration),
            ("batches", self.batches),
            ("ceiling (a), one row per transaction", self.direct_singles),
            ("ceiling (a), batch per transaction", self.direct_batches),
            ("progress reads, own tokens", self.reads_own),
            ("progress reads, integration key", self.reads_key),
            ("progress reads, one client", self.read_alone),
            ("loading the short history", h.short.phase),
            ("loading the long history", h.long.phase),
            ("single events, short and long history", h.singles.both),
            ("progress reads, short and long history", h.reads.both),
            ("progress reads, idle", self.under_writes.idle),
            ("progress reads during batches", self.under_writes.busy),
        ]
