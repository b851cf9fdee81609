/**
 * The image operations of AutoAugment (Cubuk et al., CVPR 2019) with Pillow's semantics, as the
 * PIL-based AutoAugment / Fast-AutoAugment training code applies them, in plain JS on uint8 RGB
 * images stored CHW (planes R, G, B; each row-major). Every op returns a new image.
 *
 * Pillow details reproduced (Pillow 9.x): RGB→L is (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16;
 * ImageEnhance blends `degenerate + f·(image − degenerate)` in float32 and truncates to uint8
 * (clamped to 0…255); Contrast's degenerate is the rounded mean of L; Sharpness's is the SMOOTH
 * 3×3 filter [1 1 1; 1 5 1; 1 1 1]/13 with the border pixels kept; geometric ops are AFFINE
 * transforms (output pixel centre → input coordinate, nearest neighbour, fill 0 outside);
 * AutoContrast and Equalize build per-channel lookup tables as ImageOps does.
 */

/** An RGB uint8 image, CHW: data.length = 3·h·w. */
export interface RgbImage {
  data: Uint8Array;
  h: number;
  w: number;
}

function mapLut(img: RgbImage, luts: Uint8Array[]): RgbImage {
  const plane = img.h * img.w;
  const out = new Uint8Array(img.data.length);
  for (let c = 0; c < 3; c++) {
    const lut = luts[c]!;
    for (let i = c * plane; i < (c + 1) * plane; i++) out[i] = lut[img.data[i]!]!;
  }
  return { data: out, h: img.h, w: img.w };
}

function sameLut(f: (v: number) => number): Uint8Array[] {
  const lut = new Uint8Array(256);
  for (let v = 0; v < 256; v++) lut[v] = f(v);
  return [lut, lut, lut];
}

export function invert(img: RgbImage): RgbImage {
  return mapLut(
    img,
    sameLut((v) => 255 - v),
  );
}

/** Pixels ≥ threshold are inverted. */
export function solarize(img: RgbImage, threshold: number): RgbImage {
  return mapLut(
    img,
    sameLut((v) => (v >= threshold ? 255 - v : v)),
  );
}

/** Keeps the top `bits` bits of every value (1…8). */
export function posterize(img: RgbImage, bits: number): RgbImage {
  if (!(bits >= 1 && bits <= 8)) throw new Error(`posterize: bits must be 1–8, got ${bits}`);
  const mask = (0xff << (8 - bits)) & 0xff;
  return mapLut(
    img,
    sameLut((v) => v & mask),
  );
}

function channelHistogram(img: RgbImage, c: number): Int32Array {
  const plane = img.h * img.w;
  const hist = new Int32Array(256);
  for (let i = c * plane; i < (c + 1) * plane; i++) hist[img.data[i]!]!++;
  return hist;
}

/** Per channel: stretch [min, max] to [0, 255] (ImageOps.autocontrast, cutoff 0). */
export function autoContrast(img: RgbImage): RgbImage {
  const luts: Uint8Array[] = [];
  for (let c = 0; c < 3; c++) {
    const hist = channelHistogram(img, c);
    let lo = 0;
    while (lo < 255 && hist[lo] === 0) lo++;
    let hi = 255;
    while (hi > 0 && hist[hi] === 0) hi--;
    const lut = new Uint8Array(256);
    if (hi <= lo) {
      for (let v = 0; v < 256; v++) lut[v] = v;
    } else {
      const scale = 255 / (hi - lo);
      const offset = -lo * scale;
      for (let v = 0; v < 256; v++)
        lut[v] = Math.min(255, Math.max(0, Math.trunc(v * scale + offset)));
    }
    luts.push(lut);
  }
  return mapLut(img, luts);
}

/** Per-channel histogram equalisation (ImageOps.equalize). */
export function equalize(img: RgbImage): RgbImage {
  const luts: Uint8Array[] = [];
  for (let c = 0; c < 3; c++) {
    const hist = channelHistogram(img, c);
    let total = 0;
    let last = 0;
    let nonZero = 0;
    for (let v = 0; v < 256; v++) {
      const k = hist[v]!;
      if (k === 0) continue;
      total += k;
      last = k;
      nonZero++;
    }
    const step = Math.floor((total - last) / 255);
    const lut = new Uint8Array(256);
    if (nonZero <= 1 || step === 0) {
      for (let v = 0; v < 256; v++) lut[v] = v;
    } else {
      let n = Math.floor(step / 2);
      for (let v = 0; v < 256; v++) {
        lut[v] = Math.min(255, Math.floor(n / step));
        n += hist[v]!;
      }
    }
    luts.push(lut);
  }
  return mapLut(img, luts);
}

/** Pillow's RGB → L luma of pixel i. */
function luma(d: Uint8Array, i: number, plane: number): number {
  return (d[i]! * 19595 + d[i + plane]! * 38470 + d[i + 2 * plane]! * 7471 + 0x8000) >> 16;
}

/** Image.blend(degenerate, image, factor): float32 interpolation, clamped, truncated. */
function blend(degenerate: Uint8Array, img: RgbImage, factor: number): RgbImage {
  const a = Math.fround(factor);
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const d = degenerate[i]!;
    const t = Math.fround(d + Math.fround(a * (img.data[i]! - d)));
    out[i] = t <= 0 ? 0 : t >= 255 ? 255 : Math.trunc(t);
  }
  return { data: out, h: img.h, w: img.w };
}

