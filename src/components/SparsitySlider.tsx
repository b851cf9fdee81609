/**
 * A sparsity slider (0 – SPARSITY_MAX in steps of 0.01) with its value as a percentage. Each
 * input event reports at once: the score follows the thumb while it is dragged; `onHold` tells
 * when the thumb is held and released (the accuracy is measured after the release).
 */
import { useId } from 'react';
import { SPARSITY_MAX } from '../store/recipe-edit';
import { formatShare } from '../format/score-format';

export interface SparsitySliderProps {
  label: string;
  value: number;
  onChange: (v: number) => void;
  disabled?: boolean;
  /** Hide the label visually (table cells); it stays the accessible name. */
  compact?: boolean;
  testId?: string;
  /** Called with true on pointer down and false on the release (anywhere on the page). */
  onHold?: (held: boolean) => void;
}

export function SparsitySlider(p: SparsitySliderProps) {
  const id = useId();
  return (
    <div className={p.compact ? 'slider slider-compact' : 'slider'}>
      <label htmlFor={id} className={p.compact ? 'visually-hidden' : undefined}>
        {p.label}
      </label>
      <input
        id={id}
        type="range"
        min={0}
        max={SPARSITY_MAX}
        step={0.01}
        value={p.value}
        disabled={p.disabled}
        data-testid={p.testId}
        onChange={(e) => p.onChange(e.currentTarget.valueAsNumber)}
        onPointerDown={() => {
          const onHold = p.onHold;
          if (!onHold) return;
          onHold(true);
          const release = () => {
            onHold(false);
            window.removeEventListener('pointerup', release);
            window.removeEventListener('pointercancel', release);
          };
          window.addEventListener('pointerup', release);
          window.addEventListener('pointercancel', release);
        }}
      />
      <output htmlFor={id} className="slider-value">
        {formatShare(p.value, p.compact ? 0 : 1)}
      </output>
    </div>
  );
}
