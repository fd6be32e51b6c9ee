"""`python -m lab_agent`: the standalone agent's command line."""

import sys

from lab_agent.cli import main

sys.exit(main())