/** ImageEnhance.Brightness: blend with black. */
export function brightness(img: RgbImage, factor: number): RgbImage {
  return blend(new Uint8Array(img.data.length), img, factor);
}

/** ImageEnhance.Color: blend with the image's greyscale version. */
export function color(img: RgbImage, factor: number): RgbImage {
  const plane = img.h * img.w;
  const grey = new Uint8Array(img.data.length);
  for (let i = 0; i < plane; i++) {
    const l = luma(img.data, i, plane);
    grey[i] = l;
    grey[i + plane] = l;
    grey[i + 2 * plane] = l;
  }
  return blend(grey, img, factor);
}

/** ImageEnhance.Contrast: blend with a flat image of the rounded mean luma. */
export function contrast(img: RgbImage, factor: number): RgbImage {
  const plane = img.h * img.w;
  let sum = 0;
  for (let i = 0; i < plane; i++) sum += luma(img.data, i, plane);
  const mean = Math.trunc(sum / plane + 0.5);
  return blend(new Uint8Array(img.data.length).fill(mean), img, factor);
}

/** ImageEnhance.Sharpness: blend with the SMOOTH-filtered image (borders unfiltered). */
export function sharpness(img: RgbImage, factor: number): RgbImage {
  const { h, w } = img;
  const d = img.data;
  const smooth = new Uint8Array(d);
  const k1 = Math.fround(1 / 13);
  const k5 = Math.fround(5 / 13);
  for (let c = 0; c < 3; c++) {
    const base = c * h * w;
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = base + y * w + x;
        const ring =
          d[i - w - 1]! +
          d[i - w]! +
          d[i - w + 1]! +
          d[i - 1]! +
          d[i + 1]! +
          d[i + w - 1]! +
          d[i + w]! +
          d[i + w + 1]!;
        const s = Math.fround(Math.fround(ring * k1) + Math.fround(d[i]! * k5));
        smooth[i] = s <= 0 ? 0 : s >= 255 ? 255 : Math.trunc(s + 0.5);
      }
    }
  }
  return blend(smooth, img, factor);
}

/**
 * Image.transform(AFFINE, (a, b, c, d, e, f), NEAREST, fill 0): output pixel (x, y) takes the
 * input pixel at (⌊a(x+½) + b(y+½) + c⌋, ⌊d(x+½) + e(y+½) + f⌋) when it lies inside. As in
 * Pillow, a pure scale/translate (b = d = 0) is evaluated in float, anything else in 16.16 fixed
 * point (each coefficient rounded to 1/65536), which decides pixels that fall on exact edges.
 */
export function affine(img: RgbImage, m: readonly number[]): RgbImage {
  const [a, b, c, d, e, f] = m as [number, number, number, number, number, number];
  const { h, w } = img;
  const plane = h * w;
  const out = new Uint8Array(img.data.length);
  const copy = (sx: number, sy: number, dst: number): void => {
    if (sx < 0 || sx >= w || sy < 0 || sy >= h) return;
    const src = sy * w + sx;
    out[dst] = img.data[src]!;
    out[dst + plane] = img.data[src + plane]!;
    out[dst + 2 * plane] = img.data[src + 2 * plane]!;
  };
  if (b === 0 && d === 0) {
    for (let y = 0; y < h; y++) {
      const sy = Math.floor(e * (y + 0.5) + f);
      for (let x = 0; x < w; x++) copy(Math.floor(a * (x + 0.5) + c), sy, y * w + x);
    }
    return { data: out, h, w };
  }
  const fix = (v: number): number => Math.floor(v * 65536 + 0.5);
  const [a0, a1, a3, a4] = [fix(a), fix(b), fix(d), fix(e)];
  const a2 = fix(c + a * 0.5 + b * 0.5);
  const a5 = fix(f + d * 0.5 + e * 0.5);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      copy((a2 + y * a1 + x * a0) >> 16, (a5 + y * a4 + x * a3) >> 16, y * w + x);
    }
  }
  return { data: out, h, w };
}

export const shearX = (img: RgbImage, v: number): RgbImage => affine(img, [1, v, 0, 0, 1, 0]);
export const shearY = (img: RgbImage, v: number): RgbImage => affine(img, [1, 0, 0, v, 1, 0]);
/** Shift by v pixels (positive v moves the content left, as PIL's (1, 0, v, 0, 1, 0)). */
export const translateX = (img: RgbImage, v: number): RgbImage => affine(img, [1, 0, v, 0, 1, 0]);
export const translateY = (img: RgbImage, v: number): RgbImage => affine(img, [1, 0, 0, 0, 1, v]);

/** Image.rotate(deg): counter-clockwise about the image centre, nearest, fill 0. */
export function rotate(img: RgbImage, degrees: number): RgbImage {
  if (degrees % 360 === 0) return { data: img.data.slice(), h: img.h, w: img.w };
  const t = (-degrees * Math.PI) / 180;
  const round15 = (v: number): number => Math.round(v * 1e15) / 1e15;
  const [a, b, d, e] = [
    round15(Math.cos(t)),
    round15(Math.sin(t)),
    round15(-Math.sin(t)),
    round15(Math.cos(t)),
  ];
  const cx = img.w / 2;
  const cy = img.h / 2;
  const c = a * -cx + b * -cy + cx;
  const f = d * -cx + e * -cy + cy;
  return affine(img, [a, b, c, d, e, f]);
}
