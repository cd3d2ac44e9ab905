"""deepeyes adapters for verl: the DeepEyesV2 environment and reward served by `deepeyes env serve`
and `deepeyes reward serve`, plugged into the DeepEyesV2 verl fork (`fork_env`) and upstream verl
0.8-0.10 (`agent_loop`). Standard library only, plus what verl already depends on (Pillow)."""

__all__ = ["client"]
