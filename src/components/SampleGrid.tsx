/**
 * Grid of sample images (32×32 RGBA drawn on canvases, scaled with crisp pixels) with their fine
 * and coarse (superclass) label names. Keeps its height when empty so the page does not jump when data arrives.
 */
import { useEffect, useMemo, useRef } from 'react';
import type { SampleImages } from '../worker/lab-types';

const SIDE = 32;
const PIXELS = SIDE * SIDE * 4;

interface TileProps {
  rgba: Uint8ClampedArray;
  fine: string;
  coarse: string;
}

function SampleTile({ rgba, fine, coarse }: TileProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const img = new ImageData(SIDE, SIDE);
    img.data.set(rgba);
    ctx.putImageData(img, 0, 0);
  }, [rgba]);
  return (
    <li className="sample">
      <canvas ref={ref} width={SIDE} height={SIDE} role="img" aria-label={`${fine} (${coarse})`} />
      <span className="sample-label" title={fine}>
        {fine}
      </span>
      <span className="sample-coarse" title={`superclass: ${coarse}`}>
        {coarse}
      </span>
    </li>
  );
}

function splitImages(samples: SampleImages | null): Uint8ClampedArray[] {
  const out: Uint8ClampedArray[] = [];
  for (let i = 0; samples && i < samples.count; i++) {
    out.push(samples.rgba.subarray(i * PIXELS, (i + 1) * PIXELS));
  }
  return out;
}

interface SampleGridProps {
  samples: SampleImages | null;
  fineNames: string[];
  coarseNames: string[];
}

export function SampleGrid({ samples, fineNames, coarseNames }: SampleGridProps) {
  const images = useMemo(() => splitImages(samples), [samples]);
  if (!samples || samples.count === 0) {
    return (
      <div className="sample-grid empty" data-testid="sample-grid">
        <p>Sample images appear here once a dataset is loaded.</p>
      </div>
    );
  }
  const tiles = images.map((rgba, i) => {
    const fine = samples.fine[i] ?? 0;
    const coarse = samples.coarse[i] ?? 0;
    return (
      <SampleTile
        key={i}
        rgba={rgba}
        fine={fineNames[fine] ?? `class ${fine}`}
        coarse={coarseNames[coarse] ?? `superclass ${coarse}`}
      />
    );
  });
  return (
    <div className="sample-grid" data-testid="sample-grid">
      <p className="sample-caption">
        {samples.count} random {samples.split} images with their class and superclass
      </p>
      <ul>{tiles}</ul>
    </div>
  );
}
