"""POST /stripe/webhook: Stripe tells HomeStretch what happened to payments and accounts."""

from flask import abort, current_app, jsonify, request

from webapp.database import utcnow
from webapp.extensions import csrf, db
from webapp.payments import bp, webhooks
from webapp.payments import gateway as stripe_gateway
from webapp.payments.gateway import BadSignature


@bp.route("/stripe/webhook", methods=["POST"])
@csrf.exempt
def webhook():
    """Verify the signature on the raw body, then handle the event once (no login: Stripe
    signs it). A redelivery is answered 200 and changes nothing; a bad signature is 400."""
    gateway = stripe_gateway.for_app()
    if gateway is None or not current_app.config.get("STRIPE_WEBHOOK_SECRET"):
        abort(404)
    payload = request.get_data(cache=False)
    try:
        event = gateway.construct_event(payload, request.headers.get("Stripe-Signature"))
    except BadSignature as refused:
        return jsonify(error="Bad request", message=refused.message), 400
    handled = webhooks.handle(event, utcnow())
    db.session.commit()
    return jsonify(received=True, duplicate=not handled), 200
