"""On PYTHONPATH for the DeepEyesV2 fork: registers deepeyes_remote as soon as the fork's
`verl.workers.agent` package is imported, in every process (Ray workers included), without
editing the fork. Python imports `sitecustomize` at start-up by itself."""

import importlib.abc
import importlib.machinery
import os
import sys

_TARGET = "verl.workers.agent"


class _AfterImport(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != _TARGET:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        original = spec.loader.exec_module

        def exec_module(module):
            original(module)
            from deepeyes_verl.fork_env import DeepEyesRemoteEnv
            from verl.workers.agent.tool_envs import ToolBase

            if os.environ.get("DEEPEYES_REPLACE_DEEPEYES_V2") == "1":
                ToolBase.registry["deepeyes_v2"] = DeepEyesRemoteEnv

        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _AfterImport())
