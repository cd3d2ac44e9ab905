"""Stand-in for verl in the adapter tests (written by deepeyes, same signatures as verl)."""
