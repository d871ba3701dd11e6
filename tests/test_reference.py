"""The pySHACL internals :mod:`claimgraph.validation.reference` uses exist with the signatures it expects."""

from __future__ import annotations

import inspect

import pyshacl
import rdflib

from claimgraph.namespaces import SH
from claimgraph.validation import reference


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


def _params(function: object) -> list[str]:
    return list(inspect.signature(function).parameters)  # type: ignore[arg-type]


def test_pyshacl_0_30_to_0_41_internals() -> None:
    low, high = reference.PINNED
    assert low <= _version(pyshacl.__version__) < high, f"pySHACL {pyshacl.__version__} outside {low}..{high}"
    assert _params(pyshacl.validate)[:1] == ["data_graph"], "pyshacl.validate"
    from pyshacl.shapes_graph import ShapesGraph

    sg = ShapesGraph(rdflib.Graph())
    assert hasattr(sg, "shapes") and hasattr(sg, "custom_constraints"), "ShapesGraph.shapes/custom_constraints"
    from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP

    for local in ("datatype", "in", "minInclusive", "minLength", "pattern", "languageIn", "lessThan"):
        assert rdflib.URIRef(SH + local) in CONSTRAINT_PARAMETERS_MAP, f"CONSTRAINT_PARAMETERS_MAP[sh:{local}]"
    component = CONSTRAINT_PARAMETERS_MAP[rdflib.URIRef(SH + "datatype")]
    assert _params(component.evaluate)[1:] == ["executor", "target_graph", "focus_value_nodes", "_evaluation_path"], (
        "ConstraintComponent.evaluate"
    )
    less_than = CONSTRAINT_PARAMETERS_MAP[rdflib.URIRef(SH + "lessThan")]
    assert len(_params(less_than._compare_lt)) == 5, "LessThanConstraintComponent._compare_lt"
    from pyshacl.pytypes import SHACLExecutor

    SHACLExecutor()
    from pyshacl.constraints.sparql.sparql_based_constraints import SPARQLBasedConstraint

    assert _params(SPARQLBasedConstraint.__init__)[1:2] == ["shape"], "SPARQLBasedConstraint(shape)"
    assert "sparql_constraints" in inspect.getsource(SPARQLBasedConstraint.__init__), (
        "SPARQLBasedConstraint.sparql_constraints"
    )
    from pyshacl.errors import ReportableRuntimeError

    assert issubclass(ReportableRuntimeError, Exception), "ReportableRuntimeError"
    from pyshacl.shape import Shape

    assert _params(Shape.validate)[1:3] == ["executor", "target_graph"], "Shape.validate"
    from pyshacl.rdfutil.clone import clone_blank_node

    assert _params(clone_blank_node)[:3] == ["graph", "bnode", "target_graph"], "rdfutil.clone.clone_blank_node"
    from rdflib.plugins.sparql import processor

    assert _params(processor.SPARQLProcessor.query)[:5] == ["self", "strOrQuery", "initBindings", "initNs", "base"], (
        "rdflib SPARQLProcessor.query (prepared_queries)"
    )
