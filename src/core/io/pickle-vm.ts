/**
 * A safe pickle interpreter (Python pickle protocols 0–5, the machine described in CPython's
 * Lib/pickle.py and pickletools), in the spirit of PyTorch's `torch.load(weights_only=True)`:
 * nothing is ever executed or evaluated. GLOBAL / STACK_GLOBAL / INST resolve `module.name`
 * through the caller's allow-list (a Map, so no prototype lookups) and refuse anything else at
 * that opcode, before any argument is read; REDUCE / NEWOBJ / OBJ call only allow-listed pure
 * constructors; BUILD only sets attributes on dicts; persistent ids go to the caller's
 * `persistentLoad`, or are refused. Every read is bounds-checked; values are inert data
 * (./pickle-values.ts). Errors are PickleError with the opcode and byte offset. The opcodes
 * that only read a value (ints, floats, strings, bytes) are in ./pickle-value-ops.ts.
 */
import { parseIntText } from './pickle-text';
import { PickleReader } from './pickle-reader';
import {
  appendItems,
  buildDict,
  describe,
  isPyOpaque,
  PickleError,
  PyDict,
  PyGlobal,
  PySet,
  PyTuple,
  setItems,
  type AllowedGlobal,
  type PyOpaque,
  type PyValue,
} from './pickle-values';
import { OPCODE_NAMES } from './pickle-opcodes';
import { NOT_A_VALUE_OP, readValueOp } from './pickle-value-ops';

export interface UnpickleOptions {
  /** `module.name` → behaviour; any other global is refused. */
  allowList: ReadonlyMap<string, AllowedGlobal>;
  /** Resolves PERSID / BINPERSID ids; absent → persistent ids are refused. */
  persistentLoad?: (pid: PyValue) => PyValue;
  /** BUILD on an opaque object (absent → refused). */
  build?: (inst: PyOpaque, state: PyValue) => void;
  /** Extra words for the refusal of a global (e.g. why a torch class is not supported). */
  refusalHint?: (qualname: string) => string | undefined;
  /** Prefix for error messages, e.g. the file name. */
  label?: string;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode. */
  end: number;
  /** Highest PROTO seen (0 when none). */
  protocol: number;
  /** Allow-listed globals the pickle named, in first-use order. */
  globals: string[];
}

const MAX_PROTOCOL = 5;

class Machine {
  private readonly r: PickleReader;
  private stack: PyValue[] = [];
  private readonly metastack: PyValue[][] = [];
  private readonly memo = new Map<number, PyValue>();
  protocol = 0;
  readonly globals = new Set<string>();

  constructor(
    bytes: Uint8Array,
    start: number,
    private readonly opts: UnpickleOptions,
  ) {
    this.r = new PickleReader(bytes, start);
  }

  get offset(): number {
    return this.r.pos;
  }

  // ---------------------------------------------------------------- stack
  private push(v: PyValue): void {
    this.stack.push(v);
  }
  private pop(): PyValue {
    if (this.stack.length === 0) throw new PickleError('stack underflow');
    return this.stack.pop()!;
  }
  private top(): PyValue {
    if (this.stack.length === 0) throw new PickleError('stack underflow');
    return this.stack[this.stack.length - 1]!;
  }
  private mark(): void {
    this.metastack.push(this.stack);
    this.stack = [];
  }
  private popMark(): PyValue[] {
    const items = this.stack;
    const prev = this.metastack.pop();
    if (prev === undefined) throw new PickleError('no MARK on the stack');
    this.stack = prev;
    return items;
  }

  // ---------------------------------------------------------------- globals and calls
  private resolve(module: string, name: string): PyGlobal {
    const qualname = `${module}.${name}`;
    const entry = this.opts.allowList.get(qualname);
    if (entry === undefined) {
      const hint = this.opts.refusalHint?.(qualname);
      throw new PickleError(
        `refused global ${qualname} (not in the allow-list)${hint ? `: ${hint}` : ''}`,
      );
    }
    this.globals.add(qualname);
    return new PyGlobal(module, name, entry);
  }
  private call(op: string, callable: PyValue, args: readonly PyValue[]): PyValue {
    if (!(callable instanceof PyGlobal)) {
      throw new PickleError(
        `${op} on ${describe(callable)} refused (only allow-listed callables can be called)`,
      );
    }
    if (!callable.entry.call)
      throw new PickleError(`${op} on ${callable.qualname} refused (not callable)`);
    return callable.entry.call(args);
  }
  private tupleArg(op: string, v: PyValue): readonly PyValue[] {
    if (!(v instanceof PyTuple))
      throw new PickleError(`${op} arguments must be a tuple, got ${describe(v)}`);
    return v.items;
  }

