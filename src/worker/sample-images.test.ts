import { describe, expect, it } from 'vitest';
import { chwToRgba, freshSeed, sampleImages } from './sample-images';

describe('sample images', () => {
  it('interleaves the R, G, B planes into RGBA', () => {
    const chw = new Uint8Array(3072);
    chw[0] = 10; // R of pixel 0
    chw[1024] = 20; // G of pixel 0
    chw[2048 + 1023] = 30; // B of the last pixel
    const out = new Uint8ClampedArray(4096);
    chwToRgba(chw, out, 0);
    expect(Array.from(out.subarray(0, 4))).toEqual([10, 20, 0, 255]);
    expect(Array.from(out.subarray(4092, 4096))).toEqual([0, 0, 30, 255]);
  });

  it('picks distinct images with their labels', () => {
    const count = 5;
    const images = new Uint8Array(count * 3072);
    for (let i = 0; i < count; i++) images[i * 3072] = i; // R of pixel 0 = index
    const fine = Uint8Array.from([50, 51, 52, 53, 54]);
    const split = { images, fine, coarse: new Uint8Array(count), count };
    const s = sampleImages(split, 'test', 4);
    expect(s.count).toBe(4);
    const idx = Array.from({ length: 4 }, (_, i) => s.rgba[i * 4096]!);
    expect(new Set(idx).size).toBe(4);
    expect(s.fine).toEqual(idx.map((i) => 50 + i));
  });

  it('draws other images with fresh seeds (a reload does not repeat the grid)', () => {
    const count = 1000;
    const split = {
      images: new Uint8Array(count * 3072),
      fine: Uint8Array.from({ length: count }, (_, i) => i % 100),
      coarse: Uint8Array.from({ length: count }, (_, i) => i % 20),
      count,
    };
    const picks = new Set<string>();
    for (let i = 0; i < 5; i++) picks.add(sampleImages(split, 'test', 24, freshSeed()).fine.join());
    expect(picks.size).toBeGreaterThan(1);
    const same = sampleImages(split, 'test', 24, 42).fine.join();
    expect(sampleImages(split, 'test', 24, 42).fine.join()).toBe(same);
    expect(sampleImages(split, 'test', 24, 42).coarse).toHaveLength(24);
  });
});
