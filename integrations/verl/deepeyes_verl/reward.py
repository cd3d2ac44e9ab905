"""compute_score for verl, scored by `deepeyes reward serve` (DEEPEYES_REWARD_URL).

- The DeepEyesV2 fork and verl's legacy keys: `compute_score` (sync).
- Upstream verl 0.8-0.10, `reward.custom_reward_function.{path,name}`: `compute_score_async`
  (verl >= 0.9 silently ignores the legacy top-level reward keys)."""

from deepeyes_verl.client import in_http_thread, request_json, reward_url


def _body(data_source, solution_str, ground_truth, extra_info):
    body = {"solution_str": solution_str, "ground_truth": str(ground_truth), "data_source": str(data_source)}
    if extra_info and extra_info.get("question") is not None:
        body["extra_info"] = {"question": str(extra_info["question"])}
    return body


def _result(answer):
    # verl reads `score`; the rest lands in its reward metrics. Validation formulas have no format part.
    fmt = answer.get("format")
    return {"score": float(answer["score"]), "acc": float(answer["acc"]), "format": 0.0 if fmt is None else float(fmt)}


def compute_score(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    return _result(request_json("POST", f"{reward_url()}/reward", _body(data_source, solution_str, ground_truth, extra_info)))


async def compute_score_async(data_source, solution_str, ground_truth, extra_info=None, **kwargs):
    return await in_http_thread(compute_score, data_source, solution_str, ground_truth, extra_info)
