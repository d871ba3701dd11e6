"""The SPARQL lexer's pre-binding: a variable replaced by a term everywhere, as SHACL 1.0 (5.3.1) defines it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from claimgraph.sparql.lexer import prebind

A = ox.NamedNode("http://example.org/a")
P = ox.NamedNode("http://example.org/p")


@pytest.fixture(scope="module")
def store() -> ox.Store:
    s = ox.Store()
    s.add(ox.Quad(A, P, ox.Literal("x")))
    return s


def rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    solutions = store.query("PREFIX ex: <http://example.org/>\n" + query)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: str(row[n]) for n in names if row[n] is not None} for row in solutions]


def test_a_nested_groups_filter_sees_the_pre_bound_value(store: ox.Store) -> None:
    query = "SELECT $this WHERE { { { FILTER ($this = ex:a) } FILTER bound($this) } FILTER (true) }"
    bound = prebind(query, "this", A)
    assert "bound(" not in bound.lower()  # BOUND takes a variable only: a pre-bound one is bound
    assert rows(store, bound) == [{"this": str(A)}]
    # Oxigraph's own substitution joins instead: the nested filter sees nothing bound
    solutions = store.query("PREFIX ex: <http://example.org/>\n" + query, substitutions={ox.Variable("this"): A})
    assert list(solutions) == []  # type: ignore[arg-type]


def test_a_sub_select_projecting_the_variable_projects_the_term_under_a_name_of_its_own(store: ox.Store) -> None:
    query = "SELECT $this ?v WHERE { { SELECT $this ?v WHERE { $this ex:p ?v } } }"
    bound = prebind(query, "this", A)
    assert "SELECT (<http://example.org/a> AS ?this) ?v" in bound
    assert "(<http://example.org/a> AS ?this_prebound_0) ?v" in bound
    assert rows(store, bound) == [{"this": str(A), "v": '"x"'}]


def test_only_the_variable_itself_is_replaced_not_one_whose_name_it_starts(store: ox.Store) -> None:
    query = 'SELECT $this ?thisValue WHERE { $this ex:p ?thisValue FILTER (?thisValue != "$this") }'
    bound = prebind(query, "this", A)
    assert "?thisValue" in bound and '"$this"' in bound  # strings and longer names untouched
    assert rows(store, bound) == [{"this": str(A), "thisValue": '"x"'}]


def test_a_literal_is_written_in_n_triples_form(store: ox.Store) -> None:
    value = ox.Literal('say "x"\n', language="en")
    bound = prebind("SELECT $this WHERE { FILTER (isLiteral($this)) }", "this", value)
    assert r'"say \"x\"\n"@en' in bound
    assert len(rows(store, bound)) == 1
