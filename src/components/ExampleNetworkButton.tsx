/**
 * "Load the example network": imports the bundled OSI-AI MicroNet checkpoint through the Model
 * panel's URL import (progress, errors and the tensor table show there as for any import).
 */
import { useLabStore } from '../store/lab-store';

export function ExampleNetworkButton({ primary = false }: { primary?: boolean }) {
  const busy = useLabStore(
    (s) => s.jobs.model !== null || s.jobs.train !== null || s.jobs.evaluate !== null,
  );
  const { loadExampleNetwork } = useLabStore.getState();
  return (
    <button
      type="button"
      className={primary ? 'primary' : undefined}
      onClick={() => void loadExampleNetwork()}
      disabled={busy}
    >
      Load the example network
    </button>
  );
}
