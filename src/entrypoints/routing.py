"""How a URL's integer values are read: one outside its rule's range names no record, and the view says
so (404), instead of the router giving up on the rule.

Werkzeug's own `int` converter refuses such a value, and the router then reports the method as not
allowed when another rule of the same path takes other methods: `DELETE /api/v1/clients/0` answered
405. Here every whole number reaches the view; one out of range arrives as 0, which no record has.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

NO_RECORD = 0
"""What an id out of range becomes: ids start at 1."""
LARGEST_ID = 2_147_483_647
"""The largest value of an integer column (PostgreSQL's `integer`): the range of a rule without a max."""


class RecordIdConverter(IntegerConverter):
    regex = r"-?\d+"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.max is None:
            self.max = LARGEST_ID

    def to_python(self, value: str) -> int:
        number = int(value)
        too_small = self.min is not None and number < self.min
        too_large = self.max is not None and number > self.max
        return NO_RECORD if too_small or too_large else number


def init_routing(app: Flask) -> None:
    """Before any rule is added: the rules read their `int` values with this converter."""
    app.url_map.converters["int"] = RecordIdConverter
