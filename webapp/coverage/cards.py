"""The cards of the coverage page, one per care window, each written once as HTML.

A page lists some forty windows; drawn by the template, each card cost some forty expressions
and a dozen escapes. Here a card is one string: the text people or the routine provide (names,
what a window needs) and the times are escaped, once per card; the rest is fixed markup, ISO
dates, ids and part-of-day keys (plain words). The markup is the one the page always had.
"""

from datetime import datetime

from flask import url_for
from markupsafe import Markup, escape

from webapp.coverage.summary import Slot

#: What a covered window's second line says after its tag, by the visit's status.
_VISIT_NOTES = {"completed": " (visit done)", "checked_in": " (there now)"}
#: Stands for the cover's id in the give-back address, built once per page.
_MARK = 2_147_483_647


class Cards:
    """What every card of one page shares: who looks, the home, the forms' token and
    addresses (built once per page)."""

    def __init__(
        self,
        *,
        patient_id: int,
        patient_name: str,
        home_zone: str,
        viewer_id: int,
        now: datetime,
        csrf_token: str,
        may_cover: bool,
        may_ask: bool,
    ):
        self.now = now
        self.viewer_id = viewer_id
        self.may_cover = may_cover
        self.may_ask = may_ask
        self.csrf_field = f'<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">'
        self.cover_url = escape(url_for("coverage.cover", patient_id=patient_id))
        self.ask_url = escape(url_for("coverage.ask_an_aide", patient_id=patient_id))
        give_back = url_for("coverage.give_back", patient_id=patient_id, cover_id=_MARK)
        head, _, tail = give_back.partition(str(_MARK))
        self.give_back = (escape(head), escape(tail))
        self.at_home = f" at {escape(patient_name)}'s home, {escape(home_zone.replace('_', ' '))})"

    def _heading(self, slot: Slot) -> tuple[str, str]:
        """The card's first line, and the window's part and time (for the buttons' words)."""
        label_here = f"{escape(slot.row.window.part_label)}, {escape(slot.here)}"
        if slot.home is None:
            return f"<p><strong>{label_here}</strong></p>", label_here
        home = f' <span class="muted small">({escape(slot.home)}{self.at_home}</span>'
        return f"<p><strong>{label_here}{home}</strong></p>", label_here

    def gaps(self, slots: list[Slot]) -> Markup:
        """The gaps' cards: what they need, and "I'll do it" and "Ask an aide" while to come."""
        cards = []
        for slot in slots:
            window = slot.row.window
            heading, label_here = self._heading(slot)
            day, part = slot.day, window.part
            if window.starts_at > self.now:
                cover = ask = ""
                if self.may_cover:
                    cover = (
                        f'\n          <form method="post" action="{self.cover_url}"'
                        ' class="inline-form">\n'
                        f"            {self.csrf_field}\n"
                        f'            <input type="hidden" name="day" value="{day}">\n'
                        f'            <input type="hidden" name="part" value="{part}">\n'
                        '            <button type="submit" class="button button--small">'
                        "I'll do it"
                        f'<span class="visually-hidden"> ({label_here})</span></button>\n'
                        "          </form>\n          "
                    )
                if self.may_ask:
                    ask = (
                        '\n          <a class="button button--quiet button--small"'
                        f' href="{self.ask_url}?part={part}&amp;day={day}">Ask an aide'
                        f'<span class="visually-hidden"> for {label_here}</span></a>\n          '
                    )
                when = (
                    f'\n        <div class="actions">\n          {cover}\n          {ask}\n'
                    "        </div>\n        "
                )
            elif window.ends_at <= self.now:
                when = '\n        <p class="muted small">This window is over.</p>\n        '
            else:
                when = ""
            cards.append(
                f'\n      <li class="card slot" id="window-{day}-{part}">\n'
                f"        {heading}\n"
                '        <p><span class="tag tag--cancelled">Gap</span> nobody yet</p>\n'
                f"        <p>Needs: {escape(slot.needs)}</p>\n        {when}\n      </li>\n    "
            )
        return Markup("".join(cards))

    def covered(self, slots: list[Slot]) -> Markup:
        """The covered windows' cards: who covers each, and "Give it back" for the viewer's
        own covers still to end."""
        cards = []
        for slot in slots:
            row = slot.row
            heading, _ = self._heading(slot)
            give_back = ""
            if row.state == "aide":
                note = _VISIT_NOTES.get(row.visit.status, " (booked)")
                aide = escape(row.visit.aide_name)
                who = f'<span class="tag tag--booked">Aide</span> {aide}{note}'
            elif row.state == "family":
                mine = row.cover.member_id == self.viewer_id
                who = (
                    f'<span class="tag tag--booked">Family</span> {escape(row.cover.member_name)}'
                    + (" (you)" if mine else "")
                )
                if mine and row.window.ends_at > self.now:
                    head, tail = self.give_back
                    give_back = (
                        f'\n        <form method="post" action="{head}{int(row.cover.id)}{tail}"'
                        ' class="inline-form">\n'
                        f"          {self.csrf_field}\n"
                        '          <button type="submit" class="button button--quiet'
                        ' button--small">Give it back</button>\n'
                        "        </form>\n        "
                    )
            elif row.state == "done":
                who = '<span class="tag tag--booked">Done</span> logged as done at home'
            else:
                who = '<span class="tag tag--cancelled">Gap</span> nobody yet'
            cards.append(
                '\n      <li class="card slot">\n'
                f"        {heading}\n"
                f"        <p>{who}</p>\n"
                f"        <p>Needs: {escape(slot.needs)}</p>\n"
                f"        {give_back}\n      </li>\n    "
            )
        return Markup("".join(cards))
