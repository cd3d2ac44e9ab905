/**
 * Evaluates plain expression text made only of numbers, + - * / ** ( ), `sqrt(…)` and `pi` to a
 * number, with implicit multiplication ("2pi", "2(3)"). Anything else (a variable, a function we do not
 * know) returns undefined, and sympy decides instead. A parser, not `eval`.
 */

type Token =
  | { kind: 'number'; value: number }
  | { kind: 'name'; value: string }
  | { kind: 'symbol'; value: string };

function tokenize(text: string): Token[] | undefined {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+)|([A-Za-z]+)|(\*\*|[-+*/()]))/y;
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (!match) return undefined;
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'name', value: match[2] });
    else tokens.push({ kind: 'symbol', value: match[3]! });
    at = pattern.lastIndex;
  }
  return tokens;
}

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): number | undefined {
    const value = this.sum();
    return this.position === this.tokens.length ? value : undefined;
  }

  private peek(): Token | undefined {
    return this.tokens[this.position];
  }

  private takeSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind === 'symbol' && token.value === symbol) {
      this.position++;
      return true;
    }
    return false;
  }

  private sum(): number | undefined {
    let value = this.product();
    while (value !== undefined) {
      if (this.takeSymbol('+')) value = add(value, this.product());
      else if (this.takeSymbol('-')) value = add(value, negate(this.product()));
      else break;
    }
    return value;
  }

  private product(): number | undefined {
    let value = this.unary();
    while (value !== undefined) {
      if (this.takeSymbol('*')) value = multiply(value, this.unary());
      else if (this.takeSymbol('/')) value = divide(value, this.unary());
      else if (this.startsOperand()) value = multiply(value, this.power());
      else break;
    }
    return value;
  }

  private startsOperand(): boolean {
    const token = this.peek();
    return token !== undefined && (token.kind !== 'symbol' || token.value === '(');
  }

  private unary(): number | undefined {
    if (this.takeSymbol('-')) return negate(this.unary());
    if (this.takeSymbol('+')) return this.unary();
    return this.power();
  }

  private power(): number | undefined {
    const base = this.primary();
    if (base === undefined || !this.takeSymbol('**')) return base;
    const exponent = this.unary();
    return exponent === undefined ? undefined : base ** exponent;
  }

  private primary(): number | undefined {
    const token = this.peek();
    if (!token) return undefined;
    this.position++;
    if (token.kind === 'number') return token.value;
    if (token.kind === 'name') {
      if (token.value === 'pi') return Math.PI;
      if (token.value === 'sqrt' && this.takeSymbol('(')) {
        const inner = this.sum();
        return inner !== undefined && this.takeSymbol(')') && inner >= 0 ? Math.sqrt(inner) : undefined;
      }
      return undefined;
    }
    if (token.value !== '(') return undefined;
    const inner = this.sum();
    return this.takeSymbol(')') ? inner : undefined;
  }
}

const add = (left: number, right: number | undefined) => (right === undefined ? undefined : left + right);
const negate = (value: number | undefined) => (value === undefined ? undefined : -value);
const multiply = (left: number, right: number | undefined) =>
  right === undefined ? undefined : left * right;
const divide = (left: number, right: number | undefined) =>
  right === undefined || right === 0 ? undefined : left / right;

/** The value of a constant expression, or undefined when it is not one (or not finite). */
export function evaluateNumber(expression: string): number | undefined {
  const tokens = tokenize(expression);
  if (!tokens || tokens.length === 0) return undefined;
  const value = new Parser(tokens).parse();
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
