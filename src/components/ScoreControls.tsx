/**
 * The Score panel's recipe controls: global sparsity slider, weight / activation bits, the
 * exponent and allocation choices (QuantChoices), counting profile, 16-bit freebie, the
 * early-exit rate (networks with an exit head), BN folding and "Reset recipe".
 */
import { useId } from 'react';
import { FULL_PRECISION, type CountingProfile } from '../core/recipe/index';
import { useLabStore } from '../store/lab-store';
import { globalBits } from '../store/recipe-edit';
import { BitsPicker } from './BitsPicker';
import { QuantChoices } from './QuantChoices';
import { SparsitySlider } from './SparsitySlider';

function ExitRateField() {
  const id = useId();
  const override = useLabStore((s) => s.exitRateOverride);
  const choice = useLabStore((s) => s.exitRate);
  const { setExitRateOverride } = useLabStore.getState();
  return (
    <div className="field">
      <label htmlFor={id}>Early-exit rate</label>
      <input
        id={id}
        type="number"
        min={0}
        max={1}
        step={0.0001}
        placeholder={choice?.rate === undefined ? '' : String(choice.rate)}
        value={override ?? ''}
        onChange={(e) => {
          const v = e.currentTarget.valueAsNumber;
          setExitRateOverride(Number.isNaN(v) ? null : v);
        }}
      />
    </div>
  );
}

export function ScoreControls({
  hasExit,
  onGlobalHold,
}: {
  hasExit: boolean;
  onGlobalHold: (held: boolean) => void;
}) {
  const recipe = useLabStore((s) => s.recipe);
  const foldBN = useLabStore((s) => s.score?.foldBN ?? recipe.foldBN ?? true);
  const profileId = useId();
  const freebieId = useId();
  const a = useLabStore.getState();
  return (
    <div className="score-controls">
      <SparsitySlider
        label="Global extra sparsity (smallest magnitudes, all layers)"
        value={recipe.sparsity ?? 0}
        onChange={a.setSparsity}
        onHold={(held) => {
          onGlobalHold(held);
          a.setSliderHeld(held);
        }}
        testId="global-sparsity"
      />
      <BitsPicker
        label="Weight bits"
        value={globalBits(recipe, 'weight')}
        onChange={(b) => a.setBits({ weight: b ?? FULL_PRECISION })}
        testId="weight-bits"
      />
      <BitsPicker
        label="Activation bits"
        value={globalBits(recipe, 'activation')}
        onChange={(b) => a.setBits({ activation: b ?? FULL_PRECISION })}
        testId="activation-bits"
      />
      <QuantChoices />
      <div className="field">
        <label htmlFor={profileId}>Counting</label>
        <select
          id={profileId}
          value={recipe.countingProfile ?? 'official'}
          onChange={(e) => a.setCountingProfile(e.currentTarget.value as CountingProfile)}
        >
          <option value="official">official (counting.py)</option>
          <option value="seed">seed's counter</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor={freebieId}>16-bit freebie</label>
        <select
          id={freebieId}
          value={recipe.freebie === false ? 'off' : 'auto'}
          onChange={(e) => a.setFreebie(e.currentTarget.value === 'off' ? false : undefined)}
        >
          <option value="auto">while nothing is below 16 bits</option>
          <option value="off">off: count 32-bit</option>
        </select>
      </div>
      {hasExit && <ExitRateField />}
      <label className="check">
        <input
          type="checkbox"
          checked={foldBN}
          onChange={(e) => a.setFoldBN(e.currentTarget.checked)}
        />
        fold BN into the conv bias
      </label>
      <button type="button" onClick={a.resetRecipe}>
        Reset recipe
      </button>
    </div>
  );
}
