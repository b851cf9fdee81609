/**
 * Drop zone for files (by default CIFAR-100: the official tar.gz, or train.bin / test.bin) with a
 * real, labelled `<input type=file>` for keyboard and screen-reader users.
 */
import { useId, useState, type DragEvent, type ReactNode } from 'react';

export interface FileDropProps {
  onFiles: (files: File[]) => void;
  disabled: boolean;
  /** What to drop (default: the CIFAR-100 files). */
  prompt?: ReactNode;
  /** Label of the file input (default "Choose CIFAR-100 files"). */
  label?: string;
  accept?: string;
  multiple?: boolean;
  testId?: string;
}

const CIFAR_PROMPT = (
  <>
    Drop <code>cifar-100-binary.tar.gz</code> or <code>train.bin</code> / <code>test.bin</code> here
  </>
);

export function FileDrop({
  onFiles,
  disabled,
  prompt = CIFAR_PROMPT,
  label = 'Choose CIFAR-100 files',
  accept = '.gz,.tgz,.tar,.bin',
  multiple = true,
  testId = 'file-drop',
}: FileDropProps) {
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
    const files = Array.from(e.dataTransfer.files);
    if (!disabled) onFiles(multiple ? files : files.slice(0, 1));
  };

  return (
    <div
      className={`file-drop${over ? ' over' : ''}${disabled ? ' disabled' : ''}`}
      onDragOver={onDragOver}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid={testId}
    >
      <p>{prompt}</p>
      <label htmlFor={id} className="file-label">
        {label}
      </label>
      <input
        id={id}
        type="file"
        multiple={multiple}
        accept={accept}
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
