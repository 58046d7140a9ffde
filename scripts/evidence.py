#!/usr/bin/env python3
"""Runs the evidence harness (scripts/harness): soak, crash, latency and footprint.

  evidence.py soak BINARY --ticks 10000 [--seed N]
  evidence.py crash BINARY --kills 50 [--seed N]
  evidence.py latency BINARY --interval 1s --faults 100
  evidence.py footprint BINARY --ticks 1000 [--env K=V]...

The parts, and what each checks, are described in scripts/harness/main.py.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness.main import main  # noqa: E402

if __name__ == "__main__":
    main()
