"""Working with triple stores: loading a dataset into one, serving one, validating what one holds.

Owns :func:`load_store` and :func:`load_quads` (staging graphs, one MOVE, count checks; by SPARQL
Update, the Graph Store Protocol or a store's bulk loader, :class:`VirtuosoBulkLoader`),
:func:`read_only_server` (Oxigraph's own server over the dataset), :func:`fetch_dataset` (a store's
graphs as a dataset to validate) and :func:`validate_endpoint` (a store's data validated inside it
where it can be, else fetched).
May import the base modules, :mod:`claimgraph.sparql`, :mod:`claimgraph.io` and :mod:`claimgraph.validation`.
"""

from claimgraph.stores.bulk import VirtuosoBulkLoader
from claimgraph.stores.instore import validate_endpoint
from claimgraph.stores.load import METHODS, LoadResult, load_quads, load_store
from claimgraph.stores.remote import fetch_dataset
from claimgraph.stores.serve import read_only_server

__all__ = [
    "METHODS",
    "LoadResult",
    "VirtuosoBulkLoader",
    "fetch_dataset",
    "load_quads",
    "load_store",
    "read_only_server",
    "validate_endpoint",
]
