"""The DeepEyesV2 fork's tool env, backed by `deepeyes env serve`: one episode (and one sandbox
session) per sample, instead of one kernel shared by every rollout of the process.

Rows select it with `env_name: deepeyes_remote`; with DEEPEYES_REPLACE_DEEPEYES_V2=1 the autoload
also puts it under the release's own name `deepeyes_v2`, so the released parquet runs unchanged."""

from verl.workers.agent.tool_envs import ToolBase

from deepeyes_verl.client import Episode, decode_images, question_of


class DeepEyesRemoteEnv(ToolBase):
    name = "deepeyes_remote"

    def __init__(self, _name=None, _desc=None, _params=None, **kwargs):
        super().__init__(name=self.name)
        self.episode = None

    def reset(self, raw_prompt=None, multi_modal_data=None, origin_multi_modal_data=None, extra_info=None, **kwargs):
        # The kernel gets the original images (as the release's env does); the model's copies are verl's.
        source = origin_multi_modal_data or multi_modal_data or {}
        images = list(source.get("image") or [])
        assert images, "deepeyes_remote needs at least one image per sample"
        extra_info = extra_info or {}
        self.episode = Episode(
            images=images,
            question=question_of(raw_prompt, extra_info),
            extra_info=extra_info,
        )
        return None

    def execute(self, action_string, **kwargs):
        """Returns (observation, reward, done, info) in the shapes the fork's execute_tool_call reads."""
        step = self.episode.step(action_string)
        info = {"done_reason": step["done_reason"], "tool": step["tool"], "error": step["error"]}
        if step["done"]:
            return "", 0.0, True, info
        observation = step["observation"]
        if observation["images"]:
            # `<image>` in the prompt becomes the vision tokens, the images follow in order.
            return (
                {"prompt": observation["prompt"], "multi_modal_data": {"image": decode_images(observation["images"])}},
                0.0,
                False,
                info,
            )
        return observation["raw"], 0.0, False, info

    def close(self):
        if self.episode is not None:
            self.episode.close()
            self.episode = None
