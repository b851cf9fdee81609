/**
 * Text arguments of the pickle protocol-0 opcodes (INT, LONG, FLOAT, STRING, UNICODE, GET/PUT):
 * Python int/float literals, repr-quoted byte strings (Python 2 `str`) and raw-unicode-escape.
 * Every parser is strict and throws PickleError naming the bad text.
 */
import { PickleError } from './pickle-values';

/** Longest integer literal / LONG payload accepted (Python's own default is 4300 digits). */
export const MAX_INT_DIGITS = 4300;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

/** A Python int: number when it is a safe integer, else bigint. */
export function normInt(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v;
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

/** INT / LONG / GET / PUT argument: optional sign and decimal digits (LONG: trailing 'L'). */
export function parseIntText(text: string, allowL = false): bigint {
  const s = allowL && text.endsWith('L') ? text.slice(0, -1) : text;
  if (!/^[+-]?\d+$/.test(s)) throw new PickleError(`invalid integer literal ${quote(text)}`);
  if (s.length > MAX_INT_DIGITS)
    throw new PickleError(`integer literal of ${s.length} digits exceeds ${MAX_INT_DIGITS}`);
  return BigInt(s);
}

/** FLOAT argument: a Python float repr (incl. inf / nan). */
export function parseFloatText(text: string): number {
  const s = text.trim().toLowerCase();
  if (/^[+-]?inf$/.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(s)) return Number.NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(s))
    throw new PickleError(`invalid float literal ${quote(text)}`);
  return Number(s);
}

/** Bytes as UTF-8 when valid, else Latin-1 (Python 2 `str` payloads). */
export function decodeLegacyString(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return latin1.decode(bytes);
  }
}

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new PickleError(`string is not valid UTF-8 (${bytes.length} bytes)`);
  }
}

const SIMPLE_ESCAPES: Record<string, number> = {
  '\\': 0x5c,
  "'": 0x27,
  '"': 0x22,
  n: 0x0a,
  r: 0x0d,
  t: 0x09,
  a: 0x07,
  b: 0x08,
  f: 0x0c,
  v: 0x0b,
};

/** STRING argument: a repr-quoted Python 2 byte string, e.g. 'ab\x00\n'. */
export function parseQuotedString(text: string): string {
  const q = text[0];
  if (text.length < 2 || (q !== "'" && q !== '"') || text[text.length - 1] !== q)
    throw new PickleError(`STRING argument is not quoted: ${quote(text)}`);
  const body = text.slice(1, -1);
  const out: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    if (c > 0xff) throw new PickleError(`STRING argument has a non-byte character`);
    if (body[i] !== '\\') {
      out.push(c);
      continue;
    }
    const e = body[++i];
    if (e === undefined) throw new PickleError(`STRING argument ends in a lone backslash`);
    if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(body.slice(i + 1, i + 3))) {
      out.push(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (/[0-7]/.test(e)) {
      const oct = /^[0-7]{1,3}/.exec(body.slice(i))![0];
      out.push(parseInt(oct, 8) & 0xff);
      i += oct.length - 1;
    } else if (Object.hasOwn(SIMPLE_ESCAPES, e)) out.push(SIMPLE_ESCAPES[e]!);
    else out.push(0x5c, e.charCodeAt(0) & 0xff);
  }
  return decodeLegacyString(new Uint8Array(out));
}

/** UNICODE argument: raw-unicode-escape (Latin-1 with \uXXXX and \UXXXXXXXX escapes). */
export function decodeRawUnicodeEscape(bytes: Uint8Array): string {
  const s = latin1.decode(bytes);
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (m, u4?: string, u8?: string) => {
    const cp = parseInt((u4 ?? u8)!, 16);
    if (cp > 0x10ffff) throw new PickleError(`UNICODE escape ${m} is out of range`);
    return String.fromCodePoint(cp);
  });
}
