"""What the API answers: one pydantic model per response body, read from the use cases' results.

Request bodies and queries are the application's commands (application/commands.py); these models
describe only what goes out, one module per resource, and the OpenAPI document is generated from both.
A model is named for the object it answers with, ending in `Out`, and is read from that object's
attributes; a classmethod builds it only where a value is computed: links, renamed or derived fields.
"""

from entrypoints.api.schemas.activity import SnapshotListOut, SnapshotOut
from entrypoints.api.schemas.base import Schema
from entrypoints.api.schemas.clients import (
    ClientDetailOut,
    ClientLinksOut,
    ClientOut,
    ClientPageOut,
    ClientSummaryOut,
    PageLinksOut,
)
from entrypoints.api.schemas.dashboard import DashboardOut, MonthlySalesOut, SalesTrendOut, SegmentCountsOut
from entrypoints.api.schemas.jobs import JobListOut, JobOut
from entrypoints.api.schemas.lifetime import LifetimeModelOut, LifetimeOut
from entrypoints.api.schemas.models import (
    ComparisonStartedOut,
    EvaluationOut,
    ModelRunListOut,
    ModelRunOut,
    PerformanceOut,
    PurchaseCalibrationOut,
    ThresholdAdviceOut,
    TrainingStartedOut,
)
from entrypoints.api.schemas.predictions import (
    FeatureReasonOut,
    PastPredictionOut,
    PredictionHistoryOut,
    PredictionOut,
    PurchasePredictionOut,
    ReasonsOut,
    SalesForecastOut,
    WhatIfOut,
)
from entrypoints.api.schemas.problems import FieldProblem, Params, Problem
from entrypoints.api.schemas.settings import CurrencyOut, SegmentBandOut, SegmentRuleOut, ThresholdOut
from entrypoints.api.schemas.tokens import IssuedTokenOut, TokenListOut, TokenOut
from entrypoints.api.schemas.transfers import CsvUpload, ImportReportOut, OrdersUpload, UpsertUpload
from entrypoints.api.schemas.users import UserListOut, UserOut

__all__ = [
    "ClientDetailOut",
    "ClientLinksOut",
    "ClientOut",
    "ClientPageOut",
    "ClientSummaryOut",
    "ComparisonStartedOut",
    "CsvUpload",
    "CurrencyOut",
    "DashboardOut",
    "EvaluationOut",
    "FeatureReasonOut",
    "FieldProblem",
    "ImportReportOut",
    "IssuedTokenOut",
    "JobListOut",
    "JobOut",
    "LifetimeModelOut",
    "LifetimeOut",
    "ModelRunListOut",
    "ModelRunOut",
    "MonthlySalesOut",
    "OrdersUpload",
    "PageLinksOut",
    "Params",
    "PastPredictionOut",
    "PerformanceOut",
    "PredictionHistoryOut",
    "PredictionOut",
    "Problem",
    "PurchaseCalibrationOut",
    "PurchasePredictionOut",
    "ReasonsOut",
    "SalesForecastOut",
    "SalesTrendOut",
    "Schema",
    "SegmentBandOut",
    "SegmentCountsOut",
    "SegmentRuleOut",
    "SnapshotListOut",
    "SnapshotOut",
    "ThresholdAdviceOut",
    "ThresholdOut",
    "TokenListOut",
    "TokenOut",
    "TrainingStartedOut",
    "UpsertUpload",
    "UserListOut",
    "UserOut",
    "WhatIfOut",
]
