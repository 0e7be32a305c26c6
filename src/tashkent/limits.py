"""Upper bounds on the size of inputs and runs, checked before anything is read or allocated.

They keep a mistyped number (`--runs 10**12`) or a hostile file from hanging the machine; each is
far above any real use (README, "Limits"). Kept here, free of imports, so the command line can use
them without loading numpy."""

MAX_RUNS = 10_000_000  # Monte Carlo runs of one forecast
MAX_DAYS = 3650  # horizon in days
MAX_CHUNK_RUNS = 1_000_000  # runs per chunk (memory of one worker)
MAX_WORKERS = 64  # local worker processes
MAX_TRAJECTORIES = 10_000  # daily trajectories kept
MAX_LIST = 10_000  # rows listed by `runs list --limit`
