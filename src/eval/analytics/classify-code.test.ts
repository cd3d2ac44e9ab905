import { describe, expect, it } from 'vitest';
import { blankStringsAndComments, classifyCode } from './classify-code.js';
import { classifyToolCall, summarizeToolUse } from './classify-tool-call.js';

describe("classifying code calls (the paper's tool mix)", () => {
  it('crop: PIL crop, crop + zoom, and array slicing', () => {
    expect(
      classifyCode('crop = image_1.crop((120, 40, 380, 260))\ncrop = crop.resize((520, 440))\ncrop.show()'),
    ).toBe('crop');
    expect(
      classifyCode(
        'import numpy as np\narr = np.array(image_1)\nregion = arr[100:200, 50:150]\nImage.fromarray(region).show()',
      ),
    ).toBe('crop');
    expect(classifyCode('w, h = image_1.size\nbox = (w//2, 0, w, h//2)\nimage_1.crop(box).show()')).toBe(
      'crop',
    );
  });

  it('mark: drawing boxes and lines', () => {
    expect(
      classifyCode(
        'from PIL import ImageDraw\nimg = image_1.copy()\nd = ImageDraw.Draw(img)\nd.rectangle([10, 10, 50, 50], outline="red", width=3)\nimg.show()',
      ),
    ).toBe('mark');
    expect(
      classifyCode(
        'import cv2\nimport numpy as np\nimg = np.array(image_1)\ncv2.line(img, (0, 0), (100, 100), (255, 0, 0), 2)',
      ),
    ).toBe('mark');
    expect(
      classifyCode(
        'fig, ax = plt.subplots()\nax.imshow(image_1)\nax.add_patch(patches.Rectangle((5, 5), 20, 20, fill=False))\nplt.show()',
      ),
    ).toBe('mark');
  });

  it('other image operations: rotate, enhance, resize, filters', () => {
    expect(classifyCode('rotated = image_1.rotate(90, expand=True)\nrotated.show()')).toBe('other-image');
    expect(
      classifyCode('from PIL import ImageEnhance\nImageEnhance.Contrast(image_1).enhance(2.0).show()'),
    ).toBe('other-image');
    expect(classifyCode('big = image_1.resize((image_1.width * 2, image_1.height * 2))\nbig.show()')).toBe(
      'other-image',
    );
    expect(
      classifyCode(
        'gray = cv2.cvtColor(np.array(image_1), cv2.COLOR_RGB2GRAY)\nedges = cv2.Canny(gray, 50, 150)',
      ),
    ).toBe('other-image');
  });

  it('numerical analysis: arithmetic and printing values', () => {
    expect(classifyCode('total = 12.5 * 4 + 3\nprint(total)')).toBe('numerical');
    expect(classifyCode('import math\nprint(math.sqrt(2) * 3)')).toBe('numerical');
    expect(classifyCode('print(image_1.size)')).toBe('numerical');
  });

  it('ignores operations that appear only in strings or comments', () => {
    expect(classifyCode('# image_1.crop((0, 0, 10, 10))\nprint("I will .crop( later and ImageDraw")')).toBe(
      'numerical',
    );
    expect(blankStringsAndComments('x = "a#b"  # note\ny = 1')).toBe('x = "   "        \ny = 1');
    expect(classifyCode('s = """\nimage_1.rotate(90)\n"""\nprint(len(s))')).toBe('numerical');
  });

  it("maps search calls and counts a trajectory's mix", () => {
    expect(classifyToolCall({ tool: 'search', query: 'q', provider: 'local', resultCount: 3 })).toBe(
      'text-search',
    );
    expect(classifyToolCall({ tool: 'image_search', provider: 'cache', resultCount: 2 })).toBe(
      'image-search',
    );
    const code = (source: string) => ({
      tool: 'code' as const,
      code: source,
      codeRun: source,
      status: 'ok',
      stdout: '',
      stderr: '',
      imageCount: 0,
    });
    const turn = (index: number, toolCall?: Parameters<typeof classifyToolCall>[0]) => ({
      index,
      assistant: '',
      finishReason: 'stop' as const,
      action: toolCall ? 'code' : 'answer',
      ...(toolCall ? { toolCall } : {}),
      modelMs: 0,
      toolMs: 0,
    });
    expect(
      summarizeToolUse({
        turns: [
          turn(0, code('image_1.crop((0,0,5,5)).show()')),
          turn(1, code('print(1+1)')),
          turn(2, { tool: 'search', query: 'x', provider: 'p', resultCount: 1 }),
          turn(3),
        ],
      }),
    ).toEqual({ toolCalls: 3, toolMix: { crop: 1, numerical: 1, 'text-search': 1 } });
  });
});
