/**
 * A network's identity from its content: a 64-bit hash (two 32-bit multiply-xor lanes, as in
 * cyrb53) of every tensor's name, shape and float32 bits in name order, plus any extra text (a
 * compressed checkpoint's recipe). The same weights give the same key in any worker, after a
 * reload or a re-import, so measurements of (network, recipe) can be matched across sessions.
 */
import type { Weights } from './ir';

interface Lanes {
  h1: number;
  h2: number;
}

function mix(l: Lanes, x: number): void {
  l.h1 = Math.imul(l.h1 ^ x, 2654435761);
  l.h2 = Math.imul(l.h2 ^ x, 1597334677);
}

function mixText(l: Lanes, s: string): void {
  for (let i = 0; i < s.length; i++) mix(l, s.charCodeAt(i));
  mix(l, 0x1f);
}

function hex(n: number): string {
  return (n >>> 0).toString(16).padStart(8, '0');
}

/** `${name}#${16 hex digits}` for the graph `name` with `weights` (and `extra`). */
export function networkFingerprint(name: string, weights: Weights, extra = ''): string {
  const l: Lanes = { h1: 0xdeadbeef, h2: 0x41c6ce57 };
  mixText(l, extra);
  for (const key of [...weights.keys()].sort()) {
    const t = weights.get(key)!;
    mixText(l, `${key}:${t.shape.join('x')}`);
    const d = t.data;
    const words = new Uint32Array(d.buffer, d.byteOffset, d.length);
    for (let i = 0; i < words.length; i++) mix(l, words[i]!);
  }
  const h1 =
    Math.imul(l.h1 ^ (l.h1 >>> 16), 2246822507) ^ Math.imul(l.h2 ^ (l.h2 >>> 13), 3266489909);
  const h2 =
    Math.imul(l.h2 ^ (l.h2 >>> 16), 2246822507) ^ Math.imul(l.h1 ^ (l.h1 >>> 13), 3266489909);
  return `${name}#${hex(h2)}${hex(h1)}`;
}
