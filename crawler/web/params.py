"""The search parameters of the page and the API, made from SearchRequest's fields: one
contract for the command line, the API and the page."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

from crawler.es.search import (
    MAX_FILTER_VALUES,
    InvalidSearch,
    Parameter,
    SearchRequest,
    parameters,
)

PARAMS = tuple(param.name for param in parameters())  # what the page's links carry on


def _query(param: Parameter) -> Any:
    """The query parameter's type, description and bounds (for /openapi.json): checking
    the bounds is SearchRequest's, so the API and the command line say the same. A filter
    is repeated for several values: ``?province=A&province=B``."""
    if param.multiple:
        items = {"type": "string", "maxLength": param.max_length}
        extra = {"items": items, "maxItems": MAX_FILTER_VALUES}
        return Annotated[list[param.type], Query(description=param.help, json_schema_extra=extra)]
    schema = {
        "minimum": param.minimum,
        "maximum": param.maximum,
        "maxLength": param.max_length,
        "enum": list(param.choices) or None,
    }
    kind = param.type if param.default is not None else param.type | None
    extra = {k: v for k, v in schema.items() if v is not None} or None
    return Annotated[kind, Query(description=param.help, json_schema_extra=extra)]


def invalid(where: tuple[str, str], why: str, given: Any) -> RequestValidationError:
    """A parameter the caller got wrong: 422, in FastAPI's words."""
    error = {"type": "value_error", "loc": where, "msg": why, "input": given}
    return RequestValidationError([error])


async def search_params(**values: Any) -> SearchRequest:
    """The request of /api/search, /api/facets and the page; its signature, made from
    SearchRequest's parameters below, is what FastAPI reads."""
    try:
        return SearchRequest(**values)
    except InvalidSearch as exc:
        raise invalid(("query", exc.field), exc.why, values.get(exc.field)) from exc


search_params.__signature__ = inspect.Signature(
    [
        inspect.Parameter(
            p.name,
            inspect.Parameter.KEYWORD_ONLY,
            default=list(p.default) if p.multiple else p.default,
            annotation=_query(p),
        )
        for p in parameters()
    ],
    return_annotation=SearchRequest,
)
Params = Annotated[SearchRequest, Depends(search_params)]
