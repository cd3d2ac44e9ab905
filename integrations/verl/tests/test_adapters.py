"""Adapter tests: run under /usr/bin/python3 with the verl stand-ins on PYTHONPATH and a live
`deepeyes env serve` (DEEPEYES_ENV_URL) and `deepeyes reward serve` (DEEPEYES_REWARD_URL); the vitest
file src/serve/verl-adapters.test.ts starts both and runs this. The model is scripted (token level)."""

import asyncio
import io
import re
import types
import unittest

from PIL import Image

SPECIAL = ["<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|image_pad|>", "<|vision_end|>", "<|endoftext|>"]
SPECIAL_RE = re.compile("(" + "|".join(re.escape(token) for token in SPECIAL) + ")")
PAD = 1 + SPECIAL.index("<|image_pad|>")


class ToyTokenizer:
    """One token per special token, one per character otherwise."""

    def encode(self, text, add_special_tokens=False):
        ids = []
        for piece in SPECIAL_RE.split(text):
            if piece in SPECIAL:
                ids.append(1 + SPECIAL.index(piece))
            else:
                ids += [1000 + ord(char) for char in piece]
        return ids

    def decode(self, ids, skip_special_tokens=False):
        out = []
        for token in ids:
            if token < 1000:
                if not skip_special_tokens:
                    out.append(SPECIAL[token - 1])
            else:
                out.append(chr(token - 1000))
        return "".join(out)


