/**
 * The Model panel's import controls besides the file drop: the checkpoint URL form, and the
 * status slot under them (import progress, error, notice or the idle hint; it keeps its height).
 */
import { useId, type FormEvent } from 'react';
import { useLabStore } from '../store/lab-store';
import { JobInterrupted } from './JobInterrupted';
import { StatusSlot } from './StatusSlot';

export function ImportStatus() {
  const job = useLabStore((s) => s.jobs.model);
  const error = useLabStore((s) => s.importError);
  const notice = useLabStore((s) => s.importNotice);
  const { cancelImport, dismissImportError } = useLabStore.getState();
  return (
    <>
      <JobInterrupted slot="model" kinds={['import']} />
      <StatusSlot
        job={job}
        progressName="Import progress"
        onCancel={() => void cancelImport()}
        error={error}
        onDismiss={dismissImportError}
        testIds="model"
        notice={notice}
        idle={<p className="idle-hint">No checkpoint imported yet.</p>}
      />
    </>
  );
}

export function UrlImport({ disabled }: { disabled: boolean }) {
  const id = useId();
  const url = useLabStore((s) => s.importUrl);
  const { setImportUrl, importFromUrl } = useLabStore.getState();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void importFromUrl();
  };
  return (
    <form className="url-import" onSubmit={submit}>
      <label htmlFor={id} className="file-label">
        Checkpoint URL
      </label>
      <div className="url-row">
        <input
          id={id}
          type="url"
          inputMode="url"
          placeholder="https://raw.githubusercontent.com/…/model.pth"
          value={url}
          disabled={disabled}
          onChange={(e) => setImportUrl(e.currentTarget.value)}
        />
        <button type="submit" disabled={disabled || url.trim() === ''}>
          Import URL
        </button>
      </div>
      <p className="hint">The server must allow cross-origin requests, as raw GitHub links do.</p>
    </form>
  );
}
