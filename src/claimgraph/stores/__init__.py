"""Working with triple stores: loading a dataset into one, serving one, validating what one holds.

Owns :func:`load_store` and :func:`load_quads` (staging graphs, one MOVE, count checks; by SPARQL
Update, the Graph Store Protocol or a store's bulk loader, :class:`VirtuosoBulkLoader`),
:func:`read_only_server` (Oxigraph's own server over the dataset) and :func:`fetch_dataset` (a store's
graphs as a dataset to validate).
May import the base modules, :mod:`claimgraph.sparql` and :mod:`claimgraph.io`.
"""

from claimgraph.stores.bulk import VirtuosoBulkLoader
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
]
