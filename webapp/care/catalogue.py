"""The built-in hip catalogue: seven exercise cards a physical therapist commonly assigns.

The doses here are common defaults only. A patient's routine stores the numbers their own
therapist gave them, and every card says that those numbers win.
"""

from dataclasses import dataclass, field

CATEGORIES = {
    "stretch": "Stretch",
    "strengthening": "Strengthening",
    "cold_therapy": "Cold therapy",
    "self_massage": "Self-massage",
}


@dataclass(frozen=True)
class Dosage:
    """How much of an exercise: any of sets, reps, a hold, minutes, and how often."""

    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    minutes: int | None = None
    times_per_day: int = 1
    per_side: bool = False


@dataclass(frozen=True)
class Exercise:
    """One catalogue card."""

    slug: str
    name: str
    category: str
    purpose: str
    steps: tuple[str, ...]
    cautions: tuple[str, ...]
    default: Dosage
    equipment: tuple[str, ...] = field(default_factory=tuple)
    illustration_alt: str = ""

    @property
    def category_label(self) -> str:
        return CATEGORIES[self.category]

    @property
    def illustration(self) -> str:
        """Path of the drawing under static/."""
        return f"img/exercises/{self.slug}.svg"


EXERCISES: tuple[Exercise, ...] = (
    Exercise(
        slug="thomas-stretch",
        name="Thomas stretch",
        category="stretch",
        purpose="Stretches the front of the hip (the iliopsoas and the front thigh muscle).",
        steps=(
            "Sit on the very end of a firm bed or table, then lie back.",
            "Hug one knee toward your chest with both hands and keep it there.",
            "Let the other leg hang off the edge, fully relaxed.",
            "Feel the stretch at the front of the hanging hip. Breathe slowly and hold.",
            "Lower the hugged leg with control and switch sides.",
        ),
        cautions=(
            "The helper stands at the edge and steadies the patient: the end of a bed is easy "
            "to slide off.",
            "Hold still. No bouncing.",
            "Stop at once on a sharp or pinching pain in the groin.",
        ),
        default=Dosage(reps=3, hold_seconds=30, times_per_day=2, per_side=True),
        equipment=("Firm bed or treatment table",),
        illustration_alt="A person lies on the end of a bed hugging one knee while the other "
        "leg hangs down over the edge.",
    ),
    Exercise(
        slug="runners-lunge",
        name="Runner's lunge stretch",
        category="stretch",
        purpose="Stretches the front of the hip of the back leg (half-kneeling hip-flexor "
        "stretch).",
        steps=(
            "Put a cushion on the floor and a sturdy chair beside you.",
            "Kneel on one knee on the cushion, the other foot flat on the floor in front.",
            "Hold the chair or the helper's arm for balance.",
            "Tuck your tail under and keep your chest upright.",
            "Shift your weight gently forward until the front of the back hip stretches. Hold.",
            "Come back up slowly and switch sides.",
        ),
        cautions=(
            "Always pad the knee on the floor.",
            "Keep a hand on the chair or the helper's arm the whole time.",
            "Skip this one if kneeling is not safe for the patient today.",
        ),
        default=Dosage(reps=3, hold_seconds=30, times_per_day=2, per_side=True),
        equipment=("Cushion or folded towel", "Sturdy chair"),
        illustration_alt="A person half-kneels on a cushion, one hand on a chair, leaning the "
        "hips gently forward.",
    ),
    Exercise(
        slug="straight-leg-raise",
        name="Straight-leg raise",
        category="strengthening",
        purpose="Strengthens the hip flexors and the front thigh for lifting the leg.",
        steps=(
            "Lie on your back. Bend one knee and put that foot flat on the bed.",
            "Keep the other leg straight and tighten its thigh muscle.",
            "Lift the straight leg to the height of the bent knee.",
            "Hold for a moment.",
            "Lower it slowly, all the way down.",
        ),
        cautions=(
            "Keep the lower back flat against the bed.",
            "Stop if the lift brings on hip or groin pain.",
        ),
        default=Dosage(sets=3, reps=10, times_per_day=1, per_side=True),
        equipment=("Bed or mat",),
        illustration_alt="A person lies on their back with one knee bent and lifts the other, "
        "straight leg.",
    ),
    Exercise(
        slug="standing-resisted-march",
        name="Standing resisted march",
        category="strengthening",
        purpose="Strengthens the hip flexors against a band and trains balance.",
        steps=(
            "Stand at a kitchen counter or behind a sturdy chair and hold on.",
            "Loop a resistance band around both thighs just above the knees.",
            "Lift one knee toward hip height against the band.",
            "Lower the foot with control.",
            "Lift the other knee. Keep alternating.",
        ),
        cautions=(
            "The helper stands on the patient's weaker side.",
            "Start with the lightest band.",
            "Stop on pain.",
        ),
        default=Dosage(sets=2, reps=10, times_per_day=1, per_side=True),
        equipment=("Light resistance band", "Counter or sturdy chair"),
        illustration_alt="A person holds the back of a chair and lifts one knee against a band "
        "looped around both thighs.",
    ),
    Exercise(
        slug="psoas-march-band",
        name="Psoas march with a band",
        category="strengthening",
        purpose="Strengthens the iliopsoas itself.",
        steps=(
            "Lie on your back. Lift both legs so hips and knees are bent at right angles.",
            "Put a resistance band around both feet.",
            "Slowly push one leg out straight against the band. The other leg stays still.",
            "Bring it back slowly.",
            "Switch legs. Keep alternating.",
        ),
        cautions=(
            "Keep the lower back pressed into the bed or mat.",
            "Slow and controlled: no kicking.",
        ),
        default=Dosage(sets=2, reps=10, times_per_day=1, per_side=True),
        equipment=("Light resistance band", "Bed or mat"),
        illustration_alt="A person lies on their back with both knees bent in the air and a "
        "band around the feet, straightening one leg.",
    ),
    Exercise(
        slug="cold-pack",
        name="Cold pack on the front of the hip",
        category="cold_therapy",
        purpose="Eases pain and swelling at the front of the hip. Cold narrows the blood "
        "vessels, which calms inflammation.",
        steps=(
            "Wrap the cold pack in a thin cloth or towel.",
            "Help the patient lie down comfortably.",
            "Rest the wrapped pack on the sore spot at the front of the hip.",
            "Set a timer. Check the skin halfway through.",
            "Take the pack off when the timer ends and check the skin again.",
        ),
        cautions=(
            "Never put the pack directly on the skin: always a cloth in between.",
            "15 to 20 minutes at a time, no longer.",
            "Do not use it where the patient has poor feeling or poor circulation.",
            "Stop if the skin turns white, blotchy or numb.",
        ),
        default=Dosage(minutes=20, times_per_day=4),
        equipment=("Cold pack", "Thin cloth or towel", "Timer"),
        illustration_alt="A person lies on their back with a cold pack wrapped in a cloth on "
        "the front of the hip.",
    ),
    Exercise(
        slug="tennis-ball-massage",
        name="Tennis-ball self-massage",
        category="self_massage",
        purpose="Releases tight spots and knots around the hip, buttock and upper thigh.",
        steps=(
            "Lie or lean against a wall with a tennis ball under a tight spot.",
            "Let your body weight press gently into the ball.",
            "When you find a tender spot, stay on it and breathe until it eases.",
            "Roll a little to the next spot.",
        ),
        cautions=(
            "Moderate pressure only: it may be tender, never sharp.",
            "Never on a pulse, a bone or the inner groin.",
            "Stop on numbness, tingling or sharp pain.",
        ),
        default=Dosage(hold_seconds=45, minutes=5, times_per_day=2),
        equipment=("Tennis ball", "Mat or wall"),
        illustration_alt="A person lies on their side with a tennis ball under the outer hip.",
    ),
)

BY_SLUG: dict[str, Exercise] = {exercise.slug: exercise for exercise in EXERCISES}
SLUGS: tuple[str, ...] = tuple(BY_SLUG)


def get_exercise(slug: str) -> Exercise | None:
    """The catalogue card with this slug, or None."""
    return BY_SLUG.get(slug)


#: The activities the seed says to avoid during recovery, with a tip for the helper.
DEFAULT_PRECAUTIONS: tuple[tuple[str, str, str], ...] = (
    ("running", "Running", "No running or jogging, even for a bus."),
    (
        "excessive-walking",
        "Excessive walking",
        "Keep walks short; no long walks or shopping trips on foot.",
    ),
    (
        "prolonged-sitting",
        "Prolonged sitting",
        "Break up long sitting: stand up and move gently every 30 minutes or so.",
    ),
    ("stairs", "Going up and down stairs", "Use the lift or stay on one floor where possible."),
    ("slopes", "Walking up and down slopes", "Choose flat routes; avoid ramps and hills."),
)
