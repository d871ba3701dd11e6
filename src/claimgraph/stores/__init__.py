"""Working with triple stores: loading a dataset into one, serving one, validating what one holds.

Owns :func:`load_quads` (staging graphs, one MOVE, count checks), :func:`read_only_server` (Oxigraph's
own server over the dataset) and :func:`fetch_dataset` (a store's graphs as a dataset to validate).
May import the base modules, :mod:`claimgraph.sparql` and :mod:`claimgraph.io`.
"""

from claimgraph.stores.load import LoadResult, load_quads
from claimgraph.stores.remote import fetch_dataset
from claimgraph.stores.serve import read_only_server

__all__ = ["LoadResult", "fetch_dataset", "load_quads", "read_only_server"]
