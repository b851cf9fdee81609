/**
 * Integration (Node): the OSI-AI MicroNet checkpoint as published (PyTorch legacy format) must read
 * to exactly the tensors of its safetensors twin (names, shapes, dtypes, bits), and its per-tensor
 * exact-zero counts must match the table in the model's ARCHITECTURE.md.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODELS_DIR } from '../../test-paths';
import { checkpointSummary, readAnyCheckpoint } from './read-checkpoint';
import { readSafetensors, type SafeTensor } from './safetensors';
import { readTorchCheckpoint, type TorchCheckpoint } from './torch-checkpoint';

const DIR = path.join(MODELS_DIR, 'osi-ai-micronet');
const raw = (t: SafeTensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

/** Rows of ARCHITECTURE.md §10: | `name` | [shape] | dtype | elements | exact zeros |. */
function documentedTensors(): { name: string; shape: number[]; dtype: string; zeros: number }[] {
  const md = fs.readFileSync(path.join(DIR, 'ARCHITECTURE.md'), 'utf8');
  const table = md.slice(md.indexOf('## 10. All state_dict tensors'));
  return [...table.matchAll(/^\| `([^`]+)` \| \[([\d, ]*)\] \| (\w+) \| (\d+) \| (\d+) \|$/gm)].map(
    (m) => ({
      name: m[1]!,
      shape: m[2] ? m[2].split(', ').map(Number) : [],
      dtype: m[3] === 'float32' ? 'F32' : m[3] === 'int64' ? 'I64' : m[3]!,
      zeros: Number(m[5]),
    }),
  );
}

describe('OSI-AI MicroNet checkpoint: .pth (legacy) ≡ .safetensors', () => {
  let pth: TorchCheckpoint;
  let st: Map<string, SafeTensor>;
  beforeAll(async () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(DIR, 'trained_model.pth')));
    pth = await readTorchCheckpoint(bytes, 'trained_model.pth');
    st = readSafetensors(
      new Uint8Array(fs.readFileSync(path.join(DIR, 'trained_model.safetensors'))),
    ).tensors;
  });

  it('is a legacy checkpoint of a plain state_dict built from four allow-listed globals', () => {
    expect(pth.format).toBe('torch-legacy');
    expect(pth.meta).toMatchObject({
      stateDictKey: null,
      skipped: [],
      pickleProtocol: 2,
      globals: [
        'collections.OrderedDict',
        'torch._utils._rebuild_tensor_v2',
        'torch.FloatStorage',
        'torch.LongStorage',
      ],
      sysInfo: { protocol_version: 1001, little_endian: true },
    });
  });

  it('every tensor equals its safetensors twin exactly: names, shapes, dtypes, bits', () => {
    expect(pth.stateDict.size).toBe(245);
    expect([...pth.stateDict.keys()].sort()).toEqual([...st.keys()].sort());
    for (const [name, t] of pth.stateDict) {
      const s = st.get(name)!;
      expect([name, t.dtype, t.shape]).toEqual([name, s.dtype, s.shape]);
      expect(raw(t).equals(raw(s)), name).toBe(true);
    }
  });

  it('its summary matches ARCHITECTURE.md: order, shapes, dtypes, exact zeros, 504,220 params', () => {
    const doc = documentedTensors();
    expect(doc).toHaveLength(245);
    const summary = checkpointSummary(pth.stateDict);
    expect(summary.table).toEqual(doc);
    expect(summary.tensorCount).toBe(245);
    expect(summary.params).toBe(504220); // "learnable parameters … excluding running statistics, counters and masks"
    const docZeros = doc
      .filter((r) => !/(running_mean|running_var|num_batches_tracked|mask)$/.test(r.name))
      .reduce((a, r) => a + r.zeros, 0);
    expect(summary.zeros).toBe(docZeros);
    expect(summary.zeroShare).toBeCloseTo(docZeros / 504220, 12);
  });

  it('readAnyCheckpoint sniffs both files from their bytes', async () => {
    const a = await readAnyCheckpoint(
      new Uint8Array(fs.readFileSync(path.join(DIR, 'trained_model.safetensors'))),
      'x.pth',
    );
    expect([a.format, a.tensors.size]).toEqual(['safetensors', 245]);
  });
});
