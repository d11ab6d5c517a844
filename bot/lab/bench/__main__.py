"""`python -m bot.lab.bench`: the benchmark suite."""

import sys

from bot.lab.bench.run import main

sys.exit(main())
