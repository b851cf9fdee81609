/**
 * The first-run hint: the three steps from an empty lab to a scored network — load the bundled
 * example network, load CIFAR-100, open Compress and measure. Each step ticks itself off; the
 * hint goes away when dismissed and stays away (remembered in this browser) until the header's
 * "Show first steps" (FirstStepsButton) brings it back.
 */
import type { ReactNode } from 'react';
import { useLabStore } from '../store/lab-store';
import { STEP_STATUS } from '../store/step-status';
import type { View } from '../store/view-url';
import { ExampleNetworkButton } from './ExampleNetworkButton';

interface StepProps {
  view: View;
  /** The status text that ticks the step off (default: any "done" status). */
  doneText?: string;
  children: ReactNode;
}

function Step({ view, doneText, children }: StepProps) {
  const done = useLabStore((s) => {
    const status = STEP_STATUS[view](s);
    return status.state === 'done' && (doneText === undefined || status.text === doneText);
  });
  return (
    <li data-done={done} data-testid={`first-run-${view}`}>
      {children}
      {done && <span className="first-run-done"> ✓ done</span>}
    </li>
  );
}

function ViewButton({ view, children }: { view: View; children: string }) {
  return (
    <button
      type="button"
      className="link-button"
      onClick={() => useLabStore.getState().openView(view)}
    >
      {children}
    </button>
  );
}

export function FirstRunHint() {
  const dismissed = useLabStore((s) => s.hintDismissed);
  const loading = useLabStore((s) => s.jobs.load !== null);
  const { dismissHint, downloadArchive } = useLabStore.getState();
  if (dismissed) return null;
  return (
    <aside className="first-run" aria-labelledby="first-run-heading" data-testid="first-run-hint">
      <h2 id="first-run-heading" tabIndex={-1}>
        New here? Three steps to a scored network
      </h2>
      <ol>
        <Step view="model">
          <ExampleNetworkButton primary /> — OSI-AI MicroNet, a real MicroNet Challenge entry (80.26
          % top-1, MIT licence), comes with the lab.
        </Step>
        <Step view="data">
          Load CIFAR-100:{' '}
          <button type="button" onClick={() => void downloadArchive()} disabled={loading}>
            Download CIFAR-100 (161 MB)
          </button>{' '}
          or drop <code>cifar-100-binary.tar.gz</code> or <code>test.bin</code> in the{' '}
          <ViewButton view="data">Data view</ViewButton>.
        </Step>
        <Step view="compress" doneText="measured">
          Open <ViewButton view="compress">Compress</ViewButton>: the MicroNet score shows at once;{' '}
          <em>Measure now</em> measures its accuracy on the first 500 test images.
        </Step>
      </ol>
      <button type="button" className="small" onClick={dismissHint}>
        Dismiss the hint
      </button>
    </aside>
  );
}
