"""The plan of a simulated day on the hotline (`hotline simulate`), as pure logic: when
calls arrive (a utility's daily curve), what each caller wants and how patient they are,
which agents work when and when they take breaks, and how long Twilio takes to speak a
prompt. No Flask, no SQLAlchemy: `ivr.day_sim` plays the plan through the webhooks."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

# Calls per hour of the local day, relative (a water utility: quiet at night, a morning
# peak when people find the tap dry, a smaller one after lunch, an evening shoulder).
HOURLY_CURVE = (1, 1, 1, 1, 1, 2, 4, 8, 12, 13, 12, 10, 8, 9, 10, 10, 9, 8, 7, 6, 5, 3, 2, 1)
# What callers want (weights): main-menu key, or a report ("4" then leak/no water).
INTENTS = {"balance": 20, "outages": 12, "order_status": 10, "agent": 30, "leak": 10,
           "no_water": 8, "hang_up": 5, "silent": 5}
MENU_KEYS = {"balance": "1", "outages": "2", "order_status": "3", "agent": "0", "leak": "4",
             "no_water": "4"}
BREAK_REASONS = ("meal", "meeting", "training", "other")
# Speaking rates of Twilio's <Say> (characters a second): Mandarin ~4.5 syllables,
# English ~15 characters (about 2.5 words).
SPEAKING_RATE = {"zh": 4.5, "en": 15.0}


@dataclass(frozen=True)
class CallerPlan:
    n: int
    at: float  # seconds after local midnight
    intent: str
    language: str  # "zh" or "en"
    known: bool  # calls from a number the directory knows
    patience: float  # seconds they will wait for a person (from asking)
    talk: float  # seconds with the agent once answered
    takes_callback: bool  # presses 1 when the callback is offered
    leaves_message: bool  # says something at the beep (else silence: an empty recording)


@dataclass(frozen=True)
class BreakPlan:
    start: float  # seconds after local midnight
    minutes: int
    reason: str


@dataclass(frozen=True)
class ShiftPlan:
    agent: int  # index into the agents
    start: float
    end: float
    breaks: tuple[BreakPlan, ...]


def arrivals(rng: random.Random, calls: int) -> list[float]:
    """`calls` arrival times (seconds after midnight, sorted) following HOURLY_CURVE."""
    hours = rng.choices(range(24), weights=HOURLY_CURVE, k=calls)
    return sorted(h * 3600 + rng.random() * 3600 for h in hours)


def callers(rng: random.Random, calls: int) -> list[CallerPlan]:
    plans = []
    for n, at in enumerate(arrivals(rng, calls)):
        intent = rng.choices(list(INTENTS), weights=list(INTENTS.values()))[0]
        plans.append(CallerPlan(
            n=n, at=at, intent=intent, language="en" if rng.random() < 0.1 else "zh",
            known=rng.random() < 0.7,
            # Some hang up during the hold prompt (under 4 s), most wait a minute or two.
            patience=2.0 + rng.expovariate(1 / 25) if rng.random() < 0.15
            else 20 + rng.expovariate(1 / 120),
            talk=max(20.0, rng.lognormvariate(4.8, 0.5)),
            takes_callback=rng.random() < 0.3, leaves_message=rng.random() < 0.75))
    return plans


def shifts(rng: random.Random, agents: int) -> list[ShiftPlan]:
    """Staggered 8-hour shifts covering 07:00-23:00 (and the night for the first agent),
    each with a 30-minute meal and a short break of another kind."""
    plans = []
    starts = (7, 8, 9, 11, 13, 15)
    for i in range(agents):
        hour = 0 if i == 0 and agents > 2 else starts[i % len(starts)]
        start = hour * 3600 + rng.uniform(0, 600)
        end = min(start + 8 * 3600, 24 * 3600 - 60)
        meal = BreakPlan(start + rng.uniform(3.5, 4.5) * 3600, 30, "meal")
        other = BreakPlan(start + rng.uniform(1.5, 2.5) * 3600, rng.choice((10, 15)),
                          rng.choice(BREAK_REASONS[1:]))
        plans.append(ShiftPlan(i, start, end, (other, meal)))
    return plans


def speaking_seconds(texts: list[tuple[str, str]]) -> float:
    """How long Twilio takes to speak these (text, language) prompts."""
    total = 0.0
    for text, language in texts:
        rate = SPEAKING_RATE["en" if language.startswith("en") else "zh"]
        total += len(text) / rate
    return total


def day_bounds(day: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight to midnight of `day`, aware."""
    start = datetime.combine(day, time(0), tzinfo=zone)
    return start, start + timedelta(days=1)


def moment(day_start: datetime, seconds: float) -> datetime:
    return day_start + timedelta(seconds=seconds)
