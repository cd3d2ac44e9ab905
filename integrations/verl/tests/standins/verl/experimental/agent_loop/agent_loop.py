"""Stand-in for verl.experimental.agent_loop.agent_loop (verl 0.10): the parts our agent loop touches,
with verl's signatures. process_vision_info and apply_chat_template are simplified: images come
from `{"type": "image", "image": PIL}` parts, and the template is Qwen2.5-VL's with expanded pads."""

import asyncio
from typing import Any, Optional

_agent_loop_registry = {}


def register(agent_name):
    def decorator(subclass):
        _agent_loop_registry[agent_name] = {"_target_": f"{subclass.__module__}.{subclass.__qualname__}"}
        subclass._registered_name = agent_name
        return subclass

    return decorator


class AgentLoopOutput:
    def __init__(
        self,
        prompt_ids,
        response_ids,
        response_mask,
        response_logprobs: Optional[list] = None,
        multi_modal_data: Optional[dict] = None,
        reward_score: Optional[float] = None,
        num_turns: int = 0,
        metrics: Any = None,
        extra_fields: Optional[dict] = None,
        **kwargs,
    ):
        self.prompt_ids = prompt_ids
        self.response_ids = response_ids
        self.response_mask = response_mask
        self.response_logprobs = response_logprobs
        self.multi_modal_data = multi_modal_data
        self.reward_score = reward_score
        self.num_turns = num_turns
        self.metrics = metrics
        self.extra_fields = dict(extra_fields or {})


class DictConfigWrap:
    def __init__(self, config):
        self.config = config


class AgentLoopBase:
    def __init__(self, trainer_config, server_manager, tokenizer, processor, dataset_cls=None, data_config=None, **kwargs):
        self.config = trainer_config.config
        self.rollout_config = self.config.actor_rollout_ref.rollout
        self.server_manager = server_manager
        self.tokenizer = tokenizer
        self.processor = processor
        self.loop = asyncio.get_running_loop()

    async def process_vision_info(self, messages):
        images = []
        for message in messages:
            content = message.get("content")
            if isinstance(content, list):
                images += [part["image"] for part in content if part.get("type") == "image"]
        return {"images": images} if images else {}

    async def apply_chat_template(self, messages, tools=None, images=None, videos=None, **kwargs):
        text = ""
        for message in messages:
            content = message["content"]
            if isinstance(content, list):
                content = "".join(
                    "<|vision_start|><|image_pad|><|vision_end|>" if part.get("type") == "image" else part["text"]
                    for part in content
                )
            text += f"<|im_start|>{message['role']}\n{content}<|im_end|>\n"
        text += "<|im_start|>assistant\n"
        return self.processor(text=[text], images=images or [], return_tensors=None)["input_ids"][0]
