"""Stand-in for the DeepEyesV2 fork's verl.workers.agent (its envs register on import)."""

from .tool_envs import ToolBase  # noqa: F401
