"""The evidence harness: stand-ins, a fault scheduler, the watchdog process, the
oracle that judges a run, and two measurements. `scripts/evidence.py` runs it."""
