"""synthgan against its peers: environments, adapters, the neutral judge, the runner, the report.

Entry point: ``python benchmarks/peers.py`` (``--help``). Nothing here is part of synthgan.
"""
