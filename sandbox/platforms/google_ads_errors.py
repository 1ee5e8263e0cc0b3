"""Google Ads API failures as the real service sends them: a GoogleAdsFailure in trailing metadata.

The client library's interceptor turns a failure into GoogleAdsException, except under the
INTERNAL and RESOURCE_EXHAUSTED status codes, which it raises as plain gRPC errors.
"""

import secrets
from dataclasses import dataclass
from typing import Any, NoReturn

import grpc
from google.ads.googleads.v26.errors.types.errors import (
    ErrorCode,
    ErrorDetails,
    ErrorLocation,
    GoogleAdsError,
    GoogleAdsFailure,
    QuotaErrorDetails,
)
from google.protobuf import any_pb2, duration_pb2
from google.rpc import status_pb2

FAILURE_KEY = "google.ads.googleads.v26.errors.googleadsfailure-bin"


@dataclass(frozen=True)
class AdsError:
    """One error of a failure: its oneof code (e.g. quota_error=RESOURCE_EXHAUSTED) and where."""

    kind: str
    code: str
    message: str
    operation: int | None = None
    retry_seconds: int | None = None

    def message_pb(self) -> GoogleAdsError:
        error = GoogleAdsError(error_code=ErrorCode(**{self.kind: self.code}), message=self.message)
        if self.operation is not None:
            element = ErrorLocation.FieldPathElement(field_name="operations", index=self.operation)
            error.location = ErrorLocation(field_path_elements=[element])
        if self.retry_seconds is not None:
            details = QuotaErrorDetails(
                rate_scope=QuotaErrorDetails.QuotaRateScope.DEVELOPER,
                rate_name="Requests per developer token per second",
                retry_delay=duration_pb2.Duration(seconds=self.retry_seconds),
            )
            error.details = ErrorDetails(quota_error_details=details)
        return error


class AdsAbort(Exception):
    """A request fails as a whole with these errors under this status code."""

    def __init__(self, status: grpc.StatusCode, *errors: AdsError) -> None:
        super().__init__(errors[0].message if errors else status.name)
        self.status = status
        self.errors = errors


def failure_of(errors: tuple[AdsError, ...], request_id: str) -> GoogleAdsFailure:
    """Return the GoogleAdsFailure carrying `errors`."""
    return GoogleAdsFailure(errors=[e.message_pb() for e in errors], request_id=request_id)


def abort(context: grpc.ServicerContext, error: AdsAbort) -> NoReturn:
    """End the call with the failure in trailing metadata, as Google does."""
    request_id = new_request_id()
    metadata: list[tuple[str, Any]] = [("request-id", request_id)]
    if error.errors:
        failure = failure_of(error.errors, request_id)
        metadata.insert(0, (FAILURE_KEY, GoogleAdsFailure.serialize(failure)))
    context.set_trailing_metadata(tuple(metadata))
    context.abort(error.status, str(error))
    raise AssertionError("context.abort always raises")  # pragma: no cover


def partial_failure_status(errors: list[AdsError]) -> status_pb2.Status:
    """Return the google.rpc.Status a partial-failure mutate answers with."""
    packed = any_pb2.Any()
    packed.Pack(GoogleAdsFailure.pb(failure_of(tuple(errors), new_request_id())))
    message = "Multiple errors in 'details'. First error: " + errors[0].message
    return status_pb2.Status(code=grpc.StatusCode.INVALID_ARGUMENT.value[0], message=message,
                             details=[packed])  # fmt: skip


def new_request_id() -> str:
    """Return a request id like Google's."""
    return secrets.token_urlsafe(16)


def query_error(message: str) -> AdsAbort:
    """Return the failure for an invalid GAQL query."""
    return AdsAbort(
        grpc.StatusCode.INVALID_ARGUMENT, AdsError("query_error", "QUERY_ERROR", message)
    )


def auth_error(code: str, message: str) -> AdsAbort:
    """Return an authentication failure (bad or expired token, missing developer token)."""
    return AdsAbort(
        grpc.StatusCode.UNAUTHENTICATED, AdsError("authentication_error", code, message)
    )


def permission_error(message: str) -> AdsAbort:
    """Return an authorization failure (the caller may not act on this customer)."""
    error = AdsError("authorization_error", "USER_PERMISSION_DENIED", message)
    return AdsAbort(grpc.StatusCode.PERMISSION_DENIED, error)


def quota_error(status: grpc.StatusCode, retry_seconds: int) -> AdsAbort:
    """Return a short-term quota failure that says when to retry."""
    error = AdsError("quota_error", "RESOURCE_TEMPORARILY_EXHAUSTED",
                     f"Too many requests. Retry in {retry_seconds} seconds.",
                     retry_seconds=retry_seconds)  # fmt: skip
    return AdsAbort(status, error)
