/**
 * Whether the MicroNet 16-bit freebie applies: parameters and multiplies count at 16 bits (adds
 * at 32) while no width is below 16 bits; anything quantized lower loses it for the whole net.
 */
export function FreebieBadge({ on }: { on: boolean | null }) {
  const state = on === null ? 'unknown' : on ? 'on' : 'off';
  const title =
    on === false
      ? 'Something is quantized below 16 bits (or the freebie is switched off): every width counts as it is.'
      : 'Nothing is below 16 bits: parameters and multiplies count at 16 bits, adds at 32.';
  return (
    <span
      className={`badge freebie freebie-${state}`}
      data-testid="freebie-badge"
      data-freebie={state}
      title={title}
    >
      16-bit freebie: {on === null ? '—' : on ? 'on' : 'off'}
    </span>
  );
}
