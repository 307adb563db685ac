"""``python -m sce_analysis`` works as the ``sce-analysis`` command."""

import sys

from .cli import main

sys.exit(main())
