"""Authoring: adding an article and what it says to the data by command, never by hand-written TriG.

Owns archiving a source text (:func:`add_source`), locating quotes in it (:func:`locate_quote`),
adding actors and propositions to the registries (:func:`add_actor`, :func:`add_proposition`) and
claims and non-responses to a document's graph (:func:`add_claim`, :func:`add_nonresponse`).
``texts`` reads texts and typed values, ``quotes`` finds quotes, ``lookup`` resolves what an author
names against the ontology and the data (with the closest candidates when it is unknown), ``turtle``
writes into a file in its own layout, ``workspace`` loads, checks and commits; ``sources``,
``registries`` and ``claims`` are the commands' library side. May import the base modules,
:mod:`claimgraph.io` and :mod:`claimgraph.validation`.
"""

from claimgraph.authoring.claims import Relay, add_claim, add_nonresponse
from claimgraph.authoring.lookup import FIELDS, Choices, bundled_choices, parse_iri
from claimgraph.authoring.quotes import Selectors, find_quote, locate_quote
from claimgraph.authoring.registries import add_actor, add_proposition
from claimgraph.authoring.sources import NewSource, add_source, skeleton_trig
from claimgraph.authoring.texts import slugify
from claimgraph.authoring.workspace import Workspace, Written

__all__ = [
    "FIELDS",
    "Choices",
    "NewSource",
    "Relay",
    "Selectors",
    "Workspace",
    "Written",
    "add_actor",
    "add_claim",
    "add_nonresponse",
    "add_proposition",
    "add_source",
    "bundled_choices",
    "find_quote",
    "locate_quote",
    "parse_iri",
    "skeleton_trig",
    "slugify",
]