  private build(inst: PyValue, state: PyValue): void {
    if (inst instanceof PyDict) return buildDict(inst, state);
    if (isPyOpaque(inst) && this.opts.build) return this.opts.build(inst, state);
    throw new PickleError(`BUILD on ${describe(inst)} refused`);
  }
  private persistent(pid: PyValue): PyValue {
    if (!this.opts.persistentLoad)
      throw new PickleError(`persistent id ${describe(pid)} refused (no persistent loader)`);
    return this.opts.persistentLoad(pid);
  }
  private memoGet(i: number): PyValue {
    const v = this.memo.get(i);
    if (v === undefined) throw new PickleError(`memo key ${i} is missing`);
    return v;
  }
  private memoPut(i: number): void {
    if (i < 0) throw new PickleError(`negative memo key ${i}`);
    this.memo.set(i, this.top());
  }
  /** Executes one opcode (STOP is handled by `run`). */
  private step(code: number): void {
    const value = readValueOp(code, this.r);
    if (value !== NOT_A_VALUE_OP) return this.push(value);
    switch (code) {
      case 0x80: {
        // PROTO
        const p = this.r.uint(1);
        if (p > MAX_PROTOCOL) throw new PickleError(`unsupported pickle protocol ${p}`);
        this.protocol = Math.max(this.protocol, p);
        return;
      }
      case 0x95: {
        // FRAME
        const n = this.r.uint(8);
        if (n > this.r.remaining)
          throw new PickleError(
            `truncated pickle at byte ${this.r.bytes.length}: frame of ${n} bytes runs past the end`,
          );
        return;
      }
      case 0x28: // MARK
        return this.mark();
      case 0x30: // POP
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark();
        return;
      case 0x31: // POP_MARK
        this.popMark();
        return;
      case 0x32: // DUP
        return this.push(this.top());
      case 0x98: // READONLY_BUFFER
        this.top();
        return;
      // tuples, lists, dicts, sets
      case 0x29: // EMPTY_TUPLE
        return this.push(new PyTuple([]));
      case 0x74: // TUPLE
        return this.push(new PyTuple(this.popMark()));
      case 0x85: // TUPLE1
        return this.push(new PyTuple([this.pop()]));
      case 0x86: {
        // TUPLE2
        const b = this.pop();
        return this.push(new PyTuple([this.pop(), b]));
      }
      case 0x87: {
        // TUPLE3
        const c = this.pop();
        const b = this.pop();
        return this.push(new PyTuple([this.pop(), b, c]));
      }
      case 0x5d: // EMPTY_LIST
        return this.push([]);
      case 0x6c: // LIST
        return this.push(this.popMark());
      case 0x61: {
        // APPEND
        const v = this.pop();
        return appendItems(this.top(), [v]);
      }
      case 0x65: {
        // APPENDS
        const items = this.popMark();
        return appendItems(this.top(), items);
      }
      case 0x7d: // EMPTY_DICT
        return this.push(new PyDict());
      case 0x64: {
        // DICT
        const d = new PyDict();
        setItems(d, this.popMark());
        return this.push(d);
      }
      case 0x73: {
        // SETITEM
        const v = this.pop();
        const k = this.pop();
        return setItems(this.top(), [k, v]);
      }
      case 0x75: {
        // SETITEMS
        const items = this.popMark();
        return setItems(this.top(), items);
      }
      case 0x8f: // EMPTY_SET
        return this.push(new PySet([], false));
      case 0x90: {
        // ADDITEMS
        const items = this.popMark();
        const s = this.top();
        if (!(s instanceof PySet) || s.frozen) throw new PickleError(`ADDITEMS on ${describe(s)}`);
        for (const it of items) s.items.push(it);
        return;
      }
      case 0x91: // FROZENSET
        return this.push(new PySet(this.popMark(), true));
      // memo
      case 0x67: // GET
        return this.push(this.memoGet(Number(parseIntText(this.r.line()))));
      case 0x68: // BINGET
        return this.push(this.memoGet(this.r.uint(1)));
      case 0x6a: // LONG_BINGET
        return this.push(this.memoGet(this.r.uint(4)));
      case 0x70: // PUT
        return this.memoPut(Number(parseIntText(this.r.line())));
      case 0x71: // BINPUT
        return this.memoPut(this.r.uint(1));
      case 0x72: // LONG_BINPUT
        return this.memoPut(this.r.uint(4));
      case 0x94: // MEMOIZE
        return this.memoPut(this.memo.size);
      // globals, calls, objects
      case 0x63: {
        // GLOBAL
        const module = this.r.line();
        return this.push(this.resolve(module, this.r.line()));
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = this.pop();
        const module = this.pop();
        if (typeof module !== 'string' || typeof name !== 'string')
          throw new PickleError(
            `STACK_GLOBAL needs two strings, got ${describe(module)}, ${describe(name)}`,
          );
        return this.push(this.resolve(module, name));
      }
      case 0x82:
      case 0x83:
      case 0x84: // EXT1/2/4
        throw new PickleError('extension-registry globals (EXT1/EXT2/EXT4) are refused');
      case 0x52: {
        // REDUCE
        const args = this.tupleArg('REDUCE', this.pop());
        return this.push(this.call('REDUCE', this.pop(), args));
      }
      case 0x81: {
        // NEWOBJ
        const args = this.tupleArg('NEWOBJ', this.pop());
        return this.push(this.call('NEWOBJ', this.pop(), args));
      }
      case 0x92: {
        // NEWOBJ_EX
        const kwargs = this.pop();
        const args = this.tupleArg('NEWOBJ_EX', this.pop());
        if (!(kwargs instanceof PyDict) || kwargs.map.size > 0)
          throw new PickleError(`NEWOBJ_EX with keyword arguments ${describe(kwargs)} refused`);
        return this.push(this.call('NEWOBJ_EX', this.pop(), args));
      }
      case 0x69: {
        // INST: resolved before its arguments are touched
        const module = this.r.line();
        const cls = this.resolve(module, this.r.line());
        return this.push(this.call('INST', cls, this.popMark()));
      }
      case 0x6f: {
        // OBJ
        const [cls, ...args] = this.popMark();
        if (cls === undefined) throw new PickleError('OBJ without a class');
        return this.push(this.call('OBJ', cls, args));
      }
      case 0x62: {
        // BUILD
        const state = this.pop();
        return this.build(this.top(), state);
      }
      case 0x50: // PERSID
        return this.push(this.persistent(this.r.line()));
      case 0x51: // BINPERSID
        return this.push(this.persistent(this.pop()));
      default:
        throw new PickleError(`unknown opcode 0x${code.toString(16).padStart(2, '0')}`);
    }
  }

  run(): PyValue {
    for (;;) {
      const at = this.r.pos;
      if (this.r.remaining <= 0)
        throw new PickleError(`truncated pickle at byte ${at}: no STOP opcode`);
      const code = this.r.uint(1);
      try {
        if (code === 0x2e) return this.pop(); // STOP
        this.step(code);
      } catch (e) {
        if (!(e instanceof PickleError)) throw e;
        const name = OPCODE_NAMES.get(code) ?? `0x${code.toString(16)}`;
        throw new PickleError(`${e.message} [${name} at byte ${at}]`);
      }
    }
  }
}

/** Unpickles one pickle starting at `start`; see the file header for the safety rules. */
export function unpickle(bytes: Uint8Array, opts: UnpickleOptions, start = 0): UnpickleResult {
  const m = new Machine(bytes, start, opts);
  try {
    const value = m.run();
    return { value, end: m.offset, protocol: m.protocol, globals: [...m.globals] };
  } catch (e) {
    if (e instanceof PickleError && opts.label)
      throw new PickleError(`${opts.label}: ${e.message}`);
    throw e;
  }
}
