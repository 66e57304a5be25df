"""The demo caseload as data: who each demo person is and how their weeks go.

A peer worker's caseload of 25 people, each with a story told by curves of their
answers over the weeks (server/checkins/demo.py turns them into check-ins): some steady,
some slowly improving, a few whose trust in the peer worker falls, two with good news,
one who needs a call today, some gone quiet, one who keeps everything private and one
who has just joined. Levels are on the check-in's 0-10 scales, WHO-5 item level 0-5 and
the ONS loneliness code 0-4 (4 is "often/always").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Kind = Literal[
    "steady",
    "improving",
    "struggling",
    "trust_dropping",
    "hope_rising",
    "urgent",
    "quiet",
    "private_only",
    "new",
]


@dataclass(frozen=True)
class Curve:
    """A level that holds at ``start`` until week ``turn``, then moves evenly to ``end``."""

    start: float
    end: float
    turn: int = 0

    def at(self, week: int, weeks: int) -> float:
        """The level in ``week`` of ``weeks`` (before any week-to-week wobble)."""
        moved = max(week - self.turn, 0)
        return self.start + (self.end - self.start) * moved / max(weeks - 1 - self.turn, 1)


def flat(level: float) -> Curve:
    """A level that stays put."""
    return Curve(level, level)


@dataclass(frozen=True)
class Story:
    """One demo person and how their answers move over ``weeks`` weekly check-in slots."""

    username: str
    display_name: str
    kind: Kind
    weeks: int  # slots from the first check-in up to the demo's anchor
    trust: Curve
    hope: Curve
    connection: Curve
    wellbeing: Curve  # WHO-5 item level, 0-5
    share_rate: float = 0.9
    skip_rate: float = 0.05  # weeks with no check-in at all
    no_contact_rate: float = 0.1  # weeks without meeting the peer worker: trust is "na"
    wobble: float = 0.8  # week-to-week noise around the 0-10 curves
    wellbeing_wobble: float = 0.3  # and around wellbeing (0-5) and loneliness (0-4)
    item_noise: float = 0.5  # how far one item's answer strays from its domain's level
    loneliness: Curve | None = None  # ONS code 0-4, asked every fourth week
    notes: Mapping[int, str] | None = None  # by week; None: now and then a common note
    quiet_weeks: int = 0  # the last weeks without a shared check-in
    private_when_quiet: bool = False  # checks in during the quiet weeks, but keeps them private
    urgent: bool = False  # the latest check-in, a day ago, is every answer at its worst
    research_consent: bool = False
    # The first check-in and the last shared one met the peer worker and are shared, so
    # baselines and latest values say what the story says.
    pin_ends: bool = True


URGENT_NOTE = "Rough week. Not sleeping, feel like giving up."

STORIES: tuple[Story, ...] = (
    # The original three: Alex improves, Bea holds steady with ups and downs, Cal drifts
    # lower and checks in less often. Their answers predate pinning and the gentler noise
    # the others have, and stay exactly as they were.
    Story(
        "demo-alex", "Alex", "improving", weeks=12,
        trust=Curve(6, 9), hope=Curve(3, 7.5), connection=Curve(3, 7), wellbeing=Curve(1.5, 3.8),
        share_rate=0.85, skip_rate=0.05, no_contact_rate=0.1, research_consent=True,
        wellbeing_wobble=0.8, item_noise=1, pin_ends=False,
    ),
    Story(
        "demo-bea", "Bea", "steady", weeks=10,
        trust=Curve(5, 7), hope=Curve(5, 5.5), connection=Curve(5, 6), wellbeing=Curve(2.6, 2.9),
        share_rate=0.5, skip_rate=0.1, no_contact_rate=0.25, research_consent=True,
        wellbeing_wobble=0.8, item_noise=1, pin_ends=False,
    ),
    Story(
        "demo-cal", "Cal", "struggling", weeks=9,
        trust=Curve(6, 5), hope=Curve(6, 3), connection=Curve(5, 2.5), wellbeing=Curve(3.0, 1.4),
        share_rate=0.25, skip_rate=0.3, no_contact_rate=0.2,
        wellbeing_wobble=0.8, item_noise=1, pin_ends=False,
    ),
    # Steady: weekly, answers around the same values.
    Story(
        "demo-dee", "Dee", "steady", weeks=12,
        trust=flat(8), hope=flat(6), connection=flat(6), wellbeing=flat(3.2),
        wobble=0.6, loneliness=flat(1), research_consent=True,
    ),
    Story(
        "demo-gus", "Gus", "steady", weeks=11,
        trust=flat(7), hope=flat(5), connection=flat(4.5), wellbeing=flat(2.6),
        share_rate=0.85, skip_rate=0.1, wobble=0.6, loneliness=flat(2), research_consent=True,
    ),
    Story(
        "demo-lou", "Lou", "steady", weeks=12,
        trust=flat(9), hope=flat(7), connection=flat(7.5), wellbeing=flat(3.6),
        share_rate=0.95, wobble=0.6, research_consent=True,
        notes={3: "Choir again on Thursday, love it.", 9: "Same as usual, which is good."},
    ),
    Story(
        "demo-pat", "Pat", "steady", weeks=10,
        trust=flat(6.5), hope=flat(4.5), connection=flat(5), wellbeing=flat(2.4),
        share_rate=0.8, no_contact_rate=0.2, wobble=0.6, research_consent=True,
    ),
    Story(
        "demo-uma", "Uma", "steady", weeks=12,
        trust=flat(8), hope=flat(6.5), connection=flat(5.5), wellbeing=flat(3.0),
        wobble=0.6, research_consent=True, notes={6: "Quiet week. Did the crossword with Mum."},
    ),
    Story(
        "demo-yas", "Yas", "steady", weeks=9,
        trust=flat(7.5), hope=flat(5.5), connection=flat(6.5), wellbeing=flat(3.4),
        wobble=0.6, research_consent=True,
    ),
    # Improving slowly: hope and wellbeing creep up.
    Story(
        "demo-eli", "Eli", "improving", weeks=12,
        trust=Curve(7, 8), hope=Curve(4, 6.5), connection=Curve(4, 5.5), wellbeing=Curve(2, 3.2),
        research_consent=True,
        notes={4: "Started the gardening group.", 9: "Sleeping a bit better."},
    ),
    Story(
        "demo-hana", "Hana", "improving", weeks=11,
        trust=Curve(6, 7.5), hope=Curve(3.5, 6), connection=Curve(3, 5), wellbeing=Curve(1.8, 3),
        loneliness=Curve(3, 2), research_consent=True,
    ),
    Story(
        "demo-omar", "Omar", "improving", weeks=12,
        trust=flat(8), hope=Curve(5, 7), connection=Curve(4.5, 6), wellbeing=Curve(2.4, 3.4),
        research_consent=True, notes={7: "Went to my cousin's for dinner, first time in ages."},
    ),
    Story(
        "demo-tom", "Tom", "improving", weeks=10,
        trust=Curve(7, 8), hope=Curve(4, 6), connection=Curve(5, 6), wellbeing=Curve(2.2, 3.1),
        share_rate=0.75, skip_rate=0.15,
    ),
    # Trust in the peer worker falls over the last weeks; the rest holds.
    Story(
        "demo-ivy", "Ivy", "trust_dropping", weeks=12,
        trust=Curve(8.5, 2.5, turn=7), hope=flat(6), connection=flat(5.5), wellbeing=flat(3),
        no_contact_rate=0.05, research_consent=True,
        notes={8: "Our session got cancelled again.", 11: "Don't feel listened to lately."},
    ),
    Story(
        "demo-kit", "Kit", "trust_dropping", weeks=10,
        trust=Curve(9, 2.5, turn=5), hope=flat(5.5), connection=flat(6), wellbeing=flat(2.8),
        no_contact_rate=0.05, notes={9: "Felt judged at our last meeting."},
    ),
    Story(
        "demo-sam", "Sam", "trust_dropping", weeks=11,
        trust=Curve(8.5, 3, turn=6), hope=flat(5), connection=flat(4.5), wellbeing=flat(2.5),
        no_contact_rate=0.05, notes={8: "Not sure this is helping."},
    ),
    # Good news: hope rises a lot.
    Story(
        "demo-jay", "Jay", "hope_rising", weeks=12,
        trust=flat(8), hope=Curve(2.5, 8.5, turn=3), connection=Curve(4, 6),
        wellbeing=Curve(1.8, 3.4), research_consent=True,
        notes={6: "Got the flat! Moving in next month.", 10: "New place feels like home."},
    ),
    Story(
        "demo-rosa", "Rosa", "hope_rising", weeks=11,
        trust=flat(7.5), hope=Curve(3, 8.5, turn=2), connection=Curve(3.5, 6.5),
        wellbeing=Curve(2, 3.5), research_consent=True,
        notes={5: "Started volunteering at the café.", 9: "They asked me to do two days a week!"},
    ),
    # Needs a call today: the latest shared check-in is every answer at its worst.
    Story(
        "demo-fin", "Fin", "urgent", weeks=10,
        trust=flat(7), hope=Curve(5, 3, turn=5), connection=Curve(4.5, 2.5, turn=5),
        wellbeing=Curve(2.6, 1.4, turn=5), loneliness=Curve(2, 3.5, turn=5), urgent=True,
        notes={7: "Lost my job at the warehouse."},
    ),
    # Gone quiet: the last shared check-in was 3 to 6 weeks ago.
    Story(
        "demo-mo", "Mo", "quiet", weeks=12,
        trust=flat(7), hope=flat(5), connection=flat(5), wellbeing=flat(2.8),
        quiet_weeks=3, notes={8: "Busy with the kids, half term."},
    ),
    Story(
        "demo-nia", "Nia", "quiet", weeks=11,
        trust=flat(6.5), hope=Curve(5, 4), connection=Curve(5, 3.5), wellbeing=Curve(2.4, 2),
        loneliness=Curve(2, 3), quiet_weeks=4,
    ),
    Story(
        "demo-quinn", "Quinn", "quiet", weeks=12,
        trust=flat(7.5), hope=flat(5.5), connection=flat(5), wellbeing=flat(3),
        share_rate=0.8, quiet_weeks=5,
    ),
    Story(
        "demo-vic", "Vic", "quiet", weeks=12,
        trust=Curve(7, 6), hope=flat(5), connection=flat(5), wellbeing=flat(2.8),
        quiet_weeks=5, private_when_quiet=True,
        notes={6: "Want to keep things to myself for a bit."},
    ),
    # Joined three weeks ago and keeps every check-in private so far.
    Story(
        "demo-wren", "Wren", "private_only", weeks=3,
        trust=flat(6), hope=flat(4), connection=flat(3.5), wellbeing=flat(2),
        share_rate=0.0,
    ),
    # Brand new: one shared check-in.
    Story(
        "demo-zac", "Zac", "new", weeks=1,
        trust=flat(6), hope=flat(5), connection=flat(4), wellbeing=flat(2.5),
        notes={0: "First go at this. Bit nervous."},
    ),
)  # fmt: skip

STORY_OF = {story.username: story for story in STORIES}
