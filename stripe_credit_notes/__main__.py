"""``python -m stripe_credit_notes``: the ``stripe-credit-notes`` command."""

import sys

from ._cli import main

sys.exit(main())
