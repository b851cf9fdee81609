/**
 * The pickle opcodes that only read a value from the bytes (ints, floats, None / booleans,
 * strings, bytes; NEXT_BUFFER is refused): `readValueOp` returns the value the machine pushes
 * (./pickle-vm.ts), or NOT_A_VALUE_OP for every other opcode. Nothing here touches the stack or
 * the memo.
 */
import {
  decodeLegacyString,
  decodeRawUnicodeEscape,
  decodeUtf8,
  normInt,
  parseFloatText,
  parseIntText,
  parseQuotedString,
} from './pickle-text';
import type { PickleReader } from './pickle-reader';
import { PickleError, type PyValue } from './pickle-values';

/** readValueOp's answer for an opcode that is not a plain value. */
export const NOT_A_VALUE_OP: unique symbol = Symbol('not a value opcode');

/** The value opcode `code` pushes, read from `r`; NOT_A_VALUE_OP for other opcodes. */
export function readValueOp(code: number, r: PickleReader): PyValue | typeof NOT_A_VALUE_OP {
  switch (code) {
    // ints and floats
    case 0x49: {
      // INT
      const s = r.line();
      return s === '00' ? false : s === '01' ? true : normInt(parseIntText(s));
    }
    case 0x4c: // LONG
      return normInt(parseIntText(r.line(), true));
    case 0x4a: // BININT
      return r.int32();
    case 0x4b: // BININT1
      return r.uint(1);
    case 0x4d: // BININT2
      return r.uint(2);
    case 0x8a: // LONG1
      return r.long(r.uint(1));
    case 0x8b: // LONG4
      return r.long(r.int32());
    case 0x46: // FLOAT
      return parseFloatText(r.line());
    case 0x47: // BINFLOAT (big-endian)
      return r.float64be();
    case 0x4e: // NONE
      return null;
    case 0x88: // NEWTRUE
      return true;
    case 0x89: // NEWFALSE
      return false;
    // strings and bytes
    case 0x53: // STRING
      return parseQuotedString(r.line());
    case 0x54: {
      // BINSTRING
      const n = r.int32();
      if (n < 0) throw new PickleError(`negative BINSTRING length ${n}`);
      return decodeLegacyString(r.take(n));
    }
    case 0x55: // SHORT_BINSTRING
      return decodeLegacyString(r.take(r.uint(1)));
    case 0x56: // UNICODE
      return decodeRawUnicodeEscape(r.lineBytes());
    case 0x58: // BINUNICODE
      return decodeUtf8(r.take(r.uint(4)));
    case 0x8c: // SHORT_BINUNICODE
      return decodeUtf8(r.take(r.uint(1)));
    case 0x8d: // BINUNICODE8
      return decodeUtf8(r.take(r.uint(8)));
    case 0x42: // BINBYTES
      return r.take(r.uint(4)).slice();
    case 0x43: // SHORT_BINBYTES
      return r.take(r.uint(1)).slice();
    case 0x8e: // BINBYTES8
      return r.take(r.uint(8)).slice();
    case 0x96: // BYTEARRAY8
      return r.take(r.uint(8)).slice();
    case 0x97:
      throw new PickleError('out-of-band buffers (NEXT_BUFFER) are not supported');
    default:
      return NOT_A_VALUE_OP;
  }
}
