"""Mutates the Google Ads sandbox accepts: campaign status, and budget amount, by update only.

Without partial_failure one bad operation fails the whole request and nothing changes; with
it the good operations apply, each failed one leaves an empty result, and the response's
partial_failure_error names them by operation index. validate_only checks and changes nothing.
"""

import re
from typing import TYPE_CHECKING, Any

import grpc
from google.ads.googleads.v26.services.types.campaign_budget_service import (
    MutateCampaignBudgetsResponse,
)
from google.ads.googleads.v26.services.types.campaign_service import MutateCampaignsResponse

from sandbox.platforms.google_ads_errors import AdsAbort, AdsError, partial_failure_status

if TYPE_CHECKING:
    from sandbox.platforms.google_ads import GoogleAdsPlatform

STATUS_NAMES = {2: "ENABLED", 3: "PAUSED"}
MIN_UNIT_MICROS = 10_000  # one cent: budgets in USD must be whole cents
Applied = list[dict[str, Any]]


def campaign_operations(platform: "GoogleAdsPlatform", request: Any) -> tuple[Any, Applied]:
    """Apply campaign status updates; return the response and what was applied."""
    return _operations(platform, request, _campaign_change, MutateCampaignsResponse.pb())


def budget_operations(platform: "GoogleAdsPlatform", request: Any) -> tuple[Any, Applied]:
    """Apply budget amount updates; return the response and what was applied."""
    return _operations(platform, request, _budget_change, MutateCampaignBudgetsResponse.pb())


def _operations(
    platform: "GoogleAdsPlatform", request: Any, check: Any, response_class: Any
) -> tuple[Any, Applied]:
    pb = type(request).pb(request)
    changes, errors = [], []
    for index, operation in enumerate(pb.operations):
        try:
            changes.append(check(platform, operation))
        except _OpError as error:
            errors.append(AdsError(error.kind, error.code, str(error), operation=index))
            changes.append(None)
    if errors and not pb.partial_failure:
        raise AdsAbort(grpc.StatusCode.INVALID_ARGUMENT, *errors)
    response = response_class()
    applied = [c for c in changes if c is not None]
    for change in changes:
        result = response.results.add()
        if change is not None:
            result.resource_name = change["resource_name"]
    if errors:
        response.partial_failure_error.CopyFrom(partial_failure_status(errors))
    if not pb.validate_only:
        for change in applied:
            _apply(platform, change)
    return response, applied


class _OpError(Exception):
    def __init__(self, kind: str, code: str, message: str) -> None:
        super().__init__(message)
        self.kind, self.code = kind, code


def _updated(operation: Any, allowed: set[str]) -> Any:
    if operation.WhichOneof("operation") != "update":
        raise _OpError("mutate_error", "MUTATE_NOT_ALLOWED", "The sandbox accepts updates only.")
    paths = set(operation.update_mask.paths) - {"resource_name"}
    if not paths or not paths <= allowed:
        raise _OpError("field_mask_error", "FIELD_NOT_FOUND", f"Unsupported mask: {sorted(paths)}")
    return operation.update


def _campaign_change(platform: "GoogleAdsPlatform", operation: Any) -> dict[str, Any]:
    update = _updated(operation, {"status"})
    campaign_id = _id_of(update.resource_name, platform.customer_id, "campaigns")
    if campaign_id is None or platform.brand.campaign(campaign_id) is None:
        raise _OpError("mutate_error", "RESOURCE_NOT_FOUND", "Resource was not found.")
    status = STATUS_NAMES.get(update.status)
    if status is None:
        raise _OpError(
            "request_error", "INVALID_ENUM_VALUE", "The status is not ENABLED or PAUSED."
        )
    return {"resource_name": update.resource_name, "campaign_id": campaign_id, "status": status}


def _budget_change(platform: "GoogleAdsPlatform", operation: Any) -> dict[str, Any]:
    update = _updated(operation, {"amount_micros"})
    budget_id = _id_of(update.resource_name, platform.customer_id, "campaignBudgets")
    known = {c.budget_id for c in platform.brand.campaigns}
    if budget_id is None or budget_id not in known:
        raise _OpError("mutate_error", "RESOURCE_NOT_FOUND", "Resource was not found.")
    amount = update.amount_micros
    if amount <= 0 or amount % MIN_UNIT_MICROS:
        message = "The budget must be a positive multiple of the currency's unit."
        raise _OpError("campaign_budget_error", "NON_MULTIPLE_OF_MINIMUM_CURRENCY_UNIT", message)
    return {"resource_name": update.resource_name, "budget_id": budget_id, "amount_micros": amount}


def _id_of(resource_name: str, customer_id: str, kind: str) -> int | None:
    match = re.fullmatch(rf"customers/{customer_id}/{kind}/(\d+)", resource_name)
    return int(match.group(1)) if match else None


def _apply(platform: "GoogleAdsPlatform", change: dict[str, Any]) -> None:
    if "status" in change:
        platform.live.status[change["campaign_id"]] = change["status"]
    else:
        platform.live.budget_micros[change["budget_id"]] = change["amount_micros"]
