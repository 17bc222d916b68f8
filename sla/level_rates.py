"""The rates derived from call counts (R1, R2), shared by stored intervals and summaries."""

from __future__ import annotations


class LevelRates:
    """Mixin: needs `offered`, `answered`, `answered_in_threshold`, `abandoned` and
    `wait_seconds_total`."""

    @property
    def service_level(self) -> float | None:
        return self.answered_in_threshold / self.offered if self.offered else None

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.offered if self.offered else None

    @property
    def average_wait_seconds(self) -> float | None:
        counted = self.answered + self.abandoned
        return self.wait_seconds_total / counted if counted else None
