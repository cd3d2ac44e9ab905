from .agent_loop import AgentLoopBase, AgentLoopOutput, register

__all__ = ["AgentLoopBase", "AgentLoopOutput", "register"]