def pads_for(image):
    return max(1, (image.width * image.height) // (28 * 28))


class ToyProcessor:
    """Expands the i-th `<|image_pad|>` into as many pads as image i has visual tokens."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer

    def __call__(self, text, images=None, return_tensors=None):
        images = list(images or [])
        ids, index = [], 0
        for token in self.tokenizer.encode(text[0]):
            if token == PAD:
                ids += [PAD] * pads_for(images[index])
                index += 1
            else:
                ids.append(token)
        assert index == len(images), f"{index} pads for {len(images)} images"
        return {"input_ids": [ids]}


def pad_groups(ids):
    groups, run = [], 0
    for token in ids + [0]:
        if token == PAD:
            run += 1
        elif run:
            groups.append(run)
            run = 0
    return groups


CODE_TURN = (
    "<think>Crop the card.</think>\n<code>\n```python\nimport matplotlib.pyplot as plt\n"
    "plt.imshow(image_1.crop((0, 0, 120, 90)))\nplt.show()\n```\n</code>"
)
PRINT_TURN = "<think>Measure it.</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>"
SEARCH_TURN = 'Look it up.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "red card"}}\n</tool_call>'


class ScriptedServerManager:
    """A scripted token-level model: code, then search, then an answer (red for even samples, blue for odd)."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.calls = []

    async def generate(self, request_id, prompt_ids, sampling_params, image_data=None, video_data=None, **kwargs):
        self.calls.append({"request_id": request_id, "sampling_params": sampling_params})
        images = list(image_data or [])
        assert pad_groups(prompt_ids) == [pads_for(image) for image in images], "pads and images disagree"
        text = self.tokenizer.decode(prompt_ids)
        sample = int(re.search(r"sample (\d+)", text).group(1))
        turn = text.count("<|im_start|>assistant\n") - 1
        # Even samples draw a crop (an image in the observation), odd ones print (cheaper kernels).
        reply = [CODE_TURN if sample % 2 == 0 else PRINT_TURN, SEARCH_TURN, f"Done.</think>\n<answer>{'red' if sample % 2 == 0 else 'blue'}</answer><|im_end|>"][turn]
        token_ids = self.tokenizer.encode(reply)
        return types.SimpleNamespace(token_ids=token_ids, log_probs=[-0.5] * len(token_ids), stop_reason="completed")


def red_card():
    image = Image.new("RGB", (280, 196), (200, 30, 30))
    return image


def config():
    rollout = types.SimpleNamespace(prompt_length=8192, response_length=16384)
    return types.SimpleNamespace(actor_rollout_ref=types.SimpleNamespace(rollout=rollout))


class AgentLoopTest(unittest.TestCase):
    def test_one_prompt_sixteen_samples(self):
        from verl.experimental.agent_loop.agent_loop import DictConfigWrap, _agent_loop_registry

        from deepeyes_verl.agent_loop import DeepEyesAgentLoop
        from deepeyes_verl.client import env_url, request_json
        from deepeyes_verl.reward import compute_score_async

        self.assertEqual(_agent_loop_registry["deepeyes_agent"]["_target_"], "deepeyes_verl.agent_loop.DeepEyesAgentLoop")
        tokenizer = ToyTokenizer()
        processor = ToyProcessor(tokenizer)
        manager = ScriptedServerManager(tokenizer)

        async def sample(index):
            loop = DeepEyesAgentLoop(DictConfigWrap(config()), manager, tokenizer, processor)
            row = {
                "raw_prompt": [
                    {"role": "user", "content": [{"type": "image", "image": red_card()}, {"type": "text", "text": f"sample {index}: what colour is the card?"}]}
                ],
                "data_source": "perception",
                "reward_model": {"ground_truth": "red"},
                "extra_info": {"index": f"item_{index}", "question": "What colour is the card?"},
            }
            return await loop.run({"temperature": 1.0, "top_p": 1.0}, **row)

        async def rollout():
            return await asyncio.gather(*(sample(index) for index in range(16)))

        outputs = asyncio.run(rollout())
        self.assertEqual(len(outputs), 16)
        for index, output in enumerate(outputs):
            self.assertEqual(len(output.response_ids), len(output.response_mask))
            model = [token for token, mask in zip(output.response_ids, output.response_mask) if mask == 1]
            self.assertEqual(
                tokenizer.decode(model),
                (CODE_TURN if index % 2 == 0 else PRINT_TURN) + SEARCH_TURN + f"Done.</think>\n<answer>{'red' if index % 2 == 0 else 'blue'}</answer><|im_end|>",
            )
            text = tokenizer.decode(output.response_ids)
            # Observations appended exactly as the fork: the \n after <|im_end|> kept, <think> pre-filled.
            collapsed = re.sub(r"(<\|image_pad\|>)+", "<|image_pad|>", text)
            if index % 2 == 1:
                self.assertIn("</code><|im_end|>\n<|im_start|>user\nCode execution result:\nstdout:\n```\n(280, 196)\n\n```", text)
            else:
                self.assertIn("</code><|im_end|>\n<|im_start|>user\nCode execution result:\nstdout:\n```\n\n```\n\nstderr:\n```\n\n```\n\nImages:\n<|vision_start|><|image_pad|><|vision_end|><|im_end|>\n<|im_start|>assistant\n<think>Look it up.", collapsed)
            self.assertIn("</tool_call><|im_end|>\n<|im_start|>user\n<tool_response>\nA Google search for 'red card' found", text)
            observation = [token for token, mask in zip(output.response_ids, output.response_mask) if mask == 0]
            self.assertTrue(tokenizer.decode(observation).startswith("<|im_end|>\n<|im_start|>user\nCode execution result:"))
            images = output.multi_modal_data["images"]
            self.assertEqual(len(images), 2 if index % 2 == 0 else 1)
            self.assertEqual(images[0].size, (280, 196))
            self.assertEqual(pad_groups(output.prompt_ids + output.response_ids), [pads_for(image) for image in images])
            # Wrong answers keep the format part: 0.8·acc + 0.2·format.
            self.assertEqual(output.reward_score, 1.0 if index % 2 == 0 else 0.2)
            self.assertEqual(output.extra_fields["done_reason"], "answer")
            self.assertEqual(output.extra_fields["tool_calls"], 2)
            self.assertEqual(output.num_turns, 6)
            # The reward as the trainer's compute_score computes it from the decoded response.
            async_score = asyncio.run(
                compute_score_async("perception", tokenizer.decode(output.response_ids, skip_special_tokens=False), "red", {"question": "What colour is the card?"})
            )
            self.assertEqual(async_score["score"], output.reward_score)
        params = manager.calls[0]["sampling_params"]
        self.assertEqual(params["stop"], ["</code>", "</tool_call>"])
        self.assertTrue(params["include_stop_str_in_output"])
        self.assertEqual(params["bad_words"], ["<|endoftext|>", "<size>", "<|im_start|>"])
        self.assertEqual(params["max_tokens"], 8192)
        self.assertEqual(len(manager.calls), 48)
        self.assertEqual(len({call["request_id"] for call in manager.calls}), 16)
        self.assertEqual(request_json("GET", f"{env_url()}/health")["episodes"], 0)


class RepeatingServerManager:
    """A scripted model that searches every turn, or (`cut`) fills the whole turn budget without a stop."""

    def __init__(self, tokenizer, cut=False):
        self.tokenizer = tokenizer
        self.cut = cut
        self.calls = []

    async def generate(self, request_id, prompt_ids, sampling_params, image_data=None, video_data=None, **kwargs):
        self.calls.append(sampling_params)
        if self.cut:
            token_ids = self.tokenizer.encode("a" * sampling_params["max_tokens"])
            return types.SimpleNamespace(token_ids=token_ids, log_probs=None, stop_reason="length")
        token_ids = self.tokenizer.encode(SEARCH_TURN)
        return types.SimpleNamespace(token_ids=token_ids, log_probs=None, stop_reason="completed")


class AgentLoopCapsTest(unittest.TestCase):
    def run_loop(self, manager, **loop_options):
        from verl.experimental.agent_loop.agent_loop import DictConfigWrap

        from deepeyes_verl.agent_loop import DeepEyesAgentLoop

        async def one():
            loop = DeepEyesAgentLoop(DictConfigWrap(config()), manager, manager.tokenizer, ToyProcessor(manager.tokenizer), **loop_options)
            row = {"raw_prompt": [{"role": "user", "content": [{"type": "image", "image": red_card()}, {"type": "text", "text": "sample 0: what is it?"}]}]}
            return await loop.run({"temperature": 1.0}, **row)

        return asyncio.run(one())

    def test_nine_turns_at_most(self):
        manager = RepeatingServerManager(ToyTokenizer())
        output = self.run_loop(manager)
        # Nine model turns; the ninth ends the episode unrun, so eight observations were appended.
        self.assertEqual(len(manager.calls), 9)
        self.assertEqual(output.extra_fields["done_reason"], "max-turns")
        self.assertEqual(output.extra_fields["tool_calls"], 8)
        text = manager.tokenizer.decode(output.response_ids)
        self.assertEqual(text.count("<|im_end|>\n<|im_start|>user\n<tool_response>\n"), 8)
        self.assertEqual(text.count(SEARCH_TURN), 9)
        self.assertTrue(text.endswith(SEARCH_TURN))
        self.assertIsNone(output.reward_score)

    def test_turn_token_cap(self):
        manager = RepeatingServerManager(ToyTokenizer(), cut=True)
        output = self.run_loop(manager, turn_max_tokens=64)
        # A turn cut at its token cap ends the episode with nothing run, as the fork's rollout does.
        self.assertEqual([call["max_tokens"] for call in manager.calls], [64])
        self.assertEqual(output.extra_fields["done_reason"], "length")
        self.assertEqual(output.response_mask, [1] * 64)


class ForkEnvTest(unittest.TestCase):
    def test_registered_env_and_reward(self):
        import verl.workers.agent  # noqa: F401  (the autoload registers on this import)
        from verl.workers.agent.tool_envs import ToolBase

        from deepeyes_verl.reward import compute_score

        env = ToolBase.create("deepeyes_remote")
        env.reset(
            raw_prompt=[{"role": "user", "content": "<image>\nWhat colour is the card?"}],
            multi_modal_data={"image": [red_card()]},
            origin_multi_modal_data={"image": [red_card()]},
            extra_info={"index": "fvqa_train_1", "question": "What colour is the card?"},
        )
        observation, reward, done, _ = env.execute(CODE_TURN)
        self.assertFalse(done)
        self.assertEqual(reward, 0.0)
        self.assertTrue(observation["prompt"].startswith("<|im_end|>\n<|im_start|>user\nCode execution result:"))
        self.assertTrue(observation["prompt"].endswith("Images:\n<image><|im_end|>\n<|im_start|>assistant\n<think>"))
        self.assertEqual(len(observation["multi_modal_data"]["image"]), 1)
        text_observation, _, done, _ = env.execute(SEARCH_TURN)
        self.assertFalse(done)
        self.assertIsInstance(text_observation, str)
        self.assertTrue(text_observation.startswith("<|im_end|>\n<|im_start|>user\n<tool_response>\n"))
        self.assertEqual(env.execute("Red.</think>\n<answer>red</answer>")[:3], ("", 0.0, True))
        env.close()
        with self.assertRaises(ValueError):
            ToolBase.create("not_registered")
        score = compute_score("perception", "<think>t</think>\n<answer>red</answer><|im_end|>", "red", {"question": "q"})
        self.assertEqual(score, {"score": 1.0, "acc": 1.0, "format": 1.0})
        wrong = compute_score("perception", "<think>t</think>\n<answer>blue</answer><|im_end|>", "red", {"question": "q"})
        self.assertEqual(wrong["acc"], 0.0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
