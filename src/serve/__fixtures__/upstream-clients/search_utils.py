"""Stand-in for DeepEyesV2's search_utils (web search is not exercised by the sandbox tests)."""


def search(query):
    raise RuntimeError('search is not available in this test')


def image_search(args, index):
    raise RuntimeError('image search is not available in this test')
