"""``python -m sce_analysis.synthetic OUT_FOLDER``: write a synthetic review set with its README."""

import sys

from .generator import main

sys.exit(main())
