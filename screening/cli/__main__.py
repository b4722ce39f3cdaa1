"""``python -m screening.cli``: the same as ``znscreen``."""

import sys

from screening.cli import main

sys.exit(main())
