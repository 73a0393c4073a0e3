"""Reading an API doc: ``parse_api_doc``, ``lint_api_doc`` and ``generate_connector_spec``.

The parsed doc (:class:`~skillpack.apidoc.models.ApiDoc`) is what every later step reads.
"""

from __future__ import annotations

from skillpack.apidoc.lint import LintApiDocIn, LintApiDocOut, lint_api_doc
from skillpack.apidoc.models import ApiDoc, Table
from skillpack.apidoc.parse import (
    ParseApiDocIn,
    ParseApiDocOut,
    linked_docs,
    parse_api_doc,
    read_doc,
)
from skillpack.apidoc.spec import (
    GenerateConnectorSpecIn,
    GenerateConnectorSpecOut,
    generate_connector_spec,
)

__all__ = [
    "ApiDoc",
    "GenerateConnectorSpecIn",
    "GenerateConnectorSpecOut",
    "LintApiDocIn",
    "LintApiDocOut",
    "ParseApiDocIn",
    "ParseApiDocOut",
    "Table",
    "generate_connector_spec",
    "linked_docs",
    "lint_api_doc",
    "parse_api_doc",
    "read_doc",
]
