"""Aide pages: an aide's own profile, the public profile, the directory, vetting, reviews."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from webapp import policy
from webapp.extensions import db
from webapp.forms import form_fields, parse_int
from webapp.links import RowLink
from webapp.marketplace import aide_services as services
from webapp.marketplace import bp, vetting
from webapp.marketplace import review_services as reviews
from webapp.marketplace.aide_forms import (
    AideProfileForm,
    DirectoryFilterForm,
    ReviewForm,
    VerificationForm,
    VettingFilterForm,
    verification_prefix,
)

FILTER_FIELDS = "marketplace/aides/_filter_fields.html"


@bp.route("/aide/profile", methods=["GET", "POST"])
@login_required
def aide_profile():
    """An aide writes what they help with, their rate and where they travel."""
    profile = services.own_profile(current_user)
    form = AideProfileForm.for_profile(profile)
    if form.validate_on_submit():
        created = profile is None
        services.save_profile(
            current_user,
            bio=form.bio.data,
            skills=form.skills.data,
            hourly_rate_cents=form.rate_cents,
            currency=form.currency.data,
            service_area=form.service_area.data,
            languages=form.languages.data,
        )
        db.session.commit()
        if created:
            flash(
                "Profile created. This is how patients see it. An administrator will verify "
                "your background check before you can book visits.",
                "success",
            )
        else:
            flash("Profile saved. This is how patients see it.", "success")
        return redirect(url_for("marketplace.aide_public", user_id=current_user.id))
    status = 422 if form.errors else 200
    page = render_template("marketplace/aides/edit_profile.html", form=form, profile=profile)
    return page, status


@bp.route("/aides/<int:user_id>")
@login_required
def aide_public(user_id: int):
    """What patients see about an aide before booking: skills, rate, reviews, reliability."""
    page = services.public_profile(user_id)
    return render_template("marketplace/aides/profile.html", page=page)


@bp.route("/aides")
@login_required
def aide_directory():
    """Verified aides, filtered by what they help with and where they travel."""
    form = DirectoryFilterForm(formdata=request.args)
    if not form.validate():
        return render_template(
            "marketplace/aides/directory.html",
            form=form,
            filter_fields=_filter_fields(form),
            result=None,
        ), 422
    filters = {"skill": form.skill.data or None, "area": form.area.data or None}
    # A page number out of range (or not a number) shows the nearest page, not an error.
    page = parse_int(request.args.get("page", "1"), low=1, high=9_999) or 1
    result = services.directory(**filters, page=page, viewer=current_user)
    return render_template(
        "marketplace/aides/directory.html",
        form=form,
        filter_fields=_filter_fields(form),
        result=result,
        filters=filters,
        profile_link=RowLink("marketplace.aide_public", "user_id"),
    )


def _filter_fields(form: DirectoryFilterForm) -> Markup:
    """The directory filter's fields, as the person left them (or with their errors); the
    unfiltered ones are drawn once per app."""
    if form.skill.data or form.area.data or form.errors:
        return form_fields(FILTER_FIELDS, DirectoryFilterForm, form)
    return form_fields(FILTER_FIELDS, DirectoryFilterForm)


def _vetting_page(
    show: str, *, status: int = 200, failed: tuple[int, VerificationForm] | None = None
):
    """The vetting list with a fresh note form per aide, or the one that failed with its errors."""
    rows = vetting.aides_for_vetting(current_user, show)
    if failed is not None and failed[0] not in {row.aide.id for row in rows}:
        if show != "all":  # the aide is filtered out: show everyone, so the error is seen
            return _vetting_page("all", status=status, failed=failed)
        abort(404)  # not an aide at all
    forms = {
        row.aide.id: VerificationForm(prefix=verification_prefix(row.aide.id), formdata=None)
        for row in rows
    }
    if failed is not None:
        forms[failed[0]] = failed[1]
    filter_form = VettingFilterForm(formdata=None, data={"show": show})
    return render_template(
        "marketplace/aides/vetting.html", rows=rows, forms=forms, filter_form=filter_form, show=show
    ), status


def _shown_filter() -> str:
    """The list the admin was looking at ("all" when the address says something unknown)."""
    form = VettingFilterForm(formdata=request.args)
    return form.show.data if form.validate() else "all"


@bp.route("/admin/aides")
@login_required
def vet_aides():
    """Admins see every aide and whether their background check is recorded."""
    if not policy.may_manage_aides(current_user):
        abort(404)
    return _vetting_page(_shown_filter())


@bp.route("/admin/aides/<int:user_id>/verify", methods=["POST"])
@login_required
def verify_aide(user_id: int):
    """Record an aide's background check, with a note saying what was checked."""
    return _record_vetting(user_id, vetting.verify_aide, "{name} is verified.")


@bp.route("/admin/aides/<int:user_id>/unverify", methods=["POST"])
@login_required
def unverify_aide(user_id: int):
    """Withdraw an aide's verification, with a note saying why."""
    return _record_vetting(
        user_id, vetting.unverify_aide, "{name} is no longer verified and cannot book visits."
    )


def _record_vetting(user_id: int, action, message: str):
    if not policy.may_manage_aides(current_user):
        abort(404)
    show = _shown_filter()
    form = VerificationForm(prefix=verification_prefix(user_id))
    if not form.validate_on_submit():
        return _vetting_page(show, status=422, failed=(user_id, form))
    profile = action(current_user, user_id, note=form.note.data)
    db.session.commit()
    flash(message.format(name=profile.user.display_name), "success")
    return redirect(url_for("marketplace.vet_aides", show=show, _anchor=f"aide-{user_id}"))


@bp.route("/visits/<int:visit_id>/review", methods=["GET", "POST"])
@login_required
def review_visit(visit_id: int):
    """The patient rates the aide after a completed visit, once."""
    visit = reviews.visit_to_review(current_user, visit_id)
    form = ReviewForm()
    if form.validate_on_submit():
        review = reviews.leave_review(
            current_user, visit_id, rating=form.rating.data, comment=form.comment.data
        )
        db.session.commit()
        aide_name = visit.aide.display_name
        flash(f"Thank you. Your review of {aide_name} is on their profile.", "success")
        return redirect(url_for("marketplace.aide_public", user_id=review.aide_id))
    status = 422 if form.errors else 200
    return render_template("marketplace/aides/review.html", visit=visit, form=form), status
