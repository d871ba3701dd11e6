"""Test helpers shared by test modules: real servers on loopback, a fault proxy, data rewriting.

Test modules import from here (``from helpers.servers import OxigraphServer``), never from each other
or from ``conftest``, which holds only fixtures and hooks.
"""
