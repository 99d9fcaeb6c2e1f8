"""Business settings: the decision threshold, the segment bands and the currency (anyone reads, admins
change)."""

from __future__ import annotations

from flask import Response

from application.commands import CurrencyChange, SegmentBands, ThresholdChange
from domain.users import Permission
from entrypoints.api import schemas
from entrypoints.api.blueprint import bp, operation
from entrypoints.api.io import answer, body
from entrypoints.api.security import allowed, caller
from entrypoints.container import current_container as container


@bp.get("/settings/threshold", endpoint="get_threshold")
@operation("getThreshold", tag="settings", ok={200: schemas.ThresholdOut})
@allowed(Permission.READ)
def threshold() -> Response:
    """Read the decision threshold"""
    return answer(schemas.ThresholdOut(threshold=container().current_threshold()().value))


@bp.put("/settings/threshold", endpoint="set_threshold")
@operation(
    "setThreshold", tag="settings", body=ThresholdChange, ok={200: schemas.ThresholdOut}, errors=(400, 415)
)
@allowed(Permission.CHANGE_THRESHOLD)
def set_threshold() -> Response:
    """Change the decision threshold (admin)

    New decisions use it; stored predictions keep the threshold they were made with.
    """
    changed = container().change_threshold()(body(ThresholdChange), caller().email)
    return answer(schemas.ThresholdOut(threshold=changed.value))


@bp.get("/settings/segments", endpoint="get_segment_rule")
@operation("getSegmentRule", tag="settings", ok={200: schemas.SegmentRuleOut})
@allowed(Permission.READ)
def segment_rule() -> Response:
    """Read the segment bands"""
    return answer(
        schemas.SegmentRuleOut.of(container().current_segment_rule()(), container().current_currency()())
    )


@bp.put("/settings/segments", endpoint="set_segment_rule")
@operation(
    "setSegmentRule", tag="settings", body=SegmentBands, ok={200: schemas.SegmentRuleOut}, errors=(400, 415)
)
@allowed(Permission.CHANGE_THRESHOLD)
def set_segment_rule() -> Response:
    """Change the segment bands (admin)"""
    changed = container().change_segment_rule()(body(SegmentBands), caller().email)
    return answer(schemas.SegmentRuleOut.of(changed, container().current_currency()()))


@bp.get("/settings/currency", endpoint="get_currency")
@operation("getCurrency", tag="settings", ok={200: schemas.CurrencyOut})
@allowed(Permission.READ)
def currency() -> Response:
    """Read the company's currency

    Every amount (baskets, sales, forecasts, segment bands) is in it; PLN unless an admin set another.
    """
    return answer(schemas.CurrencyOut.of(container().current_currency()()))


@bp.put("/settings/currency", endpoint="set_currency")
@operation(
    "setCurrency", tag="settings", body=CurrencyChange, ok={200: schemas.CurrencyOut}, errors=(400, 415)
)
@allowed(Permission.CHANGE_THRESHOLD)
def set_currency() -> Response:
    """Change the company's currency (admin)

    An ISO 4217 code (`EUR`, `USD`, ...). It says what the amounts are in: nothing is converted.
    """
    changed = container().change_currency()(body(CurrencyChange), caller().email)
    return answer(schemas.CurrencyOut.of(changed))
