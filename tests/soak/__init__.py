"""A fault soak: seeded random fault sequences through both clients, checked against the emulator.

``proxy`` is a fault-injecting HTTP proxy (asyncio, loopback only) that sits in front of the
emulator process; ``plans`` draws the seeded fault sequences; ``driver`` runs them through
``Client`` and ``AsyncClient`` and counts what went wrong; ``python -m tests.soak`` (``make
soak``) is the long run and ``test_soak.py`` the short one ``make test`` runs.
"""
