"""What the API answers: one pydantic model per response body, built from the use cases' results.

Request bodies and queries are the application's commands (application/commands.py); these models
describe only what goes out, one module per resource, and the OpenAPI document is generated from both.
"""

from entrypoints.api.schemas.activity import Snapshot, SnapshotList
from entrypoints.api.schemas.base import Schema
from entrypoints.api.schemas.clients import (
    Client,
    ClientDetail,
    ClientLinks,
    ClientPage,
    ClientSummary,
    PageLinks,
)
from entrypoints.api.schemas.dashboard import Dashboard, MonthlySales, SalesTrend, SegmentCounts
from entrypoints.api.schemas.jobs import Job
from entrypoints.api.schemas.models import Evaluation, ModelRun, ModelRunList, TrainingStarted
from entrypoints.api.schemas.predictions import (
    FeatureReason,
    PastPrediction,
    Prediction,
    PredictionHistory,
    PurchasePrediction,
    Reasons,
    SalesForecast,
)
from entrypoints.api.schemas.problems import FieldProblem, Params, Problem
from entrypoints.api.schemas.settings import SegmentBand, SegmentRule, Threshold
from entrypoints.api.schemas.tokens import IssuedToken
from entrypoints.api.schemas.transfers import CsvUpload, ImportReport
from entrypoints.api.schemas.users import User, UserList

__all__ = [
    "Client",
    "ClientDetail",
    "ClientLinks",
    "ClientPage",
    "ClientSummary",
    "CsvUpload",
    "Dashboard",
    "Evaluation",
    "FeatureReason",
    "FieldProblem",
    "ImportReport",
    "IssuedToken",
    "Job",
    "ModelRun",
    "ModelRunList",
    "MonthlySales",
    "PageLinks",
    "Params",
    "PastPrediction",
    "Prediction",
    "PredictionHistory",
    "Problem",
    "PurchasePrediction",
    "Reasons",
    "SalesForecast",
    "SalesTrend",
    "Schema",
    "SegmentBand",
    "SegmentCounts",
    "SegmentRule",
    "Snapshot",
    "SnapshotList",
    "Threshold",
    "TrainingStarted",
    "User",
    "UserList",
]
