"""DeepEyesV2 episodes as an upstream verl (0.8-0.10) agent loop, registered as `deepeyes_agent`.

Rows pick it with `agent_name: deepeyes_agent`. Each sample is one `env serve` episode. The loop
generates token by token as the DeepEyesV2 fork's rollout did: stop at `</code>` / `</tool_call>`
with the stop string kept, the fork's bad words, at most 8,192 tokens per turn and 9 turns; it appends
each observation's tokens exactly as env serve renders them (`<|im_end|>\\n<|im_start|>user\\n…
<|im_end|>\\n<|im_start|>assistant\\n<think>`, the `\\n` after `<|im_end|>` kept, verl #6921),
with response_mask 0 on them and their images appended in order after the prompt's."""

import asyncio
import os
from uuid import uuid4

from verl.experimental.agent_loop.agent_loop import AgentLoopBase, AgentLoopOutput, register

from deepeyes_verl.client import Episode, decode_images, in_http_thread, question_of

STOP = ["</code>", "</tool_call>"]
BAD_WORDS = ["<|endoftext|>", "<size>", "<|im_start|>"]


@register("deepeyes_agent")
class DeepEyesAgentLoop(AgentLoopBase):
    def __init__(self, *args, max_turns=9, turn_max_tokens=8192, profile=None, score_in_loop=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_turns = int(max_turns)
        self.turn_max_tokens = int(turn_max_tokens)
        self.profile = profile or os.environ.get("DEEPEYES_ENV_PROFILE", "deepeyesv2")
        self.score_in_loop = bool(score_in_loop)
        rollout = self.config.actor_rollout_ref.rollout
        self.response_length = int(rollout.response_length)

    async def _encode(self, text, images):
        """Token ids of text whose `<|image_pad|>` stand for `images`, expanded by the processor."""
        if images and self.processor is not None:
            encoded = await asyncio.to_thread(self.processor, text=[text], images=images, return_tensors=None)
            return list(encoded["input_ids"][0])
        return list(await asyncio.to_thread(self.tokenizer.encode, text, add_special_tokens=False))

    async def run(self, sampling_params, **kwargs):
        messages = list(kwargs["raw_prompt"])
        extra_info = dict(kwargs.get("extra_info") or {})
        reward_model = kwargs.get("reward_model") or {}
        multi_modal_data = await self.process_vision_info(messages)
        images = list(multi_modal_data.get("images") or [])
        prompt_ids = await self.apply_chat_template(messages, images=images)

        episode = await in_http_thread(
            Episode,
            images,
            question_of(messages, extra_info),
            reward_model.get("ground_truth"),
            kwargs.get("data_source"),
            extra_info,
            self.profile,
            {"max_turns": self.max_turns},
        )
        request_id = uuid4().hex
        response_ids, response_mask, logprobs = [], [], []
        all_images = list(images)
        turns, tool_calls, done_reason = 0, 0, "max-turns"
        try:
            for _ in range(self.max_turns):
                room = self.response_length - len(response_ids)
                if room <= 0:
                    done_reason = "response-length"
                    break
                params = dict(sampling_params)
                params.update(
                    stop=STOP,
                    include_stop_str_in_output=True,
                    bad_words=BAD_WORDS,
                    skip_special_tokens=False,
                    max_tokens=min(self.turn_max_tokens, room),
                )
                output = await self.server_manager.generate(
                    request_id=request_id,
                    prompt_ids=prompt_ids + response_ids,
                    sampling_params=params,
                    image_data=all_images or None,
                )
                token_ids = list(output.token_ids)
                turns += 1
                response_ids += token_ids
                response_mask += [1] * len(token_ids)
                logprobs += list(output.log_probs or [0.0] * len(token_ids))
                text = self.tokenizer.decode(token_ids, skip_special_tokens=False)
                cut = getattr(output, "stop_reason", None) == "length" or len(token_ids) >= params["max_tokens"]
                finish = "length" if cut else "stop"
                step = await in_http_thread(episode.step, text, finish)
                if step["done"]:
                    done_reason = step["done_reason"]
                    break
                tool_calls += 1
                observation = step["observation"]
                observation_images = decode_images(observation["images"])
                observation_ids = await self._encode(observation["raw"], observation_images)
                if len(response_ids) + len(observation_ids) >= self.response_length:
                    # As the fork: an observation that does not fit ends the sample unappended.
                    done_reason = "response-length"
                    break
                response_ids += observation_ids
                response_mask += [0] * len(observation_ids)
                logprobs += [0.0] * len(observation_ids)
                all_images += observation_images
            reward_score = None
            reward_extra = {}
            if self.score_in_loop and reward_model.get("ground_truth") is not None and kwargs.get("data_source"):
                response_text = self.tokenizer.decode(response_ids, skip_special_tokens=False)
                reward = await in_http_thread(episode.finish, response_text)
                reward_score = float(reward["score"])
                reward_extra = {"acc": reward["acc"], "format": reward["format"], "decided_by": reward["decided_by"]}
        finally:
            await in_http_thread(episode.close)

        output = AgentLoopOutput(
            prompt_ids=prompt_ids,
            response_ids=response_ids[: self.response_length],
            response_mask=response_mask[: self.response_length],
            response_logprobs=logprobs[: self.response_length],
            multi_modal_data={"images": all_images},
            reward_score=reward_score,
            num_turns=turns * 2,
            metrics={},
        )
        output.extra_fields.update({"tool_calls": tool_calls, "done_reason": done_reason, **reward_extra})
        return output
