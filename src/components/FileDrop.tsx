/**
 * Drop zone for CIFAR-100 files (the official tar.gz, or train.bin / test.bin) with a real,
 * labelled `<input type=file multiple>` for keyboard and screen-reader users.
 */
import { useId, useState, type DragEvent } from 'react';

export interface FileDropProps {
  onFiles: (files: File[]) => void;
  disabled: boolean;
}

export function FileDrop({ onFiles, disabled }: FileDropProps) {
  const id = useId();
  const [over, setOver] = useState(false);

  const onDragOver = (e: DragEvent) => {
    e.preventDefault();
    e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
    setOver(!disabled);
  };
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (!disabled) onFiles(Array.from(e.dataTransfer.files));
  };

  return (
    <div
      className={`file-drop${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="file-drop"
    >
      <p>
        Drop <code>cifar-100-binary.tar.gz</code> or <code>train.bin</code> / <code>test.bin</code>{' '}
        here
      </p>
      <label htmlFor={id} className="file-label">
        Choose CIFAR-100 files
      </label>
      <input
        id={id}
        type="file"
        multiple
        accept=".gz,.tgz,.tar,.bin"
        disabled={disabled}
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          onFiles(files);
        }}
      />
    </div>
  );
}
